/*
 * proto/msg_findcoordinator.c — description of FindCoordinator (key 10), versions 0–6.
 *
 * Request:  v0–3 key, key_type (v1+); v4+ key_type [coordinator_keys] (batched, KIP-699).
 * Response: throttle_time_ms (v1+), then
 *           v0–3 error_code error_message (v1+, nullable) node_id host port;
 *           v4+  [coordinators: key node_id host port error_code error_message (nullable)].
 * Flexible from v3. v5 (TRANSACTION_ABORTABLE) and v6 (share groups, key_type 2) change
 * no layout.
 */
#include "proto/msg_findcoordinator.h"

#define V KW_VMAX

static const kw_field req_f[] = {
    KW_F(kw_findcoordinator_req, key, KW_T_STRING, 0, 3),
    KW_F(kw_findcoordinator_req, key_type, KW_T_INT8, 1, V),
    KW_AP(kw_findcoordinator_req, coordinator_keys, KW_T_STRING, 4, V),
};
KW_MSG_DESC(kw__FindCoordinator_req, kw_findcoordinator_req, req_f);

static const kw_field coord_f[] = {
    KW_F(kw_findcoordinator_coord, key, KW_T_STRING, 4, V),
    KW_F(kw_findcoordinator_coord, node_id, KW_T_INT32, 4, V),
    KW_F(kw_findcoordinator_coord, host, KW_T_STRING, 4, V),
    KW_F(kw_findcoordinator_coord, port, KW_T_INT32, 4, V),
    KW_F(kw_findcoordinator_coord, error_code, KW_T_INT16, 4, V),
    KW_FN(kw_findcoordinator_coord, error_message, KW_T_STRING, 4, V, 4),
};
static KW_STRUCT_DESC(kw_findcoordinator_coord, coord_f);

static const kw_field resp_f[] = {
    KW_F(kw_findcoordinator_resp, throttle_time_ms, KW_T_INT32, 1, V),
    KW_F(kw_findcoordinator_resp, error_code, KW_T_INT16, 0, 3),
    KW_FN(kw_findcoordinator_resp, error_message, KW_T_STRING, 1, 3, 1),
    KW_F(kw_findcoordinator_resp, node_id, KW_T_INT32, 0, 3),
    KW_F(kw_findcoordinator_resp, host, KW_T_STRING, 0, 3),
    KW_F(kw_findcoordinator_resp, port, KW_T_INT32, 0, 3),
    KW_A(kw_findcoordinator_resp, coordinators, kw_findcoordinator_coord_desc, 4, V),
};
KW_MSG_DESC(kw__FindCoordinator_resp, kw_findcoordinator_resp, resp_f);
