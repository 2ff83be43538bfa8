/*
 * proto/negotiate.c — API version negotiation: per API the highest version kwire and
 * the broker both support, and the ApiVersions fallback when a broker does not know
 * the version we sent (error 35 in a v0 body).
 */
#include "proto/negotiate.h"

void kw_versions_none(kw_versions *vs)
{
    for (int i = 0; i < KW_API_SLOTS; i++) vs->v[i] = -1;
}

static int16_t common_max(int api_key, int16_t blo, int16_t bhi)
{
    int16_t lo, hi;
    if (kw_api_range(api_key, &lo, &hi)) return -1;
    int16_t l = lo > blo ? lo : blo, h = hi < bhi ? hi : bhi;
    return l <= h ? h : -1;
}

int kw_negotiate(const kw_apiversions_resp *r, kw_versions *out)
{
    kw_versions_none(out);
    int n = 0;
    for (int32_t i = 0; i < r->n_api_keys; i++) {
        const kw_apiversions_key *k = &r->api_keys[i];
        if (k->api_key < 0 || k->api_key >= KW_API_SLOTS || out->v[k->api_key] >= 0) continue;
        int16_t v = common_max(k->api_key, k->min_version, k->max_version);
        if (v >= 0) { out->v[k->api_key] = v; n++; }
    }
    return n;
}

int16_t kw_versions_get(const kw_versions *vs, int api_key)
{
    if (api_key < 0 || api_key >= KW_API_SLOTS) return -1;
    return vs->v[api_key];
}

int16_t kw_apiversions_first(void)
{
    int16_t lo, hi;
    kw_api_range(KW_API_ApiVersions, &lo, &hi);
    return hi;
}

int kw_apiversions_handle(int16_t sent, const uint8_t *body, size_t len, kw_apiversions_resp *r, kw_arena *a,
                          int16_t *decoded_version, int16_t *retry)
{
    int16_t dv = sent;
    int rc = kw_msg_decode(KW_API_ApiVersions, sent, KW_RESP, body, len, r, a, NULL);
    if ((rc || r->error_code == KW_KAFKA_UNSUPPORTED_VERSION) && sent != 0) {
        /* the error answer comes as a v0 body whatever version was sent */
        kw_apiversions_resp r0;
        if (!kw_msg_decode(KW_API_ApiVersions, 0, KW_RESP, body, len, &r0, a, NULL)) {
            *r = r0; dv = 0; rc = 0;
        }
    }
    if (rc) return rc;
    if (decoded_version) *decoded_version = dv;
    if (r->error_code == 0) return 0;
    if (r->error_code != KW_KAFKA_UNSUPPORTED_VERSION) return r->error_code;
    if (sent == 0) return KW_ERR_VERSION;
    int16_t next = 0;
    for (int32_t i = 0; i < r->n_api_keys; i++) {
        const kw_apiversions_key *k = &r->api_keys[i];
        if (k->api_key != KW_API_ApiVersions) continue;
        int16_t v = common_max(KW_API_ApiVersions, k->min_version, k->max_version);
        if (v < 0) return KW_ERR_VERSION;
        next = v;
        break;
    }
    if (next >= sent) next = 0; /* never loop on the same version */
    if (retry) *retry = next;
    return KW_KAFKA_UNSUPPORTED_VERSION;
}
