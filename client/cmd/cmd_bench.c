/*
 * client/cmd/cmd_bench.c — `kwire bench lab NAME`: runs a lab of LABS.md (bench/lab.h)
 * exactly as specified — record count, the labs' 92-byte payload, fixed settings and
 * grid — against the cluster (the embedded broker without -b). Each grid point gets a
 * fresh producer or consumer with the lab's settings on top of -X/-F; the run is timed
 * from the first send to the end of flush() (producer) or to the N-th record received
 * (consumer). Prints one line per run in the lab's form with its batching figures, then
 * a plain-language reading; --csv and --chart (gnuplot) write the files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/lab.h"
#include "client/config.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "bench_perf.h"
#include "bench_compare.h"
#include "commands.h"

#define CMD "bench"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The command's settings plus the lab's fixed settings and this point's values. */
static kw_config *point_config(kw_cli *cli, int role, const kw_lab_point *pt)
{
    kw_config *cfg = kw__cli_config(cli, CMD, role, NULL, NULL);
    if (!cfg) return NULL;
    const char *names[16], *values[16];
    int n = kw_lab_point_settings(pt, names, values, 16);
    for (int i = 0; i < n; i++) {
        /* a consumer lab's producer-side settings (and the reverse) do not apply */
        int id = kw_config_lookup(names[i]);
        if (id >= 0 && !(kw_config_desc((kw_conf_id)id)->roles & role)) continue;
        if (kw_config_set(cfg, names[i], values[i])) {
            kw__cli_err(CMD, "%s", kw_config_error(cfg));
            kw_config_free(cfg);
            return NULL;
        }
    }
    if (kw_config_validate(cfg)) {
        kw__cli_err(CMD, "%s", kw_config_error(cfg));
        kw_config_free(cfg);
        return NULL;
    }
    return cfg;
}

typedef struct pctx { long failed; int first_err; } pctx;

static void on_delivery(void *ud, const kw_delivery *d)
{
    pctx *c = ud;
    if (d->err) {
        if (!c->failed) c->first_err = d->err;
        c->failed++;
    }
}

/* Produce `records` records of the payload; fills the producer figures of r. 0 or -1. */
static int run_produce(kw_cli *cli, const kw_lab_point *pt, const char *topic, long records, kw_lab_result *r)
{
    kw_config *cfg = point_config(cli, KW_ROLE_PRODUCER, pt);
    if (!cfg) return -1;
    char err[256] = "";
    pctx ctx = {0, 0};
    kw_producer *p = kw_producer_new(cfg, on_delivery, &ctx, err, sizeof err);
    kw_config_free(cfg);
    if (!p) { kw__cli_err(CMD, "%s", err); return -1; }
    kw_producer_record rec = {.topic = topic, .partition = -1, .key_len = -1,
                              .value = KW_LAB_PAYLOAD, .value_len = KW_LAB_PAYLOAD_LEN};
    double t0 = now_s();
    long refused = 0;
    for (long i = 0; i < records; i++) {
        int rc = kw_producer_send(p, &rec);
        if (rc == KW_ERR_TIMEOUT) { /* no metadata within max.block.ms: the rest would wait too */
            kw__cli_err(CMD, "%s: no metadata within max.block.ms (is the broker reachable?)", topic);
            refused += records - i;
            break;
        }
        if (rc) {
            if (!refused) kw__cli_err(CMD, "send: %s", kw_strerror(rc));
            refused++;
        }
    }
    int frc = kw_producer_flush(p, -1);
    double secs = now_s() - t0;
    const kw_producer_stats *s = kw_producer_stats_get(p);
    r->seconds += secs;
    r->records = records;
    r->failed = ctx.failed + refused + (frc ? (long)kw_producer_outstanding(p) : 0);
    r->records_per_batch = s->batches ? (double)s->batch_records / (double)s->batches : 0;
    r->batch_fill_pct = s->batches ? 100.0 * s->batch_fill_sum / (double)s->batches : 0;
    r->compression_ratio = s->batch_wire_bytes ? (double)s->batch_raw_bytes / (double)s->batch_wire_bytes : 1;
    r->wire_bytes_per_record = records ? (double)s->request_bytes / (double)records : 0;
    r->requests += (long)s->requests;
    kw_lab_latency(r, s->latency_us);
    if (ctx.failed) kw__cli_err(CMD, "%ld records failed: %s", ctx.failed, kw_strerror(ctx.first_err));
    kw_producer_close(p);
    return 0;
}

/* Consume `records` records from the beginning of topic; fills the consumer figures. */
static int run_consume(kw_cli *cli, const kw_lab_point *pt, const char *topic, long records, kw_lab_result *r)
{
    kw_config *cfg = point_config(cli, KW_ROLE_CONSUMER, pt);
    if (!cfg) return -1;
    char err[256] = "";
    kw_consumer *c = kw_consumer_new(cfg, NULL, err, sizeof err);
    kw_config_free(cfg);
    if (!c) { kw__cli_err(CMD, "%s", err); return -1; }
    kw_start start = {KW_START_BEGINNING, 0};
    double t0 = now_s();
    if (kw_consumer_assign(c, topic, -1, &start)) {
        kw__cli_err(CMD, "%s: %s", topic, kw_consumer_error(c));
        kw_consumer_free(c);
        return -1;
    }
    long got = 0;
    int stalls = 0;
    while (got < records) {
        const kw_msg *m;
        int n = 0;
        int rc = kw_consumer_poll(c, 1000, &m, &n);
        if (rc) {
            kw__cli_err(CMD, "%s", kw_consumer_error(c));
            break;
        }
        got += n;
        if (n == 0 && kw_consumer_at_end(c) && ++stalls > 5) break; /* the topic holds fewer */
    }
    double secs = now_s() - t0;
    const kw_consumer_stats *s = kw_consumer_stats_get(c);
    r->seconds += secs;
    r->records = records;
    if (got < records) r->failed = records - got; /* the topic held fewer, or a partition stopped */
    uint64_t full = s->fetches - s->empty_fetches;
    r->records_per_batch = full ? (double)s->records / (double)full : 0;
    r->wire_bytes_per_record = s->records ? (double)s->bytes / (double)s->records : 0;
    r->requests += (long)s->fetches;
    r->empty_fetches += (long)s->empty_fetches;
    kw_lab_latency(r, s->fetch_hold_us);
    r->compression_ratio = 1;
    kw_consumer_free(c);
    return 0;
}

static void progress(int done, int total, const kw_lab *lab)
{
    if (!isatty(STDERR_FILENO)) return;
    int w = 30, fill = total ? done * w / total : w;
    fprintf(stderr, "\r%s [", lab->name);
    for (int i = 0; i < w; i++) fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %d/%d runs%s", done, total, done == total ? "\n" : "");
    fflush(stderr);
}

static int write_chart(const kw_lab *lab, const kw_lab_result *res, int n, const char *out)
{
    char script[] = "/tmp/kwire-chart-XXXXXX";
    int fd = mkstemp(script);
    if (fd < 0) { kw__cli_err(CMD, "temporary file: %s", strerror(errno)); return -1; }
    FILE *f = fdopen(fd, "w");
    int rc = kw_lab_chart_script(f, lab, res, n, out);
    fclose(f);
    if (rc) {
        kw__cli_err(CMD, "--chart %s: the name must end in .svg or .png", out);
        unlink(script);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    unlink(script);
    if (!WIFEXITED(st) || WEXITSTATUS(st)) {
        kw__cli_err(CMD, "gnuplot failed to draw %s%s", out,
                    WIFEXITED(st) && WEXITSTATUS(st) == 127 ? " (gnuplot is not installed: apt-get install gnuplot-nox)" : "");
        return -1;
    }
    return 0;
}

static void usage(FILE *f)
{
    size_t n;
    const kw_lab *labs = kw_lab_all(&n);
    fprintf(f, "usage: kwire bench lab NAME [-t TOPIC] [--records N] [--csv FILE] [--chart FILE.svg|.png]\n\n"
               "Runs a lab of docs/LABS.md against the cluster (the embedded broker without -b), one\n"
               "fresh client per grid point, payload the labs' 92-byte JSON. Labs:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-3s %-52s %d runs of %ld records\n", labs[i].name, labs[i].title, kw_lab_points(&labs[i]),
                labs[i].records);
    fprintf(f, "\n--records overrides the lab's count (for a quick look; the lab's own is the default).\n"
               "--json prints every run's settings and figures as JSON instead of lines.\n");
}

static void print_json(const kw_lab *lab, const kw_lab_result *res, int n)
{
    printf("{\"lab\":\"%s\",\"title\":\"%s\",\"records\":%ld,\"fixed\":{", lab->name, lab->title, lab->records);
    for (int i = 0; i < lab->nfixed; i++) printf("%s\"%s\":\"%s\"", i ? "," : "", lab->fixed[i][0], lab->fixed[i][1]);
    printf("},\"runs\":[");
    for (int i = 0; i < n; i++) {
        kw_lab_point pt;
        kw_lab_point_at(lab, i, &pt);
        const kw_lab_result *r = &res[i];
        printf("%s{\"run\":%d,\"settings\":{", i ? "," : "", i + 1);
        for (int a = 0; a < lab->naxes; a++) printf("%s\"%s\":\"%s\"", a ? "," : "", lab->axes[a].setting, pt.values[a]);
        printf("},\"records\":%ld,\"seconds\":%.6f,\"records_per_sec\":%.1f,\"mb_per_sec\":%.3f,"
               "\"records_per_batch\":%.2f,\"batch_fill_pct\":%.1f,\"wire_bytes_per_record\":%.2f,"
               "\"compression_ratio\":%.3f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,"
               "\"p9999_ms\":%.3f,\"max_ms\":%.3f,\"requests\":%ld,\"empty_fetches\":%ld,\"failed\":%ld}",
               r->records, r->seconds, r->records_per_sec, r->mb_per_sec, r->records_per_batch, r->batch_fill_pct,
               r->wire_bytes_per_record, r->compression_ratio, r->p50_ms, r->p95_ms, r->p99_ms, r->p999_ms,
               r->p9999_ms, r->max_ms, r->requests, r->empty_fetches, r->failed);
    }
    printf("]}\n");
}

static int bench_lab(kw_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *topic = KW_LAB_TOPIC, *csv = NULL, *chart = NULL;
    long records = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return KW_EXIT_OK; }
        if ((!strcmp(a, "-t") || !strcmp(a, "--records") || !strcmp(a, "--csv") || !strcmp(a, "--chart")) &&
            i + 1 >= argc) {
            kw__cli_err(CMD, "%s needs a value", a);
            return KW_EXIT_USAGE;
        }
        if (!strcmp(a, "-t")) topic = argv[++i];
        else if (!strcmp(a, "--csv")) csv = argv[++i];
        else if (!strcmp(a, "--chart")) chart = argv[++i];
        else if (!strcmp(a, "--records")) {
            char *end;
            records = strtol(argv[++i], &end, 10);
            if (*end || records <= 0) { kw__cli_err(CMD, "--records takes a positive count"); return KW_EXIT_USAGE; }
        } else if (a[0] == '-') {
            kw__cli_err(CMD, "unknown option '%s'", a);
            return KW_EXIT_USAGE;
        } else if (!name) {
            name = a;
        } else {
            kw__cli_err(CMD, "one lab at a time ('%s' and '%s')", name, a);
            return KW_EXIT_USAGE;
        }
    }
    if (!name) { usage(stderr); return KW_EXIT_USAGE; }
    const kw_lab *lab = kw_lab_find(name);
    if (!lab) { kw__cli_err(CMD, "unknown lab '%s' (see kwire bench lab --help)", name); return KW_EXIT_USAGE; }
    if (!records) records = lab->records;
    if (!kw__cli_bootstrap(cli)) return KW_EXIT_FAIL;
    FILE *csvf = NULL;
    if (csv && !(csvf = fopen(csv, "w"))) {
        kw__cli_err(CMD, "--csv %s: %s", csv, strerror(errno));
        return KW_EXIT_USAGE;
    }
    int npts = kw_lab_points(lab);
    kw_lab_result *res = calloc((size_t)npts, sizeof *res);
    if (!res) return KW_EXIT_FAIL;
    if (!cli->json && cli->verbosity >= 0)
        printf("kwire lab %s: %s — %d runs of %ld records of the labs' %d-byte payload to %s\n", lab->name, lab->title,
               npts, records, KW_LAB_PAYLOAD_LEN, topic);
    int rc = KW_EXIT_OK;
    if (lab->kind == KW_LAB_CONSUME) {
        /* the records every run reads from the beginning */
        kw_lab_point first;
        kw_lab_point_at(lab, 0, &first);
        kw_lab_result prep = {0};
        if (run_produce(cli, &first, topic, records, &prep) || prep.failed) {
            kw__cli_err(CMD, "could not write the %ld records the consumer runs read", records);
            free(res);
            if (csvf) fclose(csvf);
            return KW_EXIT_FAIL;
        }
        if (!cli->json && cli->verbosity >= 0)
            printf("wrote %ld records in %.3f s for the consumer runs\n", records, prep.seconds);
    }
    if (csvf) kw_lab_csv_header(csvf, lab);
    progress(0, npts, lab);
    for (int i = 0; i < npts; i++) {
        kw_lab_point pt;
        kw_lab_point_at(lab, i, &pt);
        kw_lab_result *r = &res[i];
        int e = 0;
        if (lab->kind != KW_LAB_CONSUME) e = run_produce(cli, &pt, topic, records, r);
        if (!e && lab->kind != KW_LAB_PRODUCE) {
            double prod_s = r->seconds;
            kw_lab_result c = {0};
            e = run_consume(cli, &pt, topic, records, &c);
            if (lab->kind == KW_LAB_CONSUME) *r = c;
            else { r->seconds = prod_s + c.seconds; r->failed += c.failed; r->requests += c.requests; }
        }
        if (e) { rc = KW_EXIT_FAIL; break; }
        long delivered = r->records - r->failed;
        r->records_per_sec = r->seconds > 0 && delivered > 0 ? (double)delivered / r->seconds : 0;
        r->mb_per_sec = r->records_per_sec * KW_LAB_PAYLOAD_LEN / (1024.0 * 1024.0);
        if (r->failed) rc = KW_EXIT_FAIL;
        progress(i + 1, npts, lab);
        if (!cli->json) kw_lab_print_line(stdout, &pt, r);
        fflush(stdout);
        if (csvf) kw_lab_csv_row(csvf, &pt, r);
        if (delivered <= 0) {
            kw__cli_err(CMD, "run %d delivered no record: stopping the lab", i + 1);
            npts = i + 1;
            break;
        }
    }
    if (csvf) fclose(csvf);
    if (rc == KW_EXIT_OK || res[npts - 1].seconds > 0) {
        if (cli->json) print_json(lab, res, npts);
        else kw_lab_reading(stdout, lab, res, npts);
        if (chart && write_chart(lab, res, npts, chart)) rc = KW_EXIT_FAIL;
        else if (chart && !cli->json && cli->verbosity >= 0) printf("chart: %s\n", chart);
        if (csv && !cli->json && cli->verbosity >= 0) printf("csv: %s\n", csv);
    }
    free(res);
    return rc;
}

int kw__cmd_bench(kw_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "lab")) return bench_lab(cli, argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "produce")) return kw__bench_produce(cli, argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "consume")) return kw__bench_consume(cli, argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "compare")) return kw__cmd_bench_compare(cli, argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "e2e")) return kw__bench_e2e(cli, argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "merge")) return kw__bench_merge(cli, argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: kwire bench lab NAME ...    a lab of docs/LABS.md: grid, lines, CSV, chart, reading\n"
               "       kwire bench produce ...     kafka-producer-perf-test's figures + the byte-level view\n"
               "       kwire bench consume ...     kafka-consumer-perf-test's figures + the per-fetch view\n"
               "       kwire bench compare ...     kwire vs librdkafka (kcat) vs kafka-python, same broker\n"
               "       kwire bench e2e ...         kafka-e2e-latency's figures + latency percentiles\n"
               "       kwire bench merge FILE...   HdrHistogram interval logs added up, the latency summary\n"
               "'kwire bench SUB --help' describes each.\n");
        return KW_EXIT_OK;
    }
    kw__cli_err(CMD, "expected lab, produce, consume, compare, e2e or merge (see kwire bench --help)");
    return KW_EXIT_USAGE;
}
