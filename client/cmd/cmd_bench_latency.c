/*
 * client/cmd/cmd_bench_latency.c — `kwire bench e2e` and `kwire bench merge`: options
 * and output; the work is in bench/e2e.c, bench/latency.c and bench/hlog.c.
 *
 * e2e: kafka-e2e-latency's lines (every 1000th record "i<TAB>latency ms", then
 * "Avg latency: X ms" and "Percentiles: 50th = .., 99th = .., 99.9th = .." in whole ms
 * from the sorted latencies, as the Kafka tool picks them) followed by the latency
 * summary of bench/latency.h (tag e2e) and, with --hlog, an interval log.
 *
 * merge: every interval of every log added up per tag (counts add), then the same
 * summary the benchmarks print, from the merged histograms.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "bench/e2e.h"
#include "bench/hlog.h"
#include "bench/latency.h"
#include "bench_perf.h"
#include "client/core/config.h"
#include "client/conn/net.h"
#include "client/core/clock.h"

#define CMD "bench"
#define E2E_TAG "e2e"

static int parse_long(const char *opt, const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) {
        kw__cli_err(CMD, "%s takes a whole number from %ld to %ld, not '%s'", opt, lo, hi, v);
        return -1;
    }
    *out = x;
    return 0;
}

/* ------------------------------------------------------------------ merge */

static void merge_usage(FILE *f)
{
    fprintf(f, "usage: kwire bench merge [--json] FILE.hlog...\n"
               "       kwire bench merge [--json] --trogdor URL|FILE TASK_PREFIX\n"
               "       kwire bench merge [--json] --status FILE...\n\n"
               "Adds up the HdrHistogram interval logs of several runs or processes (written by\n"
               "--hlog, or by HdrHistogram's own HistogramLogWriter) per tag — counts add, index by\n"
               "index — and prints the latency summary the benchmarks print (ms: count, mean, p50,\n"
               "p95, p99, p99.9, p99.99, max) from the merged histograms. Values are taken as us.\n\n"
               "--trogdor: the statuses of the Trogdor tasks whose ids start with TASK_PREFIX, read from the\n"
               "coordinator's REST API at URL (http://HOST:PORT; or a saved GET /coordinator/tasks answer),\n"
               "each written by kwire bench worker: records, bytes and errors add up, the latency histograms\n"
               "(HdrHistogram, compressed) add index by index, so the percentiles are the pooled records'\n"
               "— not averages. Records/s and MB/s run from the first worker's start to the last one's end.\n"
               "A task that failed, is not DONE or has no final status is named and left out; the rest is\n"
               "merged and the exit status is 1. --status FILE...: the same from saved worker outputs.\n");
}

int kw__bench_merge(kw_cli *cli, int argc, char **argv)
{
    int nfiles = 0;
    for (int i = 1; i < argc; i++) /* --help wins wherever it stands */
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { merge_usage(stdout); return KW_EXIT_OK; }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--trogdor") || !strcmp(argv[i], "--status")) return kw__bench_merge_workers(cli, argc, argv);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { merge_usage(stdout); return KW_EXIT_OK; }
        if (!strcmp(argv[i], "--json")) { cli->json = 1; continue; }
        if (argv[i][0] == '-' && argv[i][1]) {
            kw__cli_err(CMD, "merge: unknown option '%s' (see kwire bench merge --help)", argv[i]);
            return KW_EXIT_USAGE;
        }
        nfiles++;
    }
    if (!nfiles) {
        kw__cli_err(CMD, "merge: name at least one log file (see kwire bench merge --help)");
        return KW_EXIT_USAGE;
    }
    kw_hlog_merged m = {0};
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) continue;
        size_t len;
        char *text = kw__cli_slurp(CMD, argv[i], &len);
        if (!text) { kw_hlog_merged_free(&m); return KW_EXIT_FAIL; }
        char err[256];
        int rc = kw_hlog_merge_text(&m, text, len, err, sizeof err);
        free(text);
        if (rc < 0) {
            kw__cli_err(CMD, "%s: %s", argv[i], err);
            kw_hlog_merged_free(&m);
            return KW_EXIT_FAIL;
        }
    }
    if (!m.n) {
        kw__cli_err(CMD, "merge: no interval in %d file(s)", nfiles);
        return KW_EXIT_FAIL;
    }
    const char **labels = calloc((size_t)m.n, sizeof *labels);
    if (!labels) { kw_hlog_merged_free(&m); return KW_EXIT_FAIL; }
    for (int i = 0; i < m.n; i++) labels[i] = m.tags[i][0] ? m.tags[i] : "(untagged)";
    kw_buf out;
    kw_buf_init(&out);
    double span = m.last_end - m.first_start;
    if (cli->json) {
        printf("{\"files\":%d,\"seconds\":%.3f,\"series\":[", nfiles, span);
        for (int i = 0; i < m.n; i++) {
            out.len = 0;
            kw_lat_json(&out, m.h[i]);
            printf("%s{\"tag\":\"%s\",\"intervals\":%llu,\"latency_ms\":%.*s}", i ? "," : "", m.tags[i],
                   (unsigned long long)m.intervals[i], (int)out.len, (const char *)out.data);
        }
        printf("]}\n");
    } else {
        printf("merged %d file(s): %.3f s of intervals;", nfiles, span);
        for (int i = 0; i < m.n; i++)
            printf("%s %s (%llu)", i ? "," : "", labels[i], (unsigned long long)m.intervals[i]);
        printf(" intervals\n");
        kw_lat_summary(&out, labels, (const kw_hdr *const *)m.h, m.n);
        fwrite(out.data, 1, out.len, stdout);
    }
    kw_buf_free(&out);
    free(labels);
    kw_hlog_merged_free(&m);
    return KW_EXIT_OK;
}

/* ------------------------------------------------------------------ e2e */

typedef struct e2e_out {
    FILE *lines;               /* Kafka's progress lines; NULL with -q */
    kw_lat *lat;
    int64_t window_us;
    FILE *hlog;
    kw_buf hbuf;
    int hlog_err;
} e2e_out;

static void e2e_window_end(e2e_out *o, int64_t now)
{
    int rc = kw_lat_window_end(o->lat, now, o->hlog ? &o->hbuf : NULL);
    if (rc && !o->hlog_err) o->hlog_err = rc;
    if (o->hlog && o->hbuf.len) {
        if (fwrite(o->hbuf.data, 1, o->hbuf.len, o->hlog) != o->hbuf.len && !o->hlog_err) o->hlog_err = errno;
        o->hbuf.len = 0;
    }
}

static void e2e_progress(void *ud, long i, int64_t latency_us, int64_t now_us)
{
    e2e_out *o = ud;
    if (o->lines && i % 1000 == 0) {
        fprintf(o->lines, "%ld\t%.3f\n", i, (double)latency_us / 1000.0);
        fflush(o->lines);
    }
    if (now_us - o->lat->win_start_us >= o->window_us) e2e_window_end(o, now_us);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void e2e_usage(FILE *f)
{
    fprintf(f, "usage: kwire bench e2e [-t TOPIC] [-n RECORDS] [--acks 1|all] [--record-size N]\n"
               "                       [--hlog FILE] [--reporting-interval MS] [-X name=value ...] [--json]\n\n"
               "End-to-end latency as kafka-e2e-latency measures it: RECORDS (default 10000) records, one\n"
               "at a time, to partition 0 of TOPIC (default e2e-latency): each is sent and acknowledged\n"
               "(acks 1 or all), then read back by a consumer that started at the log end; the next goes\n"
               "when it is back. Each record carries its send time (monotonic clock, us) and sequence in\n"
               "its first 16 bytes (--record-size, default 100, at least 16). linger.ms and\n"
               "fetch.max.wait.ms are 0 unless set with -X (the Kafka tool forces both to 0).\n"
               "Prints the Kafka tool's lines (every 1000th latency, average, 50th/99th/99.9th in\n"
               "whole ms), then the latency summary (p50 .. p99.99, max; us resolution). --hlog FILE\n"
               "writes HdrHistogram interval logs (tag e2e) every --reporting-interval MS (5000).\n");
}

int kw__bench_e2e(kw_cli *cli, int argc, char **argv)
{
    const char *topic = "e2e-latency", *hlog_path = NULL, *acks = "1";
    long records = 10000, size = 100, interval_ms = 5000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { e2e_usage(stdout); return KW_EXIT_OK; }
        int takes = !strcmp(a, "-t") || !strcmp(a, "--topic") || !strcmp(a, "-n") || !strcmp(a, "--num-records") ||
                    !strcmp(a, "--acks") || !strcmp(a, "--record-size") || !strcmp(a, "--hlog") ||
                    !strcmp(a, "--reporting-interval");
        if (!takes) {
            kw__cli_err(CMD, "e2e: unknown argument '%s' (see kwire bench e2e --help)", a);
            return KW_EXIT_USAGE;
        }
        if (i + 1 >= argc) { kw__cli_err(CMD, "%s needs a value", a); return KW_EXIT_USAGE; }
        const char *v = argv[++i];
        if (!strcmp(a, "-t") || !strcmp(a, "--topic")) topic = v;
        else if (!strcmp(a, "--hlog")) hlog_path = v;
        else if (!strcmp(a, "--acks")) {
            if (strcmp(v, "1") && strcmp(v, "all") && strcmp(v, "-1")) {
                kw__cli_err(CMD, "--acks takes 1 or all: latency testing needs an acknowledgement");
                return KW_EXIT_USAGE;
            }
            acks = v;
        } else if (!strcmp(a, "--record-size")) {
            if (parse_long(a, v, KW_E2E_HEADER, 100 * 1024 * 1024, &size)) return KW_EXIT_USAGE;
        } else if (!strcmp(a, "--reporting-interval")) {
            if (parse_long(a, v, 1, 86400000, &interval_ms)) return KW_EXIT_USAGE;
        } else if (parse_long(a, v, 1, 100000000, &records)) {
            return KW_EXIT_USAGE;
        }
    }
    kw_config *pc = kw__cli_config(cli, CMD, KW_ROLE_PRODUCER, NULL, NULL);
    kw_config *cc = pc ? kw__cli_config(cli, CMD, KW_ROLE_CONSUMER, NULL, NULL) : NULL;
    if (!cc) { kw_config_free(pc); return KW_EXIT_USAGE; }
    int bad = kw_config_set(pc, "acks", acks);
    if (!bad && !kw_config_is_set(pc, KW_CONF_LINGER_MS)) bad = kw_config_set(pc, "linger.ms", "0");
    if (!bad && !kw_config_is_set(cc, KW_CONF_FETCH_MAX_WAIT_MS)) bad = kw_config_set(cc, "fetch.max.wait.ms", "0");
    kw_config *wrong = bad || kw_config_validate(pc) ? pc : kw_config_validate(cc) ? cc : NULL;
    if (wrong) {
        kw__cli_err(CMD, "%s", kw_config_error(wrong));
        kw_config_free(pc);
        kw_config_free(cc);
        return KW_EXIT_USAGE;
    }
    e2e_out o = {.lines = cli->verbosity < 0 ? NULL : cli->json ? stderr : stdout,
                 .window_us = (int64_t)interval_ms * 1000};
    if (hlog_path && !(o.hlog = fopen(hlog_path, "w"))) {
        kw__cli_err(CMD, "--hlog %s: %s", hlog_path, strerror(errno));
        kw_config_free(pc);
        kw_config_free(cc);
        return KW_EXIT_USAGE;
    }
    static const char *const tags[] = {E2E_TAG};
    kw_lat lat;
    int32_t *whole = malloc((size_t)records * sizeof *whole);
    if (!whole || kw_lat_init(&lat, 1, tags, kw_net_now())) {
        kw__cli_err(CMD, "out of memory");
        free(whole);
        if (o.hlog) fclose(o.hlog);
        kw_config_free(pc);
        kw_config_free(cc);
        return KW_EXIT_FAIL;
    }
    o.lat = &lat;
    if (o.hlog) {
        char note[300];
        snprintf(note, sizeof note, "kwire bench e2e -t %s -n %ld: values in microseconds, Interval_Max in ms", topic,
                 records);
        kw_hlog_header(&o.hbuf, kw__wall_ms(), note);
    }
    kw_e2e e = {.topic = topic, .partition = 0, .records = records, .record_size = (int)size, .timeout_ms = 60000,
                .lat = &lat, .whole_ms = whole, .progress = e2e_progress, .ud = &o};
    int rc = kw_e2e_run(&e, pc, cc);
    kw_config_free(pc);
    kw_config_free(cc);
    e2e_window_end(&o, kw_net_now());
    if (o.hlog && fclose(o.hlog) && !o.hlog_err) o.hlog_err = errno;
    if (rc) kw__cli_err(CMD, "e2e: %s (after %ld of %ld records)", e.err, e.done, records);
    if (e.done > 0) {
        qsort(whole, (size_t)e.done, sizeof *whole, cmp_i32);
        long n = e.done;
        int32_t p50 = whole[(long)((double)n * 0.5)], p99 = whole[(long)((double)n * 0.99)],
                p999 = whole[(long)((double)n * 0.999)];
        const kw_hdr *h = lat.total[0];
        kw_buf b;
        kw_buf_init(&b);
        if (cli->json) {
            kw_lat_json(&b, h);
            printf("{\"topic\":\"%s\",\"records\":%ld,\"record_size\":%ld,\"acks\":\"%s\",\"avg_latency_ms\":%.4f,"
                   "\"p50_ms_whole\":%d,\"p99_ms_whole\":%d,\"p999_ms_whole\":%d,\"latency_ms\":%.*s}\n",
                   topic, n, size, acks, e.total_ms / (double)n, p50, p99, p999, (int)b.len, (const char *)b.data);
        } else {
            printf("Avg latency: %.4f ms\n", e.total_ms / (double)n);
            printf("Percentiles: 50th = %d, 99th = %d, 99.9th = %d\n", p50, p99, p999);
            const char *const labels[] = {E2E_TAG};
            const kw_hdr *const hs[] = {h};
            printf("\nend-to-end latency (send -> read back, one record at a time):\n");
            kw_lat_summary(&b, labels, hs, 1);
            fwrite(b.data, 1, b.len, stdout);
        }
        kw_buf_free(&b);
    }
    if (o.hlog_err)
        kw__cli_err(CMD, "--hlog %s: %s", hlog_path, o.hlog_err > 0 ? strerror(o.hlog_err) : kw_strerror(o.hlog_err));
    kw_buf_free(&o.hbuf);
    kw_lat_free(&lat);
    free(whole);
    return rc || o.hlog_err ? KW_EXIT_FAIL : KW_EXIT_OK;
}
