/*
 * proto/msg_listgroups.c — description of ListGroups (key 16), versions 0–5.
 *
 * Request:  v0–3 empty; [states_filter] (v4+) [types_filter] (v5+).
 * Response: throttle_time_ms (v1+) error_code
 *           [groups: group_id protocol_type group_state (v4+) group_type (v5+)]
 * Flexible from v3.
 */
#include "proto/msg_listgroups.h"

#define V KW_VMAX

static const kw_field req_f[] = {
    KW_AP(kw_listgroups_req, states_filter, KW_T_STRING, 4, V),
    KW_AP(kw_listgroups_req, types_filter, KW_T_STRING, 5, V),
};
KW_MSG_DESC(kw__ListGroups_req, kw_listgroups_req, req_f);

static const kw_field group_f[] = {
    KW_F(kw_listgroups_group, group_id, KW_T_STRING, 0, V),
    KW_F(kw_listgroups_group, protocol_type, KW_T_STRING, 0, V),
    KW_F(kw_listgroups_group, group_state, KW_T_STRING, 4, V),
    KW_F(kw_listgroups_group, group_type, KW_T_STRING, 5, V),
};
static KW_STRUCT_DESC(kw_listgroups_group, group_f);

static const kw_field resp_f[] = {
    KW_F(kw_listgroups_resp, throttle_time_ms, KW_T_INT32, 1, V),
    KW_F(kw_listgroups_resp, error_code, KW_T_INT16, 0, V),
    KW_A(kw_listgroups_resp, groups, kw_listgroups_group_desc, 0, V),
};
KW_MSG_DESC(kw__ListGroups_resp, kw_listgroups_resp, resp_f);
