/*
 * client/cmd/cmd_produce.c — `kwire produce`: one record per line from stdin or files
 * into a topic, through the producer library (client/produce/producer.h).
 *
 *   kwire produce -t TOPIC [-p PARTITION] [-k KEY | -K DELIM] [-H name=value ...] [-l] [FILE ...]
 *   kwire produce -J [-t TOPIC] [-p PARTITION] [FILE ...]
 *
 * -J reads each line as the JSON envelope of client/cli/recfmt.h; --json writes one delivery
 * report per input record to stdout. SIGINT/SIGTERM stop the input; what was accepted is
 * still delivered or reported (a second signal abandons it); a broker that cannot be
 * reached is said at once (kw_net_set_notify), refusals in words (kw_producer_send_error).
 *
 * Input is read in 256 KiB chunks, grown for longer lines (files and stdin alike: a
 * mapping would count the whole file in the resident set); lines are sliced in place (no allocation per line), the
 * producer's loop runs while the input is idle. -K splits each line into key and value at the first DELIM
 * (a line without it is a value with a null key). A summary goes to stderr: records
 * sent, failed, bytes, and per partition the offset range written.
 *
 * Read-ahead: the next chunk is read only once the producer holds less than (brokers + 1)
 * x max(batch.size, max.request.size) in sealed batches waiting for a send slot; more queued data would not reach the broker any sooner, it only
 * holds memory (up to buffer.memory, 32 MiB by default) and adds latency.
 * buffer.memory stays the producer's hard bound. Exit 1 if any record
 * failed, 2 for usage or settings errors (the message names the setting).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/conn/net.h"
#include "client/produce/producer.h"
#include "client/cli/recfmt.h"
#include "codec/text.h"
#include "commands.h"
#include "kwire.h"

#define MAX_HEADERS 64
#define CHUNK (256u << 10)
#define MAX_NOTED 64 /* brokers whose failed connection was said on stderr */

/* First SIGINT/SIGTERM: stop reading input, deliver what was accepted. Second: abandon. */
static volatile sig_atomic_t stop_flag, abandon_flag;
static void on_signal(int sig)
{
    (void)sig;
    if (stop_flag) abandon_flag = 1;
    stop_flag = 1;
}

typedef struct pstat {
    int64_t lo, hi;
    uint64_t n;
} pstat;

typedef struct pctx {
    kw_cli *cli;
    kw_producer *p;
    const char *topic;
    int32_t partition;
    int partition_given;
    const char *key; int32_t key_len;
    const char *delim; size_t delim_len;
    kw_header hdrs[MAX_HEADERS];
    int nhdrs;
    int json_in;           /* -J: each line is a JSON envelope (client/cli/recfmt.h) */
    kw_recjson rj;
    uint64_t records;      /* input records (lines) seen: the number in a JSON report */
    uint64_t sent, failed, refused, bytes;
    pstat *parts; int32_t nparts;
    int first_err, first_cause;
    char first_why[768];   /* the first refusal in words (kw_producer_send_error) */
    size_t read_ahead;     /* bytes waiting to be sent past which no more input is read */
    int64_t max_block_ms;  /* longest wait for them to drain (then send() decides) */
    uint8_t noted[MAX_NOTED];
    kw_buf jout;           /* --json: delivery reports waiting to be written */
    int fatal;             /* every broker failed for good (kw_net_fatal): stop reading */
} pctx;

/* Hold the input back while the producer has read_ahead bytes or more sealed and waiting
 * (see the top of the file); at most max.block.ms, and not past a Ctrl-C. */
static void wait_read_ahead(pctx *c)
{
    size_t brokers = (size_t)kw_net_count(kw_producer_net(c->p));
    size_t limit = c->read_ahead * ((brokers > 0 ? brokers : 1) + 1);
    int64_t start = kw_net_now();
    /* (not past a Ctrl-C, nor for brokers that failed for good: nothing will drain) */
    while (!stop_flag && kw_producer_queued_bytes(c->p) >= limit && kw_net_now() - start < c->max_block_ms * 1000 &&
           !kw_net_fatal(kw_producer_net(c->p), NULL))
        kw_producer_poll(c->p, 100);
}

static void json_report(pctx *c, uint64_t record, const char *topic, int32_t partition, int64_t offset, int err,
                        const char *why)
{
    kw_recjson_report(&c->jout, record, topic, partition, offset, err, why);
}

static void json_flush(pctx *c)
{
    if (!c->jout.len) return;
    fwrite(c->jout.data, 1, c->jout.len, stdout);
    fflush(stdout);
    c->jout.len = 0;
}

static void on_delivery(void *ud, const kw_delivery *d)
{
    pctx *c = ud;
    if (c->cli->json) json_report(c, (uint64_t)(uintptr_t)d->opaque, d->topic, d->partition, d->offset, d->err, NULL);
    if (d->err) {
        if (!c->failed && !c->refused) {
            c->first_err = d->err;
            c->first_cause = d->cause;
        }
        c->failed++;
        return;
    }
    if (d->partition < 0) return;
    if (d->partition >= c->nparts) {
        int32_t n = d->partition + 1;
        pstat *np = realloc(c->parts, (size_t)n * sizeof *np);
        if (!np) return;
        for (int32_t i = c->nparts; i < n; i++) np[i] = (pstat){INT64_MAX, -1, 0};
        c->parts = np;
        c->nparts = n;
    }
    pstat *s = &c->parts[d->partition];
    s->n++;
    if (d->offset >= 0) {
        if (d->offset < s->lo) s->lo = d->offset;
        if (d->offset > s->hi) s->hi = d->offset;
    }
}

/* A broker could not be reached: said once per broker, with how long kwire keeps trying. */
static void on_net_failure(void *ud, int idx, int err, const char *why)
{
    pctx *c = ud;
    if (idx < 0 || idx >= MAX_NOTED || c->noted[idx] || c->cli->verbosity < 0) return;
    c->noted[idx] = 1;
    if (err == KW_ERR_NOT_KAFKA) kw__cli_err("produce", "%s", why);
    else
        kw__cli_err("produce", "%s; retrying until max.block.ms (%" PRId64 " ms) runs out", why && *why ? why : kw_strerror(err),
                    c->max_block_ms);
}

/* The bytes a record counts for in the summary: key + value + header names and values. */
static uint64_t record_bytes(const kw_producer_record *r)
{
    uint64_t n = (uint64_t)(r->key_len > 0 ? r->key_len : 0) + (uint64_t)(r->value_len > 0 ? r->value_len : 0);
    for (int32_t i = 0; i < r->header_count; i++)
        n += (uint64_t)r->headers[i].key_len + (uint64_t)(r->headers[i].value_len > 0 ? r->headers[i].value_len : 0);
    return n;
}

static int send_record(pctx *c, kw_producer_record *r)
{
    r->opaque = (void *)(uintptr_t)c->records;
    int rc = kw_producer_send(c->p, r);
    if (rc && kw_net_fatal(kw_producer_net(c->p), NULL)) {
        /* every broker failed for good: the command stops reading and says why */
        c->fatal = rc;
        if (c->cli->json) json_report(c, c->records, r->topic, r->partition, -1, rc, kw_producer_send_error(c->p));
        return rc;
    }
    if (rc) {
        const char *why = kw_producer_send_error(c->p);
        if (!c->refused && !c->failed) {
            c->first_err = rc;
            snprintf(c->first_why, sizeof c->first_why, "%s", why);
        }
        c->refused++;
        if (c->cli->json) json_report(c, c->records, r->topic, r->partition, -1, rc, why);
        return rc;
    }
    c->sent++;
    c->bytes += record_bytes(r);
    return 0;
}

static int send_line(pctx *c, const char *s, size_t n)
{
    c->records++;
    kw_producer_record r = {.topic = c->topic, .partition = c->partition, .key = NULL, .key_len = -1,
                            .headers = c->hdrs, .header_count = c->nhdrs};
    if (c->json_in) {
        char err[256];
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
        if (!n) { c->records--; return 0; } /* a blank line */
        int e = kw_recjson_parse(&c->rj, s, n, err, sizeof err);
        if (!e && !c->topic && !c->rj.topic) {
            snprintf(err, sizeof err, "no \"topic\" and no -t TOPIC");
            e = KW_ERR_INVALID_ARG;
        }
        if (e) {
            char why[400];
            snprintf(why, sizeof why, "input record %" PRIu64 ": %s", c->records, err);
            if (!c->refused && !c->failed) {
                c->first_err = e;
                snprintf(c->first_why, sizeof c->first_why, "%s", why);
            }
            c->refused++;
            if (c->cli->json) json_report(c, c->records, c->topic, c->partition, -1, e, why);
            return e;
        }
        r.topic = c->topic ? c->topic : c->rj.topic;
        r.partition = c->partition_given ? c->partition : c->rj.partition;
        r.key = c->rj.key;
        r.key_len = c->rj.key_len;
        r.value = c->rj.value;
        r.value_len = c->rj.value_len;
        r.headers = c->rj.headers;
        r.header_count = c->rj.nheaders;
        r.timestamp = c->rj.has_timestamp ? c->rj.timestamp : 0;
        return send_record(c, &r);
    }
    r.value = s;
    r.value_len = (int32_t)n;
    if (c->key) {
        r.key = c->key;
        r.key_len = c->key_len;
    } else if (c->delim) {
        const char *k, *v;
        kw_recfmt_split_key(s, n, c->delim, c->delim_len, &k, &r.key_len, &v, &r.value_len);
        r.key = k;
        r.value = v;
    }
    return send_record(c, &r);
}

/* Send every complete line of [p, p+n); returns bytes consumed (up to the last newline,
 * or all when final). Stops early (returning what it used) once interrupted. */
static size_t send_lines(pctx *c, const char *p, size_t n, int final)
{
    size_t off = 0;
    for (;;) {
        if (stop_flag || c->fatal) return off;
        const char *nl = memchr(p + off, '\n', n - off);
        if (!nl || c->fatal) break;
        send_line(c, p + off, (size_t)(nl - (p + off)));
        off = (size_t)(nl - p) + 1;
    }
    if (final && off < n && !c->fatal) {
        send_line(c, p + off, n - off);
        off = n;
    }
    return off;
}

static int send_fd(pctx *c, int fd, const char *name)
{
    size_t cap = CHUNK;
    char *buf = malloc(cap);
    if (!buf) return KW_ERR_NOMEM;
    size_t have = 0;
    while (!stop_flag) {
        /* keep the producer's loop running while the input is idle */
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        while (!stop_flag && poll(&pfd, 1, 0) == 0) {
            kw_producer_poll(c->p, 5);
            json_flush(c);
        }
        if (stop_flag) break;
        wait_read_ahead(c);
        if (stop_flag) break;
        ssize_t r = read(fd, buf + have, cap - have);
        if (r < 0) {
            if (errno == EINTR) continue;
            kw__cli_err("produce", "%s: %s", name, strerror(errno));
            free(buf);
            return KW_ERR_IO;
        }
        have += (size_t)r;
        int final = r == 0;
        size_t used = send_lines(c, buf, have, final);
        json_flush(c);
        memmove(buf, buf + used, have - used);
        have -= used;
        if (final || c->fatal) break;
        if (have == cap) {
            /* a line longer than the buffer: grow it */
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); return KW_ERR_NOMEM; }
            buf = nb;
            cap *= 2;
        }
    }
    free(buf);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: kwire produce -t TOPIC [-p PARTITION] [-k KEY | -K DELIM] [-H name=value ...] [-l] [FILE ...]\n"
               "       kwire produce -J [-t TOPIC] [-p PARTITION] [FILE ...]\n"
               "  one record per line of stdin or the files; settings with -X name=value (producer\n"
               "  settings by their Kafka names: acks, linger.ms, batch.size, compression.type, ...)\n"
               "  -t TOPIC        topic to write (with -J: instead of each record's own)\n"
               "  -p PARTITION    partition (default: the partitioner chooses; with -J: each record's own)\n"
               "  -k KEY          the same key on every record\n"
               "  -K DELIM        key and value are split at the first DELIM of each line\n"
               "  -H name=value   a header on every record (repeatable)\n"
               "  -l              each line is a record (the default)\n"
               "  -J              each line is the JSON envelope `kwire consume --json` prints: key,\n"
               "                  value, headers and timestamp are taken from it (base64 where its\n"
               "                  \"..._encoding\" says so), so consume --json | produce -J copies records\n"
               "  --json          (global) one JSON line per input record on stdout once it is\n"
               "                  delivered or failed: record number, topic, partition, offset, error\n"
               "Input is read ahead only while less than (brokers + 1) x max(batch.size, max.request.size)\n"
               "bytes wait to be sent; buffer.memory stays the producer's bound.\n"
               "At the end a summary goes to stderr: records sent, failed, refused, and their bytes\n"
               "(key + value + headers). Ctrl-C (SIGINT) or SIGTERM stops reading the input; every\n"
               "record already accepted is still delivered or reported, then the summary; a second\n"
               "Ctrl-C abandons them at once (counted as failed).\n"
               "Exit status: 0 every record delivered, 1 any failed, was refused or abandoned, 2 usage.\n");
}

/* Interrupted after the input stopped: deliver what was accepted unless interrupted again. */
static void finish(pctx *c)
{
    uint64_t left = kw_producer_outstanding(c->p);
    if (stop_flag && !abandon_flag && left && c->cli->verbosity >= 0)
        kw__cli_err("produce", "interrupted: no more input is read; delivering the %" PRIu64 " accepted record%s "
                               "(Ctrl-C again to abandon %s)",
                    left, left == 1 ? "" : "s", left == 1 ? "it" : "them");
    kw_producer_set_interrupt(c->p, &abandon_flag);
    while (kw_producer_outstanding(c->p) && !abandon_flag) {
        kw_producer_flush(c->p, 200);
        json_flush(c);
    }
    left = kw_producer_outstanding(c->p);
    if (abandon_flag && left)
        kw__cli_err("produce", "interrupted again: %" PRIu64 " record%s abandoned (accepted, not acknowledged)", left,
                    left == 1 ? "" : "s");
}

static const char *plural(uint64_t n, const char *one, const char *many) { return n == 1 ? one : many; }

/* -v: the batching figures (before kw_producer_close: the latency histogram goes with it). */
static void verbose_line(const kw_producer *p, char *out, size_t len)
{
    const kw_producer_stats *st = kw_producer_stats_get(p);
    out[0] = 0;
    if (!st->batches) return;
    snprintf(out, len,
             "  batches %" PRIu64 " (%.1f records, %.0f bytes raw, %.0f on the wire, fill %.1f%%; sealed full %" PRIu64
             " linger %" PRIu64 " flush %" PRIu64 "), requests %" PRIu64 " (%.1f batches, %.0f bytes, rtt avg %.2f ms max %.2f ms), retried records %" PRIu64
             ", delivery latency p50 %" PRId64 " p99 %" PRId64 " max %" PRId64 " ms, buffer memory peak %" PRIu64 " bytes\n",
             st->batches, (double)st->batch_records / (double)st->batches,
             (double)st->batch_raw_bytes / (double)st->batches, (double)st->batch_wire_bytes / (double)st->batches,
             100.0 * st->batch_fill_sum / (double)st->batches, st->sealed[KW_SEAL_FULL], st->sealed[KW_SEAL_LINGER],
             st->sealed[KW_SEAL_FLUSH], st->requests,
             st->requests ? (double)st->request_batches / (double)st->requests : 0.0,
             st->requests ? (double)st->request_bytes / (double)st->requests : 0.0,
             st->requests ? (double)st->rtt_sum_us / 1000.0 / (double)st->requests : 0.0,
             (double)st->rtt_max_us / 1000.0, st->record_retries, kw_producer_latency_quantile(st, 0.5),
             kw_producer_latency_quantile(st, 0.99), st->lat_max_ms, st->mem_peak);
}

/* After kw_producer_close: last and verbose were taken before it. */
static void summary(pctx *c, const char *last, const char *verbose)
{
    fprintf(stderr,
            "kwire produce: %" PRIu64 " %s sent, %" PRIu64 " failed, %" PRIu64 " refused, %" PRIu64
            " %s (keys + values + headers) to %s\n",
            c->sent - c->failed, plural(c->sent - c->failed, "record", "records"), c->failed, c->refused, c->bytes,
            plural(c->bytes, "byte", "bytes"), c->topic ? c->topic : "the records' topics");
    for (int32_t k = 0; k < c->nparts; k++)
        if (c->parts[k].n) {
            if (c->parts[k].hi >= 0)
                fprintf(stderr, "  partition %d: %" PRIu64 " %s, offsets %" PRId64 "..%" PRId64 "\n", k, c->parts[k].n,
                        plural(c->parts[k].n, "record", "records"), c->parts[k].lo, c->parts[k].hi);
            else
                fprintf(stderr, "  partition %d: %" PRIu64 " %s (acks=0: no offsets)\n", k, c->parts[k].n,
                        plural(c->parts[k].n, "record", "records"));
        }
    if (c->failed || c->refused) {
        if (c->first_why[0]) fprintf(stderr, "  first error: %s (%s)", c->first_why, kw_err_name(c->first_err));
        else fprintf(stderr, "  first error: %s (%s)", kw_strerror(c->first_err), kw_err_name(c->first_err));
        if (c->first_cause)
            fprintf(stderr, "; its last attempt failed with: %s (%s)", kw_strerror(c->first_cause),
                    kw_err_name(c->first_cause));
        fprintf(stderr, "\n");
        if (c->first_err == KW_KAFKA_MESSAGE_TOO_LARGE || c->first_cause == KW_KAFKA_MESSAGE_TOO_LARGE)
            fprintf(stderr, "  the broker refused the batch as larger than its message.max.bytes (or the topic's "
                            "max.message.bytes); lower max.request.size or batch.size, or raise the broker's limit\n");
        if (last[0]) fprintf(stderr, "  last failed request: %s\n", last);
    }
    if (verbose[0]) fputs(verbose, stderr);
}

int kw__cmd_produce(kw_cli *cli, int argc, char **argv)
{
    pctx c = {.cli = cli, .partition = -1};
    const char *files[256];
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return KW_EXIT_OK; }
        if (!strcmp(a, "-l")) continue;
        if (!strcmp(a, "-J")) { c.json_in = 1; continue; }
        if (a[0] == '-' && a[1] && strchr("tpkKH", a[1]) && !a[2]) {
            if (!has) { kw__cli_err("produce", "%s needs a value", a); return KW_EXIT_USAGE; }
            const char *v = argv[++i];
            switch (a[1]) {
            case 't': c.topic = v; break;
            case 'p': {
                char *e;
                long n = strtol(v, &e, 10);
                if (*e || !*v || n < -1 || n > INT32_MAX) { kw__cli_err("produce", "-p %s: not a partition", v); return KW_EXIT_USAGE; }
                c.partition = (int32_t)n;
                c.partition_given = 1;
                break;
            }
            case 'k': c.key = v; c.key_len = (int32_t)strlen(v); break;
            case 'K':
                if (!*v) { kw__cli_err("produce", "-K needs a non-empty delimiter"); return KW_EXIT_USAGE; }
                c.delim = v; c.delim_len = strlen(v);
                break;
            case 'H': {
                const char *eq = strchr(v, '=');
                if (!eq || eq == v) { kw__cli_err("produce", "-H %s: expected name=value", v); return KW_EXIT_USAGE; }
                if (c.nhdrs == MAX_HEADERS) { kw__cli_err("produce", "at most %d headers", MAX_HEADERS); return KW_EXIT_USAGE; }
                c.hdrs[c.nhdrs++] = (kw_header){(const uint8_t *)v, (int32_t)(eq - v), (const uint8_t *)eq + 1,
                                                (int32_t)strlen(eq + 1)};
                break;
            }
            }
            continue;
        }
        if (a[0] == '-' && a[1]) { kw__cli_err("produce", "unknown option '%s'", a); usage(stderr); return KW_EXIT_USAGE; }
        if (nfiles == (int)(sizeof files / sizeof files[0])) { kw__cli_err("produce", "too many files"); return KW_EXIT_USAGE; }
        files[nfiles++] = a;
    }
    if (c.key && c.delim) {
        kw__cli_err("produce", "-k KEY (one key for every record) and -K DELIM (a key from each line) exclude each other: give one");
        return KW_EXIT_USAGE;
    }
    if (c.json_in && (c.key || c.delim || c.nhdrs)) {
        kw__cli_err("produce", "-J takes each record's key and headers from its JSON: -k, -K and -H do not go with it");
        return KW_EXIT_USAGE;
    }
    if (c.topic && !*c.topic) { kw__cli_err("produce", "-t needs a topic name"); return KW_EXIT_USAGE; }
    if (!c.topic && !c.json_in) { kw__cli_err("produce", "-t TOPIC is required"); usage(stderr); return KW_EXIT_USAGE; }

    kw_config *cfg = kw_config_new(KW_ROLE_PRODUCER);
    if (!cfg) return KW_EXIT_FAIL;
    for (int i = 0; i < cli->nsettings; i++)
        if (kw_config_set_kv(cfg, cli->settings[i])) {
            kw__cli_err("produce", "%s", kw_config_error(cfg));
            kw_config_free(cfg);
            return KW_EXIT_USAGE;
        }
    if (kw_config_validate(cfg)) {
        kw__cli_err("produce", "%s", kw_config_error(cfg));
        kw_config_free(cfg);
        return KW_EXIT_USAGE;
    }
    if (!kw_config_is_set(cfg, KW_CONF_BOOTSTRAP_SERVERS) || cli->bootstrap) {
        const char *bs = kw__cli_bootstrap(cli);
        if (!bs) { kw_config_free(cfg); return KW_EXIT_FAIL; }
        kw_config_set(cfg, "bootstrap.servers", bs);
    }
    int64_t bsz = kw_config_int(cfg, KW_CONF_BATCH_SIZE), mrs = kw_config_int(cfg, KW_CONF_MAX_REQUEST_SIZE);
    c.read_ahead = (size_t)(bsz > mrs ? bsz : mrs);
    c.max_block_ms = kw_config_int(cfg, KW_CONF_MAX_BLOCK_MS);
    char err[256];
    c.p = kw_producer_new(cfg, on_delivery, &c, err, sizeof err);
    kw_config_free(cfg);
    if (!c.p) { kw__cli_err("produce", "%s", err[0] ? err : "cannot create the producer"); return KW_EXIT_USAGE; }
    if (cli->dump) kw_producer_set_dump(c.p, cli->dump_out ? cli->dump_out : stderr, kw__cli_dump_flags(cli));
    kw_net_set_notify(kw_producer_net(c.p), on_net_failure, &c);
    kw_recjson_init(&c.rj);
    kw_buf_init(&c.jout);
    /* no SA_RESTART: a read waiting on a terminal returns at Ctrl-C */
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    kw_producer_set_interrupt(c.p, &stop_flag);

    int rc = 0;
    if (!nfiles) rc = send_fd(&c, STDIN_FILENO, "stdin");
    for (int i = 0; i < nfiles && !rc && !stop_flag; i++) {
        int fd = !strcmp(files[i], "-") ? STDIN_FILENO : open(files[i], O_RDONLY);
        if (fd < 0) { kw__cli_err("produce", "%s: %s", files[i], strerror(errno)); rc = KW_ERR_IO; break; }
        rc = send_fd(&c, fd, files[i]);
        if (fd != STDIN_FILENO) close(fd);
    }
    if (c.fatal) {
        /* no broker can be used (TLS, authentication, settings): say why in one line */
        int idx = 0;
        kw_net *n = kw_producer_net(c.p);
        kw_net_fatal(n, &idx);
        json_flush(&c);
        kw__cli_err("produce", "%s (%s)", kw_strerror(c.fatal), kw_net_last_error(n, idx));
        kw__cli_net_stats(cli, n);
        kw_producer_close(c.p);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        free(c.parts);
        kw_recjson_free(&c.rj);
        kw_buf_free(&c.jout);
        return KW_EXIT_FAIL;
    }
    finish(&c);
    kw_producer_set_interrupt(c.p, &abandon_flag);
    /* the broker set's statistics before close frees it; close reports what is left */
    kw__cli_net_stats(cli, kw_producer_net(c.p));
    char last[256], verbose[1024] = "";
    snprintf(last, sizeof last, "%s", kw_producer_last_error(c.p));
    if (cli->verbosity > 0) verbose_line(c.p, verbose, sizeof verbose);
    kw_producer_close(c.p);
    json_flush(&c);
    if (cli->verbosity >= 0) summary(&c, last, verbose);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    free(c.parts);
    kw_recjson_free(&c.rj);
    kw_buf_free(&c.jout);
    if (rc && rc != KW_ERR_IO) rc = 0;
    return rc || c.failed || c.refused ? KW_EXIT_FAIL : KW_EXIT_OK;
}
