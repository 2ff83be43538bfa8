/*
 * proto/msg_fetch.h — Fetch (key 1) request and response, versions 4–17, as C structs
 * (described in proto/msg_fetch.c; conventions in proto/desc.h). v13+ name topics by
 * topic_id instead of topic. Response records are slices into the response bytes.
 */
#ifndef KW_PROTO_MSG_FETCH_H
#define KW_PROTO_MSG_FETCH_H

#include "proto/msg_common.h"

typedef struct kw_fetch_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* v9+, default -1 */
    int64_t fetch_offset;
    int32_t last_fetched_epoch;   /* v12+, default -1 */
    int64_t log_start_offset;     /* v5+, default -1 */
    int32_t partition_max_bytes;
    kw_uuid replica_directory_id; /* tag 0, v17+ */
} kw_fetch_partition;

typedef struct kw_fetch_topic {
    kw_str topic;      /* v4-12 */
    kw_uuid topic_id;  /* v13+ */
    kw_fetch_partition *partitions; int32_t n_partitions;
} kw_fetch_topic;

typedef struct kw_fetch_forgotten {
    kw_str topic;      /* v7-12 */
    kw_uuid topic_id;  /* v13+ */
    int32_t *partitions; int32_t n_partitions;
} kw_fetch_forgotten;

typedef struct kw_fetch_replica_state {
    int32_t replica_id;    /* default -1 */
    int64_t replica_epoch; /* default -1 */
} kw_fetch_replica_state;

typedef struct kw_fetch_req {
    int32_t replica_id;      /* v4-14, default -1 */
    int32_t max_wait_ms;
    int32_t min_bytes;
    int32_t max_bytes;       /* default 0x7fffffff */
    int8_t isolation_level;
    int32_t session_id;      /* v7+ */
    int32_t session_epoch;   /* v7+, default -1 */
    kw_fetch_topic *topics; int32_t n_topics;
    kw_fetch_forgotten *forgotten_topics_data; int32_t n_forgotten_topics_data; /* v7+ */
    kw_str rack_id;          /* v11+ */
    kw_str cluster_id;       /* tag 0, v12+, nullable */
    kw_fetch_replica_state replica_state; /* tag 1, v15+ */
} kw_fetch_req;

typedef struct kw_fetch_aborted {
    int64_t producer_id;
    int64_t first_offset;
} kw_fetch_aborted;

typedef struct kw_fetch_epoch_end {
    int32_t epoch;      /* default -1 */
    int64_t end_offset; /* default -1 */
} kw_fetch_epoch_end;

typedef struct kw_fetch_snapshot_id {
    int64_t end_offset; /* default -1 */
    int32_t epoch;      /* default -1 */
} kw_fetch_snapshot_id;

typedef struct kw_fetch_partition_resp {
    int32_t partition_index;
    int16_t error_code;
    int64_t high_watermark;
    int64_t last_stable_offset; /* default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    kw_fetch_aborted *aborted_transactions; int32_t n_aborted_transactions; /* nullable */
    int32_t preferred_read_replica; /* v11+, default -1 */
    kw_bytes records;               /* nullable */
    kw_fetch_epoch_end diverging_epoch; /* tag 0, v12+ */
    kw_leader_epoch current_leader;     /* tag 1, v12+ */
    kw_fetch_snapshot_id snapshot_id;   /* tag 2, v12+ */
} kw_fetch_partition_resp;

typedef struct kw_fetch_topic_resp {
    kw_str topic;     /* v4-12 */
    kw_uuid topic_id; /* v13+ */
    kw_fetch_partition_resp *partitions; int32_t n_partitions;
} kw_fetch_topic_resp;

typedef struct kw_fetch_resp {
    int32_t throttle_time_ms;
    int16_t error_code;  /* v7+ */
    int32_t session_id;  /* v7+ */
    kw_fetch_topic_resp *responses; int32_t n_responses;
    kw_node_endpoint *node_endpoints; int32_t n_node_endpoints; /* tag 0, v16+ */
} kw_fetch_resp;

#endif
