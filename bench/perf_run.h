/*
 * bench/perf_run.h — the run of `kwire bench produce` (kafka-producer-perf-test's
 * measurement): N records of a payload, optionally paced to a fixed schedule (record i
 * due at start + i / R), each delivery report's latency counted the Kafka tool's way (whole
 * ms; every k-th of at most 500,000 samples) and in HdrHistogram-layout histograms
 * (bench/latency.h: paced, response / service / send-delay; else service time), a
 * progress line per reporting window, the windows as HdrHistogram interval log lines,
 * and the Produce frames' bytes on the wire (a frame tap).
 */
#ifndef KW_BENCH_PERF_RUN_H
#define KW_BENCH_PERF_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "bench/latency.h"
#include "client/core/config.h"
#include "client/core/rate.h"
#include "codec/buf.h"
#include "kwire/producer.h"

#define KW_PERF_MAX_SAMPLES 500000

typedef struct kw_perf_produce_opts {
    const char *topic;
    long records;
    const void *payload;
    int plen;
    long throughput;     /* records/s, <= 0: not paced */
    int64_t interval_ms; /* reporting window */
    FILE *progress;      /* progress lines (NULL: none) */
    FILE *hlog;          /* interval log (NULL: none); not closed */
    void (*warn)(void *ud, const char *text); /* messages for the user */
    void *ud;
} kw_perf_produce_opts;

typedef struct kw_perf_produce_run {
    kw_producer *p;              /* kept for its statistics until kw_perf_produce_free */
    long ok, failed;             /* delivery reports */
    int first_err;
    long refused, lost;          /* not accepted by send; without a report after flush */
    double seconds;              /* first send to end of flush */
    double lat_sum;              /* ms, over ok reports */
    int64_t lat_max;
    int32_t *samples;            /* sorted after the run */
    long nsamples, cap, every, reports;
    uint64_t req_frames, req_frame_bytes, resp_frame_bytes; /* Produce frames, size prefix included */
    int paced;
    kw_lat lat;                  /* totals per series after the run */
    int hlog_err;                /* errno of a failed write, or a KW_ERR_* */
    /* the window in progress */
    const kw_perf_produce_opts *o;
    kw_pace pace;
    int64_t window_us, win_start;
    long win_count;
    double win_lat_sum;
    int64_t win_lat_max;
    kw_buf hbuf;
} kw_perf_produce_run;

/* Run it with a producer made from cfg (not kept): 0, or -1 when the producer could not
 * be made (warned; r is freed). */
int kw_perf_produce(const kw_config *cfg, const kw_perf_produce_opts *o, kw_perf_produce_run *r);
void kw_perf_produce_free(kw_perf_produce_run *r);

#endif
