/*
 * proto/proto.h — the Kafka API layer's entry points, as used by client/ and the
 * commands. Every message of every API key is described once (proto/msg_*.c, generated
 * from Kafka's message specifications in kwire's compact description form, see
 * proto/desc.h); encode, decode, size and annotation are walks over that description.
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
#include "kwire/decode.h"

/* enum kw_dir (KW_REQ, KW_RESP) and kw_api_name: kwire/decode.h */

/* Every API key kwire describes: KW_API_MAP(X) X(key, Name, lowest, highest, first
 * flexible version or -1), generated from Kafka's message specifications (see
 * proto/api_table.h; the keys removed in 4.0 are described at their 3.9 versions). */
#include "proto/api_table.h"

enum {
#define KW__API_ENUM(key, name, lo, hi, flex) KW_API_##name = (key),
    KW_API_MAP(KW__API_ENUM)
#undef KW__API_ENUM
    KW_API_KEY_MAX = 127 /* api keys above this are not Kafka's (tables sized by it) */
};

/* FindCoordinator key_type values. */
#define KW_COORD_GROUP 0
#define KW_COORD_TRANSACTION 1
#define KW_COORD_SHARE 2 /* v6+ */

/* The same (kept for callers that named any Kafka key before every key was described). */
const char *kw_api_kafka_name(int api_key);
/* Case-insensitive name ("metadata", "ListOffsets", or an older name of a key such as
 * "ListClientMetricsResources") or decimal key to its key, or KW_ERR_UNKNOWN_API. */
int kw_api_parse(const char *name);
int kw_api_kafka_parse(const char *name); /* the same */
/* The versions kwire describes (decodes, encodes, annotates): 0, or KW_ERR_UNKNOWN_API. */
int kw_api_described(int api_key, int16_t *lo, int16_t *hi);
/* The versions kwire's client sends (negotiates with a broker): 0, or KW_ERR_UNKNOWN_API
 * for an API the client never sends. Always within the described versions. */
int kw_api_range(int api_key, int16_t *lo, int16_t *hi);
/* Versions of api_key that Kafka 3.9 accepted and 4.0 removed (KIP-896, and the
 * ZooKeeper-era inter-broker APIs): 1 with *lo / *hi, or 0 (none removed). */
int kw_api_removed_4_0(int api_key, int16_t *lo, int16_t *hi);
/* 1 if (api, version) uses the flexible encoding (compact types, tagged fields). */
int kw_api_flexible(int api_key, int16_t version);
/* Request header version (1 or 2) and response header version (0 or 1) for (api, version):
 * 2 / 1 in the API's flexible versions. Two exceptions: ControlledShutdown v0 requests
 * use header v0 (no client_id), and ApiVersions responses always use header v0 (so a
 * client can read the error of a version the broker does not know). */
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
/*
 * The top-level error_code of a body that does not decode as a whole (a peer that
 * answers an error with fields the grammar does not allow): 0 with *err set, or
 * KW_ERR_TRUNCATED / KW_ERR_UNSUPPORTED (no error_code at a fixed offset in that version).
 */
int kw_msg_peek_error(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, int16_t *err);
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

/* Peeks for a reader that must tell frames from other bytes before it can decode them (a
 * capture's TCP stream): nothing beyond the named fields is read or checked. */
/* A frame's int32 size prefix. 0, or KW_ERR_TRUNCATED when len < 4. */
int kw_frame_size_peek(const uint8_t *p, size_t len, int32_t *size);
/* Write the size prefix of a frame whose bytes after it are known only once written (the
 * 4 bytes at p were reserved before). */
void kw_frame_size_put(uint8_t *p, uint32_t size);
/* The fields every request header version starts with: api_key, api_version,
 * correlation_id, then the int16 length of client_id (header v1+; client_id_len may be
 * NULL). p is the frame's payload (after the size). 0, or KW_ERR_TRUNCATED when len < 8,
 * or < 10 with client_id_len. */
int kw_req_header_peek(const uint8_t *p, size_t len, int16_t *api_key, int16_t *version, int32_t *correlation_id,
                       int16_t *client_id_len);
/* A response's correlation id, the first field of every response header version. p is
 * the frame's payload. 0, or KW_ERR_TRUNCATED when len < 4. */
int kw_resp_correlation_peek(const uint8_t *p, size_t len, int32_t *correlation_id);

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
/*
 * Record batches by reference: kw_msg_encode_ref writes the same bytes, but each
 * non-empty RECORDS value (a Produce request's batches) goes to slice(ud, out, p, len)
 * right after its length prefix, in wire order, instead of being copied into out: the
 * callback either appends the bytes to out or notes "p[0..len) follows what out holds
 * now" for a gather write (client/conn/conn.h kw_conn_ref). It returns 0 or an error, which
 * fails the encode (out is then left as it was).
 */
typedef int (*kw_slice_fn)(void *ud, kw_buf *out, const void *p, size_t len);
int kw_msg_encode_ref(int api_key, int16_t version, int dir, const void *msg, kw_buf *out, kw_slice_fn slice,
                      void *ud);
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
/* The same with the body appended by body(ud, version, out), a client's own request
 * encoder (kwire explain shows a request built as the client builds it). */
typedef int (*kw_body_encode_fn)(void *ud, int16_t version, kw_buf *out);
int kw__request_encode_with(kw_buf *out, int api_key, int16_t version, int32_t correlation_id,
                            const char *client_id, kw_body_encode_fn body, void *ud);
/*
 * Append a request header alone (no size): v0, v1 or v2 as (api_key, version) requires,
 * client_id NULL = null. The connection writes its frames' headers with it.
 */
int kw_req_header_encode(kw_buf *out, int api_key, int16_t version, int32_t correlation_id, const char *client_id);
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
