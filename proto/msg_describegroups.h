/*
 * proto/msg_describegroups.h — DescribeGroups (key 15) request and response, versions
 * 0–6, as C structs (described in proto/msg_describegroups.c).
 */
#ifndef KW_PROTO_MSG_DESCRIBEGROUPS_H
#define KW_PROTO_MSG_DESCRIBEGROUPS_H

#include "proto/desc.h"

typedef struct kw_describegroups_req {
    kw_str *groups; int32_t n_groups;
    uint8_t include_authorized_operations; /* v3+ */
} kw_describegroups_req;

typedef struct kw_describegroups_member {
    kw_str member_id;
    kw_str group_instance_id; /* v4+, nullable */
    kw_str client_id;
    kw_str client_host;
    kw_bytes member_metadata;
    kw_bytes member_assignment;
} kw_describegroups_member;

typedef struct kw_describegroups_group {
    int16_t error_code;
    kw_str error_message; /* v6+, nullable */
    kw_str group_id;
    kw_str group_state;
    kw_str protocol_type;
    kw_str protocol_data;
    kw_describegroups_member *members; int32_t n_members;
    int32_t authorized_operations; /* v3+, default INT32_MIN (not requested) */
} kw_describegroups_group;

typedef struct kw_describegroups_resp {
    int32_t throttle_time_ms; /* v1+ */
    kw_describegroups_group *groups; int32_t n_groups;
} kw_describegroups_resp;

#endif
