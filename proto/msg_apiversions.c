/*
 * proto/msg_apiversions.c — description of ApiVersions (key 18), versions 0–4.
 *
 * Request:  v0–2 empty; v3+ client_software_name client_software_version (compact strings).
 * Response: error_code [api_keys: api_key min_version max_version] throttle_time_ms (v1+);
 *   v3+ (flexible) tagged fields: 0 supported_features [name min_version max_version],
 *   1 finalized_features_epoch int64 (default -1), 2 finalized_features
 *   [name max_version_level min_version_level], 3 zk_migration_ready bool.
 * The response always travels with response header v0 (see kw_resp_header_version).
 */
#include "proto/msg_apiversions.h"

#define V KW_VMAX

static const kw_field req_f[] = {
    KW_F(kw_apiversions_req, client_software_name, KW_T_STRING, 3, V),
    KW_F(kw_apiversions_req, client_software_version, KW_T_STRING, 3, V),
};
KW_MSG_DESC(kw__ApiVersions_req, kw_apiversions_req, req_f);

static const kw_field key_f[] = {
    KW_F(kw_apiversions_key, api_key, KW_T_INT16, 0, V),
    KW_F(kw_apiversions_key, min_version, KW_T_INT16, 0, V),
    KW_F(kw_apiversions_key, max_version, KW_T_INT16, 0, V),
};
static KW_STRUCT_DESC(kw_apiversions_key, key_f);

static const kw_field feature_f[] = {
    KW_F(kw_apiversions_feature, name, KW_T_STRING, 3, V),
    KW_F(kw_apiversions_feature, min_version, KW_T_INT16, 3, V),
    KW_F(kw_apiversions_feature, max_version, KW_T_INT16, 3, V),
};
static KW_STRUCT_DESC(kw_apiversions_feature, feature_f);

static const kw_field finalized_f[] = {
    KW_F(kw_apiversions_finalized, name, KW_T_STRING, 3, V),
    KW_F(kw_apiversions_finalized, max_version_level, KW_T_INT16, 3, V),
    KW_F(kw_apiversions_finalized, min_version_level, KW_T_INT16, 3, V),
};
static KW_STRUCT_DESC(kw_apiversions_finalized, finalized_f);

static const kw_field resp_f[] = {
    KW_F(kw_apiversions_resp, error_code, KW_T_INT16, 0, V),
    KW_A(kw_apiversions_resp, api_keys, kw_apiversions_key_desc, 0, V),
    KW_F(kw_apiversions_resp, throttle_time_ms, KW_T_INT32, 1, V),
    KW_TA(kw_apiversions_resp, supported_features, kw_apiversions_feature_desc, 3, V, 0),
    KW_TF(kw_apiversions_resp, finalized_features_epoch, KW_T_INT64, 3, V, 1, -1, KW_NEVER),
    KW_TA(kw_apiversions_resp, finalized_features, kw_apiversions_finalized_desc, 3, V, 2),
    KW_TF(kw_apiversions_resp, zk_migration_ready, KW_T_BOOL, 3, V, 3, 0, KW_NEVER),
};
KW_MSG_DESC(kw__ApiVersions_resp, kw_apiversions_resp, resp_f);
