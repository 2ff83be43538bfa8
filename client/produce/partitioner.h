/*
 * client/produce/partitioner.h — choosing a partition for a record, as the Java client does.
 *
 * Keyed records: murmur2 of the key bytes (Kafka's variant: seed 0x9747b28c), made
 * positive with & 0x7fffffff, modulo the partition count — so a key lands on the same
 * partition as with the Java client and kafka-python's DefaultPartitioner.
 * Keyless records: "sticky" — all go to one partition until its batch is sealed, then
 * the producer picks another (KIP-480), so batches fill instead of spreading thin.
 */
#ifndef KW_PARTITIONER_H
#define KW_PARTITIONER_H

#include <stddef.h>
#include <stdint.h>

/* Kafka's murmur2 (32-bit, as a Java int). */
int32_t kw_murmur2(const void *key, size_t len);
/* Partition for a key: (murmur2(key) & 0x7fffffff) % partitions. partitions > 0. */
int32_t kw_partition_for_key(const void *key, size_t len, int32_t partitions);

/* Sticky partition state for keyless records of one topic. */
typedef struct kw_sticky {
    int32_t current;  /* -1: none chosen yet */
    uint64_t rng;     /* xorshift state: deterministic for a given seed */
} kw_sticky;

void kw_sticky_init(kw_sticky *s, uint64_t seed);
/* The partition keyless records go to now (chooses one if none). partitions > 0. */
int32_t kw_sticky_partition(kw_sticky *s, int32_t partitions);
/* A batch of the current partition was sealed: move to another partition (a different
 * one when there is more than one). Returns the new partition. */
int32_t kw_sticky_next(kw_sticky *s, int32_t partitions);

#endif
