/*
 * proto/proto.h — the Kafka API layer's entry points, as used by client/ and the
 * commands. Every message is described once (proto/msg_*.c, in kwire's compact
 * description form, see proto/desc.h); encode, decode, size and annotation are walks
 * over that description.
 *
 * Directions: KW_REQ (client -> broker body) and KW_RESP (broker -> client body). A
 * "body" is what follows the request/response header; a "frame" is int32 size + header
 * + body.
 */
#ifndef KW_PROTO_H
#define KW_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "codec/annot.h"
#include "codec/buf.h"

enum kw_dir { KW_REQ = 0, KW_RESP = 1 };

/* API keys kwire knows: X(KEY, Name, lowest version, highest version kwire implements). */
#define KW_API_MAP(X)                         \
    X(0, Produce, 3, 12)                      \
    X(1, Fetch, 4, 17)                        \
    X(2, ListOffsets, 1, 10)                  \
    X(3, Metadata, 0, 13)                     \
    X(8, OffsetCommit, 2, 9)                  \
    X(9, OffsetFetch, 1, 9)                   \
    X(10, FindCoordinator, 0, 6)              \
    X(15, DescribeGroups, 0, 6)               \
    X(16, ListGroups, 0, 5)                   \
    X(17, SaslHandshake, 0, 1)                \
    X(18, ApiVersions, 0, 4)                  \
    X(19, CreateTopics, 2, 7)                 \
    X(22, InitProducerId, 0, 5)               \
    X(36, SaslAuthenticate, 0, 2)

enum {
#define KW__API_ENUM(key, name, lo, hi) KW_API_##name = (key),
    KW_API_MAP(KW__API_ENUM)
#undef KW__API_ENUM
};

/* "Metadata" for 3; NULL for a key kwire does not know. */
const char *kw_api_name(int api_key);
/* Name of ANY API key Kafka defines (implemented by kwire or not), or NULL. */
const char *kw_api_kafka_name(int api_key);
/* Any Kafka API name (case-insensitive) or decimal key to its key, or KW_ERR_UNKNOWN_API. */
int kw_api_kafka_parse(const char *name);
/* Case-insensitive name ("metadata", "ListOffsets") to key, or KW_ERR_UNKNOWN_API. */
int kw_api_parse(const char *name);
/* kwire's own version range for an API: 0, or KW_ERR_UNKNOWN_API. */
int kw_api_range(int api_key, int16_t *lo, int16_t *hi);
/* 1 if (api, version) uses the flexible encoding (compact types, tagged fields). */
int kw_api_flexible(int api_key, int16_t version);
/* Request header version (1 or 2) and response header version (0 or 1) for (api, version).
 * The ApiVersions response always uses header v0. */
int kw_req_header_version(int api_key, int16_t version);
int kw_resp_header_version(int api_key, int16_t version);

/* Request header as decoded from a frame (client_id is a slice, may be NULL). */
typedef struct kw_req_header {
    int16_t api_key, api_version;
    int32_t correlation_id;
    const char *client_id; int16_t client_id_len; /* -1: null */
} kw_req_header;

/*
 * Annotate a message body field by field (codec/annot.h). For RECORDS fields the walk
 * continues into the record batches (kw_records_annotate). Returns 0, the callback's
 * non-zero value, or a negative KW_ERR_* after emitting KW_ANN_ERROR naming the field
 * and offset where decoding stopped. KW_ERR_UNSUPPORTED for an unknown (api, version).
 */
int kw_msg_annotate(int api_key, int16_t version, int dir, const uint8_t *body, size_t len,
                    int depth, kw_ann_cb cb, void *ud);

/*
 * Annotate a whole request frame (int32 size, request header, body): the header's
 * fields, then the body at the header's api key and version.
 */
int kw_request_frame_annotate(const uint8_t *frame, size_t len, kw_ann_cb cb, void *ud);
/*
 * Annotate a whole response frame for a known (api, version): size, response header
 * (correlation id, tagged fields for header v1), then the body.
 */
int kw_response_frame_annotate(int api_key, int16_t version, const uint8_t *frame, size_t len,
                               kw_ann_cb cb, void *ud);

/* Decode the request header at the start of a request frame's payload (after the size). */
int kw_req_header_decode(const uint8_t *p, size_t len, kw_req_header *h, size_t *hdr_len);

/* ---- typed messages (structs in proto/msg_<api>.h, arena and error detail in proto/desc.h) ---- */
typedef struct kw_arena kw_arena;
typedef struct kw_proto_err kw_proto_err;

/*
 * Decode a message body into its struct (e.g. kw_metadata_resp for Metadata, KW_RESP).
 * Arrays go into the arena; strings, bytes and records are slices into body, so body
 * and the arena must outlive the struct. Returns 0, KW_ERR_UNSUPPORTED for an unknown
 * (api, version), or KW_ERR_TRUNCATED / KW_ERR_CORRUPT / KW_ERR_VARINT / KW_ERR_NOMEM
 * with err (may be NULL) saying at which field and offset. Trailing bytes are corrupt.
 */
int kw_msg_decode(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, void *out,
                  kw_arena *a, kw_proto_err *err);
/* Append the body's encoding to out. 0, KW_ERR_UNSUPPORTED, KW_ERR_INVALID_ARG (a null
 * where the version does not allow one), KW_ERR_TOO_LARGE or KW_ERR_NOMEM; out is
 * unchanged on error. */
int kw_msg_encode(int api_key, int16_t version, int dir, const void *msg, kw_buf *out);
/* Exact size kw_msg_encode would append (0 for an unknown api/version). */
size_t kw_msg_size(int api_key, int16_t version, int dir, const void *msg);
/* Fill a message struct with its defaults (nulls, -1 epochs, empty arrays): start here. */
void kw_msg_defaults(int api_key, int dir, void *msg);

/*
 * Append a whole request frame: int32 size, request header (v1 or v2 as the version
 * requires; client_id NULL = null) and the body encoded from req.
 */
int kw_request_encode(kw_buf *out, int api_key, int16_t version, int32_t correlation_id,
                      const char *client_id, const void *req);
/* Append a whole response frame: size, response header, body (brokers, tests, fuzzers). */
int kw_response_encode(kw_buf *out, int api_key, int16_t version, int32_t correlation_id, const void *resp);
/*
 * Read the response header at the start of a frame's payload (after the size) for a
 * request sent as (api, version): correlation id and header length (tagged fields of
 * header v1 skipped). 0, KW_ERR_TRUNCATED or KW_ERR_CORRUPT.
 */
int kw_resp_header_decode(int api_key, int16_t version, const uint8_t *p, size_t len,
                          int32_t *correlation_id, size_t *hdr_len);

#endif
