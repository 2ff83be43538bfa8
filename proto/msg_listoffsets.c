/*
 * proto/msg_listoffsets.c — description of ListOffsets (key 2), versions 1–10.
 *
 * Request:  replica_id isolation_level (v2+)
 *           [topics: name [partitions: partition_index current_leader_epoch (v4+) timestamp]]
 *           timeout_ms (v10+)
 * Response: throttle_time_ms (v2+)
 *           [topics: name [partitions: partition_index error_code timestamp offset
 *                          leader_epoch (v4+)]]
 * Flexible from v6. Version 0 (max_num_offsets, old_style_offsets) is below kwire's range.
 */
#include "proto/msg_listoffsets.h"

#define V KW_VMAX

static const kw_field req_part_f[] = {
    KW_F(kw_listoffsets_req_partition, partition_index, KW_T_INT32, 0, V),
    KW_FD(kw_listoffsets_req_partition, current_leader_epoch, KW_T_INT32, 4, V, -1),
    KW_F(kw_listoffsets_req_partition, timestamp, KW_T_INT64, 0, V),
};
static KW_STRUCT_DESC(kw_listoffsets_req_partition, req_part_f);

static const kw_field req_topic_f[] = {
    KW_F(kw_listoffsets_req_topic, name, KW_T_STRING, 0, V),
    KW_A(kw_listoffsets_req_topic, partitions, kw_listoffsets_req_partition_desc, 0, V),
};
static KW_STRUCT_DESC(kw_listoffsets_req_topic, req_topic_f);

static const kw_field req_f[] = {
    KW_FD(kw_listoffsets_req, replica_id, KW_T_INT32, 0, V, -1),
    KW_F(kw_listoffsets_req, isolation_level, KW_T_INT8, 2, V),
    KW_A(kw_listoffsets_req, topics, kw_listoffsets_req_topic_desc, 0, V),
    KW_F(kw_listoffsets_req, timeout_ms, KW_T_INT32, 10, V),
};
KW_MSG_DESC(kw__ListOffsets_req, kw_listoffsets_req, req_f);

static const kw_field resp_part_f[] = {
    KW_F(kw_listoffsets_resp_partition, partition_index, KW_T_INT32, 0, V),
    KW_F(kw_listoffsets_resp_partition, error_code, KW_T_INT16, 0, V),
    KW_FD(kw_listoffsets_resp_partition, timestamp, KW_T_INT64, 1, V, -1),
    KW_FD(kw_listoffsets_resp_partition, offset, KW_T_INT64, 1, V, -1),
    KW_FD(kw_listoffsets_resp_partition, leader_epoch, KW_T_INT32, 4, V, -1),
};
static KW_STRUCT_DESC(kw_listoffsets_resp_partition, resp_part_f);

static const kw_field resp_topic_f[] = {
    KW_F(kw_listoffsets_resp_topic, name, KW_T_STRING, 0, V),
    KW_A(kw_listoffsets_resp_topic, partitions, kw_listoffsets_resp_partition_desc, 0, V),
};
static KW_STRUCT_DESC(kw_listoffsets_resp_topic, resp_topic_f);

static const kw_field resp_f[] = {
    KW_F(kw_listoffsets_resp, throttle_time_ms, KW_T_INT32, 2, V),
    KW_A(kw_listoffsets_resp, topics, kw_listoffsets_resp_topic_desc, 0, V),
};
KW_MSG_DESC(kw__ListOffsets_resp, kw_listoffsets_resp, resp_f);
