/*
 * client/cmd/cmd_lag.c — `kwire lag -g GROUP [-t TOPIC] [--watch SECONDS]
 * [--threshold N] [-v]`: the group's lag per partition (committed offsets read FIRST,
 * then log-end offsets: see client/admin/lag.h). One shot: the kafka-consumer-groups.sh table
 * (or --json) and a total line; exit status 3 when the total is at or over the
 * threshold. --watch: one line per interval with the total and its change, WARNING
 * lines over the threshold (kw_lag_watch_step), until interrupted; then the exit status
 * is the last tick's (3 when it was at or over the threshold, 1 when it failed). A group
 * without any committed offset (unknown to its coordinator, or a typo) is an error,
 * never a lag of 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "client/core/config.h"
#include "client/admin/lag.h"
#include "client/conn/net.h"
#include "client/admin/offsets.h"
#include "commands.h"
#include "client/core/clock.h"


static volatile sig_atomic_t stop_flag;
static void on_stop(int sig) { (void)sig; stop_flag = 1; }

static void usage(FILE *f)
{
    fprintf(f, "usage: kwire lag -g GROUP [-t TOPIC] [--watch SECONDS] [--threshold N] [-v] [--json]\n\n"
               "  -g GROUP         the consumer group\n"
               "  -t TOPIC         only this topic\n"
               "  --watch SECONDS  print the total lag every SECONDS until interrupted (Ctrl-C)\n"
               "  --threshold N    WARNING (watch) / exit status 3 (one shot) when the total lag >= N\n"
               "  -v               watch: also one line per partition\n"
               "  --json           one shot: the table as JSON\n\n"
               "Exit status: 0 under the threshold, 3 at or over it, 1 when the lag could not be read\n"
               "(also for a group without any committed offset: unknown to the coordinator, or a\n"
               "typo), 2 usage. With --watch, the status at Ctrl-C is that of the last tick.\n");
}

#define TAKE_FAILED 1   /* the lag could not be read: why says what went wrong */
#define TAKE_NO_COMMITS 2 /* the group has no committed offset: why is a sentence naming it */

/* Read the group's lag into r; 0, TAKE_FAILED or TAKE_NO_COMMITS with why (len bytes). */
static int take(kw_net *net, const kw_offsets_opts *oo, const char *group, const char *topic, int rc_level,
                kw_snapshot *s, kw_lag_report *r, char *why, size_t len)
{
    const char *gs[1] = {group};
    kw_snap_free(s);
    kw_snap_init(s);
    int e = kw_snap_fill(net, oo, gs, 1, NULL, NULL, topic, 0, rc_level, s);
    if (!e) e = kw_lag_compute(s, NULL, NULL, r);
    if (e) {
        char tried[1024];
        kw_net_errors(net, tried, sizeof tried);
        kw_net_describe(e, tried, why, len);
        return TAKE_FAILED;
    }
    if (!kw_lag_group_commits(r, group)) {
        if (topic) snprintf(why, len, "group %s has no committed offset for topic %s", group, topic);
        else snprintf(why, len, "group %s is unknown to the coordinator (no committed offsets)", group);
        return TAKE_NO_COMMITS;
    }
    return 0;
}

int kw__cmd_lag(kw_cli *cli, int argc, char **argv)
{
    const char *group = NULL, *topic = NULL;
    double watch = 0;
    int64_t threshold = -1;
    int verbose = cli->verbosity > 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        char *end;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return KW_EXIT_OK; }
        else if (!strcmp(a, "-v")) verbose = 1;
        else if (has && !strcmp(a, "-g")) group = argv[++i];
        else if (has && !strcmp(a, "-t")) topic = argv[++i];
        else if (has && !strcmp(a, "--watch")) {
            watch = strtod(argv[++i], &end);
            if (*end || !(watch > 0)) { kw__cli_err("lag", "bad --watch '%s'", argv[i]); return KW_EXIT_USAGE; }
        } else if (has && !strcmp(a, "--threshold")) {
            long long v = strtoll(argv[++i], &end, 10);
            if (*end || v < 0) { kw__cli_err("lag", "bad --threshold '%s'", argv[i]); return KW_EXIT_USAGE; }
            threshold = v;
        } else {
            kw__cli_err("lag", "unknown or incomplete option '%s'", a);
            usage(stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (!group) { kw__cli_err("lag", "-g GROUP is required"); usage(stderr); return KW_EXIT_USAGE; }
    if (watch && cli->json) { kw__cli_err("lag", "--json is for the one-shot table, not --watch"); return KW_EXIT_USAGE; }
    kw_net *net = NULL;
    kw_config *cfg = kw__cli_config(cli, "lag", KW_ROLE_CONSUMER, NULL, &net);
    if (!cfg) return KW_EXIT_USAGE;
    kw_offsets_opts oo;
    kw_offsets_opts_from_config(&oo, cfg);
    int rc_level = kw_config_enum(cfg, KW_CONF_ISOLATION_LEVEL) == 1;
    kw_snapshot s;
    kw_snap_init(&s);
    kw_lag_report r;
    memset(&r, 0, sizeof r);
    kw_buf b;
    kw_buf_init(&b);
    int rc = KW_EXIT_OK;
    char why[1400];
    if (!watch) {
        int t = take(net, &oo, group, topic, rc_level, &s, &r, why, sizeof why);
        if (t) {
            if (t == TAKE_FAILED) kw__cli_err("lag", "group %s: %s", group, why);
            else kw__cli_err("lag", "%s", why);
            rc = KW_EXIT_FAIL;
        } else {
            if (cli->json) kw_lag_format_json(&r, &b);
            else {
                kw_lag_format_table(&r, &b);
                kw__lag_printf(&b, "\nTOTAL-LAG %lld\n", (long long)r.total);
            }
            fwrite(b.data, 1, b.len, stdout);
            if (threshold >= 0 && r.total >= threshold) {
                fprintf(stderr, "WARNING %s total-lag %lld >= threshold %lld\n", group, (long long)r.total,
                        (long long)threshold);
                rc = KW_LAG_EXIT_OVER;
            }
        }
    } else {
        signal(SIGINT, on_stop);
        signal(SIGTERM, on_stop);
        kw_lag_watch w;
        kw_lag_watch_init(&w, threshold, verbose);
        while (!stop_flag) {
            int64_t t0 = kw__wall_ms();
            kw_lag_report_free(&r);
            memset(&r, 0, sizeof r);
            b.len = 0;
            if (take(net, &oo, group, topic, rc_level, &s, &r, why, sizeof why)) {
                char ts[32];
                kw_lag_timestamp(t0, ts, sizeof ts);
                kw__lag_printf(&b, "%s %s error: %s\n", ts, group, why);
                rc = KW_EXIT_FAIL;
            } else {
                /* the exit status at Ctrl-C is the last tick's: 3 over the threshold */
                rc = kw_lag_watch_step(&w, &r, t0, &b) == KW_LAG_EXIT_OVER ? KW_LAG_EXIT_OVER : KW_EXIT_OK;
            }
            fwrite(b.data, 1, b.len, stdout);
            fflush(stdout);
            int64_t left = t0 + (int64_t)(watch * 1000) - kw__wall_ms();
            while (left > 0 && !stop_flag) {
                kw_net_sleep(net, left > 200 ? 200 : (int)left);
                left = t0 + (int64_t)(watch * 1000) - kw__wall_ms();
            }
        }
    }
    kw_buf_free(&b);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
    kw__cli_net_stats(cli, net);
    kw_net_free(net);
    kw_config_free(cfg);
    return rc;
}
