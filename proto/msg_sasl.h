/*
 * proto/msg_sasl.h — SaslHandshake (key 17) versions 0–1 and SaslAuthenticate (key 36)
 * versions 0–2 as C structs (described in proto/msg_sasl.c). Member names are Kafka's
 * JSON field names in lower_snake_case.
 *
 * SaslHandshake v0 meant "raw SASL tokens follow, outside Kafka frames"; v1 means "the
 * tokens follow inside SaslAuthenticate requests" (KIP-152). kwire sends v1.
 */
#ifndef KW_PROTO_MSG_SASL_H
#define KW_PROTO_MSG_SASL_H

#include "proto/desc.h"

typedef struct kw_saslhandshake_req {
    kw_str mechanism;                            /* "PLAIN", "SCRAM-SHA-256", ... */
} kw_saslhandshake_req;

typedef struct kw_saslhandshake_resp {
    int16_t error_code;
    kw_str *mechanisms; int32_t n_mechanisms;    /* the mechanisms the listener enables */
} kw_saslhandshake_resp;

typedef struct kw_saslauthenticate_req {
    kw_bytes auth_bytes;                         /* the mechanism's client message */
} kw_saslauthenticate_req;

typedef struct kw_saslauthenticate_resp {
    int16_t error_code;
    kw_str error_message;                        /* nullable */
    kw_bytes auth_bytes;                         /* the mechanism's server message */
    int64_t session_lifetime_ms;                 /* v1+: re-authenticate before it ends (KIP-368); 0 none */
} kw_saslauthenticate_resp;

#endif
