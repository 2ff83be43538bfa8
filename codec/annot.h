/*
 * codec/annot.h — the annotation walk: the teaching view of bytes on the wire.
 *
 * A walker (record batch decoding here, API messages in proto/) reports every field
 * it decodes, in order, through a callback: where it is, how long, its name, its type
 * and its decoded value as text. ENTER/LEAVE bracket structs and arrays so a printer
 * can build paths like topics[0].partitions[2].records and indent a tree. The same
 * walk drives the text printer (hex on the left, tree on the right) and JSON.
 *
 * Offsets: `bytes` points at the field's raw bytes; `off` is its offset within the
 * region being annotated. A compressed record batch opens a new region (KW_ANN_REGION)
 * for its decompressed bytes; offsets inside it are relative to that region.
 */
#ifndef KW_CODEC_ANNOT_H
#define KW_CODEC_ANNOT_H

#include <stddef.h>
#include <stdint.h>

typedef enum kw_ann_kind {
    KW_ANN_FIELD,  /* a leaf value */
    KW_ANN_ENTER,  /* a struct, array or array element begins (name "topics", "[0]", ...) */
    KW_ANN_LEAVE,  /* it ends */
    KW_ANN_REGION, /* a new byte region begins (e.g. decompressed records); value says what */
    KW_ANN_END_REGION,
    KW_ANN_NOTE,   /* a remark about the previous field (e.g. "CRC MISMATCH (expected ...)") */
    KW_ANN_ERROR   /* decoding stopped here: value says why */
} kw_ann_kind;

typedef struct kw_ann {
    kw_ann_kind kind;
    const char *name;     /* field name, or "[i]" for an array element */
    const char *type;     /* "int32", "varint", "compact_string", "records", ... */
    const uint8_t *bytes; /* the field's raw bytes (len of them) */
    size_t off;           /* offset of bytes within the current region */
    size_t len;
    const char *value;    /* decoded value as text (NULL for ENTER/LEAVE) */
    int depth;            /* nesting depth, 0 at the top */
    int secret;           /* a FIELD whose bytes must not be shown (a password, a token):
                             printers leave its hex out; value says "<redacted, N bytes>" */
} kw_ann;

/* Return 0 to go on, non-zero to stop the walk (the walker returns that value). */
typedef int (*kw_ann_cb)(void *ud, const kw_ann *a);

#endif
