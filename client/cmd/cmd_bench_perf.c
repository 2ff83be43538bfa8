/*
 * client/cmd/cmd_bench_perf.c — `kwire bench produce` and `kwire bench consume`: the
 * figures of Kafka's kafka-producer-perf-test and kafka-consumer-perf-test, in their
 * forms, followed by the byte-level view the producer and consumer statistics give.
 *
 * produce: N records of a fixed payload (the labs' 92-byte JSON, or --record-size bytes
 * of random upper-case letters as the Kafka tool makes them), optionally paced to
 * --throughput records/s on a fixed schedule (record i due at start + i / R). The Kafka
 * tool's figures: latency send -> delivery report (whole ms), percentiles from at most
 * 500,000 samples (every k-th report, as Kafka samples), a progress line every 5 s
 * (--reporting-interval) over that window, then the final line in the Kafka tool's form
 * (MB = 2^20 bytes of payload). After them the corrected figures (bench/latency.h, in us
 * from HdrHistogram-layout histograms): paced, each window's response time, service time
 * and send delay after its progress line, and the three in a summary table; not paced,
 * the service time alone. --hlog FILE writes every window as HdrHistogram interval log
 * lines (tags response, service, send-delay). Then requests, batches, records per batch,
 * fill, seal reasons, bytes before/after compression and wire bytes per record split
 * into payload, record/batch framing, request framing and the compression saving.
 *
 * consume: N records (default: everything up to the end) from the beginning of every
 * partition, no group; Kafka's header and value line (start/end time, MB, MB/s,
 * records, records/s, rebalance and fetch time) then fetches, bytes and records per
 * fetch, broker hold time, empty fetches, poll sizes and the record sets against
 * max.partition.fetch.bytes and fetch.max.bytes (kw_consumer_stats). --duration S reads
 * for S seconds whatever the topic holds (an idle topic shows the broker's holds).
 * --json gives every figure.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "bench/hlog.h"
#include "bench/lab.h"
#include "bench/latency.h"
#include "bench/perf.h"
#include "bench/perf_run.h"
#include "bench_perf.h"
#include "client/core/config.h"
#include "client/consume/consumer.h"
#include "client/conn/net.h"
#include "client/produce/producer.h"
#include "client/core/rate.h"
#include "kwire.h"
#include "proto/proto.h"
#include "client/core/clock.h"

#define CMD "bench"
#define MAX_SAMPLES 500000
#define WINDOW_MS 5000

/* "2026-11-22 03:55:31:123", Kafka's consumer perf-test date form (local time). */
static void fmt_time(int64_t ms, char *buf, size_t len)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&s, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf + n, len - n, ":%03d", (int)(ms % 1000));
}

static int parse_long(const char *opt, const char *v, long lo, long *out)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < lo) {
        kw__cli_err(CMD, "%s takes a whole number >= %ld, not '%s'", opt, lo, v);
        return -1;
    }
    *out = x;
    return 0;
}

static void warn_cli(void *ud, const char *text)
{
    (void)ud;
    kw__cli_err(CMD, "%s", text);
}

/* Settings for the role from -F/-X; NULL (message printed) on error. */
static kw_config *role_config(kw_cli *cli, int role)
{
    kw_config *cfg = kw__cli_config(cli, CMD, role, NULL, NULL);
    if (cfg && kw_config_validate(cfg)) {
        kw__cli_err(CMD, "%s", kw_config_error(cfg));
        kw_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* ------------------------------------------------------------------ produce */

/* ,"name":{count, mean, p50 .. max in ms} */
static void lat_json(const char *name, const kw_hdr *h)
{
    kw_buf b;
    kw_buf_init(&b);
    kw_lat_json(&b, h);
    printf(",\"%s\":%.*s", name, (int)b.len, (const char *)b.data);
    kw_buf_free(&b);
}

static void produce_usage(FILE *f)
{
    fprintf(f, "usage: kwire bench produce [-t TOPIC] [-n RECORDS] [--record-size N | --payload lab]\n"
               "                           [--throughput R] [--hlog FILE] [--reporting-interval MS]\n"
               "                           [-X name=value ...] [--json]\n\n"
               "Sends RECORDS (default 1000000) records to TOPIC (default %s), prints a line every\n"
               "5 s and the final line as kafka-producer-perf-test does (MB = 2^20 bytes, latency send ->\n"
               "delivery report), then the corrected latency (microsecond histograms; p50, p95, p99,\n"
               "p99.9, p99.99, max) and the byte-level view: requests, batches, records per batch, batch\n"
               "fill, seal reasons, bytes before/after compression, wire bytes per record, RTT.\n"
               "Payload: the labs' %d-byte JSON (default, --payload lab) or N random upper-case letters.\n"
               "--throughput R sends record i at start + i/R (-1: as fast as possible) and reports for\n"
               "each record the response time (from its intended send), the service time (from its\n"
               "actual send, what the Kafka tool prints) and the send delay (intended -> actual), per\n"
               "window after each progress line and in total. --hlog FILE writes each window as\n"
               "HdrHistogram interval log lines (values in us; `kwire bench merge` reads them).\n"
               "--reporting-interval MS sets the window (default 5000). --json: one object.\n",
            KW_LAB_TOPIC, KW_LAB_PAYLOAD_LEN);
}

int kw__bench_produce(kw_cli *cli, int argc, char **argv)
{
    const char *topic = KW_LAB_TOPIC, *hlog_path = NULL;
    long records = 1000000, record_size = 0, throughput = -1, interval_ms = WINDOW_MS;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { produce_usage(stdout); return KW_EXIT_OK; }
        int takes = !strcmp(a, "-t") || !strcmp(a, "--topic") || !strcmp(a, "-n") || !strcmp(a, "--num-records") ||
                    !strcmp(a, "--record-size") || !strcmp(a, "--payload") || !strcmp(a, "--throughput") ||
                    !strcmp(a, "--hlog") || !strcmp(a, "--reporting-interval");
        if (!takes) {
            kw__cli_err(CMD, "produce: unknown argument '%s' (see kwire bench produce --help)", a);
            return KW_EXIT_USAGE;
        }
        if (i + 1 >= argc) { kw__cli_err(CMD, "%s needs a value", a); return KW_EXIT_USAGE; }
        const char *v = argv[++i];
        if (!strcmp(a, "-t") || !strcmp(a, "--topic")) topic = v;
        else if (!strcmp(a, "-n") || !strcmp(a, "--num-records")) {
            if (parse_long(a, v, 1, &records)) return KW_EXIT_USAGE;
        } else if (!strcmp(a, "--record-size")) {
            if (parse_long(a, v, 1, &record_size) || record_size > 100 * 1024 * 1024) {
                kw__cli_err(CMD, "--record-size: 1 .. 104857600 bytes");
                return KW_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--payload")) {
            if (strcmp(v, "lab")) { kw__cli_err(CMD, "--payload takes 'lab' (the labs' 92-byte JSON)"); return KW_EXIT_USAGE; }
            record_size = 0;
        } else if (!strcmp(a, "--hlog")) {
            hlog_path = v;
        } else if (!strcmp(a, "--reporting-interval")) {
            if (parse_long(a, v, 1, &interval_ms)) return KW_EXIT_USAGE;
        } else if (parse_long(a, v, -1, &throughput) || throughput == 0) {
            kw__cli_err(CMD, "--throughput takes records/s > 0, or -1 for no cap");
            return KW_EXIT_USAGE;
        }
    }
    char *payload = NULL;
    int plen = KW_LAB_PAYLOAD_LEN;
    if (record_size > 0) {
        if (!(payload = malloc((size_t)record_size))) return KW_EXIT_FAIL;
        uint32_t x = 2463534242u; /* xorshift32: random letters, the same every run */
        for (long i = 0; i < record_size; i++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            payload[i] = (char)('A' + x % 26);
        }
        plen = (int)record_size;
    }
    kw_config *cfg = role_config(cli, KW_ROLE_PRODUCER);
    if (!cfg) { free(payload); return KW_EXIT_USAGE; }
    int64_t batch_size = kw_config_int(cfg, KW_CONF_BATCH_SIZE);
    const char *codec = kw_config_str(cfg, KW_CONF_COMPRESSION_TYPE);
    char codec_buf[16];
    snprintf(codec_buf, sizeof codec_buf, "%s", codec ? codec : "none");
    FILE *hlog = NULL;
    if (hlog_path && !(hlog = fopen(hlog_path, "w"))) {
        kw__cli_err(CMD, "--hlog %s: %s", hlog_path, strerror(errno));
        kw_config_free(cfg);
        free(payload);
        return KW_EXIT_USAGE;
    }
    kw_perf_produce_opts po = {topic, records, payload ? payload : KW_LAB_PAYLOAD, plen, throughput, interval_ms,
                               cli->verbosity < 0 ? NULL : cli->json ? stderr : stdout, hlog, warn_cli, NULL};
    kw_perf_produce_run st;
    int run_rc = kw_perf_produce(cfg, &po, &st);
    kw_config_free(cfg);
    if (hlog && fclose(hlog) && !st.hlog_err && !run_rc) st.hlog_err = errno;
    if (run_rc) {
        free(payload);
        return KW_EXIT_FAIL;
    }
    double secs = st.seconds;
    long refused = st.refused, lost = st.lost;
    const kw_producer_stats *s = kw_producer_stats_get(st.p);
    kw_buf lat_text;
    kw_buf_init(&lat_text);
    if (st.paced) {
        const char *const labels[] = {KW_LAT_TAG_RESPONSE, KW_LAT_TAG_SERVICE, KW_LAT_TAG_DELAY};
        const kw_hdr *const hs[] = {st.lat.total[0], st.lat.total[1], st.lat.total[2]};
        kw_lat_summary(&lat_text, labels, hs, 3);
    } else {
        const char *const labels[] = {KW_LAT_TAG_SERVICE};
        const kw_hdr *const hs[] = {st.lat.total[0]};
        kw_lat_summary(&lat_text, labels, hs, 1);
    }

    double rps = secs > 0 ? (double)st.ok / secs : 0;
    double mbps = rps * plen / (1024.0 * 1024.0);
    double lat_avg = st.ok ? st.lat_sum / (double)st.ok : 0;
    int32_t p50 = kw_perf_sample_q(st.samples, st.nsamples, 0.5), p95 = kw_perf_sample_q(st.samples, st.nsamples, 0.95);
    int32_t p99 = kw_perf_sample_q(st.samples, st.nsamples, 0.99), p999 = kw_perf_sample_q(st.samples, st.nsamples, 0.999);

    kw_perf_bytes by;
    kw_perf_produce_bytes(s, st.ok + st.failed, plen, st.req_frame_bytes, &by);

    if (cli->json) {
        printf("{\"topic\":\"%s\",\"records\":%ld,\"failed\":%ld,\"record_size\":%d,\"seconds\":%.6f,"
               "\"records_per_sec\":%.2f,\"mb_per_sec\":%.4f,\"latency_avg_ms\":%.2f,\"latency_max_ms\":%lld,"
               "\"latency_p50_ms\":%d,\"latency_p95_ms\":%d,\"latency_p99_ms\":%d,\"latency_p999_ms\":%d,"
               "\"latency_samples\":%ld,\"compression_type\":\"%s\",\"batch_size\":%lld,"
               "\"requests\":%llu,\"request_errors\":%llu,\"request_bytes\":%llu,\"response_bytes\":%llu,\"batches\":%llu,"
               "\"batches_per_request\":%.3f,\"records_per_batch\":%.3f,\"records_per_batch_p50\":%llu,"
               "\"records_per_batch_max\":%llu,\"batch_fill_pct\":%.2f,"
               "\"sealed\":{\"full\":%llu,\"linger\":%llu,\"flush\":%llu},"
               "\"bytes_before_compression\":%llu,\"bytes_after_compression\":%llu,\"compression_ratio\":%.4f,"
               "\"wire_bytes_per_record\":%.3f,\"payload_bytes_per_record\":%d,\"record_batch_framing_per_record\":%.3f,"
               "\"request_framing_per_record\":%.3f,\"compression_saving_per_record\":%.3f,"
               "\"protocol_overhead_per_record\":%.3f,\"rtt_avg_ms\":%.3f,\"rtt_max_ms\":%.3f,"
               "\"record_retries\":%llu,\"metadata_requests\":%llu,\"buffer_peak_bytes\":%llu",
               topic, st.ok, st.failed + refused + lost, plen, secs, rps, mbps, lat_avg, (long long)st.lat_max, p50, p95,
               p99, p999, st.nsamples, codec_buf, (long long)batch_size, (unsigned long long)s->requests,
               (unsigned long long)s->request_errors, (unsigned long long)st.req_frame_bytes,
               (unsigned long long)st.resp_frame_bytes,
               (unsigned long long)s->batches, by.batches_per_request, by.records_per_batch,
               (unsigned long long)by.rpb_p50, (unsigned long long)by.rpb_max, by.fill_pct,
               (unsigned long long)s->sealed[KW_SEAL_FULL], (unsigned long long)s->sealed[KW_SEAL_LINGER],
               (unsigned long long)s->sealed[KW_SEAL_FLUSH], (unsigned long long)s->batch_raw_bytes,
               (unsigned long long)s->batch_wire_bytes, by.ratio, by.wire, plen, by.framing, by.req_framing, by.saved,
               by.wire - plen, by.rtt_avg_ms, by.rtt_max_ms, (unsigned long long)s->record_retries, (unsigned long long)s->metadata_requests,
               (unsigned long long)s->mem_peak);
        if (st.paced) {
            printf(",\"paced_records_per_sec\":%ld", throughput);
            lat_json("response_time_ms", st.lat.total[KW_LAT_RESPONSE]);
            lat_json("service_time_ms", st.lat.total[KW_LAT_SERVICE]);
            lat_json("send_delay_ms", st.lat.total[KW_LAT_DELAY]);
        } else {
            lat_json("service_time_ms", st.lat.total[0]);
        }
        printf("}\n");
    } else {
        printf("%ld records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, "
               "%d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.\n",
               st.ok, rps, mbps, lat_avg, (double)st.lat_max, p50, p95, p99, p999);
        if (st.paced)
            printf("\ncorrected latency, paced at %ld records/s (response = intended send -> ack, service = actual\n"
                   "send -> ack as above, send-delay = intended -> actual send):\n", throughput);
        else
            printf("\nlatency, not paced (service = send -> ack, as above):\n");
        fwrite(lat_text.data, 1, lat_text.len, stdout);
        if (cli->verbosity >= 0) kw_perf_produce_view(stdout, topic, plen, codec_buf, (long long)batch_size, s, &by);
    }
    long bad = st.failed + refused + lost;
    if (st.failed) kw__cli_err(CMD, "%ld records failed: %s", st.failed, kw_strerror(st.first_err));
    if (lost) kw__cli_err(CMD, "%ld records without a delivery report", lost);
    if (st.hlog_err)
        kw__cli_err(CMD, "--hlog %s: %s", hlog_path,
                    st.hlog_err > 0 ? strerror(st.hlog_err) : kw_strerror(st.hlog_err));
    int status = bad || st.ok == 0 || st.hlog_err ? KW_EXIT_FAIL : KW_EXIT_OK;
    kw__cli_net_stats(cli, kw_producer_net(st.p));
    kw_buf_free(&lat_text);
    kw_perf_produce_free(&st);
    free(payload);
    return status;
}

/* ------------------------------------------------------------------ consume */

static void consume_usage(FILE *f)
{
    fprintf(f, "usage: kwire bench consume [-t TOPIC] [-n RECORDS] [--duration S] [-X name=value ...] [--json]\n\n"
               "Reads RECORDS records (default: all up to the end) from the beginning of every partition of\n"
               "TOPIC (default %s), no group, and prints kafka-consumer-perf-test's figures (MB = 2^20\n"
               "bytes of key + value) then the per-fetch view: fetches, bytes and records per fetch,\n"
               "broker hold time, empty fetches, poll sizes, and the record sets against\n"
               "max.partition.fetch.bytes and fetch.max.bytes. --duration S reads for S seconds instead\n"
               "(the end of the topic does not stop it; an idle topic shows the broker holding each fetch\n"
               "for fetch.max.wait.ms). --json prints every figure as one object.\n",
            KW_LAB_TOPIC);
}

int kw__bench_consume(kw_cli *cli, int argc, char **argv)
{
    const char *topic = KW_LAB_TOPIC;
    long records = 0, duration = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { consume_usage(stdout); return KW_EXIT_OK; }
        int t = !strcmp(a, "-t") || !strcmp(a, "--topic");
        int n = !strcmp(a, "-n") || !strcmp(a, "--messages") || !strcmp(a, "--num-records");
        int d = !strcmp(a, "--duration");
        if (!t && !n && !d) {
            kw__cli_err(CMD, "consume: unknown argument '%s' (see kwire bench consume --help)", a);
            return KW_EXIT_USAGE;
        }
        if (i + 1 >= argc) { kw__cli_err(CMD, "%s needs a value", a); return KW_EXIT_USAGE; }
        if (t) topic = argv[++i];
        else if (parse_long(a, argv[++i], 1, d ? &duration : &records)) return KW_EXIT_USAGE;
    }
    kw_config *cfg = role_config(cli, KW_ROLE_CONSUMER);
    if (!cfg) return KW_EXIT_USAGE;
    char err[256] = "";
    kw_consumer *c = kw_consumer_new(cfg, NULL, err, sizeof err);
    kw_config_free(cfg);
    if (!c) { kw__cli_err(CMD, "%s", err); return KW_EXIT_FAIL; }
    int64_t start_wall = kw__wall_ms();
    double t0 = kw__mono_s();
    kw_start start = {KW_START_BEGINNING, 0};
    if (kw_consumer_assign(c, topic, -1, &start)) {
        kw__cli_err(CMD, "%s: %s", topic, kw_consumer_error(c));
        kw_consumer_free(c);
        return KW_EXIT_FAIL;
    }
    double t_fetch0 = kw__mono_s(); /* assignment (metadata, ListOffsets) done: Kafka's "rebalance" */
    long got = 0;
    uint64_t payload_bytes = 0;
    int stalls = 0, rc = KW_EXIT_OK;
    double t_last = t_fetch0, t_end = t0 + (double)duration;
    while (records == 0 || got < records) {
        const kw_msg *m;
        int n = 0, wait_ms = 1000;
        if (duration) {
            double left = t_end - kw__mono_s();
            if (left <= 0) break;
            if (left < 1.0) wait_ms = (int)(left * 1000.0) + 1;
        }
        int prc = kw_consumer_poll_n(c, wait_ms, records ? (int)(records - got < 1 << 30 ? records - got : 1 << 30) : 0,
                                     &m, &n);
        for (int i = 0; i < n; i++)
            payload_bytes += (uint64_t)(m[i].key_len > 0 ? m[i].key_len : 0) +
                             (uint64_t)(m[i].value_len > 0 ? m[i].value_len : 0);
        got += n;
        if (n) { t_last = kw__mono_s(); stalls = 0; }
        if (prc) {
            kw__cli_err(CMD, "%s", kw_consumer_error(c));
            rc = KW_EXIT_FAIL;
            break;
        }
        /* at the end: with no count that is the run; with one, the topic holds fewer */
        if (!duration && n == 0 && kw_consumer_at_end(c) && (records == 0 || ++stalls > 5)) break;
    }
    if (duration) t_last = kw__mono_s(); /* the run is the time asked for */
    int64_t end_wall = start_wall + (int64_t)((t_last - t0) * 1000.0);
    double secs = t_last - t0, fetch_secs = t_last - t_fetch0;
    const kw_consumer_stats *s = kw_consumer_stats_get(c);
    double mb = (double)payload_bytes / (1024.0 * 1024.0);
    char sbuf[40], ebuf[40];
    fmt_time(start_wall, sbuf, sizeof sbuf);
    fmt_time(end_wall, ebuf, sizeof ebuf);
    double rebalance_ms = (t_fetch0 - t0) * 1000.0, fetch_ms = fetch_secs * 1000.0;
    double mbs = secs > 0 ? mb / secs : 0, rps = secs > 0 ? (double)got / secs : 0;
    double fmbs = fetch_secs > 0 ? mb / fetch_secs : 0, frps = fetch_secs > 0 ? (double)got / fetch_secs : 0;
    if (records && got < records && !duration) {
        kw__cli_err(CMD, "%s: read %ld of %ld records (the topic holds fewer?)", topic, got, records);
        rc = KW_EXIT_FAIL;
    }
    if (cli->json) {
        printf("{\"topic\":\"%s\",\"start_time\":\"%s\",\"end_time\":\"%s\",\"records\":%ld,\"mb\":%.4f,"
               "\"mb_per_sec\":%.4f,\"records_per_sec\":%.2f,\"rebalance_time_ms\":%.0f,\"fetch_time_ms\":%.0f,"
               "\"fetch_mb_per_sec\":%.4f,\"fetch_records_per_sec\":%.2f,\"seconds\":%.6f,\"payload_bytes\":%llu",
               topic, sbuf, ebuf, got, mb, mbs, rps, rebalance_ms, fetch_ms, fmbs, frps, secs,
               (unsigned long long)payload_bytes);
        kw_perf_consume_json(stdout, s);
        printf("}\n");
    } else {
        printf("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
               "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n");
        printf("%s, %s, %.4f, %.4f, %ld, %.4f, %.0f, %.0f, %.4f, %.4f\n", sbuf, ebuf, mb, mbs, got, rps, rebalance_ms,
               fetch_ms, fmbs, frps);
        if (cli->verbosity >= 0) kw_perf_consume_view(stdout, topic, s);
    }
    kw__cli_net_stats(cli, kw_consumer_net(c));
    kw_consumer_free(c);
    return got == 0 && !duration ? KW_EXIT_FAIL : rc;
}
