/*
 * proto/msg_metadata.c — description of Metadata (key 3), versions 0–13.
 *
 * Request:  [topics: topic_id (v10+) name (nullable v10+)] (array nullable v1+)
 *           allow_auto_topic_creation (v4+) include_cluster_authorized_operations (v8-10)
 *           include_topic_authorized_operations (v8+)
 * Response: throttle_time_ms (v3+) [brokers: node_id host port rack (v1+, nullable)]
 *           cluster_id (v2+, nullable) controller_id (v1+)
 *           [topics: error_code name (nullable v12+) topic_id (v10+) is_internal (v1+)
 *             [partitions: error_code partition_index leader_id leader_epoch (v7+)
 *               [replica_nodes] [isr_nodes] [offline_replicas] (v5+)]
 *             topic_authorized_operations (v8+)]
 *           cluster_authorized_operations (v8-10) error_code (v13+)
 * Flexible from v9.
 */
#include "proto/msg_metadata.h"

#define V KW_VMAX

static const kw_field req_topic_f[] = {
    KW_F(kw_metadata_req_topic, topic_id, KW_T_UUID, 10, V),
    KW_FN(kw_metadata_req_topic, name, KW_T_STRING, 0, V, 10),
};
static KW_STRUCT_DESC(kw_metadata_req_topic, req_topic_f);

static const kw_field req_f[] = {
    KW_AN(kw_metadata_req, topics, kw_metadata_req_topic_desc, 0, V, 1),
    KW_FD(kw_metadata_req, allow_auto_topic_creation, KW_T_BOOL, 4, V, 1),
    KW_F(kw_metadata_req, include_cluster_authorized_operations, KW_T_BOOL, 8, 10),
    KW_F(kw_metadata_req, include_topic_authorized_operations, KW_T_BOOL, 8, V),
};
KW_MSG_DESC(kw__Metadata_req, kw_metadata_req, req_f);

static const kw_field broker_f[] = {
    KW_F(kw_metadata_broker, node_id, KW_T_INT32, 0, V),
    KW_F(kw_metadata_broker, host, KW_T_STRING, 0, V),
    KW_F(kw_metadata_broker, port, KW_T_INT32, 0, V),
    KW_FN(kw_metadata_broker, rack, KW_T_STRING, 1, V, 1),
};
static KW_STRUCT_DESC(kw_metadata_broker, broker_f);

static const kw_field partition_f[] = {
    KW_F(kw_metadata_partition, error_code, KW_T_INT16, 0, V),
    KW_F(kw_metadata_partition, partition_index, KW_T_INT32, 0, V),
    KW_F(kw_metadata_partition, leader_id, KW_T_INT32, 0, V),
    KW_FD(kw_metadata_partition, leader_epoch, KW_T_INT32, 7, V, -1),
    KW_AP(kw_metadata_partition, replica_nodes, KW_T_INT32, 0, V),
    KW_AP(kw_metadata_partition, isr_nodes, KW_T_INT32, 0, V),
    KW_AP(kw_metadata_partition, offline_replicas, KW_T_INT32, 5, V),
};
static KW_STRUCT_DESC(kw_metadata_partition, partition_f);

static const kw_field topic_f[] = {
    KW_F(kw_metadata_topic, error_code, KW_T_INT16, 0, V),
    KW_FN(kw_metadata_topic, name, KW_T_STRING, 0, V, 12),
    KW_F(kw_metadata_topic, topic_id, KW_T_UUID, 10, V),
    KW_F(kw_metadata_topic, is_internal, KW_T_BOOL, 1, V),
    KW_A(kw_metadata_topic, partitions, kw_metadata_partition_desc, 0, V),
    KW_FD(kw_metadata_topic, topic_authorized_operations, KW_T_INT32, 8, V, INT32_MIN),
};
static KW_STRUCT_DESC(kw_metadata_topic, topic_f);

static const kw_field resp_f[] = {
    KW_F(kw_metadata_resp, throttle_time_ms, KW_T_INT32, 3, V),
    KW_A(kw_metadata_resp, brokers, kw_metadata_broker_desc, 0, V),
    KW_FN(kw_metadata_resp, cluster_id, KW_T_STRING, 2, V, 2),
    KW_FD(kw_metadata_resp, controller_id, KW_T_INT32, 1, V, -1),
    KW_A(kw_metadata_resp, topics, kw_metadata_topic_desc, 0, V),
    KW_FD(kw_metadata_resp, cluster_authorized_operations, KW_T_INT32, 8, 10, INT32_MIN),
    KW_F(kw_metadata_resp, error_code, KW_T_INT16, 13, V),
};
KW_MSG_DESC(kw__Metadata_resp, kw_metadata_resp, resp_f);
