/*
 * proto/desc.h — kwire's compact description of Kafka API messages, and the engine
 * that walks it: decode (bytes -> C struct), encode (C struct -> bytes), size (exact
 * encoded size) and annotate (bytes -> codec/annot.h callbacks, no struct needed).
 *
 * ---- The description format ----
 *
 * A message body is a kw_struct: a C struct type (its sizeof) and a table of kw_field,
 * in wire order. Every field says
 *   name      the Kafka grammar's name ("throttle_time_ms"): it is the C member name too
 *   type      KW_T_* below
 *   vmin,vmax the versions it exists in (vmax = KW_VMAX for "and later")
 *   null_from the first version in which it is nullable (KW_NEVER: never)
 *   tag       -1, or its tag number: a tagged field lives in the struct's tagged-field
 *             section, only in flexible versions within [vmin, vmax]
 *   def       its default: the value for integers; for STRING, BYTES, RECORDS and ARRAY
 *             0 = empty, -1 = null (Kafka's "default": "null"); also used for tagged
 *             fields, see below
 *   off, off_n  offsetof its C member, and of the element count member for arrays
 *   sub       the element/inner kw_struct for KW_T_ARRAY of structs and KW_T_STRUCT
 *   elem      the element type for arrays of primitives (sub == NULL)
 *   flags     KW_FL_CLASSIC: never compact (request header client_id);
 *             KW_FL_COMPACT: always compact, even in a non-flexible version;
 *             KW_FL_RAW: RECORDS that need not start at a batch boundary (a snapshot
 *             chunk): annotated as bytes, not walked as record batches
 * Whether a STRING/BYTES/RECORDS/ARRAY is compact is not written per field: it follows
 * the API's first flexible version (kw_api_flexible), unless a flag fixes it. So one
 * STRING field covers STRING, NULLABLE_STRING, COMPACT_STRING and
 * COMPACT_NULLABLE_STRING over an API's versions, as in Kafka's own JSON schemas.
 *
 * A STRUCT field nullable in some versions (null_from != KW_NEVER, Kafka's nullable
 * structs) is a pointer member (NULL = null); on the wire an int8 precedes it in its
 * nullable versions: -1 null, 1 present.
 *
 * Tagged fields are listed after the ordinary fields of their struct, in ascending tag
 * order (the order they are written in). The encoder writes a tagged field only when
 * its value differs from the default: integers != def, strings/bytes/arrays when not
 * empty (def 0) or not null (def -1), UUID non-zero, structs when any of their fields
 * differs. Unknown tags are skipped on decode (and shown by annotate with their tag,
 * size and raw bytes).
 *
 * Tables are written with the macros below, one per field kind (scripts/protogen writes
 * them from Kafka's message specifications), e.g.
 *
 *   static const kw_field metadata_broker_f[] = {
 *       KW_F(kw_metadata_broker, node_id, KW_T_INT32, 0, KW_VMAX),
 *       KW_F(kw_metadata_broker, host, KW_T_STRING, 0, KW_VMAX),
 *       KW_F(kw_metadata_broker, port, KW_T_INT32, 0, KW_VMAX),
 *       KW_FNULL(kw_metadata_broker, rack, KW_T_STRING, 1, KW_VMAX, 1), nullable from v1, default null
 *   };
 *   KW_STRUCT_DESC(kw_metadata_broker, metadata_broker_f);  -> const kw_struct kw_metadata_broker_desc
 *
 * ---- The C structs ----
 *   BOOLEAN uint8_t, INT8 int8_t, INT16 int16_t, INT32 int32_t, INT64 int64_t,
 *   UINT16 uint16_t, UINT32 uint32_t, FLOAT64 double, UUID kw_uuid, VARINT int32_t,
 *   VARLONG int64_t, UNSIGNED_VARINT uint32_t, STRING kw_str, BYTES and RECORDS kw_bytes
 *   (slices: pointer + length, length -1 = null; decoded slices point into the input),
 *   STRUCT an embedded struct (a pointer when nullable), ARRAY a pointer `x` and an
 *   int32_t count `n_x` (n_x == -1: null array). Array elements are the element's C type.
 * Decode fills every member: fields absent from the version (or tagged and not sent)
 * get their default (integers def, strings/bytes/arrays empty or null as def says,
 * nullable structs NULL, structs their own defaults). Arrays and nullable structs are
 * allocated from a kw_arena, one bump allocator per message.
 *
 * ---- What annotate reports (codec/annot.h events), in wire order ----
 *   primitive       FIELD name, type ("int32", "compact_nullable_string", ...), its bytes
 *                   (length prefix included), value text (strings quoted and escaped,
 *                   bytes as "N bytes hex...", cut to ~300 characters; "null")
 *   array           ENTER name "compact_array"/"array" over the count, value "N items"
 *                   or "null"; per element ENTER "[i]" "struct" (len 0) ... LEAVE, or a
 *                   FIELD "[i]" for primitive elements; LEAVE
 *   struct          ENTER name "struct" (len 0) ... LEAVE; a nullable struct: FIELD name
 *                   "nullable_struct" over its int8 with value "null", or ENTER name
 *                   "nullable_struct" over the int8 (value "present") ... LEAVE
 *   records         ENTER name "records"/"compact_records" over the length prefix, value
 *                   "N bytes"; then kw_records_annotate() at depth + 1; LEAVE
 *   tag section     FIELD "_tagged_fields" (count 0), or ENTER "_tagged_fields" over the
 *                   count, then per known tag ENTER <field name> "tagged_field" over the
 *                   tag and size varints (value "tag T, N bytes"), the value's events,
 *                   LEAVE; per unknown tag FIELD "unknown_tag" over tag, size and data
 *                   (value "tag T, N bytes hex"); LEAVE
 *   failure         ERROR named by the field path ("topics[0].partitions"), value
 *                   "<reason> at <path> (offset N)", and the walk stops
 * Each byte of a well-formed body is covered by exactly one FIELD or ENTER, in order.
 *
 *   (a tagged struct's fields come directly under its "tagged_field" entry)
 *
 * ---- Where the descriptions come from ----
 * scripts/protogen/protogen.py (`make proto-gen`) writes, from the message
 * specifications in the kafka-clients jar, proto/msg_<api>.h (the structs),
 * proto/msg_<api>.c (the tables, defining `const kw_struct kw__<Name>_req,
 * kw__<Name>_resp`), proto/msg_common.h (structs shared by several APIs) and
 * proto/api_table.h (KW_API_MAP: every API key, its versions and first flexible
 * version). The generated files are checked in. The test and fuzz programs walk every
 * described (API, version, direction) on their own.
 */
#ifndef KW_PROTO_DESC_H
#define KW_PROTO_DESC_H

#include <stddef.h>
#include <stdint.h>

#include "codec/annot.h"
#include "codec/buf.h"
#include "proto/proto.h"

enum kw_type {
    KW_T_BOOL, KW_T_INT8, KW_T_INT16, KW_T_INT32, KW_T_INT64, KW_T_UINT16, KW_T_UINT32,
    KW_T_FLOAT64, KW_T_UUID, KW_T_VARINT, KW_T_VARLONG, KW_T_UVARINT,
    KW_T_STRING, KW_T_BYTES, KW_T_RECORDS, KW_T_ARRAY, KW_T_STRUCT
};

#define KW_VMAX INT16_MAX  /* "and every later version" */
#define KW_NEVER INT16_MAX /* null_from: never nullable */
#define KW_FL_CLASSIC 1
#define KW_FL_COMPACT 2
#define KW_FL_RAW 4

typedef struct kw_str { const char *p; int32_t len; } kw_str;       /* len -1: null */
typedef struct kw_bytes { const uint8_t *p; int32_t len; } kw_bytes; /* len -1: null */
/* kw_uuid: kwire/types.h (via codec/buf.h) */

/* Slice helpers for filling request structs. */
static inline kw_str kw_s(const char *s) { kw_str r = {s, s ? (int32_t)strlen(s) : -1}; return r; }
static inline kw_bytes kw_b(const void *p, size_t n) { kw_bytes r = {(const uint8_t *)p, (int32_t)n}; return r; }
#define KW_STR_NULL ((kw_str){NULL, -1})
#define KW_BYTES_NULL ((kw_bytes){NULL, -1})

struct kw_struct;
typedef struct kw_field {
    const char *name;
    uint8_t type, elem, flags;
    int16_t vmin, vmax, null_from, tag;
    int64_t def;
    uint32_t off, off_n;
    const struct kw_struct *sub;
} kw_field;

typedef struct kw_struct {
    const char *name;
    size_t size;           /* sizeof the C struct */
    const kw_field *fields;
    uint16_t nfields;
} kw_struct;

#define KW__FLD(nm, T, E, FL, lo, hi, nf, tg, df, o, on, sb) \
    { nm, (uint8_t)(T), (uint8_t)(E), (uint8_t)(FL), (int16_t)(lo), (int16_t)(hi), (int16_t)(nf), (int16_t)(tg), \
      (int64_t)(df), (uint32_t)(o), (uint32_t)(on), sb }

/* Plain field; with a default; nullable from version nf; with flags. */
#define KW_F(S, m, T, lo, hi) KW__FLD(#m, T, 0, 0, lo, hi, KW_NEVER, -1, 0, offsetof(S, m), 0, NULL)
#define KW_FD(S, m, T, lo, hi, df) KW__FLD(#m, T, 0, 0, lo, hi, KW_NEVER, -1, df, offsetof(S, m), 0, NULL)
#define KW_FN(S, m, T, lo, hi, nf) KW__FLD(#m, T, 0, 0, lo, hi, nf, -1, 0, offsetof(S, m), 0, NULL)
#define KW_FX(S, m, T, lo, hi, nf, fl) KW__FLD(#m, T, 0, fl, lo, hi, nf, -1, 0, offsetof(S, m), 0, NULL)
/* Nullable from nf with default null (strings, bytes); any primitive in full. */
#define KW_FNULL(S, m, T, lo, hi, nf) KW__FLD(#m, T, 0, 0, lo, hi, nf, -1, -1, offsetof(S, m), 0, NULL)
#define KW_FG(S, m, T, lo, hi, nf, df, fl) KW__FLD(#m, T, 0, fl, lo, hi, nf, -1, df, offsetof(S, m), 0, NULL)
/* Array of structs (member m, count n_m, element description SubDesc); nullable variant. */
#define KW_A(S, m, SubDesc, lo, hi) \
    KW__FLD(#m, KW_T_ARRAY, 0, 0, lo, hi, KW_NEVER, -1, 0, offsetof(S, m), offsetof(S, n_##m), &(SubDesc))
#define KW_AN(S, m, SubDesc, lo, hi, nf) \
    KW__FLD(#m, KW_T_ARRAY, 0, 0, lo, hi, nf, -1, 0, offsetof(S, m), offsetof(S, n_##m), &(SubDesc))
/* Array of structs nullable from nf with default null. */
#define KW_ANULL(S, m, SubDesc, lo, hi, nf) \
    KW__FLD(#m, KW_T_ARRAY, 0, 0, lo, hi, nf, -1, -1, offsetof(S, m), offsetof(S, n_##m), &(SubDesc))
/* Array of primitives of type E; nullable from nf with default df (0 empty, -1 null). */
#define KW_AP(S, m, E, lo, hi) \
    KW__FLD(#m, KW_T_ARRAY, E, 0, lo, hi, KW_NEVER, -1, 0, offsetof(S, m), offsetof(S, n_##m), NULL)
#define KW_APN(S, m, E, lo, hi, nf, df) \
    KW__FLD(#m, KW_T_ARRAY, E, 0, lo, hi, nf, -1, df, offsetof(S, m), offsetof(S, n_##m), NULL)
/* Embedded struct; nullable struct (a pointer member) nullable from nf. */
#define KW_S(S, m, SubDesc, lo, hi) \
    KW__FLD(#m, KW_T_STRUCT, 0, 0, lo, hi, KW_NEVER, -1, 0, offsetof(S, m), 0, &(SubDesc))
#define KW_SN(S, m, SubDesc, lo, hi, nf) \
    KW__FLD(#m, KW_T_STRUCT, 0, 0, lo, hi, nf, -1, 0, offsetof(S, m), 0, &(SubDesc))
/* Tagged fields: primitive (nullable from nf, default df), array of structs, array of
 * primitives, struct. */
#define KW_TF(S, m, T, lo, hi, tg, df, nf) KW__FLD(#m, T, 0, 0, lo, hi, nf, tg, df, offsetof(S, m), 0, NULL)
#define KW_TA(S, m, SubDesc, lo, hi, tg) \
    KW__FLD(#m, KW_T_ARRAY, 0, 0, lo, hi, KW_NEVER, tg, 0, offsetof(S, m), offsetof(S, n_##m), &(SubDesc))
#define KW_TAP(S, m, E, lo, hi, tg, nf, df) \
    KW__FLD(#m, KW_T_ARRAY, E, 0, lo, hi, nf, tg, df, offsetof(S, m), offsetof(S, n_##m), NULL)
#define KW_TS(S, m, SubDesc, lo, hi, tg) \
    KW__FLD(#m, KW_T_STRUCT, 0, 0, lo, hi, KW_NEVER, tg, 0, offsetof(S, m), 0, &(SubDesc))

#define KW_STRUCT_DESC(S, tbl) KW_MSG_DESC(S##_desc, S, tbl)
/* A description named var for struct type S with field table tbl. */
#define KW_MSG_DESC(var, S, tbl) \
    const kw_struct var = {#S, sizeof(S), tbl, (uint16_t)(sizeof(tbl) / sizeof((tbl)[0]))}

/* ---- arena: one bump allocator per decoded message, freed at once ---- */
typedef struct kw__chunk kw__chunk;
typedef struct kw_arena {
    kw__chunk *head;
    uint8_t *p;   /* next free byte in head */
    size_t left;  /* bytes free in head */
    size_t total; /* bytes allocated from malloc, for tests */
} kw_arena;

void kw_arena_init(kw_arena *a);
/* n bytes, 16-aligned, zeroed; NULL when out of memory. */
void *kw_arena_alloc(kw_arena *a, size_t n);
/* Forget every allocation but keep the memory (as one chunk) for the next message. */
void kw_arena_reset(kw_arena *a);
void kw_arena_free(kw_arena *a);

/* Where and why a decode failed: code, offset within the body, field path. */
typedef struct kw_proto_err {
    int code;        /* KW_ERR_TRUNCATED, KW_ERR_CORRUPT, KW_ERR_VARINT, ... */
    size_t off;
    char path[160];  /* "topics[0].partitions[2].records" */
} kw_proto_err;

/* ---- the engine over a description (flexible: use compact forms and tagged fields) ---- */
int kw_desc_decode(const kw_struct *s, int16_t version, int flexible, const uint8_t *p, size_t len,
                   void *out, kw_arena *a, kw_proto_err *err);
int kw_desc_encode(const kw_struct *s, int16_t version, int flexible, const void *in, kw_buf *out);
/* The same, handing each non-empty RECORDS value to slice (see kw_slice_fn in
 * proto/proto.h) after its length prefix, instead of copying it into out. */
int kw_desc_encode_ref(const kw_struct *s, int16_t version, int flexible, const void *in, kw_buf *out,
                       kw_slice_fn slice, void *slice_ud);
size_t kw_desc_size(const kw_struct *s, int16_t version, int flexible, const void *in);
/* base: offset added to reported offsets (the body's offset within a frame). */
int kw_desc_annotate(const kw_struct *s, int16_t version, int flexible, const uint8_t *p, size_t len,
                     size_t base, int depth, kw_ann_cb cb, void *ud);
/* Set every member of a struct to its default for this version (see above). */
void kw_desc_defaults(const kw_struct *s, void *out);

/* "int32", "compact_nullable_string", ... as the annotation reports it. */
const char *kw_type_name(int type, int compact, int nullable);
/* sizeof the C type holding one value of a primitive type. */
size_t kw_type_csize(int type);

/* The description of (api, dir): NULL when kwire has none. */
const kw_struct *kw__api_desc(int api_key, int dir);
/* Decode a struct at the start of p, leaving any bytes after it (*used: bytes read). */
int kw__desc_decode_prefix(const kw_struct *s, int16_t version, int flexible, const uint8_t *p, size_t len,
                           void *out, kw_arena *a, kw_proto_err *err, size_t *used);
/* kw_desc_annotate of a message of (api_key, dir): bytes fields that carry a message of
 * their own (the consumer protocol's, proto/consumer_protocol.h) are walked as it. */
int kw__desc_annotate_api(const kw_struct *s, int api_key, int dir, int16_t version, int flexible,
                          const uint8_t *p, size_t len, size_t base, int depth, kw_ann_cb cb, void *ud);
/* kw_msg_annotate with offsets reported relative to base (a body inside a frame). */
int kw__msg_annotate_at(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, size_t base,
                        int depth, kw_ann_cb cb, void *ud);

#endif
