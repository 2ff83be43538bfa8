/*
 * client/cmd/cmd_bench.c — `kwire bench lab NAME`: runs a lab of LABS.md (bench/lab.h)
 * exactly as specified — record count, the labs' 92-byte payload, fixed settings and
 * grid — against the cluster (the embedded broker without -b). Each run gets a fresh
 * producer or consumer with the lab's settings on top of -X/-F; the run is timed from the
 * first send to the end of flush() (producer) or to the N-th record received (consumer).
 * One unrecorded warm-up run comes first, then the grid --repeat times over; each point's
 * figure is its median run (kw_lab_median). A lab that sweeps broker settings (B1) starts
 * a real Apache Kafka for each point (bench/kafka.h) with a warm-up run of its own, and
 * stops it by PID. Prints one line per point in the lab's form with its batching or
 * fetching figures, then a plain-language reading; --csv and --chart (gnuplot) write
 * the files. The grid's order of runs, medians and JSON are bench/lab_grid.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/kafka.h"
#include "bench/lab.h"
#include "bench/lab_grid.h"
#include "bench/lab_run.h"
#include "client/core/config.h"
#include "bench_perf.h"
#include "bench_compare.h"
#include "commands.h"

#define CMD "bench"

/* The command's settings plus the lab's fixed settings and this point's values. */
static kw_config *point_config(kw_cli *cli, int role, const kw_lab_point *pt)
{
    kw_config *cfg = kw__cli_config(cli, CMD, role, NULL, NULL);
    if (!cfg) return NULL;
    if (kw__lab_apply_point(cfg, role, pt)) {
        kw__cli_err(CMD, "%s", kw_config_error(cfg));
        kw_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static void warn_cli(void *ud, const char *text)
{
    (void)ud;
    kw__cli_err(CMD, "%s", text);
}

/* One producer run of the point (bench/lab_run.h; live: the rate, 0 as fast as it goes) or
 * one consumer run (live > 0: with a producer writing meanwhile). 0 or -1 (said). */
static int run_part(kw_cli *cli, int role, const kw_lab_point *pt, const char *topic, long records, long live,
                    kw_lab_result *r)
{
    kw_config *cfg = point_config(cli, role, pt), *pcfg = NULL;
    if (!cfg) return -1;
    int e = -1;
    if (role == KW_ROLE_PRODUCER) e = kw_lab_run_produce(cfg, topic, records, live, r, warn_cli, NULL);
    else if (!live || (pcfg = point_config(cli, KW_ROLE_PRODUCER, pt)))
        e = kw_lab_run_consume(cfg, pcfg, topic, records, live, r, warn_cli, NULL);
    if (pcfg) kw_config_free(pcfg);
    kw_config_free(cfg);
    return e;
}

/* What the grid's callbacks (bench/lab_grid.h) work with. */
typedef struct lab_ctx {
    kw_cli *cli;
    const kw_lab *lab;
    const char *topic, *kversion;
    long records;
    FILE *csvf;
    kw_kafka k; /* restarts: the point's broker */
} lab_ctx;

static int grid_run(void *ud, int role, const kw_lab_point *pt, long live, kw_lab_result *r)
{
    lab_ctx *x = ud;
    return run_part(x->cli, role, pt, x->topic, x->records, live, r);
}

static void point_done(void *ud, const kw_lab_point *pt, const kw_lab_result *r)
{
    lab_ctx *x = ud;
    if (!x->cli->json) kw_lab_print_line(stdout, pt, r);
    fflush(stdout);
    if (x->csvf) kw_lab_csv_row(x->csvf, pt, r);
}

static void progress(void *ud, int done, int total)
{
    if (!isatty(STDERR_FILENO)) return;
    kw__lab_progress(stderr, ((lab_ctx *)ud)->lab, done, total);
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
    fprintf(f, "usage: kwire bench lab NAME [-t TOPIC] [--records N] [--repeat N] [--quick] [--live RATE]\n"
               "                      [--csv FILE] [--chart FILE.svg|.png] [--kafka-version V]\n\n"
               "Runs a lab of docs/LABS.md against the cluster (the embedded broker without -b), one\n"
               "fresh client per run, payload the labs' 92-byte JSON. Labs:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-3s %-56s %2d settings, %ld records\n", labs[i].name, labs[i].title, kw_lab_points(&labs[i]),
                labs[i].records);
    fprintf(f, "\nEach setting runs --repeat times (default 3) after one unrecorded warm-up run; its figure is\n"
               "the median run, with the range beside it, and the reading names a winner only when it wins\n"
               "by more than twice the noise those ranges show. The runs go round the grid, --repeat times\n"
               "over.\n"
               "B1 sweeps broker settings: it starts a real Apache Kafka (one node, scripts/kafka.sh,\n"
               "--kafka-version, default 4.4.0) for each combination, with a warm-up run on each, and\n"
               "stops it by PID; -b is not used. --quick runs a lab's quick subset (B1: all-lowest and\n"
               "all-highest settings).\n"
               "Consumer labs read records written before the runs (as LABS.md says); with --live RATE each\n"
               "run's records are written at RATE records/s while the consumer reads them, so that\n"
               "fetch.min.bytes and fetch.max.wait.ms decide how long the broker holds each fetch, and\n"
               "each record's latency (arrival - CreateTime) is measured.\n"
               "--records overrides the lab's count (for a quick look; the lab's own is the default).\n"
               "--json prints every run's settings and figures as JSON instead of lines.\n");
}

/* Write the records a consumer lab reads (once per broker). 0 or -1 (said). */
static int prepare_consumer_lab(kw_cli *cli, const kw_lab *lab, const char *topic, long records)
{
    kw_lab_point first;
    kw_lab_point_at(lab, 0, &first);
    kw_lab_result prep = {0};
    if (run_part(cli, KW_ROLE_PRODUCER, &first, topic, records, 0, &prep) || prep.failed) {
        kw__cli_err(CMD, "could not write the %ld records the consumer runs read", records);
        return -1;
    }
    if (!cli->json && cli->verbosity >= 0)
        printf("wrote %ld records in %.3f s for the consumer runs (batch.size and linger.ms as set; defaults 16384, 5)\n",
               records, prep.seconds);
    return 0;
}

/* B1's broker for one grid point: a fresh single node with the point's broker settings. */
static int start_point_broker(void *ud, const kw_lab_point *pt)
{
    lab_ctx *x = ud;
    kw_cli *cli = x->cli;
    const char *version = x->kversion;
    kw_kafka *k = &x->k;
    const char *names[KW_LAB_MAX_AXES], *values[KW_LAB_MAX_AXES];
    int n = kw_lab_point_broker_settings(pt, names, values, KW_LAB_MAX_AXES);
    char buf[KW_LAB_MAX_AXES][128];
    const char *sets[KW_LAB_MAX_AXES];
    for (int i = 0; i < n; i++) {
        snprintf(buf[i], sizeof buf[i], "%s=%s", names[i], values[i]);
        sets[i] = buf[i];
    }
    kw_kafka_opts o = {.brokers = 1, .version = version, .sets = sets, .nsets = n};
    char err[512];
    if (kw_kafka_start(&o, k, err, sizeof err)) {
        kw__cli_err(CMD, "Apache Kafka did not start: %s", err);
        return -1;
    }
    if (!cli->json && cli->verbosity >= 0) {
        printf("broker: Apache Kafka %s, 1 node at %s, started in %.1f s with", version, k->bootstrap,
               k->start_seconds);
        for (int i = 0; i < n; i++) printf("%s %s", i ? "," : "", sets[i]);
        printf("\n");
        fflush(stdout);
    }
    cli->bootstrap = k->bootstrap;
    return 0;
}

static void stop_point_broker(void *ud)
{
    lab_ctx *x = ud;
    kw_kafka_stop(&x->k);
    x->cli->bootstrap = NULL; /* it pointed into k */
}

static int bench_lab(kw_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *topic = KW_LAB_TOPIC, *csv = NULL, *chart = NULL, *kversion = "4.4.0";
    long records = 0, repeat = 3, live = 0;
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return KW_EXIT_OK; }
        if ((!strcmp(a, "-t") || !strcmp(a, "--records") || !strcmp(a, "--csv") || !strcmp(a, "--chart") ||
             !strcmp(a, "--repeat") || !strcmp(a, "--kafka-version") || !strcmp(a, "--live")) &&
            i + 1 >= argc) {
            kw__cli_err(CMD, "%s needs a value", a);
            return KW_EXIT_USAGE;
        }
        if (!strcmp(a, "-t")) topic = argv[++i];
        else if (!strcmp(a, "--csv")) csv = argv[++i];
        else if (!strcmp(a, "--chart")) chart = argv[++i];
        else if (!strcmp(a, "--kafka-version")) kversion = argv[++i];
        else if (!strcmp(a, "--quick")) quick = 1;
        else if (!strcmp(a, "--records") || !strcmp(a, "--repeat") || !strcmp(a, "--live")) {
            char *end;
            int rec = !strcmp(a, "--records"), rep = !strcmp(a, "--repeat");
            long v = strtol(argv[++i], &end, 10);
            if (*end || v <= 0 || (rep && v > 20)) {
                kw__cli_err(CMD, rec ? "--records takes a positive count"
                                 : rep ? "--repeat takes 1 to 20 runs" : "--live takes records per second > 0");
                return KW_EXIT_USAGE;
            }
            if (rec) records = v; else if (rep) repeat = v; else live = v;
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
    int restarts = kw_lab_has_broker_axes(lab);
    if (live && lab->kind != KW_LAB_CONSUME) {
        kw__cli_err(CMD, "--live is for the consumer labs (C1, C2, C3)");
        return KW_EXIT_USAGE;
    }
    if (quick && !lab->quick[0]) {
        kw__cli_err(CMD, "lab %s has no --quick subset", lab->name);
        return KW_EXIT_USAGE;
    }
    /* the grid points to run, in grid order */
    int total = kw_lab_points(lab);
    int *pts = calloc((size_t)total, sizeof *pts);
    kw_lab_result *res = calloc((size_t)total, sizeof *res);
    kw_lab_result *runs = calloc((size_t)total * (size_t)repeat, sizeof *runs);
    if (!pts || !res || !runs) { free(pts); free(res); free(runs); return KW_EXIT_FAIL; }
    int npts = kw__lab_select(lab, quick, pts);
    char broker[256];
    if (restarts) {
        if (cli->bootstrap && cli->verbosity >= 0)
            fprintf(stderr, "kwire: lab %s starts its own Apache Kafka for each combination; %s is not used\n",
                    lab->name, cli->bootstrap);
        snprintf(broker, sizeof broker, "Apache Kafka %s, 1 node, started afresh for each combination", kversion);
    } else {
        int embedded = !cli->bootstrap;
        if (!kw__cli_bootstrap(cli)) { free(pts); free(res); free(runs); return KW_EXIT_FAIL; }
        snprintf(broker, sizeof broker, "%s%s", embedded ? "the embedded broker (librdkafka's mock) at " : "",
                 cli->bootstrap);
    }
    FILE *csvf = NULL;
    if (csv && !(csvf = fopen(csv, "w"))) {
        kw__cli_err(CMD, "--csv %s: %s", csv, strerror(errno));
        free(pts); free(res); free(runs);
        return KW_EXIT_USAGE;
    }
    if (csvf) kw_lab_csv_header(csvf, lab);
    if (!cli->json && cli->verbosity >= 0) {
        printf("kwire lab %s: %s — %d settings x %ld runs (after a warm-up run) of %ld records of the labs' %d-byte "
               "payload to %s\nbroker: %s\n",
               lab->name, lab->title, npts, repeat, records, KW_LAB_PAYLOAD_LEN, topic, broker);
        if (live)
            printf("live: each run's records are written at %ld records/s while the consumer reads them from the end "
                   "of the topic (a producer thread; default batching)\n", live);
    }
    lab_ctx x = {.cli = cli, .lab = lab, .topic = topic, .kversion = kversion, .records = records, .csvf = csvf};
    kw__lab_grid g = {.lab = lab, .pts = pts, .npts = npts, .repeat = (int)repeat, .restarts = restarts, .live = live,
                      .ud = &x, .run = grid_run, .start_broker = start_point_broker, .stop_broker = stop_point_broker,
                      .progress = progress, .point_done = point_done, .warn = warn_cli, .res = res, .runs = runs};
    int rc = KW_EXIT_OK;
    /* the records the runs read (live: a few, so that the topic exists) */
    if (!restarts && lab->kind == KW_LAB_CONSUME && prepare_consumer_lab(cli, lab, topic, live ? 10 : records)) {
        rc = KW_EXIT_FAIL;
        progress(&x, 0, kw__lab_grid_runs(&g));
    } else if (kw__lab_grid_run(&g)) {
        rc = KW_EXIT_FAIL;
    }
    if (csvf) fclose(csvf);
    if (g.ran > 0) {
        /* the reading and the chart take the whole grid: points not run stay empty */
        kw_lab_result *grid = calloc((size_t)total, sizeof *grid);
        if (grid) kw__lab_grid_fill(lab, res, pts, g.ran, grid);
        if (cli->json) kw__lab_json(stdout, lab, res, pts, g.ran, records, live, broker);
        else if (grid) kw_lab_reading(stdout, lab, grid, total);
        if (chart && grid && write_chart(lab, grid, total, chart)) rc = KW_EXIT_FAIL;
        else if (chart && !cli->json && cli->verbosity >= 0) printf("chart: %s\n", chart);
        if (csv && !cli->json && cli->verbosity >= 0) printf("csv: %s\n", csv);
        free(grid);
    }
    free(pts);
    free(res);
    free(runs);
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
    if (argc >= 2 && !strcmp(argv[1], "worker")) return kw__bench_worker(cli, argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: kwire bench lab NAME ...    a lab of docs/LABS.md: grid, lines, CSV, chart, reading\n"
               "       kwire bench produce ...     kafka-producer-perf-test's figures + the byte-level view\n"
               "       kwire bench consume ...     kafka-consumer-perf-test's figures + the per-fetch view\n"
               "       kwire bench compare ...     kwire vs Java, franz-go, librdkafka, kafka-python on Apache Kafka\n"
               "       kwire bench e2e ...         kafka-e2e-latency's figures + latency percentiles\n"
               "       kwire bench merge FILE...   HdrHistogram interval logs added up, the latency summary\n"
               "       kwire bench merge --trogdor URL PREFIX   Trogdor workers' statuses merged exactly\n"
               "       kwire bench worker          a Trogdor ExternalCommandWorker (workload on stdin)\n"
               "'kwire bench SUB --help' describes each.\n");
        return KW_EXIT_OK;
    }
    kw__cli_err(CMD, "expected lab, produce, consume, compare, e2e, merge or worker (see kwire bench --help)");
    return KW_EXIT_USAGE;
}
