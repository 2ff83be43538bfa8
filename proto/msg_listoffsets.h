/*
 * proto/msg_listoffsets.h — ListOffsets (key 2) request and response, versions 1–10, as
 * C structs (described in proto/msg_listoffsets.c; conventions in proto/desc.h).
 */
#ifndef KW_PROTO_MSG_LISTOFFSETS_H
#define KW_PROTO_MSG_LISTOFFSETS_H

#include "proto/desc.h"

typedef struct kw_listoffsets_req_partition {
    int32_t partition_index;
    int32_t current_leader_epoch; /* v4+, default -1 */
    int64_t timestamp;            /* -1 latest, -2 earliest, -3 max timestamp (v7+), ... */
} kw_listoffsets_req_partition;

typedef struct kw_listoffsets_req_topic {
    kw_str name;
    kw_listoffsets_req_partition *partitions; int32_t n_partitions;
} kw_listoffsets_req_topic;

typedef struct kw_listoffsets_req {
    int32_t replica_id;     /* default -1 (a consumer) */
    int8_t isolation_level; /* v2+: 0 read_uncommitted, 1 read_committed */
    kw_listoffsets_req_topic *topics; int32_t n_topics;
    int32_t timeout_ms;     /* v10+ */
} kw_listoffsets_req;

typedef struct kw_listoffsets_resp_partition {
    int32_t partition_index;
    int16_t error_code;
    int64_t timestamp;    /* default -1 */
    int64_t offset;       /* default -1 */
    int32_t leader_epoch; /* v4+, default -1 */
} kw_listoffsets_resp_partition;

typedef struct kw_listoffsets_resp_topic {
    kw_str name;
    kw_listoffsets_resp_partition *partitions; int32_t n_partitions;
} kw_listoffsets_resp_topic;

typedef struct kw_listoffsets_resp {
    int32_t throttle_time_ms; /* v2+ */
    kw_listoffsets_resp_topic *topics; int32_t n_topics;
} kw_listoffsets_resp;

#endif
