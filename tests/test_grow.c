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

/* From a NULL array: the first capacity, doubled until need fits; both variants. */
static void test_null_start(void **st)
{
    (void)st;
    static const struct { size_t elem, need; int first, want; } c[] = {
        {4, 1, 8, 8},     /* the first capacity */
        {4, 8, 8, 8},
        {4, 9, 8, 16},
        {8, 100, 8, 128}, /* 8 -> 16 -> 32 -> 64 -> 128 */
        {1, 0, 4, 4},     /* need 0 still gives an array: NULL means failure */
        {8, 3, 0, 4},     /* a first capacity of 0 or less counts as 1 */
        {8, 3, -5, 4},
        {1, 5, 1, 8},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int cap = 0;
        size_t capz = 0;
        void *v = kw__grow(NULL, c[i].elem, c[i].need, &cap, c[i].first);
        void *z = kw__grow_sz(NULL, c[i].elem, c[i].need, &capz, c[i].first > 0 ? (size_t)c[i].first : 0);
        assert_non_null(v);
        assert_non_null(z);
        assert_int_equal(cap, c[i].want);
        assert_int_equal(capz, (size_t)c[i].want);
        memset(v, 0x5a, (size_t)cap * c[i].elem); /* all of it is ours */
        free(v);
        free(z);
    }
}

/* A live array grown step by step: doubled when full, more when need is past the
 * double, unchanged in place while there is room; what was written is kept. */
static void test_growth_steps(void **st)
{
    (void)st;
    static const struct { size_t need; int cap; } step[] = {
        {1, 8}, {8, 8}, {9, 16}, {16, 16}, {17, 32}, {100, 128}, {129, 256}, {1000, 1024}, {1, 1024},
    };
    int cap = 0, filled = 0;
    int *v = NULL;
    for (size_t s = 0; s < sizeof step / sizeof step[0]; s++) {
        int *w = kw__grow(v, sizeof *v, step[s].need, &cap, 8);
        assert_non_null(w);
        if (v && (size_t)filled >= step[s].need) assert_ptr_equal(w, v); /* room: no realloc */
        v = w;
        assert_int_equal(cap, step[s].cap);
        for (int i = 0; i < filled; i++) assert_int_equal(v[i], i * 3);
        for (; filled < cap; filled++) v[filled] = filled * 3;
    }
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
    assert_int_equal(cap, 256);
    /* need * elem past SIZE_MAX: refused before any allocation, all untouched */
    assert_null(kw__grow_sz(v, sizeof *v, SIZE_MAX / sizeof *v + 1, &cap, 16));
    assert_int_equal(cap, 256);
    assert_null(kw__grow_sz(v, SIZE_MAX / 2, 257, &cap, 16));
    assert_int_equal(cap, 256);
    for (size_t i = 0; i < 16; i++) assert_int_equal(v[i], i);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_start),           cmocka_unit_test(test_growth_steps),
        cmocka_unit_test(test_room_left_is_a_no_op), cmocka_unit_test(test_int_overflow_refused),
        cmocka_unit_test(test_size_t_variant),
    };
    return cmocka_run_group_tests_name("grow", tests, NULL, NULL);
}
