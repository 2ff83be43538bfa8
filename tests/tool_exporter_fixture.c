/*
 * tests/tool_exporter_fixture.c — the exporter serving a fixed snapshot, for
 * tests/integ_exporter.sh (curl, promtool, a real Prometheus scraping it).
 *
 *   tool_exporter_fixture [--listen HOST:PORT] [--group-filter REGEX] [--down]
 *
 * Prints "port N" on stdout once listening, serves until SIGTERM or SIGINT. The
 * snapshot: 3 brokers; test-topic partitions 0..2 (newest 100, 250, 40; oldest 0, 10,
 * 0); group test-group committed 90, 200, none -> lag 10 + 50 = 60; group
 * we"ird\group committed 100 on partition 0 -> lag 0. --down: every refresh fails.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "client/admin/exporter.h"

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static int fixed_refresh(void *ud, kw_snapshot *s)
{
    if (*(int *)ud) return KW_ERR_CONNECT;
    s->brokers = 3;
    static const int64_t newest[3] = {100, 250, 40}, oldest[3] = {0, 10, 0};
    int rc = 0;
    for (int p = 0; p < 3 && !rc; p++)
        rc = kw_snap_set_partition(s, "test-topic", p, oldest[p], newest[p], -1);
    if (!rc) rc = kw_snap_add_group(s, "test-group", "Stable");
    if (!rc) rc = kw_snap_set_commit(s, "test-group", "test-topic", 0, 90);
    if (!rc) rc = kw_snap_set_commit(s, "test-group", "test-topic", 1, 200);
    if (!rc) rc = kw_snap_set_commit(s, "test-group", "test-topic", 2, -1);
    if (!rc) rc = kw_snap_set_commit(s, "we\"ird\\group", "test-topic", 0, 100);
    return rc;
}

int main(int argc, char **argv)
{
    int down = 0;
    kw_exporter_opts o = {.listen = "127.0.0.1:0", .refresh = fixed_refresh, .ud = &down,
                          .cache_ms = 0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) o.listen = argv[++i];
        else if (strcmp(argv[i], "--group-filter") == 0 && i + 1 < argc) o.group_filter = argv[++i];
        else if (strcmp(argv[i], "--down") == 0) down = 1;
        else {
            fprintf(stderr, "usage: %s [--listen HOST:PORT] [--group-filter REGEX] [--down]\n", argv[0]);
            return 2;
        }
    }
    kw_exporter *e;
    int rc = kw_exporter_open(&e, &o);
    if (rc) {
        fprintf(stderr, "%s: %s\n", argv[0], kw_strerror(rc));
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("port %d\n", kw_exporter_port(e));
    fflush(stdout);
    rc = kw_exporter_run(e, &stop_flag);
    kw_exporter_close(e);
    return rc ? 1 : 0;
}
