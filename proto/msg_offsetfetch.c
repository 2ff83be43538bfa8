/*
 * proto/msg_offsetfetch.c — description of OffsetFetch (key 9), versions 1–9.
 *
 * Request:  v1–7 group_id [topics: name [partition_indexes]] (topics nullable v2+: null =
 *           every topic); v8+ [groups: group_id member_id (v9+, nullable) member_epoch (v9+)
 *           [topics (nullable)]]; require_stable (v7+).
 * Response: throttle_time_ms (v3+); v1–7 [topics: name [partitions: partition_index
 *           committed_offset committed_leader_epoch (v5+) metadata (nullable) error_code]]
 *           error_code (v2+); v8+ [groups: group_id [topics] error_code].
 * Flexible from v6. The topic and partition shapes are the same before and after v8,
 * so one element description serves both.
 */
#include "proto/msg_offsetfetch.h"

#define V KW_VMAX

static const kw_field req_topic_f[] = {
    KW_F(kw_offsetfetch_req_topic, name, KW_T_STRING, 0, V),
    KW_AP(kw_offsetfetch_req_topic, partition_indexes, KW_T_INT32, 0, V),
};
static KW_STRUCT_DESC(kw_offsetfetch_req_topic, req_topic_f);

static const kw_field req_group_f[] = {
    KW_F(kw_offsetfetch_req_group, group_id, KW_T_STRING, 8, V),
    KW_FN(kw_offsetfetch_req_group, member_id, KW_T_STRING, 9, V, 9),
    KW_FD(kw_offsetfetch_req_group, member_epoch, KW_T_INT32, 9, V, -1),
    KW_AN(kw_offsetfetch_req_group, topics, kw_offsetfetch_req_topic_desc, 8, V, 8),
};
static KW_STRUCT_DESC(kw_offsetfetch_req_group, req_group_f);

static const kw_field req_f[] = {
    KW_F(kw_offsetfetch_req, group_id, KW_T_STRING, 0, 7),
    KW_AN(kw_offsetfetch_req, topics, kw_offsetfetch_req_topic_desc, 0, 7, 2),
    KW_A(kw_offsetfetch_req, groups, kw_offsetfetch_req_group_desc, 8, V),
    KW_F(kw_offsetfetch_req, require_stable, KW_T_BOOL, 7, V),
};
KW_MSG_DESC(kw__OffsetFetch_req, kw_offsetfetch_req, req_f);

static const kw_field resp_part_f[] = {
    KW_F(kw_offsetfetch_resp_partition, partition_index, KW_T_INT32, 0, V),
    KW_F(kw_offsetfetch_resp_partition, committed_offset, KW_T_INT64, 0, V),
    KW_FD(kw_offsetfetch_resp_partition, committed_leader_epoch, KW_T_INT32, 5, V, -1),
    KW_FN(kw_offsetfetch_resp_partition, metadata, KW_T_STRING, 0, V, 0),
    KW_F(kw_offsetfetch_resp_partition, error_code, KW_T_INT16, 0, V),
};
static KW_STRUCT_DESC(kw_offsetfetch_resp_partition, resp_part_f);

static const kw_field resp_topic_f[] = {
    KW_F(kw_offsetfetch_resp_topic, name, KW_T_STRING, 0, V),
    KW_A(kw_offsetfetch_resp_topic, partitions, kw_offsetfetch_resp_partition_desc, 0, V),
};
static KW_STRUCT_DESC(kw_offsetfetch_resp_topic, resp_topic_f);

static const kw_field resp_group_f[] = {
    KW_F(kw_offsetfetch_resp_group, group_id, KW_T_STRING, 8, V),
    KW_A(kw_offsetfetch_resp_group, topics, kw_offsetfetch_resp_topic_desc, 8, V),
    KW_F(kw_offsetfetch_resp_group, error_code, KW_T_INT16, 8, V),
};
static KW_STRUCT_DESC(kw_offsetfetch_resp_group, resp_group_f);

static const kw_field resp_f[] = {
    KW_F(kw_offsetfetch_resp, throttle_time_ms, KW_T_INT32, 3, V),
    KW_A(kw_offsetfetch_resp, topics, kw_offsetfetch_resp_topic_desc, 0, 7),
    KW_F(kw_offsetfetch_resp, error_code, KW_T_INT16, 2, 7),
    KW_A(kw_offsetfetch_resp, groups, kw_offsetfetch_resp_group_desc, 8, V),
};
KW_MSG_DESC(kw__OffsetFetch_resp, kw_offsetfetch_resp, resp_f);
