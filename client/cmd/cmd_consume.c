/*
 * client/cmd/cmd_consume.c — `kwire consume`: read records of a topic and print them,
 * one per line by default or with a -f format; -e stops at the end of every partition,
 * -c after COUNT records. Which partitions (as kcat): -p means assign (that partition,
 * from -o; -g only names the group its commits go to), -g without -p means subscribe
 * (join the group, which assigns the partitions; they start at the group's committed
 * offsets, else at -o beginning/end as auto.offset.reset). As a member: commits by
 * enable.auto.commit (Kafka's default: on) or, with --commit, by the command itself
 * after its output is written (every auto.commit.interval.ms, before partitions are
 * revoked, at exit); -v prints each assignment change on stderr; leaving on exit.
 * Output is written in large buffered chunks (at every poll for a group member, so a
 * commit never covers records not yet written). Fetches that fail and are retried are
 * said on stderr (at most every 5 s; not with -q).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/config.h"
#include "client/consumer.h"
#include "client/group.h"
#include "client/net.h"
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

static inline void out_put(out_t *o, const void *p, size_t n)
{
    kw_buf_put(&o->b, p, n);
    if (o->b.len >= (1u << 20)) out_flush(o);
}

static void out_num(out_t *o, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    out_put(o, tmp, (size_t)n);
}

/* A compiled -f format: literal runs and %-fields. */
typedef struct fmt_seg {
    char kind; /* 0 literal, else the field letter */
    size_t off, len;
} fmt_seg;

typedef struct fmt {
    char *lit;
    fmt_seg *seg;
    int nseg;
} fmt_t;

static int fmt_compile(const char *s, fmt_t *f)
{
    size_t n = strlen(s);
    f->lit = malloc(n + 1);
    f->seg = calloc(n + 1, sizeof *f->seg);
    f->nseg = 0;
    if (!f->lit || !f->seg) return -1;
    size_t lo = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\\' && i + 1 < n) {
            char e = s[++i];
            char v = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
            if (f->nseg && f->seg[f->nseg - 1].kind == 0) f->seg[f->nseg - 1].len++;
            else f->seg[f->nseg++] = (fmt_seg){0, lo, 1};
            f->lit[lo++] = v;
        } else if (ch == '%' && i + 1 < n) {
            char k = s[++i];
            if (k == '%') {
                if (f->nseg && f->seg[f->nseg - 1].kind == 0) f->seg[f->nseg - 1].len++;
                else f->seg[f->nseg++] = (fmt_seg){0, lo, 1};
                f->lit[lo++] = '%';
            } else if (strchr("tpoksShT", k)) {
                f->seg[f->nseg++] = (fmt_seg){k, 0, 0};
            } else {
                return -2;
            }
        } else {
            if (f->nseg && f->seg[f->nseg - 1].kind == 0) f->seg[f->nseg - 1].len++;
            else f->seg[f->nseg++] = (fmt_seg){0, lo, 1};
            f->lit[lo++] = ch;
        }
    }
    return 0;
}

static void print_msg(out_t *o, const fmt_t *f, const kw_msg *m)
{
    for (int i = 0; i < f->nseg; i++) {
        const fmt_seg *s = &f->seg[i];
        switch (s->kind) {
        case 0: out_put(o, f->lit + s->off, s->len); break;
        case 't': out_put(o, m->topic, strlen(m->topic)); break;
        case 'p': out_num(o, m->partition); break;
        case 'o': out_num(o, m->offset); break;
        case 'T': out_num(o, m->timestamp); break;
        case 'k': if (m->key_len > 0) out_put(o, m->key, (size_t)m->key_len); break;
        case 's': if (m->value_len > 0) out_put(o, m->value, (size_t)m->value_len); break;
        case 'S': out_num(o, m->value_len < 0 ? -1 : m->value_len); break;
        case 'h': {
            kw_rd r;
            kw_header h;
            kw_rd_init(&r, m->hdr_data, m->hdr_len);
            int first = 1;
            for (int32_t k = 0; k < m->header_count && kw_record_header_next(&r, &h) == 1; k++) {
                if (!first) out_put(o, ",", 1);
                first = 0;
                out_put(o, h.key, (size_t)h.key_len);
                out_put(o, "=", 1);
                if (h.value_len > 0) out_put(o, h.value, (size_t)h.value_len);
            }
            break;
        }
        }
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kwire consume -t TOPIC [-p PARTITION] [-o beginning|end|stored|OFFSET|-N|@TIMESTAMP]\n"
            "                     [-c COUNT] [-e] [-f FORMAT] [-g GROUP [--commit]] [-v] [--stats]\n\n"
            "  -t TOPIC      topic to read (every partition unless -p; with -g alone: subscribe)\n"
            "  -p PARTITION  only this partition (assigned: no group membership, even with -g)\n"
            "  -o START      beginning, end (default), stored (the group's committed offset),\n"
            "                an offset, -N (N records before the end), @MS (first record at or\n"
            "                after the Unix time MS)\n"
            "  -c COUNT      exit after COUNT records\n"
            "  -e            exit when every partition has reached its end\n"
            "  -f FORMAT     %%t topic, %%p partition, %%o offset, %%k key, %%s value, %%S value size,\n"
            "                %%h headers (k=v,...), %%T timestamp (ms), %%%% a percent sign; \\n \\t escapes\n"
            "                (default: the value and a newline)\n"
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
    if (kw_start_parse(start_s, &start)) { kw__cli_err("consume", "bad -o '%s'", start_s); return KW_EXIT_USAGE; }
    if (commit && !group) { kw__cli_err("consume", "--commit needs -g GROUP"); return KW_EXIT_USAGE; }
    /* -g without -p: subscribe; where to start is the group's (committed offsets), -o
     * only says where a partition without one starts */
    int subscribe = group && partition < 0;
    if (subscribe && start_given && start.kind != KW_START_BEGINNING && start.kind != KW_START_END &&
        start.kind != KW_START_COMMITTED) {
        kw__cli_err("consume", "-o %s needs -p PARTITION: a group member starts at the group's committed offsets "
                               "(-o beginning / end say where a partition without one starts)", start_s);
        return KW_EXIT_USAGE;
    }
    fmt_t fmt;
    int fe = fmt_compile(format ? format : "%s\\n", &fmt);
    if (fe) {
        kw__cli_err("consume", fe == -2 ? "bad -f '%s': unknown %%-field" : "out of memory", format);
        free(fmt.lit); free(fmt.seg);
        return fe == -2 ? KW_EXIT_USAGE : KW_EXIT_FAIL;
    }
    kw_net *net = NULL;
    kw_config *cfg = kw__cli_config(cli, "consume", KW_ROLE_CONSUMER, group, &net);
    if (!cfg) { free(fmt.lit); free(fmt.seg); return KW_EXIT_USAGE; }
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
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    signal(SIGPIPE, SIG_IGN);
    int64_t commit_every = kw_config_int(cfg, KW_CONF_AUTO_COMMIT_INTERVAL_MS) * 1000, last_commit = kw_net_now();
    long long seen = 0;
    uint64_t retried = 0;
    int64_t noted_at = 0;
    while (!stop_flag && (count < 0 || seen < count)) {
        if (at_end_exit && kw_consumer_at_end(c)) break;
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
        for (int i = 0; i < n && (count < 0 || seen < count); i++, seen++) print_msg(&o, &fmt, &m[i]);
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
    free(fmt.lit);
    free(fmt.seg);
    return rc;
}
