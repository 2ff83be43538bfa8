/*
 * client/cli/produce_input.c — `kwire produce`'s lines to records, the read-ahead bound,
 * the delivery bookkeeping and the summary (see produce_input.h).
 *
 * Lines are sliced in place (no allocation per line). -K splits a line into key and value
 * at the first DELIM (a line without it is a value with a null key); -J parses the line as
 * the JSON envelope, -t and -p overriding its topic and partition.
 */
#include "client/cli/produce_input.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn/net.h"
#include "kwire.h"

/* A note on stderr, as the command's own messages read. */
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kwire produce: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void kw_pinput_init(kw_pinput *c)
{
    memset(c, 0, sizeof *c);
    c->partition = -1;
    c->out = stdout;
    kw_recjson_init(&c->rj);
    kw_buf_init(&c->jout);
}

void kw_pinput_free(kw_pinput *c)
{
    free(c->parts);
    c->parts = NULL;
    c->nparts = 0;
    kw_recjson_free(&c->rj);
    kw_buf_free(&c->jout);
}

static int stopped(const kw_pinput *c) { return c->stop && *c->stop; }
static int abandoned(const kw_pinput *c) { return c->abandon && *c->abandon; }

void kw_pinput_wait_read_ahead(kw_pinput *c)
{
    size_t brokers = (size_t)kw_net_count(kw_producer_net(c->p));
    size_t limit = c->read_ahead * ((brokers > 0 ? brokers : 1) + 1);
    int64_t start = kw_net_now();
    /* (not past a Ctrl-C, nor for brokers that failed for good: nothing will drain) */
    while (!stopped(c) && kw_producer_queued_bytes(c->p) >= limit && kw_net_now() - start < c->max_block_ms * 1000 &&
           !kw_net_fatal(kw_producer_net(c->p), NULL))
        kw_producer_poll(c->p, 100);
}

void kw_pinput_flush_json(kw_pinput *c)
{
    if (!c->jout.len) return;
    fwrite(c->jout.data, 1, c->jout.len, c->out);
    fflush(c->out);
    c->jout.len = 0;
}

void kw_pinput_on_delivery(void *ud, const kw_delivery *d)
{
    kw_pinput *c = ud;
    if (c->json_out)
        kw_recjson_report(&c->jout, (uint64_t)(uintptr_t)d->opaque, d->topic, d->partition, d->offset, d->err, NULL);
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
        kw_pinput_part *np = realloc(c->parts, (size_t)n * sizeof *np);
        if (!np) return;
        for (int32_t i = c->nparts; i < n; i++) np[i] = (kw_pinput_part){INT64_MAX, -1, 0};
        c->parts = np;
        c->nparts = n;
    }
    kw_pinput_part *s = &c->parts[d->partition];
    s->n++;
    if (d->offset >= 0) {
        if (d->offset < s->lo) s->lo = d->offset;
        if (d->offset > s->hi) s->hi = d->offset;
    }
}

void kw_pinput_on_net_failure(void *ud, int idx, int err, const char *why)
{
    kw_pinput *c = ud;
    if (idx < 0 || idx >= KW_PINPUT_MAX_NOTED || c->noted[idx] || c->quiet) return;
    c->noted[idx] = 1;
    if (err == KW_ERR_NOT_KAFKA) say("%s", why);
    else
        say("%s; retrying until max.block.ms (%" PRId64 " ms) runs out", why && *why ? why : kw_strerror(err),
            c->max_block_ms);
}

uint64_t kw_pinput_record_bytes(const kw_producer_record *r)
{
    uint64_t n = (uint64_t)(r->key_len > 0 ? r->key_len : 0) + (uint64_t)(r->value_len > 0 ? r->value_len : 0);
    for (int32_t i = 0; i < r->header_count; i++)
        n += (uint64_t)r->headers[i].key_len + (uint64_t)(r->headers[i].value_len > 0 ? r->headers[i].value_len : 0);
    return n;
}

/* A record refused before the producer saw it, or by kw_producer_send. */
static int refuse(kw_pinput *c, int e, const char *why, const char *topic, int32_t partition)
{
    if (!c->refused && !c->failed) {
        c->first_err = e;
        snprintf(c->first_why, sizeof c->first_why, "%s", why);
    }
    c->refused++;
    if (c->json_out) kw_recjson_report(&c->jout, c->records, topic, partition, -1, e, why);
    return e;
}

static int send_record(kw_pinput *c, kw_producer_record *r)
{
    r->opaque = (void *)(uintptr_t)c->records;
    int rc = kw_producer_send(c->p, r);
    if (rc && kw_net_fatal(kw_producer_net(c->p), NULL)) {
        /* every broker failed for good: the command stops reading and says why */
        c->fatal = rc;
        if (c->json_out)
            kw_recjson_report(&c->jout, c->records, r->topic, r->partition, -1, rc, kw_producer_send_error(c->p));
        return rc;
    }
    if (rc) return refuse(c, rc, kw_producer_send_error(c->p), r->topic, r->partition);
    c->sent++;
    c->bytes += kw_pinput_record_bytes(r);
    return 0;
}

int kw_pinput_line_record(kw_pinput *c, const char *s, size_t n, kw_producer_record *r)
{
    c->records++;
    *r = (kw_producer_record){.topic = c->topic, .partition = c->partition, .key = NULL, .key_len = -1,
                              .headers = c->hdrs, .header_count = c->nhdrs};
    if (c->json_in) {
        char err[256];
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
        if (!n) { c->records--; return 1; } /* a blank line */
        int e = kw_recjson_parse(&c->rj, s, n, err, sizeof err);
        if (!e && !c->topic && !c->rj.topic) {
            snprintf(err, sizeof err, "no \"topic\" and no -t TOPIC");
            e = KW_ERR_INVALID_ARG;
        }
        if (e) {
            char why[400];
            snprintf(why, sizeof why, "input record %" PRIu64 ": %s", c->records, err);
            return refuse(c, e, why, c->topic, c->partition);
        }
        r->topic = c->topic ? c->topic : c->rj.topic;
        r->partition = c->partition_given ? c->partition : c->rj.partition;
        r->key = c->rj.key;
        r->key_len = c->rj.key_len;
        r->value = c->rj.value;
        r->value_len = c->rj.value_len;
        r->headers = c->rj.headers;
        r->header_count = c->rj.nheaders;
        r->timestamp = c->rj.has_timestamp ? c->rj.timestamp : 0;
        return 0;
    }
    r->value = s;
    r->value_len = (int32_t)n;
    if (c->key) {
        r->key = c->key;
        r->key_len = c->key_len;
    } else if (c->delim) {
        const char *k, *v;
        kw_recfmt_split_key(s, n, c->delim, c->delim_len, &k, &r->key_len, &v, &r->value_len);
        r->key = k;
        r->value = v;
    }
    return 0;
}

static void send_line(kw_pinput *c, const char *s, size_t n)
{
    kw_producer_record r;
    if (kw_pinput_line_record(c, s, n, &r) == 0) send_record(c, &r);
}

size_t kw_pinput_feed(kw_pinput *c, const char *p, size_t n, int final)
{
    size_t off = 0;
    for (;;) {
        if (stopped(c) || c->fatal) return off;
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

void kw_pinput_finish(kw_pinput *c)
{
    uint64_t left = kw_producer_outstanding(c->p);
    if (stopped(c) && !abandoned(c) && left && !c->quiet)
        say("interrupted: no more input is read; delivering the %" PRIu64 " accepted record%s "
            "(Ctrl-C again to abandon %s)",
            left, left == 1 ? "" : "s", left == 1 ? "it" : "them");
    kw_producer_set_interrupt(c->p, c->abandon);
    while (kw_producer_outstanding(c->p) && !abandoned(c)) {
        kw_producer_flush(c->p, 200);
        kw_pinput_flush_json(c);
    }
    left = kw_producer_outstanding(c->p);
    if (abandoned(c) && left)
        say("interrupted again: %" PRIu64 " record%s abandoned (accepted, not acknowledged)", left,
            left == 1 ? "" : "s");
}

static const char *plural(uint64_t n, const char *one, const char *many) { return n == 1 ? one : many; }

void kw_pinput_verbose_line(const kw_producer *p, char *out, size_t len)
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

void kw_pinput_summary(const kw_pinput *c, FILE *f, const char *last, const char *verbose)
{
    fprintf(f,
            "kwire produce: %" PRIu64 " %s sent, %" PRIu64 " failed, %" PRIu64 " refused, %" PRIu64
            " %s (keys + values + headers) to %s\n",
            c->sent - c->failed, plural(c->sent - c->failed, "record", "records"), c->failed, c->refused, c->bytes,
            plural(c->bytes, "byte", "bytes"), c->topic ? c->topic : "the records' topics");
    for (int32_t k = 0; k < c->nparts; k++)
        if (c->parts[k].n) {
            if (c->parts[k].hi >= 0)
                fprintf(f, "  partition %d: %" PRIu64 " %s, offsets %" PRId64 "..%" PRId64 "\n", k, c->parts[k].n,
                        plural(c->parts[k].n, "record", "records"), c->parts[k].lo, c->parts[k].hi);
            else
                fprintf(f, "  partition %d: %" PRIu64 " %s (acks=0: no offsets)\n", k, c->parts[k].n,
                        plural(c->parts[k].n, "record", "records"));
        }
    if (c->failed || c->refused) {
        if (c->first_why[0]) fprintf(f, "  first error: %s (%s)", c->first_why, kw_err_name(c->first_err));
        else fprintf(f, "  first error: %s (%s)", kw_strerror(c->first_err), kw_err_name(c->first_err));
        if (c->first_cause)
            fprintf(f, "; its last attempt failed with: %s (%s)", kw_strerror(c->first_cause),
                    kw_err_name(c->first_cause));
        fprintf(f, "\n");
        if (c->first_err == KW_KAFKA_MESSAGE_TOO_LARGE || c->first_cause == KW_KAFKA_MESSAGE_TOO_LARGE)
            fprintf(f, "  the broker refused the batch as larger than its message.max.bytes (or the topic's "
                       "max.message.bytes); lower max.request.size or batch.size, or raise the broker's limit\n");
        if (last[0]) fprintf(f, "  last failed request: %s\n", last);
    }
    if (verbose[0]) fputs(verbose, f);
}
