/*
 * bench/perf.c — the byte-level figures and view of `kwire bench produce`, and the Kafka
 * tool's sampled percentiles (see perf.h).
 */
#include "bench/perf.h"

#include <stdlib.h>

#include "client/core/hdr.h"
#include "client/produce/accum.h"

void kw_perf_produce_bytes(const kw_producer_stats *s, long records, int plen, uint64_t req_frame_bytes,
                           kw_perf_bytes *b)
{
    double nb = (double)s->batches, nrec = records > 0 ? (double)records : 1;
    b->batches_per_request = s->requests ? (double)s->request_batches / (double)s->requests : 0;
    b->records_per_batch = nb > 0 ? (double)s->batch_records / nb : 0;
    b->rpb_p50 = kw_hist_quantile(&s->batch_records_hist, 0.5);
    b->rpb_max = s->batch_records_hist.max;
    b->fill_pct = nb > 0 ? 100.0 * s->batch_fill_sum / nb : 0;
    b->avg_batch_bytes = nb > 0 ? (double)s->batch_raw_bytes / nb : 0;
    b->ratio = s->batch_wire_bytes ? (double)s->batch_raw_bytes / (double)s->batch_wire_bytes : 1;
    b->wire = (double)req_frame_bytes / nrec;
    b->framing = (double)s->batch_raw_bytes / nrec - plen;
    b->req_framing = ((double)req_frame_bytes - (double)s->batch_wire_bytes) / nrec;
    b->saved = ((double)s->batch_raw_bytes - (double)s->batch_wire_bytes) / nrec;
    b->rtt_avg_ms = s->requests ? (double)s->rtt_sum_us / (double)s->requests / 1000.0 : 0;
    b->rtt_max_ms = (double)s->rtt_max_us / 1000.0;
}

void kw_perf_produce_view(FILE *f, const char *topic, int plen, const char *codec, long long batch_size,
                          const kw_producer_stats *s, const kw_perf_bytes *b)
{
    fprintf(f, "\nbyte-level view (%s, %d-byte records, compression.type=%s, batch.size=%lld):\n", topic, plen, codec,
            batch_size);
    fprintf(f, "  requests          %llu (%.2f batches each, %llu errors), RTT avg %.3f ms, max %.3f ms\n",
            (unsigned long long)s->requests, b->batches_per_request, (unsigned long long)s->request_errors,
            b->rtt_avg_ms, b->rtt_max_ms);
    fprintf(f, "  batches           %llu, records per batch avg %.2f, p50 %llu, max %llu\n",
            (unsigned long long)s->batches, b->records_per_batch, (unsigned long long)b->rpb_p50,
            (unsigned long long)b->rpb_max);
    fprintf(f, "  batch fill        %.1f%% of batch.size (avg uncompressed batch %.0f bytes)\n", b->fill_pct,
            b->avg_batch_bytes);
    fprintf(f, "  sealed by         full %llu, linger %llu, flush %llu\n", (unsigned long long)s->sealed[KW_SEAL_FULL],
            (unsigned long long)s->sealed[KW_SEAL_LINGER], (unsigned long long)s->sealed[KW_SEAL_FLUSH]);
    fprintf(f, "  batch bytes       %llu before compression, %llu after, ratio %.3f\n",
            (unsigned long long)s->batch_raw_bytes, (unsigned long long)s->batch_wire_bytes, b->ratio);
    if (b->saved > 0)
        fprintf(f, "  wire per record   %.2f bytes of Produce requests for a %d-byte payload (%.2f below it)\n", b->wire,
                plen, plen - b->wire);
    else
        fprintf(f, "  wire per record   %.2f bytes of Produce requests = payload %d + protocol overhead %.2f\n", b->wire,
                plen, b->wire - plen);
    fprintf(f, "                    (record and batch framing %.2f + request framing %.2f - compression saving %.2f)\n",
            b->framing, b->req_framing, b->saved);
}

static void hist_json(FILE *f, const char *name, const kw_hist *h, double div)
{
    fprintf(f, ",\"%s\":{\"n\":%llu,\"min\":%.3f,\"avg\":%.3f,\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}", name,
           (unsigned long long)h->count, (double)(h->count ? h->min : 0) / div, kw_hist_mean(h) / div,
           (double)kw_hist_quantile(h, 0.5) / div,
           (double)kw_hist_quantile(h, 0.99) / div, (double)h->max / div);
}

/* The record sets against the fetch limits: what the broker returned per partition and
 * per response, and how often a bound was passed by Kafka's one-whole-first-batch rule. */
static void limits_lines(FILE *f, const kw_consumer_stats *s)
{
    const kw_hist *pb = &s->part_records_bytes, *fb = &s->fetch_records_bytes;
    fprintf(f, "  records/partition avg %.0f, max %llu bytes; max.partition.fetch.bytes %ld: %llu above it",
           kw_hist_mean(pb), (unsigned long long)pb->max, (long)s->part_limit,
           (unsigned long long)s->part_over_limit);
    if (s->part_over_limit)
        fprintf(f, " (%llu of them one whole first batch larger than the limit)",
               (unsigned long long)s->part_over_first_batch);
    fprintf(f, "\n  records/response  avg %.0f, max %llu bytes; fetch.max.bytes %ld: %llu above it", kw_hist_mean(fb),
           (unsigned long long)fb->max, (long)s->fetch_limit, (unsigned long long)s->fetch_over_limit);
    if (s->fetch_over_limit)
        fprintf(f, " (%llu of them one whole first batch)", (unsigned long long)s->fetch_over_first_batch);
    fprintf(f, "\n");
}

void kw_perf_consume_view(FILE *f, const char *topic, const kw_consumer_stats *s)
{
    const kw_hist *hb = &s->fetch_bytes, *hr = &s->fetch_records, *hp = &s->poll_records;
    const kw_hdr *hh = s->fetch_hold_us;
    fprintf(f, "\nper-fetch view (%s):\n", topic);
    fprintf(f, "  fetches           %llu (%llu empty, %llu errors), %llu response bytes, %.2f bytes per record\n",
            (unsigned long long)s->fetches, (unsigned long long)s->empty_fetches, (unsigned long long)s->fetch_errors,
            (unsigned long long)s->bytes, s->records ? (double)s->bytes / (double)s->records : 0);
    fprintf(f, "  bytes per fetch   avg %.0f, p50 %llu, max %llu\n", kw_hist_mean(hb),
            (unsigned long long)kw_hist_quantile(hb, 0.5), (unsigned long long)hb->max);
    fprintf(f, "  records per fetch avg %.1f, p50 %llu, max %llu (%llu record batches, %llu compressed)\n",
            kw_hist_mean(hr), (unsigned long long)kw_hist_quantile(hr, 0.5), (unsigned long long)hr->max,
            (unsigned long long)s->batches, (unsigned long long)s->compressed_batches);
    fprintf(f, "  broker hold time  p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", (double)kw_hdr_value_at(hh, 50) / 1000.0,
            (double)kw_hdr_value_at(hh, 99) / 1000.0, (double)kw_hdr_max(hh) / 1000.0);
    fprintf(f, "  polls             %llu (%llu empty), records per poll avg %.1f, p50 %llu, max %llu\n",
            (unsigned long long)s->polls, (unsigned long long)s->empty_polls, kw_hist_mean(hp),
            (unsigned long long)kw_hist_quantile(hp, 0.5), (unsigned long long)hp->max);
    limits_lines(f, s);
}

void kw_perf_consume_json(FILE *f, const kw_consumer_stats *s)
{
    uint64_t full = s->fetches - s->empty_fetches;
    fprintf(f, ",\"fetches\":%llu,\"empty_fetches\":%llu,\"fetch_errors\":%llu,\"fetch_response_bytes\":%llu,"
            "\"records_fetched\":%llu,\"record_batches\":%llu,\"compressed_batches\":%llu,"
            "\"bytes_per_fetch\":%.2f,\"records_per_fetch\":%.3f,\"wire_bytes_per_record\":%.3f,"
            "\"polls\":%llu,\"empty_polls\":%llu",
            (unsigned long long)s->fetches, (unsigned long long)s->empty_fetches, (unsigned long long)s->fetch_errors,
            (unsigned long long)s->bytes, (unsigned long long)s->records, (unsigned long long)s->batches,
            (unsigned long long)s->compressed_batches, full ? (double)s->bytes / (double)full : 0,
            full ? (double)s->records / (double)full : 0, s->records ? (double)s->bytes / (double)s->records : 0,
            (unsigned long long)s->polls, (unsigned long long)s->empty_polls);
    hist_json(f, "fetch_bytes_hist", &s->fetch_bytes, 1);
    hist_json(f, "fetch_records_hist", &s->fetch_records, 1);
    const kw_hdr *hh = s->fetch_hold_us;
    fprintf(f, ",\"fetch_hold_ms\":{\"n\":%llu,\"min\":%.3f,\"avg\":%.3f,\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}",
            (unsigned long long)hh->total, hh->total ? (double)kw_hdr_min(hh) / 1000.0 : 0, kw_hdr_mean(hh) / 1000.0,
            (double)kw_hdr_value_at(hh, 50) / 1000.0, (double)kw_hdr_value_at(hh, 99) / 1000.0,
            (double)kw_hdr_max(hh) / 1000.0);
    hist_json(f, "poll_records_hist", &s->poll_records, 1);
    hist_json(f, "partition_records_bytes", &s->part_records_bytes, 1);
    hist_json(f, "response_records_bytes", &s->fetch_records_bytes, 1);
    fprintf(f, ",\"max_partition_fetch_bytes\":%ld,\"partition_sets_over_limit\":%llu,"
            "\"partition_sets_over_limit_first_batch\":%llu,\"fetch_max_bytes\":%ld,"
            "\"responses_over_limit\":%llu,\"responses_over_limit_first_batch\":%llu,\"partial_batches\":%llu",
            (long)s->part_limit, (unsigned long long)s->part_over_limit, (unsigned long long)s->part_over_first_batch,
            (long)s->fetch_limit, (unsigned long long)s->fetch_over_limit,
            (unsigned long long)s->fetch_over_first_batch, (unsigned long long)s->partial_batches);
}

int32_t kw_perf_sample_q(const int32_t *sorted, long n, double q)
{
    if (n <= 0) return 0;
    long i = (long)((double)n * q);
    return sorted[i < n ? i : n - 1];
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

void kw_perf_sort_samples(int32_t *v, long n)
{
    if (n > 1) qsort(v, (size_t)n, sizeof *v, cmp_i32);
}
