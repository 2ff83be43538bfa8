/*
 * proto/msg_initproducerid.h — InitProducerId (key 22) request and response, versions
 * 0–5, as C structs (described in proto/msg_initproducerid.c).
 */
#ifndef KW_PROTO_MSG_INITPRODUCERID_H
#define KW_PROTO_MSG_INITPRODUCERID_H

#include "proto/desc.h"

typedef struct kw_initproducerid_req {
    kw_str transactional_id;        /* nullable: null for an idempotent producer */
    int32_t transaction_timeout_ms;
    int64_t producer_id;            /* v3+, default -1 */
    int16_t producer_epoch;         /* v3+, default -1 */
} kw_initproducerid_req;

typedef struct kw_initproducerid_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    int64_t producer_id;    /* default -1 */
    int16_t producer_epoch;
} kw_initproducerid_resp;

#endif
