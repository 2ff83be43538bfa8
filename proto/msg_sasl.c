/*
 * proto/msg_sasl.c — description of SaslHandshake (key 17), versions 0–1, and
 * SaslAuthenticate (key 36), versions 0–2.
 *
 * SaslHandshake   request:  mechanism
 *                 response: error_code [mechanisms]
 *                 never flexible; v1 changes no layout (the SASL tokens that follow go
 *                 in SaslAuthenticate requests instead of raw frames).
 * SaslAuthenticate request:  auth_bytes
 *                 response: error_code error_message (nullable) auth_bytes
 *                           session_lifetime_ms (v1+)
 *                 flexible from v2.
 */
#include "proto/msg_sasl.h"

#define V KW_VMAX

static const kw_field hs_req_f[] = {
    KW_F(kw_saslhandshake_req, mechanism, KW_T_STRING, 0, V),
};
KW_MSG_DESC(kw__SaslHandshake_req, kw_saslhandshake_req, hs_req_f);

static const kw_field hs_resp_f[] = {
    KW_F(kw_saslhandshake_resp, error_code, KW_T_INT16, 0, V),
    KW_AP(kw_saslhandshake_resp, mechanisms, KW_T_STRING, 0, V),
};
KW_MSG_DESC(kw__SaslHandshake_resp, kw_saslhandshake_resp, hs_resp_f);

static const kw_field au_req_f[] = {
    KW_F(kw_saslauthenticate_req, auth_bytes, KW_T_BYTES, 0, V),
};
KW_MSG_DESC(kw__SaslAuthenticate_req, kw_saslauthenticate_req, au_req_f);

static const kw_field au_resp_f[] = {
    KW_F(kw_saslauthenticate_resp, error_code, KW_T_INT16, 0, V),
    KW_FN(kw_saslauthenticate_resp, error_message, KW_T_STRING, 0, V, 0),
    KW_F(kw_saslauthenticate_resp, auth_bytes, KW_T_BYTES, 0, V),
    KW_F(kw_saslauthenticate_resp, session_lifetime_ms, KW_T_INT64, 1, V),
};
KW_MSG_DESC(kw__SaslAuthenticate_resp, kw_saslauthenticate_resp, au_resp_f);
