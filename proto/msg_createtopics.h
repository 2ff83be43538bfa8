/*
 * proto/msg_createtopics.h — CreateTopics (key 19) request and response, versions 2–7,
 * as C structs (described in proto/msg_createtopics.c).
 */
#ifndef KW_PROTO_MSG_CREATETOPICS_H
#define KW_PROTO_MSG_CREATETOPICS_H

#include "proto/desc.h"

typedef struct kw_createtopics_assignment {
    int32_t partition_index;
    int32_t *broker_ids; int32_t n_broker_ids;
} kw_createtopics_assignment;

typedef struct kw_createtopics_config {
    kw_str name;
    kw_str value; /* nullable */
} kw_createtopics_config;

typedef struct kw_createtopics_topic {
    kw_str name;
    int32_t num_partitions;     /* -1: broker default or from assignments */
    int16_t replication_factor; /* -1: broker default or from assignments */
    kw_createtopics_assignment *assignments; int32_t n_assignments;
    kw_createtopics_config *configs; int32_t n_configs;
} kw_createtopics_topic;

typedef struct kw_createtopics_req {
    kw_createtopics_topic *topics; int32_t n_topics;
    int32_t timeout_ms;     /* default 60000 */
    uint8_t validate_only;  /* v1+ */
} kw_createtopics_req;

typedef struct kw_createtopics_result_config { /* v5+ */
    kw_str name;
    kw_str value; /* nullable */
    uint8_t read_only;
    int8_t config_source; /* default -1 */
    uint8_t is_sensitive;
} kw_createtopics_result_config;

typedef struct kw_createtopics_result {
    kw_str name;
    kw_uuid topic_id;           /* v7+ */
    int16_t error_code;
    kw_str error_message;       /* v1+, nullable */
    int32_t num_partitions;     /* v5+, default -1 */
    int16_t replication_factor; /* v5+, default -1 */
    kw_createtopics_result_config *configs; int32_t n_configs; /* v5+, nullable */
    int16_t topic_config_error_code; /* tag 0, v5+ */
} kw_createtopics_result;

typedef struct kw_createtopics_resp {
    int32_t throttle_time_ms; /* v2+ */
    kw_createtopics_result *topics; int32_t n_topics;
} kw_createtopics_resp;

#endif
