/*
 * proto/consumer_protocol.c — the consumer protocol's embedded subscription and
 * assignment (see consumer_protocol.h): the int16 version in front of the generated
 * descriptions (proto/msg_consumerprotocol.c), encode, decode and annotate over them,
 * and which bytes fields of JoinGroup / SyncGroup / DescribeGroups carry them.
 */
#include "proto/consumer_protocol.h"

#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

static const kw_struct *desc_of(int kind)
{
    return kind == KW_CP_SUBSCRIPTION ? &kw__ConsumerProtocolSubscription
           : kind == KW_CP_ASSIGNMENT ? &kw__ConsumerProtocolAssignment
                                      : NULL;
}

static int encode(int kind, const void *msg, int16_t version, kw_buf *out)
{
    if (version < 0 || version > KW_CP_VERSION_MAX) return KW_ERR_UNSUPPORTED;
    if (out->err) return out->err;
    size_t before = out->len;
    kw_buf_i16(out, version);
    int e = kw_desc_encode(desc_of(kind), version, 0, msg, out);
    if (!e) e = out->err;
    if (e) out->len = before;
    return e;
}

int kw_cp_subscription_encode(const kw_consumerprotocol_subscription *s, int16_t version, kw_buf *out)
{
    return encode(KW_CP_SUBSCRIPTION, s, version, out);
}

int kw_cp_assignment_encode(const kw_consumerprotocol_assignment *a, int16_t version, kw_buf *out)
{
    return encode(KW_CP_ASSIGNMENT, a, version, out);
}

static int decode(int kind, const uint8_t *p, size_t len, void *out, int16_t *version, kw_arena *a,
                  kw_proto_err *err)
{
    const kw_struct *s = desc_of(kind);
    if (err) { err->code = 0; err->off = 0; err->path[0] = 0; }
    if (kind == KW_CP_ASSIGNMENT && len == 0) {
        kw_desc_defaults(s, out);
        if (version) *version = 0;
        return 0;
    }
    if (len < 2) {
        if (err) { err->code = KW_ERR_TRUNCATED; snprintf(err->path, sizeof err->path, "version"); }
        return KW_ERR_TRUNCATED;
    }
    int16_t v = (int16_t)kw_ld16(p);
    if (version) *version = v;
    if (v < 0) {
        if (err) { err->code = KW_ERR_UNSUPPORTED; snprintf(err->path, sizeof err->path, "version"); }
        return KW_ERR_UNSUPPORTED;
    }
    int16_t at = v > KW_CP_VERSION_MAX ? KW_CP_VERSION_MAX : v;
    size_t used = 0;
    int e = kw__desc_decode_prefix(s, at, 0, p + 2, len - 2, out, a, err, v > KW_CP_VERSION_MAX ? &used : NULL);
    if (e && err) err->off += 2;
    return e;
}

int kw_cp_subscription_decode(const uint8_t *p, size_t len, kw_consumerprotocol_subscription *out,
                              int16_t *version, kw_arena *a, kw_proto_err *err)
{
    return decode(KW_CP_SUBSCRIPTION, p, len, out, version, a, err);
}

int kw_cp_assignment_decode(const uint8_t *p, size_t len, kw_consumerprotocol_assignment *out, int16_t *version,
                            kw_arena *a, kw_proto_err *err)
{
    return decode(KW_CP_ASSIGNMENT, p, len, out, version, a, err);
}

int kw_cp_annotate(int kind, const uint8_t *p, size_t len, size_t base, int depth, kw_ann_cb cb, void *ud)
{
    const kw_struct *s = desc_of(kind);
    if (!s) return KW_ERR_INVALID_ARG;
    if (len < 2) {
        kw_ann a = {KW_ANN_ERROR, "version", "error", p, base, 0, "truncated at version (offset 0)", depth};
        int rc = cb(ud, &a);
        return rc ? rc : KW_ERR_TRUNCATED;
    }
    int16_t v = (int16_t)kw_ld16(p);
    char val[24];
    snprintf(val, sizeof val, "%d", v);
    kw_ann a = {KW_ANN_FIELD, "version", "int16", p, base, 2, val, depth};
    int rc = cb(ud, &a);
    if (rc) return rc;
    if (v < 0) {
        kw_ann x = {KW_ANN_ERROR, "version", "error", p, base, 0, "negative version (offset 0)", depth};
        rc = cb(ud, &x);
        return rc ? rc : KW_ERR_UNSUPPORTED;
    }
    if (v <= KW_CP_VERSION_MAX) return kw_desc_annotate(s, v, 0, p + 2, len - 2, base + 2, depth, cb, ud);
    /* a newer version: the fields kwire knows, then what the newer version appended */
    kw_arena ar;
    kw_arena_init(&ar);
    uint8_t tmp[sizeof(kw_consumerprotocol_subscription) > sizeof(kw_consumerprotocol_assignment)
                    ? sizeof(kw_consumerprotocol_subscription)
                    : sizeof(kw_consumerprotocol_assignment)];
    size_t used = 0;
    int e = kw__desc_decode_prefix(s, KW_CP_VERSION_MAX, 0, p + 2, len - 2, tmp, &ar, NULL, &used);
    kw_arena_free(&ar);
    if (e) return kw_desc_annotate(s, KW_CP_VERSION_MAX, 0, p + 2, len - 2, base + 2, depth, cb, ud);
    rc = kw_desc_annotate(s, KW_CP_VERSION_MAX, 0, p + 2, used, base + 2, depth, cb, ud);
    if (rc || used == len - 2) return rc;
    snprintf(val, sizeof val, "%zu bytes", len - 2 - used);
    kw_ann n = {KW_ANN_NOTE, "newer_fields", "bytes", p + 2 + used, base + 2 + used, len - 2 - used, val, depth};
    return cb(ud, &n);
}

static int streq(const char *a, const char *lit) { return a && !strcmp(a, lit); }

int kw__cp_embedded(int api_key, int dir, const char *field, const char *ptype, int32_t ptype_len)
{
    if (ptype && ((size_t)ptype_len != strlen(KW_CP_PROTOCOL_TYPE) ||
                  memcmp(ptype, KW_CP_PROTOCOL_TYPE, (size_t)ptype_len)))
        return 0;
    switch (api_key) {
    case KW_API_JoinGroup: return streq(field, "metadata") ? KW_CP_SUBSCRIPTION : 0;
    case KW_API_SyncGroup: return streq(field, "assignment") ? KW_CP_ASSIGNMENT : 0;
    case KW_API_DescribeGroups:
        if (dir != KW_RESP) return 0;
        return streq(field, "member_metadata") ? KW_CP_SUBSCRIPTION
               : streq(field, "member_assignment") ? KW_CP_ASSIGNMENT
                                                   : 0;
    default: return 0;
    }
}

int kw__cp_valid(int kind, const uint8_t *p, size_t len)
{
    kw_arena ar;
    kw_arena_init(&ar);
    kw_consumerprotocol_subscription s;
    kw_consumerprotocol_assignment a;
    int e = kind == KW_CP_SUBSCRIPTION ? kw_cp_subscription_decode(p, len, &s, NULL, &ar, NULL)
            : kind == KW_CP_ASSIGNMENT ? kw_cp_assignment_decode(p, len, &a, NULL, &ar, NULL)
                                       : KW_ERR_INVALID_ARG;
    kw_arena_free(&ar);
    return !e && len > 0;
}
