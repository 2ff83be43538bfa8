/*
 * proto/msg_fetch.c — description of Fetch (key 1), versions 4–17.
 *
 * Request:  replica_id (v4-14) max_wait_ms min_bytes max_bytes isolation_level
 *           session_id session_epoch (v7+)
 *           [topics: topic (v4-12) | topic_id (v13+) [partitions: partition
 *             current_leader_epoch (v9+) fetch_offset last_fetched_epoch (v12+)
 *             log_start_offset (v5+) partition_max_bytes  tag 0 replica_directory_id (v17+)]]
 *           [forgotten_topics_data (v7+): topic (v7-12) | topic_id (v13+) [partitions int32]]
 *           rack_id (v11+)  tag 0 cluster_id (v12+, nullable)  tag 1 replica_state (v15+):
 *           replica_id replica_epoch
 * Response: throttle_time_ms error_code session_id (v7+)
 *           [responses: topic (v4-12) | topic_id (v13+) [partitions: partition_index
 *             error_code high_watermark last_stable_offset log_start_offset (v5+)
 *             [aborted_transactions (nullable): producer_id first_offset]
 *             preferred_read_replica (v11+) records (nullable)
 *             tag 0 diverging_epoch: epoch end_offset  tag 1 current_leader: leader_id
 *             leader_epoch  tag 2 snapshot_id: end_offset epoch]]
 *           tag 0 node_endpoints (v16+): [node_id host port rack]
 * Flexible from v12. v17 responses are v16 on the wire.
 */
#include "proto/msg_fetch.h"

#define V KW_VMAX

static const kw_field partition_f[] = {
    KW_F(kw_fetch_partition, partition, KW_T_INT32, 0, V),
    KW_FD(kw_fetch_partition, current_leader_epoch, KW_T_INT32, 9, V, -1),
    KW_F(kw_fetch_partition, fetch_offset, KW_T_INT64, 0, V),
    KW_FD(kw_fetch_partition, last_fetched_epoch, KW_T_INT32, 12, V, -1),
    KW_FD(kw_fetch_partition, log_start_offset, KW_T_INT64, 5, V, -1),
    KW_F(kw_fetch_partition, partition_max_bytes, KW_T_INT32, 0, V),
    KW_TF(kw_fetch_partition, replica_directory_id, KW_T_UUID, 17, V, 0, 0, KW_NEVER),
};
static KW_STRUCT_DESC(kw_fetch_partition, partition_f);

static const kw_field topic_f[] = {
    KW_F(kw_fetch_topic, topic, KW_T_STRING, 0, 12),
    KW_F(kw_fetch_topic, topic_id, KW_T_UUID, 13, V),
    KW_A(kw_fetch_topic, partitions, kw_fetch_partition_desc, 0, V),
};
static KW_STRUCT_DESC(kw_fetch_topic, topic_f);

static const kw_field forgotten_f[] = {
    KW_F(kw_fetch_forgotten, topic, KW_T_STRING, 7, 12),
    KW_F(kw_fetch_forgotten, topic_id, KW_T_UUID, 13, V),
    KW_AP(kw_fetch_forgotten, partitions, KW_T_INT32, 7, V),
};
static KW_STRUCT_DESC(kw_fetch_forgotten, forgotten_f);

static const kw_field replica_state_f[] = {
    KW_FD(kw_fetch_replica_state, replica_id, KW_T_INT32, 15, V, -1),
    KW_FD(kw_fetch_replica_state, replica_epoch, KW_T_INT64, 15, V, -1),
};
static KW_STRUCT_DESC(kw_fetch_replica_state, replica_state_f);

static const kw_field req_f[] = {
    KW_FD(kw_fetch_req, replica_id, KW_T_INT32, 0, 14, -1),
    KW_F(kw_fetch_req, max_wait_ms, KW_T_INT32, 0, V),
    KW_F(kw_fetch_req, min_bytes, KW_T_INT32, 0, V),
    KW_FD(kw_fetch_req, max_bytes, KW_T_INT32, 3, V, INT32_MAX),
    KW_F(kw_fetch_req, isolation_level, KW_T_INT8, 4, V),
    KW_F(kw_fetch_req, session_id, KW_T_INT32, 7, V),
    KW_FD(kw_fetch_req, session_epoch, KW_T_INT32, 7, V, -1),
    KW_A(kw_fetch_req, topics, kw_fetch_topic_desc, 0, V),
    KW_A(kw_fetch_req, forgotten_topics_data, kw_fetch_forgotten_desc, 7, V),
    KW_F(kw_fetch_req, rack_id, KW_T_STRING, 11, V),
    KW_TF(kw_fetch_req, cluster_id, KW_T_STRING, 12, V, 0, 0, 12),
    KW_TS(kw_fetch_req, replica_state, kw_fetch_replica_state_desc, 15, V, 1),
};
KW_MSG_DESC(kw__Fetch_req, kw_fetch_req, req_f);

static const kw_field aborted_f[] = {
    KW_F(kw_fetch_aborted, producer_id, KW_T_INT64, 4, V),
    KW_F(kw_fetch_aborted, first_offset, KW_T_INT64, 4, V),
};
static KW_STRUCT_DESC(kw_fetch_aborted, aborted_f);

static const kw_field epoch_end_f[] = {
    KW_FD(kw_fetch_epoch_end, epoch, KW_T_INT32, 12, V, -1),
    KW_FD(kw_fetch_epoch_end, end_offset, KW_T_INT64, 12, V, -1),
};
static KW_STRUCT_DESC(kw_fetch_epoch_end, epoch_end_f);

static const kw_field snapshot_f[] = {
    KW_FD(kw_fetch_snapshot_id, end_offset, KW_T_INT64, 0, V, -1),
    KW_FD(kw_fetch_snapshot_id, epoch, KW_T_INT32, 0, V, -1),
};
static KW_STRUCT_DESC(kw_fetch_snapshot_id, snapshot_f);

static const kw_field partition_resp_f[] = {
    KW_F(kw_fetch_partition_resp, partition_index, KW_T_INT32, 0, V),
    KW_F(kw_fetch_partition_resp, error_code, KW_T_INT16, 0, V),
    KW_F(kw_fetch_partition_resp, high_watermark, KW_T_INT64, 0, V),
    KW_FD(kw_fetch_partition_resp, last_stable_offset, KW_T_INT64, 4, V, -1),
    KW_FD(kw_fetch_partition_resp, log_start_offset, KW_T_INT64, 5, V, -1),
    KW_AN(kw_fetch_partition_resp, aborted_transactions, kw_fetch_aborted_desc, 4, V, 4),
    KW_FD(kw_fetch_partition_resp, preferred_read_replica, KW_T_INT32, 11, V, -1),
    KW_FN(kw_fetch_partition_resp, records, KW_T_RECORDS, 0, V, 0),
    KW_TS(kw_fetch_partition_resp, diverging_epoch, kw_fetch_epoch_end_desc, 12, V, 0),
    KW_TS(kw_fetch_partition_resp, current_leader, kw__leader_epoch_desc, 12, V, 1),
    KW_TS(kw_fetch_partition_resp, snapshot_id, kw_fetch_snapshot_id_desc, 12, V, 2),
};
static KW_STRUCT_DESC(kw_fetch_partition_resp, partition_resp_f);

static const kw_field topic_resp_f[] = {
    KW_F(kw_fetch_topic_resp, topic, KW_T_STRING, 0, 12),
    KW_F(kw_fetch_topic_resp, topic_id, KW_T_UUID, 13, V),
    KW_A(kw_fetch_topic_resp, partitions, kw_fetch_partition_resp_desc, 0, V),
};
static KW_STRUCT_DESC(kw_fetch_topic_resp, topic_resp_f);

static const kw_field resp_f[] = {
    KW_F(kw_fetch_resp, throttle_time_ms, KW_T_INT32, 1, V),
    KW_F(kw_fetch_resp, error_code, KW_T_INT16, 7, V),
    KW_F(kw_fetch_resp, session_id, KW_T_INT32, 7, V),
    KW_A(kw_fetch_resp, responses, kw_fetch_topic_resp_desc, 0, V),
    KW_TA(kw_fetch_resp, node_endpoints, kw__node_endpoint_desc, 16, V, 0),
};
KW_MSG_DESC(kw__Fetch_resp, kw_fetch_resp, resp_f);
