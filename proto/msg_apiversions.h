/*
 * proto/msg_apiversions.h — ApiVersions (key 18) request and response, versions 0–4,
 * as C structs (described in proto/msg_apiversions.c; conventions in proto/desc.h).
 */
#ifndef KW_PROTO_MSG_APIVERSIONS_H
#define KW_PROTO_MSG_APIVERSIONS_H

#include "proto/desc.h"

typedef struct kw_apiversions_req {
    kw_str client_software_name;    /* v3+ */
    kw_str client_software_version; /* v3+ */
} kw_apiversions_req;

typedef struct kw_apiversions_key {
    int16_t api_key, min_version, max_version;
} kw_apiversions_key;

typedef struct kw_apiversions_feature { /* supported_features (tag 0) */
    kw_str name;
    int16_t min_version, max_version;
} kw_apiversions_feature;

typedef struct kw_apiversions_finalized { /* finalized_features (tag 2) */
    kw_str name;
    int16_t max_version_level, min_version_level;
} kw_apiversions_finalized;

typedef struct kw_apiversions_resp {
    int16_t error_code;
    kw_apiversions_key *api_keys; int32_t n_api_keys;
    int32_t throttle_time_ms;                                                     /* v1+ */
    kw_apiversions_feature *supported_features; int32_t n_supported_features;     /* tag 0, v3+ */
    int64_t finalized_features_epoch;                                             /* tag 1, v3+, default -1 */
    kw_apiversions_finalized *finalized_features; int32_t n_finalized_features;   /* tag 2, v3+ */
    uint8_t zk_migration_ready;                                                   /* tag 3, v3+ */
} kw_apiversions_resp;

#endif
