/*
 * client/cli/recfmt.h — records as text: kcat's -f format strings, and the JSON envelope that
 * `kwire consume --json` writes and `kwire produce -J` reads back.
 *
 * Format strings (kcat's fields): %t topic, %p partition, %o offset, %T timestamp (ms),
 * %k key, %K key length (-1 for null), %s value, %S value length (-1 for null), %R value
 * length as a big-endian int32 (binary), %h headers as name=value,..., %% a percent sign;
 * escapes \n \r \t \\ \0 and \xHH.
 *
 * The JSON envelope, one object per line (fields in this order):
 *   {"topic":"t","partition":0,"offset":5,"timestamp":1700000000000,
 *    "timestamp_type":"CreateTime","key":null,"value":"text",
 *    "headers":[{"name":"h","value":"v"}, ...]}
 * key, value and header values are null (a null key or value), or a JSON string: the bytes
 * themselves when they are valid UTF-8, else their base64 with a sibling
 * "key_encoding":"base64" (value_encoding; in a header name_encoding / value_encoding).
 * Null and empty stay distinct ("key":null vs "key":""), headers keep their order and
 * duplicates, so reading the line back gives the same bytes.
 */
#ifndef KW_CLIENT_RECFMT_H
#define KW_CLIENT_RECFMT_H

#include <stddef.h>
#include <stdint.h>

#include "client/consume/consumer.h"
#include "codec/batch.h"
#include "codec/buf.h"

typedef struct kw_recfmt_seg {
    char kind;       /* 0: literal text, else the field letter */
    size_t off, len; /* literal: lit[off..off+len) */
} kw_recfmt_seg;

typedef struct kw_recfmt {
    char *lit;
    kw_recfmt_seg *seg;
    int nseg;
} kw_recfmt;

/* The fields a format may use, for messages: "%t %p %o %T %k %K %s %S %R %h %%". */
extern const char kw_recfmt_fields[];

/* Compile fmt. 0, or KW_ERR_CONFIG with err naming what is wrong (the unknown field and
 * where, a lone % or backslash, a bad \x escape), or KW_ERR_NOMEM. */
int kw_recfmt_compile(kw_recfmt *f, const char *fmt, char *err, size_t errlen);
void kw_recfmt_free(kw_recfmt *f);
/* Append one record as the format says. */
void kw_recfmt_render(const kw_recfmt *f, const kw_msg *m, kw_buf *out);

/* Append one record as the JSON envelope and a newline. */
void kw_recjson_write(kw_buf *out, const kw_msg *m);

/* One record read from an envelope line. Fields absent from the line: topic NULL,
 * partition -1, has_timestamp 0. The slices point into the kw_recjson's own storage,
 * valid until the next parse or kw_recjson_free. */
typedef struct kw_recjson {
    const char *topic;
    int32_t partition;
    int64_t timestamp;
    int has_timestamp;
    const uint8_t *key; int32_t key_len;     /* -1: null */
    const uint8_t *value; int32_t value_len; /* -1: null */
    kw_header *headers;
    int32_t nheaders;
    /* storage */
    kw_buf store;
    size_t hcap;
} kw_recjson;

void kw_recjson_init(kw_recjson *r);
void kw_recjson_free(kw_recjson *r);
/* Parse one envelope (a JSON object; surrounding whitespace allowed). 0, or
 * KW_ERR_CORRUPT with err saying what and at which byte (an unknown field name, a bad
 * base64 field, a JSON syntax error), or KW_ERR_NOMEM. */
int kw_recjson_parse(kw_recjson *r, const char *line, size_t len, char *err, size_t errlen);

/* `kwire produce --json`'s delivery report for input record number `record`: one line
 * {"record":N,"topic":...,"partition":P,"offset":O,"error":null} or with "error"
 * {"code","name","message"} (why, else kw_strerror's text). */
void kw_recjson_report(kw_buf *out, uint64_t record, const char *topic, int32_t partition, int64_t offset, int err,
                       const char *why);
/* -K DELIM: a line's key is what comes before the first delim (dlen bytes), its value
 * what follows; without delim in the line, all of it is the value and the key is null
 * (*key NULL, *key_len -1). */
void kw_recfmt_split_key(const char *s, size_t n, const char *delim, size_t dlen, const char **key,
                         int32_t *key_len, const char **value, int32_t *value_len);

#endif
