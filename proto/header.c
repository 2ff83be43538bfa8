/*
 * proto/header.c — request and response headers, whole frames, and frame annotation.
 *
 * Request header v0:  request_api_key int16 | request_api_version int16 | correlation_id int32
 *                     (ControlledShutdown v0 only)
 * Request header v1:  request_api_key int16 | request_api_version int16
 *                     | correlation_id int32 | client_id NULLABLE_STRING (int16 length)
 * Request header v2:  v1 + _tagged_fields (client_id stays a classic NULLABLE_STRING)
 * Response header v0: correlation_id int32
 * Response header v1: correlation_id int32 | _tagged_fields
 * Frame: size int32 (bytes after itself) | header | body.
 * The headers are described like messages; their "version" is the header version and
 * they are flexible in request v2 / response v1.
 */
#include <stdio.h>

#include "proto/desc.h"

typedef struct hdr_req {
    int16_t request_api_key, request_api_version;
    int32_t correlation_id;
    kw_str client_id;
} hdr_req;

static const kw_field req_hdr_f[] = {
    KW_F(hdr_req, request_api_key, KW_T_INT16, 0, KW_VMAX),
    KW_F(hdr_req, request_api_version, KW_T_INT16, 0, KW_VMAX),
    KW_F(hdr_req, correlation_id, KW_T_INT32, 0, KW_VMAX),
    KW_FG(hdr_req, client_id, KW_T_STRING, 1, KW_VMAX, 0, -1, KW_FL_CLASSIC), /* absent in v0: null */
};
static KW_MSG_DESC(req_hdr, hdr_req, req_hdr_f);

typedef struct hdr_resp { int32_t correlation_id; } hdr_resp;
static const kw_field resp_hdr_f[] = {
    KW_F(hdr_resp, correlation_id, KW_T_INT32, 0, KW_VMAX),
};
static KW_MSG_DESC(resp_hdr, hdr_resp, resp_hdr_f);

/* Header version of a request whose first bytes name an api key kwire may not know. */
static int req_hdr_version(int16_t key, int16_t ver)
{
    return kw_api_name(key) ? kw_req_header_version(key, ver) : 1; /* unknown key: v1, the common form */
}

int kw_req_header_decode(const uint8_t *p, size_t len, kw_req_header *h, size_t *hdr_len)
{
    if (len < 4) return KW_ERR_TRUNCATED;
    int16_t key = (int16_t)kw_ld16(p), ver = (int16_t)kw_ld16(p + 2);
    int hv = req_hdr_version(key, ver);
    hdr_req r;
    size_t used = 0;
    int rc = kw__desc_decode_prefix(&req_hdr, (int16_t)hv, hv >= 2, p, len, &r, NULL, NULL, &used);
    if (rc) return rc;
    h->api_key = r.request_api_key;
    h->api_version = r.request_api_version;
    h->correlation_id = r.correlation_id;
    h->client_id = r.client_id.p;
    h->client_id_len = (int16_t)r.client_id.len;
    if (hdr_len) *hdr_len = used;
    return 0;
}

int kw_frame_size_peek(const uint8_t *p, size_t len, int32_t *size)
{
    if (len < 4) return KW_ERR_TRUNCATED;
    *size = (int32_t)kw_ld32(p);
    return 0;
}

void kw_frame_size_put(uint8_t *p, uint32_t size) { kw_be32(p, size); }

int kw_req_header_peek(const uint8_t *p, size_t len, int16_t *api_key, int16_t *version, int32_t *correlation_id,
                       int16_t *client_id_len)
{
    if (len < (client_id_len ? 10u : 8u)) return KW_ERR_TRUNCATED;
    *api_key = (int16_t)kw_ld16(p);
    *version = (int16_t)kw_ld16(p + 2);
    *correlation_id = (int32_t)kw_ld32(p + 4);
    if (client_id_len) *client_id_len = (int16_t)kw_ld16(p + 8);
    return 0;
}

int kw_resp_correlation_peek(const uint8_t *p, size_t len, int32_t *correlation_id)
{
    if (len < 4) return KW_ERR_TRUNCATED;
    *correlation_id = (int32_t)kw_ld32(p);
    return 0;
}

int kw_resp_header_decode(int api_key, int16_t version, const uint8_t *p, size_t len,
                          int32_t *correlation_id, size_t *hdr_len)
{
    int hv = kw_resp_header_version(api_key, version);
    hdr_resp r;
    size_t used = 0;
    int rc = kw__desc_decode_prefix(&resp_hdr, (int16_t)hv, hv >= 1, p, len, &r, NULL, NULL, &used);
    if (rc) return rc;
    if (correlation_id) *correlation_id = r.correlation_id;
    if (hdr_len) *hdr_len = used;
    return 0;
}

static int frame_finish(kw_buf *out, size_t start, int rc)
{
    if (!rc && out->err) rc = out->err;
    if (!rc && out->len - start - 4 > INT32_MAX) rc = KW_ERR_TOO_LARGE;
    if (rc) { out->len = start; return rc; }
    kw_be32(out->data + start, (uint32_t)(out->len - start - 4));
    return 0;
}

int kw_req_header_encode(kw_buf *out, int api_key, int16_t version, int32_t correlation_id, const char *client_id)
{
    int hv = kw_req_header_version(api_key, version);
    hdr_req h = {(int16_t)api_key, version, correlation_id, kw_s(client_id)};
    return kw_desc_encode(&req_hdr, (int16_t)hv, hv >= 2, &h, out);
}

int kw_request_encode(kw_buf *out, int api_key, int16_t version, int32_t correlation_id,
                      const char *client_id, const void *req)
{
    if (!kw__api_desc(api_key, KW_REQ)) return KW_ERR_UNSUPPORTED;
    size_t start = out->len;
    kw_buf_i32(out, 0);
    int rc = kw_req_header_encode(out, api_key, version, correlation_id, client_id);
    if (!rc) rc = kw_msg_encode(api_key, version, KW_REQ, req, out);
    return frame_finish(out, start, rc);
}

int kw__request_encode_with(kw_buf *out, int api_key, int16_t version, int32_t correlation_id,
                            const char *client_id, kw_body_encode_fn body, void *ud)
{
    if (!kw__api_desc(api_key, KW_REQ)) return KW_ERR_UNSUPPORTED;
    size_t start = out->len;
    kw_buf_i32(out, 0);
    int rc = kw_req_header_encode(out, api_key, version, correlation_id, client_id);
    if (!rc) rc = body(ud, version, out);
    return frame_finish(out, start, rc);
}

int kw_response_encode(kw_buf *out, int api_key, int16_t version, int32_t correlation_id, const void *resp)
{
    if (!kw__api_desc(api_key, KW_RESP)) return KW_ERR_UNSUPPORTED;
    int hv = kw_resp_header_version(api_key, version);
    size_t start = out->len;
    kw_buf_i32(out, 0);
    hdr_resp h = {correlation_id};
    int rc = kw_desc_encode(&resp_hdr, (int16_t)hv, hv >= 1, &h, out);
    if (!rc) rc = kw_msg_encode(api_key, version, KW_RESP, resp, out);
    return frame_finish(out, start, rc);
}

/* ---- annotation of whole frames ---- */

typedef struct frame_ann {
    char title[96];
    char val[64];
} frame_ann;

static int ann(kw_ann_cb cb, void *ud, kw_ann_kind k, const char *name, const char *type, const uint8_t *base,
               size_t off, size_t len, const char *value, int depth)
{
    kw_ann a = {k, name, type, base + off, off, len, value, depth};
    return cb(ud, &a);
}

/* The size field; returns the payload length to walk (bounded by what is there). */
static int ann_size(const uint8_t *frame, size_t len, kw_ann_cb cb, void *ud, frame_ann *fa, size_t *payload)
{
    int rc;
    if (len < 4) {
        snprintf(fa->val, sizeof fa->val, "%s at size (offset 0)", kw_strerror(KW_ERR_TRUNCATED));
        rc = ann(cb, ud, KW_ANN_ERROR, "size", "error", frame, 0, 0, fa->val, 0);
        return rc ? rc : KW_ERR_TRUNCATED;
    }
    int32_t size = (int32_t)kw_ld32(frame);
    snprintf(fa->val, sizeof fa->val, "%d", size);
    if ((rc = ann(cb, ud, KW_ANN_FIELD, "size", "int32", frame, 0, 4, fa->val, 0))) return rc;
    *payload = len - 4;
    if (size < 0 || (size_t)size != len - 4) {
        snprintf(fa->val, sizeof fa->val, "size says %d bytes follow, %zu do", size, len - 4);
        if ((rc = ann(cb, ud, KW_ANN_NOTE, "size", "int32", frame, 0, 4, fa->val, 0))) return rc;
        if (size >= 0 && (size_t)size < len - 4) *payload = (size_t)size;
    }
    return 0;
}

static int ann_part(const kw_struct *s, int16_t v, int flex, const uint8_t *frame, size_t start, size_t end,
                    const char *name, const char *title, kw_ann_cb cb, void *ud, size_t *used)
{
    int rc = ann(cb, ud, KW_ANN_ENTER, name, "struct", frame, start, 0, title, 0);
    if (rc) return rc;
    if (used) {
        /* headers: find their length first, then annotate exactly that much */
        size_t n = 0;
        rc = kw__desc_decode_prefix(s, v, flex, frame + start, end - start, NULL, NULL, NULL, &n);
        if (rc) n = end - start;
        *used = n;
        rc = kw_desc_annotate(s, v, flex, frame + start, n, start, 1, cb, ud);
    } else {
        rc = 0;
    }
    if (rc) return rc;
    return ann(cb, ud, KW_ANN_LEAVE, name, "struct", frame, used ? start + *used : end, 0, NULL, 0);
}

int kw_request_frame_annotate(const uint8_t *frame, size_t len, kw_ann_cb cb, void *ud)
{
    frame_ann fa;
    size_t payload = 0, hl = 0;
    int rc = ann_size(frame, len, cb, ud, &fa, &payload);
    if (rc) return rc;
    int16_t key = payload >= 2 ? (int16_t)kw_ld16(frame + 4) : -1;
    int16_t ver = payload >= 4 ? (int16_t)kw_ld16(frame + 6) : -1;
    int hv = req_hdr_version(key, ver);
    snprintf(fa.title, sizeof fa.title, "request header v%d", hv);
    if ((rc = ann_part(&req_hdr, (int16_t)hv, hv >= 2, frame, 4, 4 + payload, "header", fa.title, cb, ud, &hl)))
        return rc;
    int hrc = kw__desc_decode_prefix(&req_hdr, (int16_t)hv, hv >= 2, frame + 4, payload, NULL, NULL, NULL, &hl);
    if (hrc) return hrc;
    const char *nm = kw_api_name(key);
    snprintf(fa.title, sizeof fa.title, "%s v%d request", nm ? nm : "unknown API", ver);
    if ((rc = ann(cb, ud, KW_ANN_ENTER, "body", "struct", frame, 4 + hl, 0, fa.title, 0))) return rc;
    rc = kw__msg_annotate_at(key, ver, KW_REQ, frame + 4 + hl, payload - hl, 4 + hl, 1, cb, ud);
    if (rc == KW_ERR_UNSUPPORTED) {
        snprintf(fa.val, sizeof fa.val, "no description for %s v%d", nm ? nm : "this API", ver);
        int r2 = ann(cb, ud, KW_ANN_ERROR, "body", "error", frame, 4 + hl, payload - hl, fa.val, 1);
        return r2 ? r2 : rc;
    }
    if (rc) return rc;
    return ann(cb, ud, KW_ANN_LEAVE, "body", "struct", frame, 4 + payload, 0, NULL, 0);
}

int kw_response_frame_annotate(int api_key, int16_t version, const uint8_t *frame, size_t len,
                               kw_ann_cb cb, void *ud)
{
    frame_ann fa;
    size_t payload = 0, hl = 0;
    int rc = ann_size(frame, len, cb, ud, &fa, &payload);
    if (rc) return rc;
    int hv = kw_resp_header_version(api_key, version);
    snprintf(fa.title, sizeof fa.title, "response header v%d", hv);
    if ((rc = ann_part(&resp_hdr, (int16_t)hv, hv >= 1, frame, 4, 4 + payload, "header", fa.title, cb, ud, &hl)))
        return rc;
    int hrc = kw__desc_decode_prefix(&resp_hdr, (int16_t)hv, hv >= 1, frame + 4, payload, NULL, NULL, NULL, &hl);
    if (hrc) return hrc;
    const char *nm = kw_api_name(api_key);
    snprintf(fa.title, sizeof fa.title, "%s v%d response", nm ? nm : "unknown API", version);
    if ((rc = ann(cb, ud, KW_ANN_ENTER, "body", "struct", frame, 4 + hl, 0, fa.title, 0))) return rc;
    rc = kw__msg_annotate_at(api_key, version, KW_RESP, frame + 4 + hl, payload - hl, 4 + hl, 1, cb, ud);
    if (rc) return rc;
    return ann(cb, ud, KW_ANN_LEAVE, "body", "struct", frame, 4 + payload, 0, NULL, 0);
}
