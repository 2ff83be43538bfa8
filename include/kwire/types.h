/*
 * kwire/types.h — small types shared by libkwire's calls: an output buffer the
 * formatting calls append to (kw_buf), a bounded read cursor (kw_rd), a record header
 * (kw_header), a topic-partition (kw_tp) and a topic id (kw_uuid).
 *
 * Example: print a consumed record's headers (kw_msg, kwire/consumer.h) and a lag
 * table (kwire/lag.h) built into a kw_buf.
 *
 *     kw_rd r = { m->hdr_data, m->hdr_len, 0, 0 };
 *     kw_header h;
 *     while (kw_record_header_next(&r, &h) == 1)
 *         printf("%.*s=%.*s\n", (int)h.key_len, (const char *)h.key,
 *                h.value_len < 0 ? 0 : (int)h.value_len, (const char *)h.value);
 *
 *     kw_buf out;
 *     kw_buf_init(&out);
 *     if (kw_lag_format_table(&report, &out) == 0)
 *         fwrite(out.data, 1, out.len, stdout);
 *     kw_buf_free(&out);
 */
#ifndef KWIRE_TYPES_H
#define KWIRE_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "kwire/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A growable byte buffer with a sticky error: a write that cannot grow it sets
 * err = KW_ERR_NOMEM and later writes do nothing. Start with kw_buf_init. */
typedef struct kw_buf {
    uint8_t *data;
    size_t len; /* bytes written */
    size_t cap; /* bytes allocated */
    int err;    /* sticky: 0 or KW_ERR_NOMEM / KW_ERR_TOO_LARGE */
} kw_buf;

KW_API void kw_buf_init(kw_buf *b);
KW_API void kw_buf_free(kw_buf *b);
/* Take ownership of the bytes (free() them); the buffer is left empty. */
KW_API uint8_t *kw_buf_detach(kw_buf *b, size_t *len);

/* A read cursor over [p, p+len): { p, len, 0, 0 } starts at the first byte. */
typedef struct kw_rd {
    const uint8_t *p; /* start of the readable region */
    size_t len;       /* its length */
    size_t off;       /* next byte to read, always <= len */
    int err;          /* sticky: 0, KW_ERR_TRUNCATED or KW_ERR_VARINT */
} kw_rd;

/* One header of a record: slices into the batch (or its decompressed copy). */
typedef struct kw_header {
    const uint8_t *key; int32_t key_len;     /* header keys are never null */
    const uint8_t *value; int32_t value_len; /* -1: null */
} kw_header;

/* Walk the headers of a read record (a cursor over its header bytes): returns 1 per
 * header, 0 at the end, or an error. */
KW_API int kw_record_header_next(kw_rd *hdrs, kw_header *h);

/* A topic and partition (topic owned by whoever made the list, unless said otherwise). */
typedef struct kw_tp {
    const char *topic;
    int32_t partition;
} kw_tp;

/* Opaque handles: a set of broker connections (kwire/admin.h), a consumer's group
 * membership (kwire/consumer.h). */
typedef struct kw_net kw_net;
typedef struct kw_group kw_group;

/* A topic id (Kafka's UUID), 16 bytes. */
typedef struct kw_uuid { uint8_t b[16]; } kw_uuid;

#ifdef __cplusplus
}
#endif

#endif
