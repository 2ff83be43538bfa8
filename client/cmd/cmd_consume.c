/*
 * client/cmd/cmd_consume.c — `kwire consume`: read records of a topic and print them,
 * one per line by default or with a -f format (kcat's fields); --json (or -J) prints
 * each record as the JSON envelope of client/cli/recfmt.h, which `kwire produce -J` reads
 * back; -e stops at the end of every partition, -c after COUNT records. Which
 * partitions (as kcat): -p means assign (that partition, from -o; -g only names the
 * group its commits go to), -g without -p means subscribe (join the group, which
 * assigns the partitions; they start at the group's committed offsets, else at -o
 * beginning/end as auto.offset.reset). As a member: commits by enable.auto.commit
 * (Kafka's default: on) or, with --commit, by the command itself after its output is
 * written (every auto.commit.interval.ms, before partitions are revoked, at exit); -v
 * prints each assignment change on stderr; leaving on exit. The records of each poll
 * reach stdout together, as soon as they are handed out (before the next poll, so a
 * commit never covers records not yet written); when the reader of a pipe goes away
 * (`| head -1`) consume stops at once, also while no record arrives. Fetches that fail
 * and are retried are said on stderr (at most every 5 s; not with -q).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/core/config.h"
#include "client/consume/consumer.h"
#include "client/consume/group.h"
#include "client/conn/net.h"
#include "client/cli/recfmt.h"
#include "codec/batch.h"
#include "commands.h"


static volatile sig_atomic_t stop_flag;
static void on_stop(int sig) { (void)sig; stop_flag = 1; }

/* ---- output ---- */

typedef struct out {
    kw_buf b;
    int fd;
    int err;
} out_t;

static void out_flush(out_t *o)
{
    size_t off = 0;
    while (off < o->b.len && !o->err) {
        ssize_t w = write(o->fd, o->b.data + off, o->b.len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            o->err = errno;
            break;
        }
        off += (size_t)w;
    }
    o->b.len = 0;
}

/* Positions reset by auto.offset.reset, said on stderr (not with -q). */
static void notices(kw_cli *cli, kw_consumer *c)
{
    const char *n;
    while ((n = kw_consumer_notice(c)))
        if (cli->verbosity >= 0) kw__cli_err("consume", "%s", n);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kwire consume -t TOPIC [-p PARTITION] [-o beginning|end|stored|OFFSET|-N|s@TIMESTAMP]\n"
            "                     [-c COUNT] [-e] [-f FORMAT | -J] [-g GROUP [--commit]] [-v] [--stats]\n\n"
            "  -t TOPIC      topic to read (every partition unless -p; with -g alone: subscribe)\n"
            "  -p PARTITION  only this partition (assigned: no group membership, even with -g)\n"
            "  -o START      beginning, end (default), stored (the group's committed offset; needs\n"
            "                -g), an offset, -N (N records before the end), s@MS or @MS (first\n"
            "                record at or after the Unix time MS). An offset outside the log is\n"
            "                reset by auto.offset.reset (latest, earliest; none: exit 1), said on\n"
            "                stderr. A group member (-g without -p) starts at the group's committed\n"
            "                offsets: -o beginning / end only say where a partition without one starts\n"
            "  -c COUNT      exit after COUNT records\n"
            "  -e            exit when every partition has reached its end\n"
            "  -f FORMAT     kcat's fields: %%t topic, %%p partition, %%o offset, %%T timestamp (ms),\n"
            "                %%k key, %%K key length, %%s value, %%S value length (-1 for null), %%R value\n"
            "                length as a binary big-endian int32, %%h headers (n=v,...), %%%% a percent\n"
            "                sign; escapes \\n \\r \\t \\\\ \\xHH (default: the value and a newline)\n"
            "  -J, --json    one JSON object per record: topic, partition, offset, timestamp and its\n"
            "                type, key, value, headers [{name, value}] (null and \"\" distinct; a field\n"
            "                that is not UTF-8 is base64 with \"key_encoding\":\"base64\"); `kwire\n"
            "                produce -J` reads it back\n"
            "  -g GROUP      without -p: join GROUP (group.protocol classic or consumer) and read the\n"
            "                partitions it assigns, from its committed offsets (else -o beginning/end);\n"
            "                commits by enable.auto.commit (default true). With -p: only names the\n"
            "                group for --commit and -o stored\n"
            "  --commit      the command commits what it has printed, every auto.commit.interval.ms,\n"
            "                before partitions are revoked and at exit (enable.auto.commit is off)\n"
            "  -v            each assignment change of the group on stderr\n"
            "  --stats       at exit: fetch statistics, and requests per broker and API (also a global option)\n"
            "Settings: -X name=value (fetch.min.bytes, fetch.max.bytes, max.partition.fetch.bytes,\n"
            "fetch.max.wait.ms, isolation.level, max.poll.records, check.crcs, auto.offset.reset, ...).\n");
}

static void print_stats(const kw_consumer_stats *s)
{
    kw_buf b;
    kw_buf_init(&b);
    fprintf(stderr,
            "fetches %llu (empty %llu, errors %llu), bytes %llu, records %llu, batches %llu (compressed %llu), "
            "polls %llu (empty %llu), skipped before position %llu, aborted skipped %llu, partial batches %llu, "
            "resets %llu, leader changes %llu, metadata refreshes %llu\n",
            (unsigned long long)s->fetches, (unsigned long long)s->empty_fetches,
            (unsigned long long)s->fetch_errors, (unsigned long long)s->bytes, (unsigned long long)s->records,
            (unsigned long long)s->batches, (unsigned long long)s->compressed_batches,
            (unsigned long long)s->polls, (unsigned long long)s->empty_polls,
            (unsigned long long)s->skipped_before, (unsigned long long)s->aborted_skipped,
            (unsigned long long)s->partial_batches, (unsigned long long)s->resets,
            (unsigned long long)s->leader_changes, (unsigned long long)s->metadata_refreshes);
    const struct { const char *name, *unit; const kw_hist *h; const kw_hdr *hdr; } hs[] = {
        {"fetch bytes", "B", &s->fetch_bytes, NULL},           {"fetch records", "", &s->fetch_records, NULL},
        {"fetch partitions", "", &s->fetch_partitions, NULL}, {"fetch hold", "us", NULL, s->fetch_hold_us},
        {"poll records", "", &s->poll_records, NULL},
        {"part recs bytes", "B", &s->part_records_bytes, NULL}, {"fetch recs bytes", "B", &s->fetch_records_bytes, NULL},
    };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) {
        b.len = 0;
        if (hs[i].hdr) kw_hdr_format(hs[i].hdr, hs[i].unit, &b);
        else kw_hist_format(hs[i].h, hs[i].unit, &b);
        fprintf(stderr, "%-17s %.*s", hs[i].name, (int)b.len, (const char *)b.data);
    }
    fprintf(stderr,
            "fetch limits      partition record sets above max.partition.fetch.bytes=%ld: %llu (one first batch "
            "larger than it: %llu); responses above fetch.max.bytes=%ld: %llu (one first batch: %llu)\n",
            (long)s->part_limit, (unsigned long long)s->part_over_limit, (unsigned long long)s->part_over_first_batch,
            (long)s->fetch_limit, (unsigned long long)s->fetch_over_limit,
            (unsigned long long)s->fetch_over_first_batch);
    kw_buf_free(&b);
}

/* A group member's assignment changes: -v prints them; --commit commits before
 * partitions are revoked (after writing what was printed of them). */
typedef struct rebal {
    kw_cli *cli;
    out_t *o;
    int commit;
    int verbose;
    int failed;
} rebal_t;

static void on_rebalance(void *ud, kw_consumer *c, int kind, const kw_tp *parts, int n)
{
    rebal_t *r = ud;
    if (kind == KW_REBALANCE_REVOKED && r->commit && n > 0) {
        out_flush(r->o);
        if (kw_consumer_commit(c)) {
            kw__cli_err("consume", "commit before revocation: %s", kw_consumer_error(c));
            r->failed = 1;
        }
    }
    if (!r->verbose) return;
    kw_group *g = kw_consumer_group(c);
    kw_buf b;
    kw_buf_init(&b);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "group %s: %s", kw_group_member_id(g),
             kind == KW_REBALANCE_ASSIGNED ? "assigned" : kind == KW_REBALANCE_REVOKED ? "revoked" : "lost");
    kw_buf_put(&b, tmp, strlen(tmp));
    for (int i = 0; i < n; i++) {
        snprintf(tmp, sizeof tmp, "%s%s-%d", i ? " " : " ", parts[i].topic, parts[i].partition);
        kw_buf_put(&b, tmp, strlen(tmp));
    }
    if (!n) kw_buf_put(&b, " (none)", 7);
    snprintf(tmp, sizeof tmp, " (generation %d, %s%s)", kw_group_generation(g), kw_group_assignor(g)[0] ? "assignor " : "",
             kw_group_assignor(g)[0] ? kw_group_assignor(g) : "server-side assignor");
    kw_buf_put(&b, tmp, strlen(tmp));
    fprintf(stderr, "kwire consume: %.*s\n", (int)b.len, (const char *)b.data);
    kw_buf_free(&b);
}

int kw__cmd_consume(kw_cli *cli, int argc, char **argv)
{
    const char *topic = NULL, *start_s = "end", *format = NULL, *group = NULL;
    long partition = -1;
    long long count = -1;
    int at_end_exit = 0, commit = 0, stats = 0, verbose = cli->verbosity > 0, start_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return KW_EXIT_OK; }
        else if (!strcmp(a, "-e")) at_end_exit = 1;
        else if (!strcmp(a, "-J")) cli->json = 1;
        else if (!strcmp(a, "--commit")) commit = 1;
        else if (!strcmp(a, "--stats")) stats = 1;
        else if (!strcmp(a, "-v")) verbose = 1;
        else if (has && !strcmp(a, "-t")) topic = argv[++i];
        else if (has && !strcmp(a, "-o")) { start_s = argv[++i]; start_given = 1; }
        else if (has && !strcmp(a, "-f")) format = argv[++i];
        else if (has && !strcmp(a, "-g")) group = argv[++i];
        else if (has && !strcmp(a, "-p")) {
            char *e;
            partition = strtol(argv[++i], &e, 10);
            if (*e || partition < 0 || partition > INT32_MAX) { kw__cli_err("consume", "bad partition '%s'", argv[i]); return KW_EXIT_USAGE; }
        } else if (has && !strcmp(a, "-c")) {
            char *e;
            count = strtoll(argv[++i], &e, 10);
            if (*e || count < 0) { kw__cli_err("consume", "bad count '%s'", argv[i]); return KW_EXIT_USAGE; }
        } else {
            kw__cli_err("consume", "unknown or incomplete option '%s'", a);
            usage(stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (!topic) { kw__cli_err("consume", "-t TOPIC is required"); usage(stderr); return KW_EXIT_USAGE; }
    kw_start start;
    if (kw_start_parse(start_s, &start)) {
        kw__cli_err("consume", "bad -o '%s' (beginning, end, stored, OFFSET, -N, s@MS)", start_s);
        return KW_EXIT_USAGE;
    }
    if (commit && !group) { kw__cli_err("consume", "--commit needs -g GROUP"); return KW_EXIT_USAGE; }
    if (start.kind == KW_START_COMMITTED && !group) {
        kw__cli_err("consume", "-o stored reads the group's committed offsets: it needs -g GROUP");
        return KW_EXIT_USAGE;
    }
    /* -g without -p: subscribe; where to start is the group's (committed offsets), -o
     * only says where a partition without one starts */
    int subscribe = group && partition < 0;
    if (subscribe && start_given && start.kind != KW_START_BEGINNING && start.kind != KW_START_END &&
        start.kind != KW_START_COMMITTED) {
        kw__cli_err("consume", "-o %s needs -p PARTITION: a group member starts at the group's committed offsets "
                               "(-o beginning / end say where a partition without one starts)", start_s);
        return KW_EXIT_USAGE;
    }
    if (format && cli->json) { kw__cli_err("consume", "-f and --json (-J) are two output forms: give one"); return KW_EXIT_USAGE; }
    kw_recfmt fmt;
    char ferr[512];
    int fe = kw_recfmt_compile(&fmt, format ? format : "%s\\n", ferr, sizeof ferr);
    if (fe) {
        kw__cli_err("consume", "-f: %s", ferr);
        return fe == KW_ERR_CONFIG ? KW_EXIT_USAGE : KW_EXIT_FAIL;
    }
    kw_net *net = NULL;
    kw_config *cfg = kw__cli_config(cli, "consume", KW_ROLE_CONSUMER, group, &net);
    if (!cfg) { kw_recfmt_free(&fmt); return KW_EXIT_USAGE; }
    /* -o beginning means the log start, also when it moves under us */
    if (start.kind == KW_START_BEGINNING && !kw_config_is_set(cfg, KW_CONF_AUTO_OFFSET_RESET))
        kw_config_set(cfg, "auto.offset.reset", "earliest");
    /* commits: the command's own with --commit; else a member's by enable.auto.commit,
     * and none for an assignment (-p) unless enable.auto.commit is set explicitly */
    if (commit || (!subscribe && !kw_config_is_set(cfg, KW_CONF_ENABLE_AUTO_COMMIT)))
        if (group) kw_config_set(cfg, "enable.auto.commit", "false");
    char ebuf[256];
    kw_consumer *c = kw_consumer_new(cfg, net, ebuf, sizeof ebuf);
    int rc = KW_EXIT_OK;
    out_t o = {.fd = STDOUT_FILENO};
    kw_buf_init(&o.b);
    if (!c) { kw__cli_err("consume", "%s", ebuf); rc = KW_EXIT_FAIL; goto done; }
    rebal_t rb = {cli, &o, commit, verbose, 0};
    if (subscribe) {
        const char *topics[1] = {topic};
        kw_consumer_set_rebalance_cb(c, on_rebalance, &rb);
        if (kw_consumer_subscribe(c, topics, 1)) {
            kw__cli_err("consume", "%s", kw_consumer_error(c));
            rc = KW_EXIT_FAIL;
            goto done;
        }
    } else if (kw_consumer_assign(c, topic, (int32_t)partition, &start)) {
        kw__cli_err("consume", "%s", kw_consumer_error(c));
        rc = KW_EXIT_FAIL;
        goto done;
    }
    notices(cli, c);
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    signal(SIGPIPE, SIG_IGN);
    int64_t commit_every = kw_config_int(cfg, KW_CONF_AUTO_COMMIT_INTERVAL_MS) * 1000, last_commit = kw_net_now();
    long long seen = 0;
    uint64_t retried = 0;
    int64_t noted_at = 0;
    while (!stop_flag && (count < 0 || seen < count)) {
        if (at_end_exit && kw_consumer_at_end(c)) break;
        if (kw_net_fd_reader_gone(o.fd)) break; /* head -1 exited */
        const kw_msg *m;
        int n;
        /* a member writes out what it printed before the poll that may commit it */
        if (subscribe) out_flush(&o);
        int e = kw_consumer_poll_n(c, 100, count < 0 || count - seen > INT32_MAX ? 0 : (int)(count - seen), &m, &n);
        if (e) {
            out_flush(&o);
            kw__cli_err("consume", "%s", kw_consumer_error(c));
            rc = KW_EXIT_FAIL;
            break;
        }
        for (int i = 0; i < n && (count < 0 || seen < count); i++, seen++) {
            if (cli->json) kw_recjson_write(&o.b, &m[i]);
            else kw_recfmt_render(&fmt, &m[i], &o.b);
        }
        if (o.b.len) out_flush(&o); /* each poll's records reach the pipe now */
        notices(cli, c);
        /* fetches that fail and are retried (a broker down, a connection cut): said on
         * stderr (not with -q), at most every 5 s, so a consumer that cannot make
         * progress is not silent */
        const kw_consumer_stats *cs = kw_consumer_stats_get(c);
        if (cs->fetch_retried > retried) {
            retried = cs->fetch_retried;
            if (cli->verbosity >= 0 && (!noted_at || kw_net_now() - noted_at >= 5000000)) {
                out_flush(&o);
                kw__cli_err("consume", "%s; retrying", kw_consumer_error(c));
                noted_at = kw_net_now();
            }
        }
        if (o.err) break;
        if (commit && kw_net_now() - last_commit >= commit_every) {
            out_flush(&o);
            if (kw_consumer_commit(c)) kw__cli_err("consume", "%s", kw_consumer_error(c));
            last_commit = kw_net_now();
        }
    }
    out_flush(&o);
    if (o.err && o.err != EPIPE) { kw__cli_err("consume", "write: %s", strerror(o.err)); rc = KW_EXIT_FAIL; }
    if (commit && kw_consumer_commit(c)) {
        kw__cli_err("consume", "%s", kw_consumer_error(c));
        rc = KW_EXIT_FAIL;
    }
    if (subscribe) {
        /* leave the group (a static member keeps its place for session.timeout.ms) */
        kw_consumer_set_rebalance_cb(c, NULL, NULL);
        if (kw_consumer_close(c, (int)kw_config_int(cfg, KW_CONF_REQUEST_TIMEOUT_MS))) {
            kw__cli_err("consume", "%s", kw_consumer_error(c));
            rc = KW_EXIT_FAIL;
        }
        if (rb.failed) rc = KW_EXIT_FAIL;
    }
    if (stats || cli->stats) {
        print_stats(kw_consumer_stats_get(c));
        const kw_consumer_group_stats *gs = kw_consumer_group_stats_get(c);
        if (gs && subscribe)
            fprintf(stderr,
                    "group: joins %llu, syncs %llu, heartbeats %llu, rebalances %llu (last %.3f ms), assigned %llu, "
                    "revoked %llu, lost %llu, commits %llu (auto %llu, failed %llu), coordinator lookups %llu\n",
                    (unsigned long long)gs->joins, (unsigned long long)gs->syncs, (unsigned long long)gs->heartbeats,
                    (unsigned long long)gs->rebalances, gs->last_rebalance_us / 1000.0,
                    (unsigned long long)gs->assigned, (unsigned long long)gs->revoked, (unsigned long long)gs->lost,
                    (unsigned long long)gs->commits, (unsigned long long)gs->auto_commits,
                    (unsigned long long)gs->commit_failures, (unsigned long long)gs->coordinator_lookups);
    }
    kw__cli_net_stats(cli, net);
done:
    /* the broker set first: its outstanding fetches report to the consumer */
    kw_net_free(net);
    kw_consumer_free(c);
    kw_config_free(cfg);
    kw_buf_free(&o.b);
    kw_recfmt_free(&fmt);
    return rc;
}
