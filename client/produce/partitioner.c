/*
 * client/produce/partitioner.c — murmur2 key hashing compatible with Kafka's Java client, and
 * the sticky partitioner for keyless records (see partitioner.h).
 */
#include "partitioner.h"

int32_t kw_murmur2(const void *key, size_t len)
{
    const uint8_t *d = key;
    const uint32_t seed = 0x9747b28cu, m = 0x5bd1e995u;
    const int r = 24;
    uint32_t h = seed ^ (uint32_t)len;
    size_t n4 = len / 4;
    for (size_t i = 0; i < n4; i++) {
        const uint8_t *p = d + 4 * i; /* little-endian words, as Java reads them */
        uint32_t k = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    const uint8_t *t = d + 4 * n4;
    switch (len & 3) {
    case 3: h ^= (uint32_t)t[2] << 16; /* fall through */
    case 2: h ^= (uint32_t)t[1] << 8;  /* fall through */
    case 1: h ^= t[0]; h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int32_t kw_partition_for_key(const void *key, size_t len, int32_t partitions)
{
    uint32_t positive = (uint32_t)kw_murmur2(key, len) & 0x7fffffffu;
    return (int32_t)(positive % (uint32_t)partitions);
}

static uint64_t next_rand(kw_sticky *s)
{
    uint64_t x = s->rng; /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return s->rng = x;
}

void kw_sticky_init(kw_sticky *s, uint64_t seed)
{
    s->current = -1;
    s->rng = seed ? seed : 0x2545f4914f6cdd1dULL;
}

int32_t kw_sticky_partition(kw_sticky *s, int32_t partitions)
{
    if (s->current < 0 || s->current >= partitions) s->current = (int32_t)(next_rand(s) % (uint64_t)partitions);
    return s->current;
}

int32_t kw_sticky_next(kw_sticky *s, int32_t partitions)
{
    if (partitions <= 1) return s->current = 0;
    int32_t old = kw_sticky_partition(s, partitions);
    int32_t p = (int32_t)(next_rand(s) % (uint64_t)(partitions - 1));
    s->current = p >= old ? p + 1 : p; /* uniformly one of the others */
    return s->current;
}
