/* tests/test_buf.c — codec/buf: write buffer, read cursor, varints; codec/err. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "codec/buf.h"

static void test_fixed_width_big_endian(void **st)
{
    (void)st;
    kw_buf b; kw_buf_init(&b);
    kw_buf_i8(&b, -2); kw_buf_i16(&b, 0x0102); kw_buf_i32(&b, -1); kw_buf_i64(&b, 0x0102030405060708LL);
    const uint8_t want[] = {0xfe, 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    kw_rd r; kw_rd_init(&r, b.data, b.len);
    assert_int_equal(kw_rd_i8(&r), -2);
    assert_int_equal(kw_rd_i16(&r), 0x0102);
    assert_int_equal(kw_rd_i32(&r), -1);
    assert_true(kw_rd_i64(&r) == 0x0102030405060708LL);
    assert_int_equal(r.err, 0);
    assert_int_equal(kw_rd_left(&r), 0);
    kw_buf_free(&b);
}

/* Vectors from the protobuf encoding guide: zigzag maps 0,-1,1,-2 to 0,1,2,3. */
static void test_varint_vectors(void **st)
{
    (void)st;
    struct { int64_t v; uint8_t enc[10]; size_t n; } vec[] = {
        {0, {0x00}, 1}, {-1, {0x01}, 1}, {1, {0x02}, 1}, {-2, {0x03}, 1},
        {63, {0x7e}, 1}, {-64, {0x7f}, 1}, {64, {0x80, 0x01}, 2}, {150, {0xac, 0x02}, 2},
        {INT32_MAX, {0xfe, 0xff, 0xff, 0xff, 0x0f}, 5}, {INT32_MIN, {0xff, 0xff, 0xff, 0xff, 0x0f}, 5},
    };
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        kw_buf b; kw_buf_init(&b);
        kw_buf_varint(&b, (int32_t)vec[i].v);
        assert_int_equal(b.len, vec[i].n);
        assert_memory_equal(b.data, vec[i].enc, vec[i].n);
        assert_int_equal(kw_varint_size((int32_t)vec[i].v), vec[i].n);
        kw_rd r; kw_rd_init(&r, b.data, b.len);
        assert_int_equal(kw_rd_varint(&r), (int32_t)vec[i].v);
        assert_int_equal(r.err, 0);
        kw_buf_free(&b);
    }
    int64_t longs[] = {0, 1, -1, INT64_MAX, INT64_MIN, 1LL << 40, -(1LL << 40)};
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        kw_buf b; kw_buf_init(&b);
        kw_buf_varlong(&b, longs[i]);
        assert_int_equal(b.len, kw_varlong_size(longs[i]));
        kw_rd r; kw_rd_init(&r, b.data, b.len);
        assert_true(kw_rd_varlong(&r) == longs[i]);
        assert_int_equal(r.err, 0);
        kw_buf_free(&b);
    }
}

static void test_varint_rejects_overlong_and_overflow(void **st)
{
    (void)st;
    const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};      /* 6 bytes for 32 bits */
    const uint8_t over32[] = {0xff, 0xff, 0xff, 0xff, 0x1f};          /* 35 bits */
    const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    const uint8_t over64[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03};
    kw_rd r;
    kw_rd_init(&r, six, sizeof six); (void)kw_rd_varint(&r); assert_int_equal(r.err, KW_ERR_VARINT);
    kw_rd_init(&r, over32, sizeof over32); (void)kw_rd_varint(&r); assert_int_equal(r.err, KW_ERR_VARINT);
    kw_rd_init(&r, eleven, sizeof eleven); (void)kw_rd_varlong(&r); assert_int_equal(r.err, KW_ERR_VARINT);
    kw_rd_init(&r, over64, sizeof over64); (void)kw_rd_varlong(&r); assert_int_equal(r.err, KW_ERR_VARINT);
    /* the widest legal values still decode */
    const uint8_t max32[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    kw_rd_init(&r, max32, sizeof max32);
    assert_int_equal(kw_rd_uvarint32(&r), UINT32_MAX);
    assert_int_equal(r.err, 0);
}

static void test_reads_past_end_are_sticky_zero(void **st)
{
    (void)st;
    const uint8_t d[] = {0, 0, 0, 7, 0x80};
    kw_rd r; kw_rd_init(&r, d, sizeof d);
    assert_int_equal(kw_rd_i32(&r), 7);
    assert_int_equal(kw_rd_i16(&r), 0); /* only one byte left */
    assert_int_equal(r.err, KW_ERR_TRUNCATED);
    assert_int_equal(kw_rd_i8(&r), 0);  /* sticky, even though a byte was left */
    assert_null(kw_rd_take(&r, 0));
    assert_int_equal(r.err, KW_ERR_TRUNCATED);
    kw_rd_init(&r, d + 4, 1);           /* a varint cut after its continuation byte */
    (void)kw_rd_varint(&r);
    assert_int_equal(r.err, KW_ERR_TRUNCATED);
}

static void test_buf_growth_and_detach(void **st)
{
    (void)st;
    kw_buf b; kw_buf_init(&b);
    for (int i = 0; i < 100000; i++) kw_buf_i32(&b, i);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.len, 400000);
    assert_int_equal(kw_ld32(b.data + 4 * 99999), 99999);
    size_t n; uint8_t *p = kw_buf_detach(&b, &n);
    assert_int_equal(n, 400000);
    assert_null(b.data);
    free(p);
}

static void test_strerror(void **st)
{
    (void)st;
    assert_string_equal(kw_err_name(KW_ERR_CRC), "KW_ERR_CRC");
    assert_string_equal(kw_strerror(KW_ERR_TRUNCATED), "input ends before the structure it announces");
    assert_string_equal(kw_err_name(6), "NOT_LEADER_OR_FOLLOWER");
    assert_int_equal(KW_KAFKA_UNSUPPORTED_VERSION, 35);
    assert_true(kw_err_retriable(KW_KAFKA_NOT_LEADER_OR_FOLLOWER));
    assert_false(kw_err_retriable(KW_KAFKA_UNSUPPORTED_VERSION));
    assert_string_equal(kw_strerror(0), "success");
    assert_string_equal(kw_strerror(-999), "unknown local error");
    assert_string_equal(kw_err_name(4242), "UNKNOWN_KAFKA_ERROR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_width_big_endian),
        cmocka_unit_test(test_varint_vectors),
        cmocka_unit_test(test_varint_rejects_overlong_and_overflow),
        cmocka_unit_test(test_reads_past_end_are_sticky_zero),
        cmocka_unit_test(test_buf_growth_and_detach),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
