/*
 * proto/msg_offsetcommit.h — OffsetCommit (key 8) request and response, versions 2–9, as
 * C structs (described in proto/msg_offsetcommit.c).
 */
#ifndef KW_PROTO_MSG_OFFSETCOMMIT_H
#define KW_PROTO_MSG_OFFSETCOMMIT_H

#include "proto/desc.h"

typedef struct kw_offsetcommit_req_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v6+, default -1 */
    kw_str committed_metadata;      /* nullable */
} kw_offsetcommit_req_partition;

typedef struct kw_offsetcommit_req_topic {
    kw_str name;
    kw_offsetcommit_req_partition *partitions; int32_t n_partitions;
} kw_offsetcommit_req_topic;

typedef struct kw_offsetcommit_req {
    kw_str group_id;
    int32_t generation_id_or_member_epoch; /* default -1; the member epoch with KIP-848 (v9+) */
    kw_str member_id;
    kw_str group_instance_id;              /* v7+, nullable */
    int64_t retention_time_ms;             /* v2–4, default -1 */
    kw_offsetcommit_req_topic *topics; int32_t n_topics;
} kw_offsetcommit_req;

typedef struct kw_offsetcommit_resp_partition {
    int32_t partition_index;
    int16_t error_code;
} kw_offsetcommit_resp_partition;

typedef struct kw_offsetcommit_resp_topic {
    kw_str name;
    kw_offsetcommit_resp_partition *partitions; int32_t n_partitions;
} kw_offsetcommit_resp_topic;

typedef struct kw_offsetcommit_resp {
    int32_t throttle_time_ms; /* v3+ */
    kw_offsetcommit_resp_topic *topics; int32_t n_topics;
} kw_offsetcommit_resp;

#endif
