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
