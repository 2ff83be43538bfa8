/* tests/test_negotiate.c — version negotiation and the ApiVersions fallback (proto/negotiate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "proto/negotiate.h"

static void test_highest_common_version(void **st)
{
    (void)st;
    kw_apiversions_key keys[] = {
        {0, 0, 11},   /* Produce: broker max 11 < kwire 12 */
        {1, 0, 17},   /* Fetch: same top */
        {3, 0, 20},   /* Metadata: broker newer than kwire (13) */
        {18, 0, 3},   /* ApiVersions */
        {2, 12, 13},  /* ListOffsets: broker min above kwire max (11): none */
        {15, 0, 0},   /* DescribeGroups v0 only */
        {40, 0, 5},   /* a key kwire does not know */
        {0, 0, 3},    /* duplicate Produce entry: the first one counts */
        {-3, 0, 1}, {200, 0, 1},
    };
    kw_apiversions_resp r;
    kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
    r.api_keys = keys; r.n_api_keys = (int32_t)(sizeof keys / sizeof keys[0]);
    kw_versions vs;
    assert_int_equal(kw_negotiate(&r, &vs), 5);
    assert_int_equal(kw_versions_get(&vs, KW_API_Produce), 11);
    assert_int_equal(kw_versions_get(&vs, KW_API_Fetch), 17);
    assert_int_equal(kw_versions_get(&vs, KW_API_Metadata), 13);
    assert_int_equal(kw_versions_get(&vs, KW_API_ApiVersions), 3);
    assert_int_equal(kw_versions_get(&vs, KW_API_ListOffsets), -1);
    assert_int_equal(kw_versions_get(&vs, KW_API_DescribeGroups), 0);
    assert_int_equal(kw_versions_get(&vs, 40), -1);
    assert_int_equal(kw_versions_get(&vs, KW_API_CreateTopics), -1); /* not offered */
    assert_int_equal(kw_versions_get(&vs, -1), -1);
    assert_int_equal(kw_versions_get(&vs, 1000), -1);
    /* Produce offered only below kwire's lowest (3): none */
    kw_apiversions_key old[] = {{0, 0, 2}};
    r.api_keys = old; r.n_api_keys = 1;
    assert_int_equal(kw_negotiate(&r, &vs), 0);
    assert_int_equal(kw_versions_get(&vs, KW_API_Produce), -1);
}

static void test_first_version(void **st)
{
    (void)st;
    assert_int_equal(kw_apiversions_first(), 5);
}

/* Error 35 in a v0 body listing ApiVersions 0..3: retry at 3. */
static void test_fallback_to_listed_max(void **st)
{
    (void)st;
    const uint8_t body[] = {
        0x00, 0x23,                         /* error_code 35 UNSUPPORTED_VERSION */
        0x00, 0x00, 0x00, 0x01,             /* api_keys: 1 (int32 count: a v0 body) */
        0x00, 0x12, 0x00, 0x00, 0x00, 0x03, /* ApiVersions 0..3 */
    };
    kw_arena a; kw_arena_init(&a);
    kw_apiversions_resp r;
    int16_t dv = -1, retry = -1;
    assert_int_equal(kw_apiversions_handle(4, body, sizeof body, &r, &a, &dv, &retry), KW_KAFKA_UNSUPPORTED_VERSION);
    assert_int_equal(dv, 0);
    assert_int_equal(retry, 3);
    assert_int_equal(r.error_code, 35);
    kw_arena_free(&a);
}

/* librdkafka's mock broker style: error 35 and no ApiVersions entry: retry at v0. */
static void test_fallback_to_v0(void **st)
{
    (void)st;
    const uint8_t body[] = {0x00, 0x23, 0x00, 0x00, 0x00, 0x00};
    kw_arena a; kw_arena_init(&a);
    kw_apiversions_resp r;
    int16_t retry = -1;
    assert_int_equal(kw_apiversions_handle(3, body, sizeof body, &r, &a, NULL, &retry), KW_KAFKA_UNSUPPORTED_VERSION);
    assert_int_equal(retry, 0);
    /* the same answer to v0 itself: give up */
    assert_int_equal(kw_apiversions_handle(0, body, sizeof body, &r, &a, NULL, &retry), KW_ERR_VERSION);
    /* listing a range that does not help (max >= what we sent) must not loop */
    const uint8_t same[] = {0x00, 0x23, 0, 0, 0, 1, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04};
    assert_int_equal(kw_apiversions_handle(3, same, sizeof same, &r, &a, NULL, &retry), KW_KAFKA_UNSUPPORTED_VERSION);
    assert_int_equal(retry, 0);
    kw_arena_free(&a);
}

static void test_success_and_other_errors(void **st)
{
    (void)st;
    const uint8_t v3[] = {
        0x00, 0x00,                                     /* error_code 0 */
        0x03,                                           /* 2 api keys */
        0x00, 0x03, 0x00, 0x00, 0x00, 0x0c, 0x00,       /* Metadata 0..12 */
        0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00,       /* ApiVersions 0..3 */
        0x00, 0x00, 0x00, 0x00,                         /* throttle */
        0x00,                                           /* no tagged fields */
    };
    kw_arena a; kw_arena_init(&a);
    kw_apiversions_resp r;
    int16_t dv = -1;
    assert_int_equal(kw_apiversions_handle(3, v3, sizeof v3, &r, &a, &dv, NULL), 0);
    assert_int_equal(dv, 3);
    assert_int_equal(r.n_api_keys, 2);
    kw_versions vs;
    assert_int_equal(kw_negotiate(&r, &vs), 2);
    assert_int_equal(kw_versions_get(&vs, KW_API_Metadata), 12);
    /* another error code passes through */
    const uint8_t err[] = {0x00, 0x1f, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(kw_apiversions_handle(0, err, sizeof err, &r, &a, NULL, NULL), 31);
    /* garbage: decode error */
    const uint8_t bad[] = {0x00};
    assert_true(kw_apiversions_handle(3, bad, sizeof bad, &r, &a, NULL, NULL) < 0);
    kw_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_highest_common_version),
        cmocka_unit_test(test_first_version),
        cmocka_unit_test(test_fallback_to_listed_max),
        cmocka_unit_test(test_fallback_to_v0),
        cmocka_unit_test(test_success_and_other_errors),
    };
    return cmocka_run_group_tests_name("negotiate", tests, NULL, NULL);
}
