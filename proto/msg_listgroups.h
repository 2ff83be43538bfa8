/*
 * proto/msg_listgroups.h — ListGroups (key 16) request and response, versions 0–5, as C
 * structs (described in proto/msg_listgroups.c).
 */
#ifndef KW_PROTO_MSG_LISTGROUPS_H
#define KW_PROTO_MSG_LISTGROUPS_H

#include "proto/desc.h"

typedef struct kw_listgroups_req {
    kw_str *states_filter; int32_t n_states_filter; /* v4+ */
    kw_str *types_filter; int32_t n_types_filter;   /* v5+ */
} kw_listgroups_req;

typedef struct kw_listgroups_group {
    kw_str group_id;
    kw_str protocol_type;
    kw_str group_state; /* v4+ */
    kw_str group_type;  /* v5+ */
} kw_listgroups_group;

typedef struct kw_listgroups_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    kw_listgroups_group *groups; int32_t n_groups;
} kw_listgroups_resp;

#endif
