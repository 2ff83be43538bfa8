/*
 * proto/msg_produce.h — Produce (key 0) request and response, versions 3–12, as C
 * structs (described in proto/msg_produce.c; conventions in proto/desc.h). Records are
 * slices: encoding copies them once into the frame, decoding points into the input.
 */
#ifndef KW_PROTO_MSG_PRODUCE_H
#define KW_PROTO_MSG_PRODUCE_H

#include "proto/msg_common.h"

typedef struct kw_produce_partition {
    int32_t index;
    kw_bytes records; /* record batches; nullable */
} kw_produce_partition;

typedef struct kw_produce_topic {
    kw_str name;
    kw_produce_partition *partition_data; int32_t n_partition_data;
} kw_produce_topic;

typedef struct kw_produce_req {
    kw_str transactional_id; /* nullable */
    int16_t acks;
    int32_t timeout_ms;
    kw_produce_topic *topic_data; int32_t n_topic_data;
} kw_produce_req;

typedef struct kw_produce_record_error {
    int32_t batch_index;
    kw_str batch_index_error_message; /* nullable */
} kw_produce_record_error;

typedef struct kw_produce_partition_resp {
    int32_t index;
    int16_t error_code;
    int64_t base_offset;
    int64_t log_append_time_ms; /* default -1 */
    int64_t log_start_offset;   /* v5+, default -1 */
    kw_produce_record_error *record_errors; int32_t n_record_errors; /* v8+ */
    kw_str error_message;       /* v8+, nullable */
    kw_leader_epoch current_leader; /* tag 0, v10+ */
} kw_produce_partition_resp;

typedef struct kw_produce_topic_resp {
    kw_str name;
    kw_produce_partition_resp *partition_responses; int32_t n_partition_responses;
} kw_produce_topic_resp;

typedef struct kw_produce_resp {
    kw_produce_topic_resp *responses; int32_t n_responses;
    int32_t throttle_time_ms;
    kw_node_endpoint *node_endpoints; int32_t n_node_endpoints; /* tag 0, v10+ */
} kw_produce_resp;

#endif
