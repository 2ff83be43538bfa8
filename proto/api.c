/*
 * proto/api.c — the API table: names, the versions kwire describes (generated,
 * proto/api_table.h) and the versions its client sends (below), first flexible
 * versions, header versions, and the registry of message descriptions; the typed entry
 * points kw_msg_decode / kw_msg_encode / kw_msg_size / kw_msg_annotate over it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/desc.h"

/*
 * The versions kwire's client sends, per API it uses: X(Name, lowest, highest). Each
 * range lies within the described one. Newer versions are left out where the client
 * lacks what they need (InitProducerId v6: unstable, two-phase commit). Produce v13,
 * Fetch v13+ and OffsetCommit/OffsetFetch v10 name topics by id: a request asks for the
 * version before at most while it does not know every topic's id (client/offsets.c:
 * kw_offsets_max_version; OffsetFetch for every committed partition stays at v9, whose
 * answer names the topics). SaslHandshake: the connection sends v1 (v0 meant unframed
 * SASL tokens, which kwire does not speak).
 */
#define KW__CLIENT_APIS(X) \
    X(Produce, 3, 13)      \
    X(Fetch, 4, 18)        \
    X(ListOffsets, 1, 11)  \
    X(Metadata, 0, 13)     \
    X(OffsetCommit, 2, 10) \
    X(OffsetFetch, 1, 10)  \
    X(FindCoordinator, 0, 6) \
    X(DescribeGroups, 0, 6) \
    X(ListGroups, 0, 5)    \
    X(JoinGroup, 2, 9)     \
    X(SyncGroup, 0, 5)     \
    X(Heartbeat, 0, 4)     \
    X(LeaveGroup, 0, 5)    \
    X(ConsumerGroupHeartbeat, 0, 1) \
    X(ConsumerGroupDescribe, 0, 1) \
    X(ApiVersions, 0, 5)   \
    X(CreateTopics, 2, 7)  \
    X(InitProducerId, 0, 5) \
    X(SaslHandshake, 0, 1) \
    X(SaslAuthenticate, 0, 2)

/* Every API's request and response descriptions (proto/msg_<api>.c). */
#define KW__DESC_DECL(key, N, lo, hi, flex) extern const kw_struct kw__##N##_req, kw__##N##_resp;
KW_API_MAP(KW__DESC_DECL)
#undef KW__DESC_DECL

typedef struct api_info {
    const char *name;
    const kw_struct *req, *resp;
    int16_t lo, hi, flex;       /* described versions, first flexible (-1 none) */
    int16_t clo, chi;           /* the client's versions, -1 none */
    int16_t rlo, rhi;           /* removed by Kafka 4.0, -1 none */
} api_info;

static const api_info apis[KW_API_KEY_MAX + 1] = {
#define KW__API_ROW(key, N, l, h, f) [key] = {#N, &kw__##N##_req, &kw__##N##_resp, l, h, f, -1, -1, -1, -1},
    KW_API_MAP(KW__API_ROW)
#undef KW__API_ROW
};

static const api_info *info(int api_key)
{
    if (api_key < 0 || api_key > KW_API_KEY_MAX || !apis[api_key].name) return NULL;
    return &apis[api_key];
}

const kw_struct *kw__api_desc(int api_key, int dir)
{
    const api_info *a = info(api_key);
    if (!a) return NULL;
    return dir == KW_REQ ? a->req : a->resp;
}

const char *kw_api_name(int api_key)
{
    const api_info *a = info(api_key);
    return a ? a->name : NULL;
}

const char *kw_api_kafka_name(int api_key) { return kw_api_name(api_key); }

int kw_api_parse(const char *name)
{
    if (!name || !*name) return KW_ERR_UNKNOWN_API;
    for (int i = 0; i <= KW_API_KEY_MAX; i++)
        if (apis[i].name && !strcasecmp(apis[i].name, name)) return i;
#define KW__ALIAS(nm, key) if (!strcasecmp(name, nm)) return key;
    KW_API_ALIASES(KW__ALIAS)
#undef KW__ALIAS
    char *end;
    long v = strtol(name, &end, 10);
    if (!*end && v >= 0 && v <= KW_API_KEY_MAX && apis[v].name) return (int)v;
    return KW_ERR_UNKNOWN_API;
}

int kw_api_kafka_parse(const char *name) { return kw_api_parse(name); }

int kw_api_described(int api_key, int16_t *lo, int16_t *hi)
{
    const api_info *a = info(api_key);
    if (!a) return KW_ERR_UNKNOWN_API;
    if (lo) *lo = a->lo;
    if (hi) *hi = a->hi;
    return 0;
}

int kw_api_range(int api_key, int16_t *lo, int16_t *hi)
{
    switch (api_key) {
#define KW__CLIENT_RANGE(N, l, h) case KW_API_##N: if (lo) *lo = l; if (hi) *hi = h; return 0;
    KW__CLIENT_APIS(KW__CLIENT_RANGE)
#undef KW__CLIENT_RANGE
    default: return KW_ERR_UNKNOWN_API;
    }
}

int kw_api_removed_4_0(int api_key, int16_t *lo, int16_t *hi)
{
    switch (api_key) {
#define KW__REMOVED(key, l, h) case key: if (lo) *lo = l; if (hi) *hi = h; return 1;
    KW_API_REMOVED(KW__REMOVED)
#undef KW__REMOVED
    default: return 0;
    }
}

int kw_api_flexible(int api_key, int16_t version)
{
    const api_info *a = info(api_key);
    return a && a->flex >= 0 && version >= a->flex;
}

int kw_req_header_version(int api_key, int16_t version)
{
    if (api_key == KW_API_ControlledShutdown && version == 0) return 0; /* no client_id */
    return kw_api_flexible(api_key, version) ? 2 : 1;
}

int kw_resp_header_version(int api_key, int16_t version)
{
    if (api_key == KW_API_ApiVersions) return 0; /* so a client can always read the error */
    return kw_api_flexible(api_key, version) ? 1 : 0;
}

static const kw_struct *checked(int api_key, int16_t version, int dir)
{
    const api_info *a = info(api_key);
    if (!a || (dir != KW_REQ && dir != KW_RESP) || version < a->lo || version > a->hi) return NULL;
    return dir == KW_REQ ? a->req : a->resp;
}

int kw_msg_decode(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, void *out,
                  kw_arena *a, kw_proto_err *err)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) {
        if (err) { err->code = KW_ERR_UNSUPPORTED; err->off = 0; err->path[0] = 0; }
        return KW_ERR_UNSUPPORTED;
    }
    return kw_desc_decode(s, version, kw_api_flexible(api_key, version), body, len, out, a, err);
}

int kw_msg_encode(int api_key, int16_t version, int dir, const void *msg, kw_buf *out)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) return KW_ERR_UNSUPPORTED;
    return kw_desc_encode(s, version, kw_api_flexible(api_key, version), msg, out);
}

int kw_msg_encode_ref(int api_key, int16_t version, int dir, const void *msg, kw_buf *out, kw_slice_fn slice,
                      void *ud)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) return KW_ERR_UNSUPPORTED;
    return kw_desc_encode_ref(s, version, kw_api_flexible(api_key, version), msg, out, slice, ud);
}

size_t kw_msg_size(int api_key, int16_t version, int dir, const void *msg)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) return 0;
    return kw_desc_size(s, version, kw_api_flexible(api_key, version), msg);
}

void kw_msg_defaults(int api_key, int dir, void *msg)
{
    const kw_struct *s = kw__api_desc(api_key, dir);
    if (s) kw_desc_defaults(s, msg);
}

int kw__msg_annotate_at(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, size_t base,
                        int depth, kw_ann_cb cb, void *ud)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) return KW_ERR_UNSUPPORTED;
    return kw__desc_annotate_api(s, api_key, dir, version, kw_api_flexible(api_key, version), body, len, base,
                                 depth, cb, ud);
}

int kw_msg_annotate(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, int depth,
                    kw_ann_cb cb, void *ud)
{
    return kw__msg_annotate_at(api_key, version, dir, body, len, 0, depth, cb, ud);
}

/* The top-level error_code of a message that may not decode as a whole: the fixed-width
 * fields before it are stepped over by their sizes from the description; anything of
 * variable width before it, or no such field, is KW_ERR_UNSUPPORTED. */
int kw_msg_peek_error(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, int16_t *err)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) return KW_ERR_UNSUPPORTED;
    size_t at = 0;
    for (uint16_t i = 0; i < s->nfields; i++) {
        const kw_field *f = &s->fields[i];
        if (version < f->vmin || version > f->vmax || f->tag >= 0) continue;
        if (f->type == KW_T_INT16 && !strcmp(f->name, "error_code")) {
            if (len < at + 2) return KW_ERR_TRUNCATED;
            *err = (int16_t)kw_ld16(body + at);
            return 0;
        }
        switch (f->type) {
        case KW_T_BOOL: case KW_T_INT8: at += 1; break;
        case KW_T_INT16: case KW_T_UINT16: at += 2; break;
        case KW_T_INT32: case KW_T_UINT32: at += 4; break;
        case KW_T_INT64: case KW_T_FLOAT64: at += 8; break;
        case KW_T_UUID: at += 16; break;
        default: return KW_ERR_UNSUPPORTED;
        }
    }
    return KW_ERR_UNSUPPORTED;
}
