/*
 * bench/perf.h — the byte-level figures of `kwire bench produce`: from the producer's
 * statistics and the Produce frames' bytes, what a record costs on the wire (payload,
 * record and batch framing, request framing, the compression saving), batching (records
 * per batch, fill, seal reasons) and round trips, and the view printed after the Kafka
 * tool's lines; the consumer's per-fetch view; and the Kafka tool's sampled latency
 * percentiles. Pure.
 */
#ifndef KW_BENCH_PERF_H_
#define KW_BENCH_PERF_H_

#include <stdint.h>
#include <stdio.h>

#include "kwire/consumer.h"
#include "kwire/producer.h"

typedef struct kw_perf_bytes {
    double batches_per_request, records_per_batch, fill_pct, ratio, avg_batch_bytes;
    uint64_t rpb_p50, rpb_max;  /* records per batch: median and largest */
    double wire;                /* Produce request bytes (size prefix included) per record */
    double framing;             /* record and batch headers per record */
    double req_framing;         /* request framing per record */
    double saved;               /* compression saving per record */
    double rtt_avg_ms, rtt_max_ms;
} kw_perf_bytes;

/* The figures for a run of `records` records (ok + failed; 0 counts as 1) of plen-byte
 * payloads whose Produce requests took req_frame_bytes. */
void kw_perf_produce_bytes(const kw_producer_stats *s, long records, int plen, uint64_t req_frame_bytes,
                           kw_perf_bytes *b);
/* The byte-level view: a heading naming topic, record size, compression.type and
 * batch.size, then requests, batches, fill, seal reasons, bytes and wire per record. */
void kw_perf_produce_view(FILE *f, const char *topic, int plen, const char *codec, long long batch_size,
                          const kw_producer_stats *s, const kw_perf_bytes *b);

/* `kwire bench consume`'s per-fetch view of the consumer's statistics: fetches, bytes
 * and records per fetch, broker hold time, polls, and the record sets against
 * max.partition.fetch.bytes and fetch.max.bytes; and the same figures as JSON members
 * (each preceded by a comma, for the object the caller opened and closes). */
void kw_perf_consume_view(FILE *f, const char *topic, const kw_consumer_stats *s);
void kw_perf_consume_json(FILE *f, const kw_consumer_stats *s);

/* Kafka's percentile of n sorted samples: the one at index (int)(n * q); 0 when n is 0. */
int32_t kw_perf_sample_q(const int32_t *sorted, long n, double q);
void kw_perf_sort_samples(int32_t *v, long n);

#endif
