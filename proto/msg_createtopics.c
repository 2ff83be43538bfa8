/*
 * proto/msg_createtopics.c — description of CreateTopics (key 19), versions 2–7.
 *
 * Request:  [topics: name num_partitions replication_factor
 *                    [assignments: partition_index [broker_ids]]
 *                    [configs: name value (nullable)]]
 *           timeout_ms validate_only (v1+)
 * Response: throttle_time_ms (v2+)
 *           [topics: name topic_id (v7+) error_code error_message (v1+, nullable)
 *                    num_partitions (v5+) replication_factor (v5+)
 *                    [configs (v5+, nullable): name value (nullable) read_only
 *                              config_source is_sensitive]
 *                    tagged 0: topic_config_error_code (v5+, int16)]
 * Flexible from v5.
 */
#include "proto/msg_createtopics.h"

#define V KW_VMAX

static const kw_field assign_f[] = {
    KW_F(kw_createtopics_assignment, partition_index, KW_T_INT32, 0, V),
    KW_AP(kw_createtopics_assignment, broker_ids, KW_T_INT32, 0, V),
};
static KW_STRUCT_DESC(kw_createtopics_assignment, assign_f);

static const kw_field config_f[] = {
    KW_F(kw_createtopics_config, name, KW_T_STRING, 0, V),
    KW_FN(kw_createtopics_config, value, KW_T_STRING, 0, V, 0),
};
static KW_STRUCT_DESC(kw_createtopics_config, config_f);

static const kw_field topic_f[] = {
    KW_F(kw_createtopics_topic, name, KW_T_STRING, 0, V),
    KW_F(kw_createtopics_topic, num_partitions, KW_T_INT32, 0, V),
    KW_F(kw_createtopics_topic, replication_factor, KW_T_INT16, 0, V),
    KW_A(kw_createtopics_topic, assignments, kw_createtopics_assignment_desc, 0, V),
    KW_A(kw_createtopics_topic, configs, kw_createtopics_config_desc, 0, V),
};
static KW_STRUCT_DESC(kw_createtopics_topic, topic_f);

static const kw_field req_f[] = {
    KW_A(kw_createtopics_req, topics, kw_createtopics_topic_desc, 0, V),
    KW_FD(kw_createtopics_req, timeout_ms, KW_T_INT32, 0, V, 60000),
    KW_F(kw_createtopics_req, validate_only, KW_T_BOOL, 1, V),
};
KW_MSG_DESC(kw__CreateTopics_req, kw_createtopics_req, req_f);

static const kw_field result_config_f[] = {
    KW_F(kw_createtopics_result_config, name, KW_T_STRING, 5, V),
    KW_FN(kw_createtopics_result_config, value, KW_T_STRING, 5, V, 5),
    KW_F(kw_createtopics_result_config, read_only, KW_T_BOOL, 5, V),
    KW_FD(kw_createtopics_result_config, config_source, KW_T_INT8, 5, V, -1),
    KW_F(kw_createtopics_result_config, is_sensitive, KW_T_BOOL, 5, V),
};
static KW_STRUCT_DESC(kw_createtopics_result_config, result_config_f);

static const kw_field result_f[] = {
    KW_F(kw_createtopics_result, name, KW_T_STRING, 0, V),
    KW_F(kw_createtopics_result, topic_id, KW_T_UUID, 7, V),
    KW_F(kw_createtopics_result, error_code, KW_T_INT16, 0, V),
    KW_FN(kw_createtopics_result, error_message, KW_T_STRING, 1, V, 1),
    KW_FD(kw_createtopics_result, num_partitions, KW_T_INT32, 5, V, -1),
    KW_FD(kw_createtopics_result, replication_factor, KW_T_INT16, 5, V, -1),
    KW_AN(kw_createtopics_result, configs, kw_createtopics_result_config_desc, 5, V, 5),
    KW_TF(kw_createtopics_result, topic_config_error_code, KW_T_INT16, 5, V, 0, 0, KW_NEVER),
};
static KW_STRUCT_DESC(kw_createtopics_result, result_f);

static const kw_field resp_f[] = {
    KW_F(kw_createtopics_resp, throttle_time_ms, KW_T_INT32, 2, V),
    KW_A(kw_createtopics_resp, topics, kw_createtopics_result_desc, 0, V),
};
KW_MSG_DESC(kw__CreateTopics_resp, kw_createtopics_resp, resp_f);
