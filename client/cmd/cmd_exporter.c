/*
 * client/cmd/cmd_exporter.c — `kwire exporter [--listen HOST:PORT] [--group-filter
 * REGEX] [--interval SECONDS]`: the Prometheus exporter (client/admin/exporter.h) over the
 * cluster. A collection every --interval seconds, on a thread of its own, fills a
 * snapshot with the brokers, every topic's oldest and newest offsets and every group's
 * committed offsets (ListGroups on every broker, OffsetFetch — read before the log
 * offsets); a scrape answers from the last completed one; a failed collection serves
 * kwire_up 0. What the brokers lack (ListGroups) is said once on stderr. Prints
 * "listening on HOST:PORT" once bound.
 */
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/config.h"
#include "client/admin/exporter.h"
#include "client/conn/net.h"
#include "client/admin/offsets.h"
#include "commands.h"


static volatile sig_atomic_t stop_flag;
static void on_stop(int sig) { (void)sig; stop_flag = 1; }

typedef struct refresh_ctx {
    kw_net *net;
    kw_offsets_opts oo;
    int read_committed;
    int verbose;
    const char **groups; /* --group names, or NULL: every group ListGroups reports */
    int ngroups;
    int warned_unlisted;
} refresh_ctx;

/* One collection (on the exporter's collector thread: the broker set is its own). */
static int refresh(void *ud, kw_snapshot *snap)
{
    refresh_ctx *x = ud;
    int e = kw_snap_fill(x->net, &x->oo, x->groups, x->ngroups, NULL, NULL, NULL, 1, x->read_committed, snap);
    if (e && x->verbose >= 0) {
        char why[1024], d[1100];
        kw_net_errors(x->net, why, sizeof why);
        kw__cli_err("exporter", "collection failed: %s", kw_net_describe(e, why, d, sizeof d));
    }
    if (!e && snap->groups_unlisted && !x->warned_unlisted && x->verbose >= 0) {
        kw__cli_err("exporter", "the brokers do not implement ListGroups (API key 16), so no consumer group is "
                                "found to export; name the groups with --group NAME");
        x->warned_unlisted = 1;
    }
    return e;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: kwire exporter [--listen HOST:PORT] [--group-filter REGEX] [--group NAME ...]\n"
               "                      [--interval SECONDS]\n\n"
               "Serves /metrics (kafka_exporter's metric names) for the cluster; default listen\n"
               "address %s. --group-filter: POSIX extended regex, unanchored. --group (repeatable):\n"
               "export these groups instead of every group ListGroups reports (for brokers\n"
               "without ListGroups, such as the embedded one). --interval: how often the cluster\n"
               "is read (default 5 s), on its own schedule: a scrape answers at once from the last\n"
               "completed collection; kwire_scrape_duration_seconds says how long that one took.\n",
            KW_EXP_DEFAULT_LISTEN);
}

int kw__cmd_exporter(kw_cli *cli, int argc, char **argv)
{
    const char *listen = KW_EXP_DEFAULT_LISTEN, *filter = NULL;
    double interval = 5;
    const char **groups = calloc((size_t)argc, sizeof *groups);
    int ngroups = 0;
    if (!groups) return KW_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); free(groups); return KW_EXIT_OK; }
        else if (has && !strcmp(a, "--listen")) listen = argv[++i];
        else if (has && !strcmp(a, "--group-filter")) filter = argv[++i];
        else if (has && !strcmp(a, "--group")) groups[ngroups++] = argv[++i];
        else if (has && !strcmp(a, "--interval")) {
            char *end;
            interval = strtod(argv[++i], &end);
            if (*end || !(interval >= 0.01 && interval <= 86400)) {
                free(groups);
                kw__cli_err("exporter", "--interval '%s': seconds from 0.01 to 86400", argv[i]);
                return KW_EXIT_USAGE;
            }
        }
        else {
            free(groups);
            kw__cli_err("exporter", "unknown or incomplete option '%s'", a);
            usage(stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (filter) {
        regex_t re;
        int rc = regcomp(&re, filter, REG_EXTENDED | REG_NOSUB);
        if (rc) {
            char msg[256];
            regerror(rc, &re, msg, sizeof msg);
            kw__cli_err("exporter", "--group-filter '%s': %s (a POSIX extended regex)", filter, msg);
            free(groups);
            return KW_EXIT_USAGE;
        }
        regfree(&re);
    }
    kw_net *net = NULL;
    kw_config *cfg = kw__cli_config(cli, "exporter", KW_ROLE_CONSUMER, NULL, &net);
    if (!cfg) { free(groups); return KW_EXIT_USAGE; }
    refresh_ctx x = {.net = net, .read_committed = kw_config_enum(cfg, KW_CONF_ISOLATION_LEVEL) == 1,
                     .verbose = cli->verbosity, .groups = ngroups ? groups : NULL, .ngroups = ngroups};
    kw_offsets_opts_from_config(&x.oo, cfg);
    x.oo.attempts = 3; /* a scrape waits for the refresh: keep it bounded */
    kw_exporter_opts o = {.listen = listen, .group_filter = filter, .refresh = refresh, .ud = &x, .cache_ms = -1,
                          .interval_ms = (int)(interval * 1000)};
    kw_exporter *e = NULL;
    errno = 0;
    int rc = kw_exporter_open(&e, &o);
    if (rc) {
        if (rc == KW_ERR_IO && errno)
            kw__cli_err("exporter", "cannot listen on %s: %s (%s)", listen, strerror(errno),
                        errno == EADDRINUSE ? "EADDRINUSE: another process has the port; --listen HOST:PORT picks another"
                        : errno == EACCES   ? "EACCES"
                                            : "errno");
        else if (rc == KW_ERR_CONFIG)
            kw__cli_err("exporter", "--listen '%s': expected HOST:PORT, [IPv6]:PORT or :PORT", listen);
        else kw__cli_err("exporter", "cannot listen on %s: %s", listen, kw_strerror(rc));
        kw_net_free(net);
        kw_config_free(cfg);
        free(groups);
        return rc == KW_ERR_CONFIG ? KW_EXIT_USAGE : KW_EXIT_FAIL;
    }
    char host[256];
    snprintf(host, sizeof host, "%s", listen);
    char *colon = strrchr(host, ':');
    if (colon) *colon = 0;
    printf("listening on %s:%d\n", host, kw_exporter_port(e));
    fflush(stdout);
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    signal(SIGPIPE, SIG_IGN);
    rc = kw_exporter_run(e, &stop_flag);
    kw_exporter_close(e);
    kw_net_free(net);
    kw_config_free(cfg);
    free(groups);
    return rc ? KW_EXIT_FAIL : KW_EXIT_OK;
}
