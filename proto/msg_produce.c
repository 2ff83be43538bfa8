/*
 * proto/msg_produce.c — description of Produce (key 0), versions 3–12, and of the
 * structures shared with Fetch (leader id/epoch, node endpoint).
 *
 * Request:  transactional_id (nullable) acks timeout_ms
 *           [topic_data: name [partition_data: index records (nullable)]]
 * Response: [responses: name [partition_responses: index error_code base_offset
 *             log_append_time_ms log_start_offset (v5+) [record_errors (v8+):
 *             batch_index batch_index_error_message (nullable)] error_message (v8+, nullable)
 *             tag 0 current_leader (v10+): leader_id leader_epoch]]
 *           throttle_time_ms  tag 0 node_endpoints (v10+): [node_id host port rack]
 * Flexible from v9. v12 is v11 on the wire (KIP-890 transactions v2).
 */
#include "proto/msg_produce.h"

#define V KW_VMAX

static const kw_field leader_f[] = {
    KW_FD(kw_leader_epoch, leader_id, KW_T_INT32, 0, V, -1),
    KW_FD(kw_leader_epoch, leader_epoch, KW_T_INT32, 0, V, -1),
};
KW_MSG_DESC(kw__leader_epoch_desc, kw_leader_epoch, leader_f);

static const kw_field endpoint_f[] = {
    KW_F(kw_node_endpoint, node_id, KW_T_INT32, 0, V),
    KW_F(kw_node_endpoint, host, KW_T_STRING, 0, V),
    KW_F(kw_node_endpoint, port, KW_T_INT32, 0, V),
    KW_FN(kw_node_endpoint, rack, KW_T_STRING, 0, V, 0),
};
KW_MSG_DESC(kw__node_endpoint_desc, kw_node_endpoint, endpoint_f);

static const kw_field partition_f[] = {
    KW_F(kw_produce_partition, index, KW_T_INT32, 0, V),
    KW_FN(kw_produce_partition, records, KW_T_RECORDS, 0, V, 0),
};
static KW_STRUCT_DESC(kw_produce_partition, partition_f);

static const kw_field topic_f[] = {
    KW_F(kw_produce_topic, name, KW_T_STRING, 0, V),
    KW_A(kw_produce_topic, partition_data, kw_produce_partition_desc, 0, V),
};
static KW_STRUCT_DESC(kw_produce_topic, topic_f);

static const kw_field req_f[] = {
    KW_FN(kw_produce_req, transactional_id, KW_T_STRING, 3, V, 3),
    KW_F(kw_produce_req, acks, KW_T_INT16, 0, V),
    KW_F(kw_produce_req, timeout_ms, KW_T_INT32, 0, V),
    KW_A(kw_produce_req, topic_data, kw_produce_topic_desc, 0, V),
};
KW_MSG_DESC(kw__Produce_req, kw_produce_req, req_f);

static const kw_field record_error_f[] = {
    KW_F(kw_produce_record_error, batch_index, KW_T_INT32, 8, V),
    KW_FN(kw_produce_record_error, batch_index_error_message, KW_T_STRING, 8, V, 8),
};
static KW_STRUCT_DESC(kw_produce_record_error, record_error_f);

static const kw_field partition_resp_f[] = {
    KW_F(kw_produce_partition_resp, index, KW_T_INT32, 0, V),
    KW_F(kw_produce_partition_resp, error_code, KW_T_INT16, 0, V),
    KW_F(kw_produce_partition_resp, base_offset, KW_T_INT64, 0, V),
    KW_FD(kw_produce_partition_resp, log_append_time_ms, KW_T_INT64, 2, V, -1),
    KW_FD(kw_produce_partition_resp, log_start_offset, KW_T_INT64, 5, V, -1),
    KW_A(kw_produce_partition_resp, record_errors, kw_produce_record_error_desc, 8, V),
    KW_FN(kw_produce_partition_resp, error_message, KW_T_STRING, 8, V, 8),
    KW_TS(kw_produce_partition_resp, current_leader, kw__leader_epoch_desc, 10, V, 0),
};
static KW_STRUCT_DESC(kw_produce_partition_resp, partition_resp_f);

static const kw_field topic_resp_f[] = {
    KW_F(kw_produce_topic_resp, name, KW_T_STRING, 0, V),
    KW_A(kw_produce_topic_resp, partition_responses, kw_produce_partition_resp_desc, 0, V),
};
static KW_STRUCT_DESC(kw_produce_topic_resp, topic_resp_f);

static const kw_field resp_f[] = {
    KW_A(kw_produce_resp, responses, kw_produce_topic_resp_desc, 0, V),
    KW_F(kw_produce_resp, throttle_time_ms, KW_T_INT32, 1, V),
    KW_TA(kw_produce_resp, node_endpoints, kw__node_endpoint_desc, 10, V, 0),
};
KW_MSG_DESC(kw__Produce_resp, kw_produce_resp, resp_f);
