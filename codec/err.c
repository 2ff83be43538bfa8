/*
 * codec/err.c — kw_strerror(), kw_err_name() and kw_err_retriable() over the local
 * error table (include/kwire.h) and Kafka's error codes (kafka_errors.h).
 */
#include "kwire.h"

const char *kw_strerror(int err)
{
    switch (err) {
    case 0: return "success";
#define KW__ERR_TEXT(name, value, text) case (value): return text;
    KW_ERR_MAP(KW__ERR_TEXT)
#undef KW__ERR_TEXT
#define KW__KERR_TEXT(code, name, retriable, text) case (code): return text;
    KW_KAFKA_ERR_MAP(KW__KERR_TEXT)
#undef KW__KERR_TEXT
    default: return err < 0 ? "unknown local error" : "unknown Kafka error code";
    }
}

const char *kw_err_name(int err)
{
    switch (err) {
    case 0: return "NONE";
#define KW__ERR_NAME(name, value, text) case (value): return "KW_ERR_" #name;
    KW_ERR_MAP(KW__ERR_NAME)
#undef KW__ERR_NAME
#define KW__KERR_NAME(code, name, retriable, text) case (code): return #name;
    KW_KAFKA_ERR_MAP(KW__KERR_NAME)
#undef KW__KERR_NAME
    default: return err < 0 ? "KW_ERR_UNKNOWN" : "UNKNOWN_KAFKA_ERROR";
    }
}

int kw_err_retriable(int err)
{
    switch (err) {
#define KW__KERR_RETRY(code, name, retriable, text) case (code): return retriable;
    KW_KAFKA_ERR_MAP(KW__KERR_RETRY)
#undef KW__KERR_RETRY
    default: return 0;
    }
}
