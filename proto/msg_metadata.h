/*
 * proto/msg_metadata.h — Metadata (key 3) request and response, versions 0–13, as C
 * structs (described in proto/msg_metadata.c; conventions in proto/desc.h).
 */
#ifndef KW_PROTO_MSG_METADATA_H
#define KW_PROTO_MSG_METADATA_H

#include "proto/desc.h"

typedef struct kw_metadata_req_topic {
    kw_uuid topic_id; /* v10+ */
    kw_str name;      /* nullable v10+ */
} kw_metadata_req_topic;

typedef struct kw_metadata_req {
    kw_metadata_req_topic *topics; int32_t n_topics; /* null (v1+) = all topics; v0: empty = all */
    uint8_t allow_auto_topic_creation;               /* v4+, default true */
    uint8_t include_cluster_authorized_operations;   /* v8-10 */
    uint8_t include_topic_authorized_operations;     /* v8+ */
} kw_metadata_req;

typedef struct kw_metadata_broker {
    int32_t node_id;
    kw_str host;
    int32_t port;
    kw_str rack; /* v1+, nullable */
} kw_metadata_broker;

typedef struct kw_metadata_partition {
    int16_t error_code;
    int32_t partition_index;
    int32_t leader_id;
    int32_t leader_epoch;                                 /* v7+, default -1 */
    int32_t *replica_nodes; int32_t n_replica_nodes;
    int32_t *isr_nodes; int32_t n_isr_nodes;
    int32_t *offline_replicas; int32_t n_offline_replicas; /* v5+ */
} kw_metadata_partition;

typedef struct kw_metadata_topic {
    int16_t error_code;
    kw_str name;        /* nullable v12+ */
    kw_uuid topic_id;   /* v10+ */
    uint8_t is_internal; /* v1+ */
    kw_metadata_partition *partitions; int32_t n_partitions;
    int32_t topic_authorized_operations; /* v8+, default INT32_MIN */
} kw_metadata_topic;

typedef struct kw_metadata_resp {
    int32_t throttle_time_ms; /* v3+ */
    kw_metadata_broker *brokers; int32_t n_brokers;
    kw_str cluster_id;        /* v2+, nullable */
    int32_t controller_id;    /* v1+, default -1 */
    kw_metadata_topic *topics; int32_t n_topics;
    int32_t cluster_authorized_operations; /* v8-10, default INT32_MIN */
    int16_t error_code;                    /* v13+ */
} kw_metadata_resp;

#endif
