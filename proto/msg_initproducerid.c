/*
 * proto/msg_initproducerid.c — description of InitProducerId (key 22), versions 0–5.
 *
 * Request:  transactional_id (nullable) transaction_timeout_ms producer_id (v3+)
 *           producer_epoch (v3+)
 * Response: throttle_time_ms error_code producer_id producer_epoch
 * Flexible from v2. v4 (PRODUCER_FENCED) and v5 (TRANSACTION_ABORTABLE) change no layout.
 */
#include "proto/msg_initproducerid.h"

#define V KW_VMAX

static const kw_field req_f[] = {
    KW_FN(kw_initproducerid_req, transactional_id, KW_T_STRING, 0, V, 0),
    KW_F(kw_initproducerid_req, transaction_timeout_ms, KW_T_INT32, 0, V),
    KW_FD(kw_initproducerid_req, producer_id, KW_T_INT64, 3, V, -1),
    KW_FD(kw_initproducerid_req, producer_epoch, KW_T_INT16, 3, V, -1),
};
KW_MSG_DESC(kw__InitProducerId_req, kw_initproducerid_req, req_f);

static const kw_field resp_f[] = {
    KW_F(kw_initproducerid_resp, throttle_time_ms, KW_T_INT32, 0, V),
    KW_F(kw_initproducerid_resp, error_code, KW_T_INT16, 0, V),
    KW_FD(kw_initproducerid_resp, producer_id, KW_T_INT64, 0, V, -1),
    KW_F(kw_initproducerid_resp, producer_epoch, KW_T_INT16, 0, V),
};
KW_MSG_DESC(kw__InitProducerId_resp, kw_initproducerid_resp, resp_f);
