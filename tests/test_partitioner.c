/* tests/test_partitioner.c — client/partitioner: murmur2 as Java/kafka-python, sticky. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "client/produce/partitioner.h"

/* Hashes and partitions computed once with kafka-python 2.0.2's
 * kafka.partitioner.default.murmur2 (which returns the hash as unsigned 32 bits). */
static const struct {
    const char *key;
    size_t len;
    uint32_t hash;
    int32_t p6, p7;
} vec[] = {
    {"", 0, 275646681u, 3, 2},
    {"a", 1, 2731586172u, 4, 5},
    {"ab", 2, 316155434u, 2, 0},
    {"abc", 3, 479470107u, 3, 4},
    {"abcd", 4, 2971317748u, 2, 5},
    {"key-0", 5, 29210041u, 1, 0},
    {"key-1", 5, 193331640u, 0, 5},
    {"hello world", 11, 1221641059u, 1, 2},
    {"test-topic-key-123456789", 24, 1513775521u, 1, 6},
};

static void test_murmur2_matches_kafka(void **st)
{
    (void)st;
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        assert_int_equal((uint32_t)kw_murmur2(vec[i].key, vec[i].len), vec[i].hash);
        assert_int_equal(kw_partition_for_key(vec[i].key, vec[i].len, 6), vec[i].p6);
        assert_int_equal(kw_partition_for_key(vec[i].key, vec[i].len, 7), vec[i].p7);
    }
    uint8_t bin[37];
    for (int i = 0; i < 37; i++) bin[i] = (uint8_t)i;
    assert_int_equal((uint32_t)kw_murmur2(bin, sizeof bin), 74000851u);
}

static void test_sticky_switches_to_another_partition(void **st)
{
    (void)st;
    kw_sticky s;
    kw_sticky_init(&s, 42);
    int32_t p = kw_sticky_partition(&s, 6);
    assert_in_range(p, 0, 5);
    assert_int_equal(kw_sticky_partition(&s, 6), p); /* sticks */
    int seen[6] = {0};
    for (int i = 0; i < 600; i++) {
        int32_t q = kw_sticky_next(&s, 6);
        assert_in_range(q, 0, 5);
        assert_int_not_equal(q, p);
        seen[q]++;
        p = q;
    }
    for (int i = 0; i < 6; i++) assert_true(seen[i] > 50); /* spreads over all partitions */
    kw_sticky_init(&s, 7);
    assert_int_equal(kw_sticky_next(&s, 1), 0);
    assert_int_equal(kw_sticky_partition(&s, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_murmur2_matches_kafka),
        cmocka_unit_test(test_sticky_switches_to_another_partition),
    };
    return cmocka_run_group_tests_name("partitioner", tests, NULL, NULL);
}
