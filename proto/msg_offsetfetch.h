/*
 * proto/msg_offsetfetch.h — OffsetFetch (key 9) request and response, versions 1–9, as
 * C structs (described in proto/msg_offsetfetch.c). Versions 1–7 ask for one group
 * (group_id, topics); v8+ batch several groups (groups[], each with its topics).
 */
#ifndef KW_PROTO_MSG_OFFSETFETCH_H
#define KW_PROTO_MSG_OFFSETFETCH_H

#include "proto/desc.h"

typedef struct kw_offsetfetch_req_topic {
    kw_str name;
    int32_t *partition_indexes; int32_t n_partition_indexes;
} kw_offsetfetch_req_topic;

typedef struct kw_offsetfetch_req_group { /* v8+ */
    kw_str group_id;
    kw_str member_id;     /* v9+, nullable */
    int32_t member_epoch; /* v9+, default -1 */
    kw_offsetfetch_req_topic *topics; int32_t n_topics; /* nullable: null = all topics */
} kw_offsetfetch_req_group;

typedef struct kw_offsetfetch_req {
    kw_str group_id;                                  /* v0–7 */
    kw_offsetfetch_req_topic *topics; int32_t n_topics; /* v0–7, nullable v2+ */
    kw_offsetfetch_req_group *groups; int32_t n_groups; /* v8+ */
    uint8_t require_stable;                           /* v7+ */
} kw_offsetfetch_req;

typedef struct kw_offsetfetch_resp_partition {
    int32_t partition_index;
    int64_t committed_offset;      /* -1: nothing committed */
    int32_t committed_leader_epoch; /* v5+, default -1 */
    kw_str metadata;               /* nullable */
    int16_t error_code;
} kw_offsetfetch_resp_partition;

typedef struct kw_offsetfetch_resp_topic {
    kw_str name;
    kw_offsetfetch_resp_partition *partitions; int32_t n_partitions;
} kw_offsetfetch_resp_topic;

typedef struct kw_offsetfetch_resp_group { /* v8+ */
    kw_str group_id;
    kw_offsetfetch_resp_topic *topics; int32_t n_topics;
    int16_t error_code;
} kw_offsetfetch_resp_group;

typedef struct kw_offsetfetch_resp {
    int32_t throttle_time_ms;                            /* v3+ */
    kw_offsetfetch_resp_topic *topics; int32_t n_topics; /* v0–7 */
    int16_t error_code;                                  /* v2–7 */
    kw_offsetfetch_resp_group *groups; int32_t n_groups; /* v8+ */
} kw_offsetfetch_resp;

#endif
