/*
 * proto/negotiate.h — API version negotiation from an ApiVersions response (pure
 * functions, no I/O).
 */
#ifndef KW_PROTO_NEGOTIATE_H
#define KW_PROTO_NEGOTIATE_H

#include "proto/msg_apiversions.h"

#define KW_API_SLOTS (KW_API_KEY_MAX + 1) /* api keys 0..127 */

/* The version to use per API key, -1 where kwire and the broker share none. */
typedef struct kw_versions {
    int16_t v[KW_API_SLOTS];
} kw_versions;

/* Every API "none". */
void kw_versions_none(kw_versions *vs);
/*
 * Per API kwire knows, the highest version both kwire (kw_api_range) and the broker
 * (the response's api_keys) support. Returns how many APIs have a common version.
 */
int kw_negotiate(const kw_apiversions_resp *r, kw_versions *out);
/* The negotiated version for api_key, or -1 (none / unknown key). */
int16_t kw_versions_get(const kw_versions *vs, int api_key);

/* The ApiVersions version to send first: kwire's highest. */
int16_t kw_apiversions_first(void);

/*
 * Interpret the body of an ApiVersions response to a request sent at version `sent`.
 * A broker that does not know `sent` answers error 35 UNSUPPORTED_VERSION in a v0 body
 * (older brokers with an empty api_keys, newer ones listing their ApiVersions range).
 * Returns
 *   0          r is the broker's answer (decoded at *decoded_version);
 *   KW_KAFKA_UNSUPPORTED_VERSION  send again at *retry (the highest version both sides
 *              support according to the error body, else 0);
 *   KW_ERR_VERSION  the broker rejected v0 too / no common version;
 *   another Kafka error code from the body, or a decode error.
 */
int kw_apiversions_handle(int16_t sent, const uint8_t *body, size_t len, kw_apiversions_resp *r, kw_arena *a,
                          int16_t *decoded_version, int16_t *retry);

#endif
