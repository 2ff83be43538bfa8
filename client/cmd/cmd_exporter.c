/*
 * client/cmd/cmd_exporter.c — `kwire exporter [--listen HOST:PORT] [--group-filter
 * REGEX]`: the Prometheus exporter (client/exporter.h) over the cluster. Each refresh
 * fills a snapshot with the brokers, every topic's oldest and newest offsets and every
 * group's committed offsets (ListGroups on every broker, OffsetFetch — read before the
 * log offsets); a failed refresh serves kwire_up 0. Prints "listening on HOST:PORT"
 * once bound.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/config.h"
#include "client/exporter.h"
#include "client/net.h"
#include "client/offsets.h"
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
} refresh_ctx;

static int refresh(void *ud, kw_snapshot *snap)
{
    refresh_ctx *x = ud;
    int e = kw_snap_fill(x->net, &x->oo, x->groups, x->ngroups, NULL, NULL, NULL, 1, x->read_committed, snap);
    char why[600];
    if (e && x->verbose >= 0)
        kw__cli_err("exporter", "refresh failed: %s%s", kw_strerror(e), kw__cli_why(x->net, why, sizeof why));
    return e;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: kwire exporter [--listen HOST:PORT] [--group-filter REGEX] [--group NAME ...]\n\n"
               "Serves /metrics (kafka_exporter's metric names) for the cluster; default listen\n"
               "address %s. --group-filter: POSIX extended regex, unanchored. --group (repeatable):\n"
               "export these groups instead of every group ListGroups reports (for brokers\n"
               "without ListGroups, such as the embedded one).\n",
            KW_EXP_DEFAULT_LISTEN);
}

int kw__cmd_exporter(kw_cli *cli, int argc, char **argv)
{
    const char *listen = KW_EXP_DEFAULT_LISTEN, *filter = NULL;
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
        else {
            free(groups);
            kw__cli_err("exporter", "unknown or incomplete option '%s'", a);
            usage(stderr);
            return KW_EXIT_USAGE;
        }
    }
    kw_net *net = NULL;
    kw_config *cfg = kw__cli_config(cli, "exporter", KW_ROLE_CONSUMER, NULL, &net);
    if (!cfg) { free(groups); return KW_EXIT_USAGE; }
    refresh_ctx x = {.net = net, .read_committed = kw_config_enum(cfg, KW_CONF_ISOLATION_LEVEL) == 1,
                     .verbose = cli->verbosity, .groups = ngroups ? groups : NULL, .ngroups = ngroups};
    kw_offsets_opts_from_config(&x.oo, cfg);
    x.oo.attempts = 3; /* a scrape waits for the refresh: keep it bounded */
    kw_exporter_opts o = {.listen = listen, .group_filter = filter, .refresh = refresh, .ud = &x, .cache_ms = -1};
    kw_exporter *e = NULL;
    int rc = kw_exporter_open(&e, &o);
    if (rc) {
        kw__cli_err("exporter", "cannot listen on %s%s%s: %s", listen, filter ? " with filter " : "",
                    filter ? filter : "", kw_strerror(rc));
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
