/* tests/test_grow.c — codec/grow: first capacity, doubling, a need past the double,
 * no-op when there is room, contents kept, refusals that leave the array and its
 * capacity as they were, both the int and the size_t capacity variants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "codec/grow.h"

static void test_first_and_doubling(void **st)
{
    (void)st;
    int *v = NULL;
    int cap = 0;
    v = kw__grow(v, sizeof *v, 1, &cap, 8); /* NULL start: the first capacity */
    assert_non_null(v);
    assert_int_equal(cap, 8);
    for (int i = 0; i < 8; i++) v[i] = i * 3;
    int *w = kw__grow(v, sizeof *v, 9, &cap, 8); /* full: doubled */
    assert_non_null(w);
    v = w;
    assert_int_equal(cap, 16);
    for (int i = 0; i < 8; i++) assert_int_equal(v[i], i * 3);
    w = kw__grow(v, sizeof *v, 17, &cap, 8);
    assert_non_null(w);
    v = w;
    assert_int_equal(cap, 32);
    for (int i = 0; i < 8; i++) assert_int_equal(v[i], i * 3);
    free(v);
}

static void test_room_left_is_a_no_op(void **st)
{
    (void)st;
    int cap = 0;
    char *v = kw__grow(NULL, 1, 3, &cap, 4);
    assert_non_null(v);
    assert_int_equal(cap, 4);
    assert_ptr_equal(kw__grow(v, 1, 4, &cap, 4), v);
    assert_int_equal(cap, 4);
    assert_ptr_equal(kw__grow(v, 1, 0, &cap, 4), v);
    assert_int_equal(cap, 4);
    free(v);
    /* need 0 on a NULL array still gives an array (NULL means failure) */
    cap = 0;
    v = kw__grow(NULL, 1, 0, &cap, 4);
    assert_non_null(v);
    assert_int_equal(cap, 4);
    free(v);
}

static void test_need_past_the_double(void **st)
{
    (void)st;
    int cap = 0;
    long *v = kw__grow(NULL, sizeof *v, 100, &cap, 8); /* 8 -> 16 -> 32 -> 64 -> 128 */
    assert_non_null(v);
    assert_int_equal(cap, 128);
    v[99] = 7;
    long *w = kw__grow(v, sizeof *v, 1000, &cap, 8); /* 256, 512, 1024 */
    assert_non_null(w);
    v = w;
    assert_int_equal(cap, 1024);
    assert_int_equal(v[99], 7);
    v[999] = 1;
    free(v);
    /* a first capacity of 0 or less counts as 1 */
    cap = 0;
    v = kw__grow(NULL, sizeof *v, 3, &cap, 0);
    assert_non_null(v);
    assert_int_equal(cap, 4);
    free(v);
}

static void test_int_overflow_refused(void **st)
{
    (void)st;
    int cap = 0;
    unsigned char *v = kw__grow(NULL, 1, 16, &cap, 16);
    assert_non_null(v);
    memset(v, 0xab, 16);
    /* more elements than an int capacity holds */
    assert_null(kw__grow(v, 1, (size_t)INT_MAX + 1, &cap, 16));
    assert_int_equal(cap, 16);
    /* more bytes than a size_t holds (SIZE_MAX / 8 bytes an element: 8 at most) */
    assert_null(kw__grow(v, SIZE_MAX / 8, 17, &cap, 16));
    assert_int_equal(cap, 16);
    assert_null(kw__grow(v, 0, 32, &cap, 16)); /* no element size */
    assert_int_equal(cap, 16);
    for (int i = 0; i < 16; i++) assert_int_equal(v[i], 0xab); /* still ours, unchanged */
    free(v);
    /* refused on a NULL start too: nothing allocated, cap still 0 */
    cap = 0;
    assert_null(kw__grow(NULL, 8, (size_t)INT_MAX + 1, &cap, 8));
    assert_int_equal(cap, 0);
}

static void test_size_t_variant(void **st)
{
    (void)st;
    size_t cap = 0;
    uint64_t *v = kw__grow_sz(NULL, sizeof *v, 1, &cap, 16);
    assert_non_null(v);
    assert_int_equal(cap, 16);
    for (size_t i = 0; i < 16; i++) v[i] = i;
    uint64_t *w = kw__grow_sz(v, sizeof *v, 17, &cap, 16);
    assert_non_null(w);
    v = w;
    assert_int_equal(cap, 32);
    w = kw__grow_sz(v, sizeof *v, 200, &cap, 16);
    assert_non_null(w);
    v = w;
    assert_int_equal(cap, 256);
    for (size_t i = 0; i < 16; i++) assert_int_equal(v[i], i);
    assert_ptr_equal(kw__grow_sz(v, sizeof *v, 256, &cap, 16), v);
    /* need * elem past SIZE_MAX: refused before any allocation, all untouched */
    assert_null(kw__grow_sz(v, sizeof *v, SIZE_MAX / sizeof *v + 1, &cap, 16));
    assert_int_equal(cap, 256);
    assert_null(kw__grow_sz(v, SIZE_MAX / 2, 257, &cap, 16));
    assert_int_equal(cap, 256);
    for (size_t i = 0; i < 16; i++) assert_int_equal(v[i], i);
    free(v);
    /* a first capacity of 0 counts as 1; elements of one byte */
    cap = 0;
    char *b = kw__grow_sz(NULL, 1, 5, &cap, 0);
    assert_non_null(b);
    assert_int_equal(cap, 8);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_and_doubling),  cmocka_unit_test(test_room_left_is_a_no_op),
        cmocka_unit_test(test_need_past_the_double), cmocka_unit_test(test_int_overflow_refused),
        cmocka_unit_test(test_size_t_variant),
    };
    return cmocka_run_group_tests_name("grow", tests, NULL, NULL);
}
