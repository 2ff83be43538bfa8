/* tests/test_text.c — codec/text: UTF-8 validation, JSON strings written and read back,
 * base64 (RFC 4648 vectors, strictness, random round trips), the JSON reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "codec/text.h"

static void test_utf8(void **st)
{
    (void)st;
    struct { const char *s; size_t n; int ok; } v[] = {
        {"plain ascii", 11, 1},
        {"\xc3\xa9", 2, 1},                 /* é */
        {"\xe2\x82\xac", 3, 1},             /* € */
        {"\xf0\x9d\x84\x9e", 4, 1},         /* 𝄞 (U+1D11E) */
        {"a\0b", 3, 1},                     /* NUL is valid UTF-8 */
        {"\xc3", 1, 0},                     /* cut short */
        {"\x80", 1, 0},                     /* stray continuation */
        {"\xc0\xaf", 2, 0},                 /* overlong '/' */
        {"\xe0\x80\xaf", 3, 0},             /* overlong, 3 bytes */
        {"\xed\xa0\x80", 3, 0},             /* surrogate U+D800 */
        {"\xf4\x90\x80\x80", 4, 0},         /* above U+10FFFF */
        {"\xff", 1, 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(kw_utf8_valid((const uint8_t *)v[i].s, v[i].n), v[i].ok);
    assert_int_equal(kw_utf8_seq((const uint8_t *)"\xf0\x9d\x84\x9e", 4), 4);
    assert_int_equal(kw_utf8_seq((const uint8_t *)"\xf0\x9d\x84", 3), 0);
}

static void test_json_string_escapes(void **st)
{
    (void)st;
    kw_buf b;
    kw_buf_init(&b);
    kw_json_put(&b, "a\"b\\c\n\t\x01\xc3\xa9\xff", 11);
    const char want[] = "\"a\\\"b\\\\c\\n\\t\\u0001\xc3\xa9\xef\xbf\xbd\"";
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.data, want, b.len);
    b.len = 0;
    kw_json_put_cstr(&b, NULL);
    assert_memory_equal(b.data, "null", 4);
    kw_buf_free(&b);
}

static void test_base64_vectors(void **st)
{
    (void)st;
    /* RFC 4648 section 10 */
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        kw_buf b;
        kw_buf_init(&b);
        kw_base64_encode(&b, in[i], strlen(in[i]));
        assert_int_equal(b.len, strlen(out[i]));
        if (b.len) assert_memory_equal(b.data, out[i], b.len);
        b.len = 0;
        assert_int_equal(kw_base64_decode(&b, out[i], strlen(out[i])), 0);
        assert_int_equal(b.len, strlen(in[i]));
        if (b.len) assert_memory_equal(b.data, in[i], b.len);
        kw_buf_free(&b);
    }
}

static void test_base64_rejects(void **st)
{
    (void)st;
    const char *bad[] = {"Zg=", "Z===", "Zg=a", "Zm9v!A==", "Zh==", "Zm9=Zm9v", "Zm 9v"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kw_buf b;
        kw_buf_init(&b);
        kw_buf_put(&b, "x", 1);
        assert_int_equal(kw_base64_decode(&b, bad[i], strlen(bad[i])), KW_ERR_CORRUPT);
        assert_int_equal(b.len, 1); /* nothing appended */
        kw_buf_free(&b);
    }
}

static void test_random_round_trips(void **st)
{
    (void)st;
    srand(7);
    for (int t = 0; t < 500; t++) {
        uint8_t src[64];
        size_t n = (size_t)(rand() % 64);
        for (size_t i = 0; i < n; i++) src[i] = (uint8_t)rand();
        kw_buf e, d;
        kw_buf_init(&e);
        kw_buf_init(&d);
        kw_base64_encode(&e, src, n);
        assert_int_equal(kw_base64_decode(&d, (const char *)e.data, e.len), 0);
        assert_int_equal(d.len, n);
        if (n) assert_memory_equal(d.data, src, n);
        /* valid UTF-8 survives a JSON string unchanged */
        if (kw_utf8_valid(src, n)) {
            e.len = 0;
            d.len = 0;
            kw_json_put(&e, src, n);
            kw_jr r;
            kw_jr_init(&r, (const char *)e.data, e.len);
            assert_int_equal(kw_jr_string(&r, &d), (long)n);
            if (n) assert_memory_equal(d.data, src, n);
        }
        kw_buf_free(&e);
        kw_buf_free(&d);
    }
}

static void test_reader(void **st)
{
    (void)st;
    const char doc[] = " { \"a\" : [1, -2, {\"x\": null}], \"s\": \"\\u00e9\\ud834\\udd1e\\/\", \"t\": true, \"n\": 12 } ";
    kw_jr r;
    kw_jr_init(&r, doc, sizeof doc - 1);
    kw_buf s;
    kw_buf_init(&s);
    kw_jr_expect(&r, '{');
    assert_int_equal(kw_jr_string(&r, &s), 1);
    kw_jr_expect(&r, ':');
    kw_jr_skip(&r); /* the array */
    kw_jr_expect(&r, ',');
    s.len = 0;
    kw_jr_string(&r, &s);
    kw_jr_expect(&r, ':');
    s.len = 0;
    assert_int_equal(kw_jr_string(&r, &s), 7); /* é (2) + 𝄞 (4) + / */
    assert_memory_equal(s.data, "\xc3\xa9\xf0\x9d\x84\x9e/", 7);
    kw_jr_expect(&r, ',');
    kw_jr_skip(&r);
    kw_jr_expect(&r, ':');
    int t = 0;
    assert_int_equal(kw_jr_bool(&r, &t), 0);
    assert_int_equal(t, 1);
    assert_true(kw_jr_eat(&r, ','));
    kw_jr_skip(&r);
    kw_jr_expect(&r, ':');
    int64_t v = 0;
    assert_int_equal(kw_jr_int(&r, &v), 0);
    assert_true(v == 12);
    kw_jr_expect(&r, '}');
    assert_int_equal(r.err, 0);
    assert_true(kw_jr_at_end(&r));
    kw_buf_free(&s);
}

static void test_reader_errors(void **st)
{
    (void)st;
    struct { const char *doc; const char *why; } v[] = {
        {"\"abc", "unterminated string"},
        {"\"a\x01\"", "control character inside a string"},
        {"\"\\q\"", "unknown escape inside a string"},
        {"\"\\ud834\"", "high surrogate without its low half in \\u escape"},
        {"\"\\udd1e\"", "lone low surrogate in \\u escape"},
        {"\"\xff\"", "invalid UTF-8 inside a string"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        kw_jr r;
        kw_buf s;
        kw_buf_init(&s);
        kw_jr_init(&r, v[i].doc, strlen(v[i].doc));
        assert_int_equal(kw_jr_string(&r, &s), -1);
        assert_int_equal(r.err, KW_ERR_CORRUPT);
        assert_string_equal(r.why, v[i].why);
        kw_buf_free(&s);
    }
    int64_t x;
    const char *nums[] = {"9223372036854775808", "1.5", "01", "-", "x"};
    for (size_t i = 0; i < 5; i++) {
        kw_jr r;
        kw_jr_init(&r, nums[i], strlen(nums[i]));
        assert_int_equal(kw_jr_int(&r, &x), -1);
    }
    kw_jr r;
    kw_jr_init(&r, "-9223372036854775808", 20);
    assert_int_equal(kw_jr_int(&r, &x), 0);
    assert_true(x == INT64_MIN);
    /* nesting is bounded */
    char deep[200];
    memset(deep, '[', sizeof deep);
    kw_jr_init(&r, deep, sizeof deep);
    kw_jr_skip(&r);
    assert_string_equal(r.why, "nested too deep");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),           cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test(test_base64_vectors), cmocka_unit_test(test_base64_rejects),
        cmocka_unit_test(test_random_round_trips), cmocka_unit_test(test_reader),
        cmocka_unit_test(test_reader_errors),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
