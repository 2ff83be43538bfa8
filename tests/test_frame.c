/* tests/test_frame.c — proto/frame: the push framer over every split of a stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "codec/buf.h"
#include "proto/frame.h"

/* Stream of frames with payload sizes sz[i], payload byte j of frame i = i*31+j. */
static uint8_t *make_stream(const size_t *sz, size_t n, size_t *len)
{
    kw_buf b;
    kw_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        kw_buf_i32(&b, (int32_t)sz[i]);
        for (size_t j = 0; j < sz[i]; j++) kw_buf_i8(&b, (int8_t)(i * 31 + j));
    }
    assert_int_equal(b.err, 0);
    return kw_buf_detach(&b, len);
}

/* Feed the stream in chunks given by cut points; check every frame, count them. */
static size_t run_split(const uint8_t *s, size_t len, const size_t *cuts, size_t ncuts, const size_t *sz,
                        size_t nsz, size_t max_buffered_allowed)
{
    kw_framer f;
    kw_framer_init(&f, 1 << 20);
    size_t got = 0, prev = 0;
    for (size_t k = 0; k <= ncuts; k++) {
        size_t end = k < ncuts ? cuts[k] : len;
        const uint8_t *p = s + prev;
        size_t n = end - prev;
        for (;;) {
            const uint8_t *fr;
            size_t fl;
            int r = kw_framer_next(&f, &p, &n, &fr, &fl);
            assert_true(r >= 0);
            assert_true(kw_framer_buffered(&f) <= max_buffered_allowed);
            if (r == 0) break;
            assert_true(got < nsz);
            assert_int_equal(fl, sz[got]);
            for (size_t j = 0; j < fl; j++) assert_int_equal(fr[j], (uint8_t)(got * 31 + j));
            got++;
        }
        assert_int_equal(n, 0);
        prev = end;
    }
    assert_int_equal(kw_framer_buffered(&f), 0);
    kw_framer_free(&f);
    return got;
}

static void test_every_two_way_split(void **st)
{
    (void)st;
    size_t sz[] = {0, 1, 5, 300, 4, 0, 17};
    size_t n = sizeof sz / sizeof sz[0], len;
    uint8_t *s = make_stream(sz, n, &len);
    for (size_t a = 0; a <= len; a++) {
        assert_int_equal(run_split(s, len, &a, 1, sz, n, 4 + 300), n);
        for (size_t b = a; b <= len; b += 7) {
            size_t cuts[2] = {a, b};
            assert_int_equal(run_split(s, len, cuts, 2, sz, n, 4 + 300), n);
        }
    }
    free(s);
}

static void test_byte_at_a_time(void **st)
{
    (void)st;
    size_t sz[] = {10, 0, 1000, 3};
    size_t n = 4, len;
    uint8_t *s = make_stream(sz, n, &len);
    size_t *cuts = malloc(len * sizeof *cuts);
    for (size_t i = 0; i < len; i++) cuts[i] = i;
    /* never more than one frame + prefix buffered */
    assert_int_equal(run_split(s, len, cuts, len, sz, n, 4 + 1000), n);
    free(cuts);
    free(s);
}

static void test_zero_copy_when_contiguous(void **st)
{
    (void)st;
    size_t sz[] = {100, 200, 50};
    size_t len;
    uint8_t *s = make_stream(sz, 3, &len);
    kw_framer f;
    kw_framer_init(&f, 0);
    const uint8_t *p = s, *fr;
    size_t n = len, fl;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 1);
    assert_ptr_equal(fr, s + 4);
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 1);
    assert_ptr_equal(fr, s + 4 + 100 + 4);
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 1);
    assert_int_equal(fl, 50);
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 0);
    assert_int_equal(f.copied, 0);
    assert_int_equal(f.frames, 3);
    /* prefix split but the payload contiguous: still no copy */
    p = s;
    n = 2;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 0);
    p = s + 2;
    n = len - 2;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 1);
    assert_ptr_equal(fr, s + 4);
    assert_int_equal(f.copied, 0);
    /* a payload split across inputs is copied once, exactly its missing part */
    kw_framer_reset(&f);
    p = s;
    n = 54;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 0);
    assert_int_equal(kw_framer_buffered(&f), 54);
    p = s + 54;
    n = len - 54;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 1);
    assert_int_equal(fl, 100);
    assert_int_equal(f.copied, 100);
    assert_ptr_equal(p, s + 104); /* the rest stays in the input */
    kw_framer_free(&f);
    free(s);
}

static void test_limits(void **st)
{
    (void)st;
    kw_framer f;
    kw_framer_init(&f, 1000);
    uint8_t big[4] = {0, 0, 0x03, 0xe9}; /* 1001 */
    const uint8_t *p = big, *fr;
    size_t n = 4, fl;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), KW_ERR_TOO_LARGE);
    /* sticky */
    uint8_t ok[5] = {0, 0, 0, 1, 7};
    p = ok;
    n = 5;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), KW_ERR_TOO_LARGE);
    kw_framer_reset(&f);
    p = ok;
    n = 5;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 1);
    assert_int_equal(fr[0], 7);
    /* exactly the maximum is fine; split prefix path too */
    uint8_t edge[4] = {0, 0, 0x03, 0xe8};
    p = edge;
    n = 3;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 0);
    p = edge + 3;
    n = 1;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), 0);
    kw_framer_reset(&f);
    /* negative size */
    uint8_t neg[4] = {0x80, 0, 0, 0};
    p = neg;
    n = 4;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), KW_ERR_CORRUPT);
    kw_framer_free(&f);
    /* default maximum is 100 MiB */
    kw_framer_init(&f, 0);
    assert_int_equal(f.max, 100u << 20);
    uint8_t over[4] = {0x06, 0x40, 0x00, 0x01}; /* 100 MiB + 1 */
    p = over;
    n = 4;
    assert_int_equal(kw_framer_next(&f, &p, &n, &fr, &fl), KW_ERR_TOO_LARGE);
    kw_framer_free(&f);
}

static void test_sniff(void **st)
{
    (void)st;
    assert_string_equal(kw_frame_sniff((const uint8_t *)"HTTP/1.1 400", 12), "HTTP");
    assert_string_equal(kw_frame_sniff((const uint8_t *)"SSH-2.0-x", 9), "SSH");
    assert_string_equal(kw_frame_sniff((const uint8_t *)"\x15\x03\x03\x00\x02", 5), "TLS");
    assert_string_equal(kw_frame_sniff((const uint8_t *)"\x16\x03\x01\x00\x40", 5), "TLS");
    assert_string_equal(kw_frame_sniff((const uint8_t *)"+OK ready\r\n", 11), "text");
    assert_null(kw_frame_sniff((const uint8_t *)"\xff\xff\xff\xf0", 4));
    assert_null(kw_frame_sniff((const uint8_t *)"\x00\x00\x01\x00\x00\x00\x00\x01", 8)); /* a Kafka frame */
    assert_null(kw_frame_sniff((const uint8_t *)"HT", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_two_way_split),
        cmocka_unit_test(test_byte_at_a_time),
        cmocka_unit_test(test_zero_copy_when_contiguous),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
