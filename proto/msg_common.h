/*
 * proto/msg_common.h — structures shared by several APIs' messages (descriptions in
 * proto/msg_produce.c): a leader id and epoch, and a node endpoint (KIP-951).
 */
#ifndef KW_PROTO_MSG_COMMON_H
#define KW_PROTO_MSG_COMMON_H

#include "proto/desc.h"

typedef struct kw_leader_epoch {
    int32_t leader_id;    /* default -1 */
    int32_t leader_epoch; /* default -1 */
} kw_leader_epoch;

typedef struct kw_node_endpoint {
    int32_t node_id;
    kw_str host;
    int32_t port;
    kw_str rack; /* nullable */
} kw_node_endpoint;

extern const kw_struct kw__leader_epoch_desc, kw__node_endpoint_desc;

#endif
