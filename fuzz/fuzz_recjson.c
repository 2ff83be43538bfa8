/*
 * fuzz/fuzz_recjson.c — what `kwire produce -J` reads and `kwire consume -f` compiles
 * (client/cli/recfmt.c, codec/text.c): any bytes as a JSON record envelope must parse or
 * fail with a message, never read past the input; a parsed record written back as an
 * envelope must parse to the same bytes (keys, values, headers, null vs empty); the same
 * bytes as a -f format must compile or be refused with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/cli/recfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const uint8_t *a, int32_t al, const uint8_t *b, int32_t bl)
{
    if (al != bl) return 0;
    if (al < 0) return a == NULL && b == NULL;
    return al == 0 || !memcmp(a, b, (size_t)al);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size heap copy so ASan sees any read past the end */
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    char err[256];
    kw_recjson r, back;
    kw_recjson_init(&r);
    kw_recjson_init(&back);
    int rc = kw_recjson_parse(&r, buf, size, err, sizeof err);
    if (rc && (rc != KW_ERR_CORRUPT && rc != KW_ERR_NOMEM)) abort();
    if (rc && !err[0]) abort();
    if (!rc) {
        /* written back (headers in their wire form) and read again: the same record */
        kw_buf hdr, line;
        kw_buf_init(&hdr);
        kw_buf_init(&line);
        for (int32_t i = 0; i < r.nheaders; i++) {
            kw_buf_varint(&hdr, r.headers[i].key_len);
            kw_buf_put(&hdr, r.headers[i].key, (size_t)r.headers[i].key_len);
            kw_buf_varint(&hdr, r.headers[i].value_len);
            if (r.headers[i].value_len > 0) kw_buf_put(&hdr, r.headers[i].value, (size_t)r.headers[i].value_len);
        }
        kw_msg m = {.topic = r.topic ? r.topic : "t", .partition = r.partition, .offset = 0,
                    .timestamp = r.has_timestamp ? r.timestamp : 0, .key = r.key, .key_len = r.key_len,
                    .value = r.value, .value_len = r.value_len, .hdr_data = hdr.data, .hdr_len = hdr.len,
                    .header_count = r.nheaders};
        kw_recjson_write(&line, &m);
        if (!line.err && !hdr.err) {
            if (kw_recjson_parse(&back, (const char *)line.data, line.len, err, sizeof err)) abort();
            if (!same(r.key, r.key_len, back.key, back.key_len)) abort();
            if (!same(r.value, r.value_len, back.value, back.value_len)) abort();
            if (back.nheaders != r.nheaders) abort();
            for (int32_t i = 0; i < r.nheaders; i++)
                if (!same(r.headers[i].key, r.headers[i].key_len, back.headers[i].key, back.headers[i].key_len) ||
                    !same(r.headers[i].value, r.headers[i].value_len, back.headers[i].value, back.headers[i].value_len))
                    abort();
        }
        kw_buf_free(&hdr);
        kw_buf_free(&line);
    }
    kw_recjson_free(&r);
    kw_recjson_free(&back);
    /* the same bytes as a -f format (up to the first NUL) */
    buf[size] = 0;
    kw_recfmt f;
    rc = kw_recfmt_compile(&f, buf, err, sizeof err);
    if (rc == 0) kw_recfmt_free(&f);
    else if (rc != KW_ERR_CONFIG && rc != KW_ERR_NOMEM) abort();
    free(buf);
    return 0;
}
