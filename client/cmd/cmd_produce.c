/*
 * client/cmd/cmd_produce.c — `kwire produce`: one record per line from stdin or files
 * into a topic, through the producer library (client/producer.h).
 *
 *   kwire produce -t TOPIC [-p PARTITION] [-k KEY] [-K DELIM] [-H name=value ...] [-l] [FILE ...]
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/net.h"
#include "client/producer.h"
#include "commands.h"
#include "kwire.h"

#define MAX_HEADERS 64
#define CHUNK (256u << 10)

typedef struct pstat {
    int64_t lo, hi;
    uint64_t n;
} pstat;

typedef struct pctx {
    kw_producer *p;
    const char *topic;
    int32_t partition;
    const char *key; int32_t key_len;
    const char *delim; size_t delim_len;
    kw_header hdrs[MAX_HEADERS];
    int nhdrs;
    uint64_t sent, failed, refused, bytes;
    pstat *parts; int32_t nparts;
    int first_err, first_cause;
    size_t read_ahead;     /* bytes waiting to be sent past which no more input is read */
    int64_t max_block_ms;  /* longest wait for them to drain (then send() decides) */
    int fatal;             /* every broker failed for good (kw_net_fatal): stop reading */
} pctx;

/* Hold the input back while the producer has read_ahead bytes or more sealed and waiting
 * (see the top of the file); at most max.block.ms. */
static void wait_read_ahead(pctx *c)
{
    size_t brokers = (size_t)kw_net_count(kw_producer_net(c->p));
    size_t limit = c->read_ahead * ((brokers > 0 ? brokers : 1) + 1);
    int64_t start = kw_net_now();
    /* (not for brokers that failed for good: nothing will drain) */
    while (kw_producer_queued_bytes(c->p) >= limit && kw_net_now() - start < c->max_block_ms * 1000 &&
           !kw_net_fatal(kw_producer_net(c->p), NULL))
        kw_producer_poll(c->p, 100);
}

static void on_delivery(void *ud, const kw_delivery *d)
{
    pctx *c = ud;
    if (d->err) {
        if (!c->failed) {
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

static int send_line(pctx *c, const char *s, size_t n)
{
    kw_producer_record r = {.topic = c->topic, .partition = c->partition, .key = NULL, .key_len = -1,
                            .headers = c->hdrs, .header_count = c->nhdrs};
    r.value = s;
    r.value_len = (int32_t)n;
    if (c->key) {
        r.key = c->key;
        r.key_len = c->key_len;
    } else if (c->delim) {
        const char *d = c->delim_len == 1 ? memchr(s, c->delim[0], n) : memmem(s, n, c->delim, c->delim_len);
        if (d) {
            r.key = s;
            r.key_len = (int32_t)(d - s);
            r.value = d + c->delim_len;
            r.value_len = (int32_t)(n - (size_t)(d - s) - c->delim_len);
        }
    }
    int rc = kw_producer_send(c->p, &r);
    if (rc && kw_net_fatal(kw_producer_net(c->p), NULL)) {
        c->fatal = rc;
        return rc;
    }
    if (rc) {
        if (!c->refused && !c->failed) c->first_err = rc;
        c->refused++;
        return rc;
    }
    c->sent++;
    c->bytes += n;
    return 0;
}

/* Send every complete line of [p, p+n); returns bytes consumed (up to the last newline,
 * or all when final). */
static size_t send_lines(pctx *c, const char *p, size_t n, int final)
{
    size_t off = 0;
    for (;;) {
        const char *nl = memchr(p + off, '\n', n - off);
        if (!nl || c->fatal) break;
        send_line(c, p + off, (size_t)(nl - (p + off)));
        off = (size_t)(nl - p) + 1;
    }
    if (final && off < n) {
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
    for (;;) {
        /* keep the producer's loop running while the input is idle */
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        while (poll(&pfd, 1, 0) == 0) kw_producer_poll(c->p, 5);
        wait_read_ahead(c);
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
    fprintf(f, "usage: kwire produce -t TOPIC [-p PARTITION] [-k KEY] [-K DELIM] [-H name=value ...] [-l] [FILE ...]\n"
               "  one record per line of stdin or the files; settings with -X name=value (producer\n"
               "  settings by their Kafka names: acks, linger.ms, batch.size, compression.type, ...)\n"
               "  -t TOPIC        topic to write\n"
               "  -p PARTITION    partition (default: the partitioner chooses)\n"
               "  -k KEY          the same key on every record\n"
               "  -K DELIM        key and value are split at the first DELIM of each line\n"
               "  -H name=value   a header on every record (repeatable)\n"
               "  -l              each line is a record (the default)\n"
               "  Input is read ahead only while less than (brokers + 1) x max(batch.size, max.request.size)\n"
               "  bytes wait to be sent; buffer.memory stays the producer's bound.\n");
}

int kw__cmd_produce(kw_cli *cli, int argc, char **argv)
{
    pctx c = {.partition = -1};
    const char *files[256];
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return KW_EXIT_OK; }
        if (!strcmp(a, "-l")) continue;
        if (a[0] == '-' && a[1] && strchr("tpkKH", a[1]) && !a[2]) {
            if (!has) { kw__cli_err("produce", "%s needs a value", a); return KW_EXIT_USAGE; }
            const char *v = argv[++i];
            switch (a[1]) {
            case 't': c.topic = v; break;
            case 'p': {
                char *e;
                long n = strtol(v, &e, 10);
                if (*e || n < -1 || n > INT32_MAX) { kw__cli_err("produce", "-p %s: not a partition", v); return KW_EXIT_USAGE; }
                c.partition = (int32_t)n;
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
    if (!c.topic || !*c.topic) { kw__cli_err("produce", "-t TOPIC is required"); usage(stderr); return KW_EXIT_USAGE; }

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

    int rc = 0;
    if (!nfiles) rc = send_fd(&c, STDIN_FILENO, "stdin");
    for (int i = 0; i < nfiles && !rc; i++) {
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
        kw__cli_err("produce", "%s (%s)", kw_strerror(c.fatal), kw_net_last_error(n, idx));
        kw__cli_net_stats(cli, n);
        kw_producer_close(c.p);
        free(c.parts);
        return KW_EXIT_FAIL;
    }
    kw_producer_flush(c.p, -1);
    const kw_producer_stats *st = kw_producer_stats_get(c.p);
    if (cli->verbosity >= 0) {
        fprintf(stderr, "kwire produce: %" PRIu64 " records sent, %" PRIu64 " failed, %" PRIu64 " refused, %" PRIu64
                        " bytes to %s\n",
                c.sent - c.failed, c.failed, c.refused, c.bytes, c.topic);
        for (int32_t k = 0; k < c.nparts; k++)
            if (c.parts[k].n) {
                if (c.parts[k].hi >= 0)
                    fprintf(stderr, "  partition %d: %" PRIu64 " records, offsets %" PRId64 "..%" PRId64 "\n", k,
                            c.parts[k].n, c.parts[k].lo, c.parts[k].hi);
                else
                    fprintf(stderr, "  partition %d: %" PRIu64 " records (acks=0: no offsets)\n", k, c.parts[k].n);
            }
        if (c.failed || c.refused) {
            fprintf(stderr, "  first error: %s (%s)", kw_strerror(c.first_err), kw_err_name(c.first_err));
            if (c.first_cause) fprintf(stderr, "; its last attempt failed with: %s (%s)", kw_strerror(c.first_cause),
                                       kw_err_name(c.first_cause));
            fprintf(stderr, "\n");
            const char *why = kw_producer_last_error(c.p);
            if (why[0]) fprintf(stderr, "  last failed request: %s\n", why);
        }
        if (cli->verbosity > 0 && st->batches) {
            fprintf(stderr,
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
    }
    kw__cli_net_stats(cli, kw_producer_net(c.p));
    kw_producer_close(c.p);
    free(c.parts);
    if (rc && rc != KW_ERR_IO) rc = 0;
    return rc || c.failed || c.refused ? KW_EXIT_FAIL : KW_EXIT_OK;
}
