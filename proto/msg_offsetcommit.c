/*
 * proto/msg_offsetcommit.c — description of OffsetCommit (key 8), versions 2–9.
 *
 * Request:  group_id generation_id_or_member_epoch member_id group_instance_id (v7+,
 *           nullable) retention_time_ms (v2–4)
 *           [topics: name [partitions: partition_index committed_offset
 *                          committed_leader_epoch (v6+) committed_metadata (nullable)]]
 * Response: throttle_time_ms (v3+) [topics: name [partitions: partition_index error_code]]
 * Flexible from v8. v9 (KIP-848) keeps the v8 layout: the int32 then carries the member
 * epoch of the new consumer protocol. (group_instance_id and retention_time_ms never
 * coexist, so their order in the table does not matter on the wire.)
 */
#include "proto/msg_offsetcommit.h"

#define V KW_VMAX

static const kw_field req_part_f[] = {
    KW_F(kw_offsetcommit_req_partition, partition_index, KW_T_INT32, 0, V),
    KW_F(kw_offsetcommit_req_partition, committed_offset, KW_T_INT64, 0, V),
    KW_FD(kw_offsetcommit_req_partition, committed_leader_epoch, KW_T_INT32, 6, V, -1),
    KW_FN(kw_offsetcommit_req_partition, committed_metadata, KW_T_STRING, 0, V, 0),
};
static KW_STRUCT_DESC(kw_offsetcommit_req_partition, req_part_f);

static const kw_field req_topic_f[] = {
    KW_F(kw_offsetcommit_req_topic, name, KW_T_STRING, 0, V),
    KW_A(kw_offsetcommit_req_topic, partitions, kw_offsetcommit_req_partition_desc, 0, V),
};
static KW_STRUCT_DESC(kw_offsetcommit_req_topic, req_topic_f);

static const kw_field req_f[] = {
    KW_F(kw_offsetcommit_req, group_id, KW_T_STRING, 0, V),
    KW_FD(kw_offsetcommit_req, generation_id_or_member_epoch, KW_T_INT32, 1, V, -1),
    KW_F(kw_offsetcommit_req, member_id, KW_T_STRING, 1, V),
    KW_FN(kw_offsetcommit_req, group_instance_id, KW_T_STRING, 7, V, 7),
    KW_FD(kw_offsetcommit_req, retention_time_ms, KW_T_INT64, 2, 4, -1),
    KW_A(kw_offsetcommit_req, topics, kw_offsetcommit_req_topic_desc, 0, V),
};
KW_MSG_DESC(kw__OffsetCommit_req, kw_offsetcommit_req, req_f);

static const kw_field resp_part_f[] = {
    KW_F(kw_offsetcommit_resp_partition, partition_index, KW_T_INT32, 0, V),
    KW_F(kw_offsetcommit_resp_partition, error_code, KW_T_INT16, 0, V),
};
static KW_STRUCT_DESC(kw_offsetcommit_resp_partition, resp_part_f);

static const kw_field resp_topic_f[] = {
    KW_F(kw_offsetcommit_resp_topic, name, KW_T_STRING, 0, V),
    KW_A(kw_offsetcommit_resp_topic, partitions, kw_offsetcommit_resp_partition_desc, 0, V),
};
static KW_STRUCT_DESC(kw_offsetcommit_resp_topic, resp_topic_f);

static const kw_field resp_f[] = {
    KW_F(kw_offsetcommit_resp, throttle_time_ms, KW_T_INT32, 3, V),
    KW_A(kw_offsetcommit_resp, topics, kw_offsetcommit_resp_topic_desc, 0, V),
};
KW_MSG_DESC(kw__OffsetCommit_resp, kw_offsetcommit_resp, resp_f);
