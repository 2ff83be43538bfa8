/* tests/test_recfmt.c — client/recfmt: kcat's -f fields and escapes, the messages for a
 * bad format, and the JSON envelope: written, read back byte for byte (random binary
 * keys, values and headers, null vs empty, order and duplicates), and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cli/recfmt.h"

/* The wire form of headers: varint name length, name, varint value length (-1 null), value. */
static void put_header(kw_buf *b, const void *k, int32_t kl, const void *v, int32_t vl)
{
    kw_buf_varint(b, kl);
    kw_buf_put(b, k, (size_t)kl);
    kw_buf_varint(b, vl);
    if (vl > 0) kw_buf_put(b, v, (size_t)vl);
}

static kw_msg sample(kw_buf *hdrs)
{
    kw_buf_init(hdrs);
    put_header(hdrs, "h1", 2, "v1", 2);
    put_header(hdrs, "h2", 2, NULL, -1);
    kw_msg m = {.topic = "t1", .partition = 2, .offset = 41, .timestamp = 1700000000123, .ts_log_append = 0,
                .key = (const uint8_t *)"kk", .key_len = 2, .value = (const uint8_t *)"hello", .value_len = 5,
                .hdr_data = hdrs->data, .hdr_len = hdrs->len, .header_count = 2};
    return m;
}

static void render(const char *fmt, const kw_msg *m, const char *want, size_t wlen)
{
    kw_recfmt f;
    char err[256];
    assert_int_equal(kw_recfmt_compile(&f, fmt, err, sizeof err), 0);
    kw_buf b;
    kw_buf_init(&b);
    kw_recfmt_render(&f, m, &b);
    assert_int_equal(b.len, wlen);
    assert_memory_equal(b.data, want, wlen);
    kw_buf_free(&b);
    kw_recfmt_free(&f);
}

static void test_fields(void **st)
{
    (void)st;
    kw_buf h;
    kw_msg m = sample(&h);
    const char want[] = "t1 [2] @41 1700000000123 kk/2 hello/5 h1=v1,h2= 100%\n";
    render("%t [%p] @%o %T %k/%K %s/%S %h 100%%\\n", &m, want, sizeof want - 1);
    render("%R", &m, "\0\0\0\5", 4);
    render("\\x41\\t\\\\\\0", &m, "A\t\\\0", 4);
    /* null key and value: nothing, lengths -1 */
    m.key = NULL;
    m.key_len = -1;
    m.value = NULL;
    m.value_len = -1;
    render("[%k][%K][%s][%S]", &m, "[][-1][][-1]", 12);
    render("%R", &m, "\xff\xff\xff\xff", 4);
    /* empty ones: lengths 0 */
    m.key = (const uint8_t *)"";
    m.key_len = 0;
    render("[%k][%K]", &m, "[][0]", 5);
    kw_buf_free(&h);
}

static void test_format_errors(void **st)
{
    (void)st;
    kw_recfmt f;
    char err[256];
    assert_int_equal(kw_recfmt_compile(&f, "%s %Z", err, sizeof err), KW_ERR_CONFIG);
    assert_non_null(strstr(err, "unknown field %Z at byte 3"));
    assert_non_null(strstr(err, "%K"));
    assert_int_equal(kw_recfmt_compile(&f, "abc%", err, sizeof err), KW_ERR_CONFIG);
    assert_non_null(strstr(err, "lone '%'"));
    assert_int_equal(kw_recfmt_compile(&f, "abc\\", err, sizeof err), KW_ERR_CONFIG);
    assert_non_null(strstr(err, "lone '\\'"));
    assert_int_equal(kw_recfmt_compile(&f, "\\xZ1", err, sizeof err), KW_ERR_CONFIG);
    assert_non_null(strstr(err, "two hex digits"));
}

static void test_json_write(void **st)
{
    (void)st;
    kw_buf h, b;
    kw_msg m = sample(&h);
    kw_buf_init(&b);
    kw_recjson_write(&b, &m);
    const char want[] = "{\"topic\":\"t1\",\"partition\":2,\"offset\":41,\"timestamp\":1700000000123,"
                        "\"timestamp_type\":\"CreateTime\",\"key\":\"kk\",\"value\":\"hello\","
                        "\"headers\":[{\"name\":\"h1\",\"value\":\"v1\"},{\"name\":\"h2\",\"value\":null}]}\n";
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.data, want, b.len);
    /* binary value: base64 with its encoding; empty key stays "" */
    b.len = 0;
    m.value = (const uint8_t *)"\xff\x00\x01";
    m.value_len = 3;
    m.key = (const uint8_t *)"";
    m.key_len = 0;
    m.ts_log_append = 1;
    m.header_count = 0;
    kw_recjson_write(&b, &m);
    assert_non_null(strstr((const char *)b.data, "\"key\":\"\",\"value\":\"/wAB\",\"value_encoding\":\"base64\""));
    assert_non_null(strstr((const char *)b.data, "\"LogAppendTime\""));
    kw_buf_free(&b);
    kw_buf_free(&h);
}

/* Random bytes: mostly text, sometimes binary, sometimes null or empty. */
static int32_t rnd_bytes(uint8_t *p, int cap)
{
    int r = rand() % 10;
    if (r == 0) return -1;
    if (r == 1) return 0;
    int32_t n = 1 + rand() % (cap - 1);
    int binary = rand() % 2;
    for (int32_t i = 0; i < n; i++) p[i] = binary ? (uint8_t)rand() : (uint8_t)(0x20 + rand() % 95);
    return n;
}

static void test_json_round_trip(void **st)
{
    (void)st;
    srand(14);
    kw_recjson rj;
    kw_recjson_init(&rj);
    for (int t = 0; t < 300; t++) {
        uint8_t key[40], val[200], hk[5][12], hv[5][30];
        int32_t kl = rnd_bytes(key, sizeof key), vl = rnd_bytes(val, sizeof val);
        int nh = rand() % 6;
        kw_buf hdr, line;
        kw_buf_init(&hdr);
        kw_buf_init(&line);
        int32_t hkl[5], hvl[5];
        for (int i = 0; i < nh; i++) {
            hkl[i] = rnd_bytes(hk[i], sizeof hk[i]);
            if (hkl[i] < 0) hkl[i] = 0; /* header names are never null */
            if (i == 3) { /* a duplicate name */
                memcpy(hk[i], hk[0], sizeof hk[0]);
                hkl[i] = hkl[0];
            }
            hvl[i] = rnd_bytes(hv[i], sizeof hv[i]);
            put_header(&hdr, hk[i], hkl[i], hv[i], hvl[i]);
        }
        kw_msg m = {.topic = "copy", .partition = t % 3, .offset = t, .timestamp = 1700000000000 + t,
                    .key = kl >= 0 ? key : NULL, .key_len = kl, .value = vl >= 0 ? val : NULL, .value_len = vl,
                    .hdr_data = hdr.data, .hdr_len = hdr.len, .header_count = nh};
        kw_recjson_write(&line, &m);
        char err[256];
        assert_int_equal(kw_recjson_parse(&rj, (const char *)line.data, line.len, err, sizeof err), 0);
        assert_string_equal(rj.topic, "copy");
        assert_int_equal(rj.partition, t % 3);
        assert_true(rj.has_timestamp && rj.timestamp == 1700000000000 + t);
        assert_int_equal(rj.key_len, kl);
        assert_int_equal(rj.value_len, vl);
        if (kl < 0) assert_null(rj.key);
        if (kl > 0) assert_memory_equal(rj.key, key, (size_t)kl);
        if (vl < 0) assert_null(rj.value);
        if (vl > 0) assert_memory_equal(rj.value, val, (size_t)vl);
        assert_int_equal(rj.nheaders, nh);
        for (int i = 0; i < nh; i++) {
            assert_int_equal(rj.headers[i].key_len, hkl[i]);
            if (hkl[i]) assert_memory_equal(rj.headers[i].key, hk[i], (size_t)hkl[i]);
            assert_int_equal(rj.headers[i].value_len, hvl[i]);
            if (hvl[i] > 0) assert_memory_equal(rj.headers[i].value, hv[i], (size_t)hvl[i]);
            if (hvl[i] < 0) assert_null(rj.headers[i].value);
        }
        kw_buf_free(&hdr);
        kw_buf_free(&line);
    }
    kw_recjson_free(&rj);
}

static void test_json_parse_minimal_and_errors(void **st)
{
    (void)st;
    kw_recjson rj;
    kw_recjson_init(&rj);
    char err[256];
    const char *min = "{\"value\":\"v\"}";
    assert_int_equal(kw_recjson_parse(&rj, min, strlen(min), err, sizeof err), 0);
    assert_null(rj.topic);
    assert_int_equal(rj.partition, -1);
    assert_false(rj.has_timestamp);
    assert_int_equal(rj.key_len, -1);
    assert_int_equal(rj.value_len, 1);
    assert_int_equal(rj.nheaders, 0);
    struct { const char *line, *msg; } bad[] = {
        {"{\"valu\":\"v\"}", "unknown field \"valu\""},
        {"{\"value\":\"!!\",\"value_encoding\":\"base64\"}", "not base64"},
        {"{\"value\":\"v\",\"value_encoding\":\"hex\"}", "unknown encoding"},
        {"{\"value\":\"v\"", "expected '}'"},
        {"{\"value\":\"v\"} x", "text after the object"},
        {"{\"partition\":99999999999}", "partition out of range"},
        {"{\"headers\":[{\"value\":\"v\"}]}", "non-null \"name\""},
        {"{\"topic\":\"a\\u0000b\"}", "no NUL"},
        {"[1]", "expected '{'"},
        {"{\"\":1}", "unknown field \"\""}, /* an empty name, read from an empty store */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(kw_recjson_parse(&rj, bad[i].line, strlen(bad[i].line), err, sizeof err), KW_ERR_CORRUPT);
        if (!strstr(err, bad[i].msg)) fail_msg("'%s': got '%s', want '%s'", bad[i].line, err, bad[i].msg);
    }
    /* a long topic: its copy is taken while the store grows */
    char line[600], topic[401];
    memset(topic, 'x', 400);
    topic[400] = 0;
    snprintf(line, sizeof line, "{\"topic\":\"%s\",\"value\":\"v\"}", topic);
    assert_int_equal(kw_recjson_parse(&rj, line, strlen(line), err, sizeof err), 0);
    assert_string_equal(rj.topic, topic);
    assert_memory_equal(rj.value, "v", 1);
    kw_recjson_free(&rj);
}

/* kwire produce --json's delivery reports and -K's key split. */
static void test_report_and_key_split(void **st)
{
    (void)st;
    kw_buf b;
    kw_buf_init(&b);
    kw_recjson_report(&b, 7, "t\"1", 2, 41, 0, NULL);
    kw_recjson_report(&b, 8, "t1", -1, -1, KW_ERR_TIMEOUT, "no metadata");
    kw_recjson_report(&b, 9, "t1", 0, -1, KW_ERR_TIMEOUT, "");
    kw_buf_put(&b, "", 1);
    char want[512];
    snprintf(want, sizeof want,
             "{\"record\":7,\"topic\":\"t\\\"1\",\"partition\":2,\"offset\":41,\"error\":null}\n"
             "{\"record\":8,\"topic\":\"t1\",\"partition\":-1,\"offset\":-1,\"error\":{\"code\":%d,\"name\":\"%s\",\"message\":\"no metadata\"}}\n"
             "{\"record\":9,\"topic\":\"t1\",\"partition\":0,\"offset\":-1,\"error\":{\"code\":%d,\"name\":\"%s\",\"message\":\"%s\"}}\n",
             KW_ERR_TIMEOUT, kw_err_name(KW_ERR_TIMEOUT), KW_ERR_TIMEOUT, kw_err_name(KW_ERR_TIMEOUT),
             kw_strerror(KW_ERR_TIMEOUT));
    assert_string_equal((const char *)b.data, want);
    kw_buf_free(&b);

    const char *k, *v;
    int32_t kl, vl;
    kw_recfmt_split_key("user1:hello:x", 13, ":", 1, &k, &kl, &v, &vl);
    assert_int_equal(kl, 5);
    assert_memory_equal(k, "user1", 5);
    assert_int_equal(vl, 7);
    assert_memory_equal(v, "hello:x", 7);
    kw_recfmt_split_key("a::b", 4, "::", 2, &k, &kl, &v, &vl); /* a longer delimiter */
    assert_int_equal(kl, 1);
    assert_int_equal(vl, 1);
    assert_memory_equal(v, "b", 1);
    kw_recfmt_split_key(":v", 2, ":", 1, &k, &kl, &v, &vl); /* empty key, not null */
    assert_non_null(k);
    assert_int_equal(kl, 0);
    assert_int_equal(vl, 1);
    kw_recfmt_split_key("no delim", 8, ":", 1, &k, &kl, &v, &vl);
    assert_null(k);
    assert_int_equal(kl, -1);
    assert_int_equal(vl, 8);
    kw_recfmt_split_key("ab:", 2, ":", 1, &k, &kl, &v, &vl); /* only the first n bytes count */
    assert_null(k);
    assert_int_equal(vl, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_and_key_split),
        cmocka_unit_test(test_fields),          cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_json_write),      cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_parse_minimal_and_errors),
    };
    return cmocka_run_group_tests_name("recfmt", tests, NULL, NULL);
}
