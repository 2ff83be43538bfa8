/*
 * tests/test_json.c — bench/json: values of every type, escapes and surrogate pairs,
 * integers against doubles, member lookup, and malformed documents refused with the
 * byte and the fault named (depth bound included).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/json.h"

static kw_jv *parse(const char *s)
{
    char err[200];
    kw_jv *v = kw_jv_parse(s, strlen(s), err, sizeof err);
    if (!v) fprintf(stderr, "parse(%s): %s\n", s, err);
    return v;
}

static void test_values(void **st)
{
    (void)st;
    kw_jv *v = parse(" {\"a\": 1, \"b\": [true, false, null, -2.5e1, \"x\"], \"c\": {}, \"d\": [],"
                     " \"big\": 9223372036854775807, \"huge\": 92233720368547758070, \"a\": 2}\n");
    assert_non_null(v);
    assert_int_equal(v->type, KW_JV_OBJ);
    assert_int_equal(v->len, 7);
    const kw_jv *a = kw_jv_get(v, "a");
    assert_int_equal(a->type, KW_JV_NUM);
    assert_true(a->is_int);
    assert_int_equal(a->i, 1); /* the first of a repeated name */
    const kw_jv *b = kw_jv_get(v, "b");
    assert_int_equal(b->type, KW_JV_ARR);
    assert_int_equal(b->len, 5);
    const kw_jv *m = b->child;
    assert_int_equal(m->type, KW_JV_BOOL);
    assert_int_equal(m->boolean, 1);
    m = m->next;
    assert_int_equal(m->boolean, 0);
    m = m->next;
    assert_int_equal(m->type, KW_JV_NULL);
    m = m->next;
    assert_int_equal(m->type, KW_JV_NUM);
    assert_false(m->is_int);
    assert_true(m->num == -25.0);
    m = m->next;
    assert_string_equal(kw_jv_str(m), "x");
    assert_null(m->next);
    assert_int_equal(kw_jv_get(v, "c")->len, 0);
    assert_int_equal(kw_jv_get(v, "d")->type, KW_JV_ARR);
    assert_int_equal(kw_jv_get(v, "big")->i, INT64_MAX);
    assert_false(kw_jv_get(v, "huge")->is_int); /* out of int64: a double only */
    assert_true(kw_jv_get(v, "huge")->num > 9.2e19);
    assert_null(kw_jv_get(v, "zz"));
    assert_null(kw_jv_get(a, "a"));
    assert_null(kw_jv_str(a));
    kw_jv_free(v);
}

static void test_strings(void **st)
{
    (void)st;
    kw_jv *v = parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u20ac \\ud83d\\ude00 \\u0000end\"");
    assert_non_null(v);
    static const char want[] = "q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \0end";
    assert_int_equal(v->len, sizeof want - 1);
    assert_memory_equal(v->str, want, sizeof want - 1);
    kw_jv_free(v);
    v = parse("{\"k\\u0065y\": \"\"}");
    assert_non_null(kw_jv_get(v, "key"));
    assert_string_equal(kw_jv_str(kw_jv_get(v, "key")), "");
    kw_jv_free(v);
}

static void bad(const char *s, const char *why)
{
    char err[200];
    kw_jv *v = kw_jv_parse(s, strlen(s), err, sizeof err);
    if (v) fail_msg("'%s' was accepted", s);
    if (!strstr(err, why)) fail_msg("'%s': '%s' does not say '%s'", s, err, why);
}

static void test_faults(void **st)
{
    (void)st;
    bad("", "byte 0: expected a value, found the end");
    bad("{", "expected an object key");
    bad("{\"a\" 1}", "byte 5: expected ':'");
    bad("{\"a\":1,}", "expected an object key");
    bad("[1,]", "unexpected ']'");
    bad("[1 2]", "expected ',' or ']'");
    bad("01", "leading zero");
    bad("-", "needs digits");
    bad("1.", "fraction needs digits");
    bad("1e+", "exponent needs digits");
    bad("\"abc", "closing quote");
    bad("\"a\tb\"", "control character");
    bad("\"\\x\"", "unknown escape");
    bad("\"\\u12\"", "escape cut short");
    bad("\"\\u12zz\"", "four hex digits");
    bad("\"\\udc00\"", "lone low surrogate");
    bad("\"\\ud800x\"", "without its low half");
    bad("tru", "unexpected 't'");
    bad("{} {}", "byte 3: unexpected text after the value");
    bad("123456789012345678901234567890123456789012345678901234567890123456789", "integer too long");
    char deep[200];
    memset(deep, '[', 70);
    deep[70] = 0;
    bad(deep, "nested deeper than 64");
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = 0;
    kw_jv *v = parse(deep);
    assert_non_null(v);
    kw_jv_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
