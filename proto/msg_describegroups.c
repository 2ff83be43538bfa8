/*
 * proto/msg_describegroups.c — description of DescribeGroups (key 15), versions 0–6.
 *
 * Request:  [groups] include_authorized_operations (v3+)
 * Response: throttle_time_ms (v1+)
 *           [groups: error_code error_message (v6+, nullable) group_id group_state
 *                    protocol_type protocol_data
 *                    [members: member_id group_instance_id (v4+, nullable) client_id
 *                              client_host member_metadata member_assignment]
 *                    authorized_operations (v3+)]
 * Flexible from v5.
 */
#include "proto/msg_describegroups.h"

#define V KW_VMAX

static const kw_field req_f[] = {
    KW_AP(kw_describegroups_req, groups, KW_T_STRING, 0, V),
    KW_F(kw_describegroups_req, include_authorized_operations, KW_T_BOOL, 3, V),
};
KW_MSG_DESC(kw__DescribeGroups_req, kw_describegroups_req, req_f);

static const kw_field member_f[] = {
    KW_F(kw_describegroups_member, member_id, KW_T_STRING, 0, V),
    KW_FN(kw_describegroups_member, group_instance_id, KW_T_STRING, 4, V, 4),
    KW_F(kw_describegroups_member, client_id, KW_T_STRING, 0, V),
    KW_F(kw_describegroups_member, client_host, KW_T_STRING, 0, V),
    KW_F(kw_describegroups_member, member_metadata, KW_T_BYTES, 0, V),
    KW_F(kw_describegroups_member, member_assignment, KW_T_BYTES, 0, V),
};
static KW_STRUCT_DESC(kw_describegroups_member, member_f);

static const kw_field group_f[] = {
    KW_F(kw_describegroups_group, error_code, KW_T_INT16, 0, V),
    KW_FN(kw_describegroups_group, error_message, KW_T_STRING, 6, V, 6),
    KW_F(kw_describegroups_group, group_id, KW_T_STRING, 0, V),
    KW_F(kw_describegroups_group, group_state, KW_T_STRING, 0, V),
    KW_F(kw_describegroups_group, protocol_type, KW_T_STRING, 0, V),
    KW_F(kw_describegroups_group, protocol_data, KW_T_STRING, 0, V),
    KW_A(kw_describegroups_group, members, kw_describegroups_member_desc, 0, V),
    KW_FD(kw_describegroups_group, authorized_operations, KW_T_INT32, 3, V, INT32_MIN),
};
static KW_STRUCT_DESC(kw_describegroups_group, group_f);

static const kw_field resp_f[] = {
    KW_F(kw_describegroups_resp, throttle_time_ms, KW_T_INT32, 1, V),
    KW_A(kw_describegroups_resp, groups, kw_describegroups_group_desc, 0, V),
};
KW_MSG_DESC(kw__DescribeGroups_resp, kw_describegroups_resp, resp_f);
