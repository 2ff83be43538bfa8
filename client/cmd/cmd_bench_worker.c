/*
 * client/cmd/cmd_bench_worker.c — `kwire bench worker` (a Trogdor ExternalCommandWorker)
 * and `kwire bench merge --trogdor` / `--status` (the workers' statuses merged): options,
 * stdin and stdout; the work is in bench/worker.c, bench/worker_run.c, bench/trogdor.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/latency.h"
#include "bench/trogdor.h"
#include "bench/worker.h"
#include "bench_perf.h"
#include "codec/text.h"

#define CMD "bench"
#define MAX_START_LINE (16u << 20)

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void emit(void *ud, const char *line, size_t len)
{
    (void)ud;
    /* Trogdor closes our stdout before SIGTERM: a failed write is not an error here */
    if (fwrite(line, 1, len, stdout) == len) fflush(stdout);
}

static void emit_error(const char *msg)
{
    kw_buf b;
    kw_buf_init(&b);
    kw_wk_error_line(&b, msg);
    emit(NULL, (const char *)b.data, b.len);
    kw_buf_free(&b);
    kw__cli_err(CMD, "worker: %s", msg);
}

static void worker_usage(FILE *f)
{
    fprintf(f, "usage: kwire bench worker\n\n"
               "A worker of Kafka's distributed test framework, Trogdor: put it in an ExternalCommandSpec,\n"
               "\"command\": [\"kwire\", \"bench\", \"worker\"]. Reads one line on stdin, {\"id\": TASK,\n"
               "\"workload\": {...}} (ProduceBench/ConsumeBench fields plus kwire's: docs/TROGDOR.md),\n"
               "produces or consumes, and writes {\"status\": ...} lines on stdout every statusIntervalMs\n"
               "and at the end: counts, bytes, errors, elapsed, and the latency histogram (HdrHistogram\n"
               "compressed, base64) per interval and in total. A failure writes {\"error\": ...} and exits\n"
               "1; SIGTERM ends the run (a final status) and exits 0. Merge with kwire bench merge --trogdor.\n");
}

int kw__bench_worker(kw_cli *cli, int argc, char **argv)
{
    (void)cli;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { worker_usage(stdout); return KW_EXIT_OK; }
        kw__cli_err(CMD, "worker: unknown argument '%s' (the workload comes on stdin; see --help)", argv[i]);
        return KW_EXIT_USAGE;
    }
    struct sigaction sa = {.sa_handler = on_stop};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    char *line = NULL;
    size_t cap = 0;
    errno = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n <= 0) {
        emit_error(errno ? strerror(errno) : "no start line on stdin (Trogdor sends {\"id\":..., \"workload\":...})");
        free(line);
        return KW_EXIT_FAIL;
    }
    if ((size_t)n > MAX_START_LINE) {
        emit_error("the start line is longer than 16 MB");
        free(line);
        return KW_EXIT_FAIL;
    }
    kw_workload w;
    char err[512];
    int rc = kw_workload_parse(line, (size_t)n, &w, err, sizeof err);
    free(line);
    if (rc) {
        emit_error(err);
        kw_workload_free(&w);
        return KW_EXIT_FAIL;
    }
    kw_wk_run r = {.w = &w, .stop = &stop_flag, .emit = emit};
    rc = kw_worker_run(&r);
    if (rc) emit_error(r.err);
    kw_workload_free(&w);
    return rc ? KW_EXIT_FAIL : KW_EXIT_OK;
}

/* ------------------------------------------------------------------ merge */

typedef struct wk_row {
    char name[300];            /* task id (and node), or the file */
    char why[400];             /* missing: why; "" when merged */
    kw_wk_status st;
    int have;                  /* st read */
} wk_row;

static void json_str(const char *s)
{
    kw_buf b;
    kw_buf_init(&b);
    kw_json_put_cstr(&b, s);
    fwrite(b.data, 1, b.len, stdout);
    kw_buf_free(&b);
}

static int print_merge(kw_cli *cli, const char *what, wk_row *rows, int n)
{
    kw_wk_merged m = {0};
    int missing = 0, kinds = 0;
    for (int i = 0; i < n; i++) {
        if (rows[i].why[0]) { missing++; continue; }
        kinds |= 1 << rows[i].st.kind;
        if (kw_wk_merge_add(&m, &rows[i].st)) { kw__cli_err(CMD, "out of memory"); kw_wk_merged_free(&m); return KW_EXIT_FAIL; }
    }
    if (kinds == 3) {
        kw__cli_err(CMD, "merge: %s holds producers and consumers; merge each kind on its own (a narrower prefix)", what);
        kw_wk_merged_free(&m);
        return KW_EXIT_FAIL;
    }
    double mb, rate = kw_wk_merged_rate(&m, &mb);
    double secs = (double)(m.last_end_ms - m.first_start_ms) / 1000.0;
    kw_buf b;
    kw_buf_init(&b);
    if (cli->json) {
        printf("{\"source\":");
        json_str(what);
        printf(",\"merged\":%d,\"missing\":%d,\"workers\":[", m.workers, missing);
        for (int i = 0; i < n; i++) {
            printf("%s{\"name\":", i ? "," : "");
            json_str(rows[i].name);
            if (rows[i].have)
                printf(",\"kind\":\"%s\",\"state\":\"%s\",\"records\":%llu,\"bytes\":%llu,\"errors\":%llu,"
                       "\"elapsedMs\":%lld,\"histogramCount\":%llu",
                       rows[i].st.kind == KW_WK_CONSUME ? "consume" : "produce", rows[i].st.state,
                       (unsigned long long)rows[i].st.records, (unsigned long long)rows[i].st.bytes,
                       (unsigned long long)rows[i].st.errors, (long long)rows[i].st.elapsed_ms,
                       (unsigned long long)rows[i].st.h->total);
            printf(",\"merged\":%s", rows[i].why[0] ? "false" : "true");
            if (rows[i].why[0]) {
                printf(",\"why\":");
                json_str(rows[i].why);
            }
            printf("}");
        }
        printf("],\"records\":%llu,\"bytes\":%llu,\"errors\":%llu,\"seconds\":%.3f,\"recordsPerSec\":%.1f,"
               "\"mbPerSec\":%.3f",
               (unsigned long long)m.records, (unsigned long long)m.bytes, (unsigned long long)m.errors, secs, rate, mb);
        if (m.h) {
            kw_lat_json(&b, m.h);
            printf(",\"latency_ms\":%.*s", (int)b.len, (const char *)b.data);
        }
        printf("}\n");
    } else {
        printf("%s: %d worker%s merged, %d missing\n", what, m.workers, m.workers == 1 ? "" : "s", missing);
        for (int i = 0; i < n; i++) {
            if (rows[i].why[0]) {
                printf("  missing %s: %s\n", rows[i].name, rows[i].why);
                continue;
            }
            const kw_wk_status *s = &rows[i].st;
            printf("  %-7s %s: %llu records, %llu bytes, %llu errors in %.3f s (%s)\n",
                   s->kind == KW_WK_CONSUME ? "consume" : "produce", rows[i].name, (unsigned long long)s->records,
                   (unsigned long long)s->bytes, (unsigned long long)s->errors, (double)s->elapsed_ms / 1000.0, s->state);
        }
        printf("merged: %llu records, %llu bytes, %llu errors in %.3f s (first start to last end): %.1f records/s, "
               "%.3f MB/s\n",
               (unsigned long long)m.records, (unsigned long long)m.bytes, (unsigned long long)m.errors, secs, rate, mb);
        if (m.h) {
            const char *const labels[] = {"merged"};
            const kw_hdr *const hs[] = {m.h};
            kw_lat_summary(&b, labels, hs, 1);
            fwrite(b.data, 1, b.len, stdout);
        }
    }
    kw_buf_free(&b);
    if (missing) kw__cli_err(CMD, "merge: %d worker%s missing from the merge (named above)", missing, missing == 1 ? "" : "s");
    int rc = missing || !m.workers ? KW_EXIT_FAIL : KW_EXIT_OK;
    kw_wk_merged_free(&m);
    return rc;
}

/* A status the merge takes: read, and finished ("done", or "stopped" by Trogdor). */
static void take_status(wk_row *row, const kw_jv *status, const char *task_error)
{
    char err[300];
    if (!status) {
        snprintf(row->why, sizeof row->why, "no status%s%s", task_error[0] ? "; error: " : "", task_error);
        return;
    }
    if (kw_wk_status_read(status, &row->st, err, sizeof err)) {
        snprintf(row->why, sizeof row->why, "%s", err);
        return;
    }
    row->have = 1;
    if (task_error[0])
        snprintf(row->why, sizeof row->why, "error: %.200s (its last status, %llu records, left out)", task_error,
                 (unsigned long long)row->st.records);
    else if (!strcmp(row->st.state, "running"))
        snprintf(row->why, sizeof row->why,
                 "stopped by Trogdor before its final status (%llu records at its last status, left out): end "
                 "runs with the workload's maxMessages or durationMs, within the task's durationMs",
                 (unsigned long long)row->st.records);
    else if (strcmp(row->st.state, "done") && strcmp(row->st.state, "stopped"))
        snprintf(row->why, sizeof row->why, "its last status is '%s' (%llu records so far, left out)", row->st.state,
                 (unsigned long long)row->st.records);
}

static int merge_trogdor(kw_cli *cli, const char *src, const char *prefix)
{
    kw_buf body;
    kw_buf_init(&body);
    char err[600];
    char *text = NULL;
    size_t len = 0;
    if (!strncmp(src, "http://", 7)) {
        char url[2100];
        size_t sl = strlen(src);
        snprintf(url, sizeof url, "%.*s/coordinator/tasks", (int)(sl && src[sl - 1] == '/' ? sl - 1 : sl), src);
        if (kw_http_fetch(url, 10000, &body, err, sizeof err)) {
            kw__cli_err(CMD, "merge: %s", err);
            kw_buf_free(&body);
            return KW_EXIT_FAIL;
        }
        text = (char *)body.data;
        len = body.len;
    } else if (!(text = kw__cli_slurp(CMD, src, &len))) {
        return KW_EXIT_FAIL;
    }
    kw_jv *root = kw_jv_parse(text ? text : "", len, err, sizeof err);
    if (text != (char *)body.data) free(text);
    kw_buf_free(&body);
    if (!root) {
        kw__cli_err(CMD, "merge: %s: not JSON: %s", src, err);
        return KW_EXIT_FAIL;
    }
    kw_trogdor_task *t = NULL;
    int n = 0;
    if (kw_trogdor_tasks(root, prefix, &t, &n, err, sizeof err)) {
        kw__cli_err(CMD, "merge: %s: %s", src, err);
        kw_jv_free(root);
        return KW_EXIT_FAIL;
    }
    if (!n) {
        kw__cli_err(CMD, "merge: %s has no task whose id starts with '%s'", src, prefix);
        free(t);
        kw_jv_free(root);
        return KW_EXIT_FAIL;
    }
    wk_row *rows = calloc((size_t)n, sizeof *rows);
    if (!rows) { free(t); kw_jv_free(root); return KW_EXIT_FAIL; }
    for (int i = 0; i < n; i++) {
        snprintf(rows[i].name, sizeof rows[i].name, "%.200s%s%.80s", t[i].id, t[i].node[0] ? " on " : "", t[i].node);
        if (strcmp(t[i].state, "DONE"))
            snprintf(rows[i].why, sizeof rows[i].why, "task %s (not DONE)", t[i].state);
        else
            take_status(&rows[i], t[i].status, t[i].error);
    }
    char what[300];
    snprintf(what, sizeof what, "trogdor tasks %.200s*", prefix);
    int rc = print_merge(cli, what, rows, n);
    for (int i = 0; i < n; i++) kw_wk_status_free(&rows[i].st);
    free(rows);
    free(t);
    kw_jv_free(root);
    return rc;
}

static int merge_status_files(kw_cli *cli, char **files, int n)
{
    wk_row *rows = calloc((size_t)n, sizeof *rows);
    if (!rows) return KW_EXIT_FAIL;
    int rc = KW_EXIT_OK;
    for (int i = 0; i < n && rc == KW_EXIT_OK; i++) {
        snprintf(rows[i].name, sizeof rows[i].name, "%.290s", files[i]);
        size_t len;
        char *text = kw__cli_slurp(CMD, files[i], &len);
        if (!text) { rc = KW_EXIT_FAIL; break; }
        char err[300];
        int got = kw_wk_status_last(text, len, &rows[i].st, err, sizeof err);
        free(text);
        if (got < 0) { kw__cli_err(CMD, "merge: %s: %s", files[i], err); rc = KW_EXIT_FAIL; break; }
        if (!got) { snprintf(rows[i].why, sizeof rows[i].why, "no status line"); continue; }
        rows[i].have = 1;
        if (strcmp(rows[i].st.state, "done") && strcmp(rows[i].st.state, "stopped"))
            snprintf(rows[i].why, sizeof rows[i].why, "its last status is '%s'%s%s (%llu records so far, left out)",
                     rows[i].st.state, rows[i].st.error[0] ? ": " : "", rows[i].st.error,
                     (unsigned long long)rows[i].st.records);
    }
    if (rc == KW_EXIT_OK) rc = print_merge(cli, "status files", rows, n);
    for (int i = 0; i < n; i++) kw_wk_status_free(&rows[i].st);
    free(rows);
    return rc;
}

int kw__bench_merge_workers(kw_cli *cli, int argc, char **argv)
{
    const char *trogdor = NULL, *prefix = NULL;
    char **files = calloc((size_t)argc, sizeof *files);
    int nfiles = 0, status = 0;
    if (!files) return KW_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) { cli->json = 1; continue; }
        if (!strcmp(argv[i], "--trogdor")) {
            if (i + 2 >= argc) {
                kw__cli_err(CMD, "merge: --trogdor takes the coordinator's URL (or a saved task list) and a task prefix");
                free(files);
                return KW_EXIT_USAGE;
            }
            trogdor = argv[++i];
            prefix = argv[++i];
            continue;
        }
        if (!strcmp(argv[i], "--status")) { status = 1; continue; }
        if (argv[i][0] == '-' && argv[i][1]) {
            kw__cli_err(CMD, "merge: unknown option '%s' (see kwire bench merge --help)", argv[i]);
            free(files);
            return KW_EXIT_USAGE;
        }
        files[nfiles++] = argv[i];
    }
    int rc;
    if (trogdor && (status || nfiles)) {
        kw__cli_err(CMD, "merge: --trogdor URL PREFIX or --status FILE..., not both");
        rc = KW_EXIT_USAGE;
    } else if (trogdor) {
        rc = merge_trogdor(cli, trogdor, prefix);
    } else if (!nfiles) {
        kw__cli_err(CMD, "merge: --status needs the workers' saved outputs");
        rc = KW_EXIT_USAGE;
    } else {
        rc = merge_status_files(cli, files, nfiles);
    }
    free(files);
    return rc;
}
