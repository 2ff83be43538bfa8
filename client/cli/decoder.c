/*
 * client/cli/decoder.c — `kwire decode`'s input files, frames and capture events through
 * the printer, its error lines and summary (see decoder.h).
 */
#include "client/cli/decoder.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "proto/desc.h"
#include "proto/print.h"
#include "proto/proto.h"

/* A message on err, as the command's own messages read. */
static void say(const kw__decoder *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const kw__decoder *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kwire decode: ", d->err_f);
    vfprintf(d->err_f, fmt, ap);
    fputc('\n', d->err_f);
    va_end(ap);
}

void kw__decoder_init(kw__decoder *d, int json, int paths, int secrets, FILE *out, FILE *err)
{
    memset(d, 0, sizeof *d);
    d->out_f = out;
    d->err_f = err;
    kw_buf_init(&d->out);
    kw_print_opts o = {0};
    o.fmt = json ? KW_PRINT_JSON : KW_PRINT_TEXT;
    o.paths = paths;
    o.secrets = secrets;
    kw_printer_init(&d->pr, &d->out, &o);
}

void kw__decoder_free(kw__decoder *d)
{
    kw_buf_free(&d->out);
}

/* ---- input files ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int kw__decoder_unhex(uint8_t *p, size_t len, size_t *out_len, size_t *at, size_t *digits)
{
    size_t o = 0, nd = 0;
    int hi = -1;
    for (size_t i = 0; i < len; i++) {
        int c = p[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        int v = hexval(c);
        if (v < 0) {
            *at = i;
            return -1;
        }
        nd++;
        if (hi < 0) { hi = v; continue; }
        p[o++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    if (hi >= 0) {
        *digits = nd;
        return -2;
    }
    *out_len = o;
    return 0;
}

uint8_t *kw__decoder_read_input(kw__decoder *d, const char *path, int hex, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) { say(d, "%s: %s", path, strerror(errno)); return NULL; }
    kw_buf b;
    kw_buf_init(&b);
    uint8_t chunk[65536];
    size_t n;
    size_t limit = hex ? max * 3 + 4096 : max;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > limit) {
            say(d, "%s: larger than %zu bytes (see --max-frame)", path, max);
            goto fail;
        }
        kw_buf_put(&b, chunk, n);
    }
    if (ferror(f)) { say(d, "%s: %s", path, strerror(errno)); goto fail; }
    if (b.err) { say(d, "%s: %s", path, kw_strerror(b.err)); goto fail; }
    if (f != stdin) fclose(f);
    if (hex) {
        size_t at = 0, digits = 0, o = 0;
        int e = kw__decoder_unhex(b.data, b.len, &o, &at, &digits);
        if (e == -1) {
            int c = b.data[at];
            say(d, "%s: not hex text: byte '%c' (0x%02x) at file offset %zu", path, c >= 0x20 && c < 0x7f ? c : '?', c,
                at);
        } else if (e == -2) {
            say(d, "%s: odd number of hex digits (%zu)", path, digits);
        }
        if (e) {
            kw_buf_free(&b);
            return NULL;
        }
        b.len = o;
    }
    *len = b.len;
    if (!b.data) return calloc(1, 1);
    return b.data;
fail:
    if (f != stdin) fclose(f);
    kw_buf_free(&b);
    return NULL;
}

/* ---- frames ---- */

void kw__decoder_after_walk(kw__decoder *d, int rc, const char *what)
{
    d->frames++;
    if (d->pr.crc_mismatches > d->crc_seen) {
        /* the dump says MISMATCH: so do the error stream and the exit status */
        d->crc_seen = d->pr.crc_mismatches;
        d->errors++;
        if (d->errors <= KW__DECODER_MAX_ERROR_LINES)
            say(d, "%s: record batch CRC-32C mismatch (marked CRC MISMATCH in the output)", what);
    }
    if (rc == KW_ERR_UNSUPPORTED) {
        d->undecoded++;
        return;
    }
    if (rc >= 0 && !d->pr.err.set) return;
    d->errors++;
    if (d->errors == KW__DECODER_MAX_ERROR_LINES + 1)
        say(d, "more decode errors: only the first %d are listed here (all are marked \"!! ERROR\" in the output)",
            KW__DECODER_MAX_ERROR_LINES);
    if (d->errors > KW__DECODER_MAX_ERROR_LINES)
        return;
    if (d->pr.err.set && d->pr.err.region)
        say(d, "%s: decoding stopped at offset %zu of region %d (field %s): %s", what, d->pr.err.off, d->pr.err.region,
            d->pr.err.path[0] ? d->pr.err.path : "?", d->pr.err.msg);
    else if (d->pr.err.set)
        say(d, "%s: decoding stopped at offset %zu (field %s): %s", what, d->pr.err.off,
            d->pr.err.path[0] ? d->pr.err.path : "?", d->pr.err.msg);
    else
        say(d, "%s: decoding failed: %s", what, kw_strerror(rc));
}

int kw__decoder_flush(kw__decoder *d)
{
    if (kw_printer_flush(&d->pr, d->out_f)) {
        say(d, "writing output: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int kw__decoder_finish(kw__decoder *d)
{
    kw_printer_finish(&d->pr);
    return kw__decoder_flush(d);
}

int kw__decoder_request(kw__decoder *d, const uint8_t *p, size_t len, const char *what)
{
    kw_print_frame f;
    kw_print_frame_init(&f);
    kw_req_header h;
    size_t hl;
    if (len >= 4 && kw_req_header_decode(p + 4, len - 4, &h, &hl) == 0) f.api_name = kw_api_kafka_name(h.api_key);
    int rc = kw_print_frame_bytes(&d->pr, &f, KW_PRINT_FRAME, KW_REQ, -1, -1, p, len);
    kw__decoder_after_walk(d, rc, what);
    return rc;
}

int kw__decoder_response(kw__decoder *d, int api, int version, int frame, const uint8_t *p, size_t len,
                         const char *what)
{
    kw_print_frame f;
    kw_print_frame_init(&f);
    f.api_name = kw_api_kafka_name(api);
    int rc = kw_print_frame_bytes(&d->pr, &f, frame ? KW_PRINT_FRAME : KW_PRINT_BODY, KW_RESP, api, version, p, len);
    kw__decoder_after_walk(d, rc, what);
    return rc;
}

/* ---- captures ---- */

static void event_text(kw__decoder *d, const kw_tcpr_ev *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void event_text(kw__decoder *d, const kw_tcpr_ev *e, const char *fmt, ...)
{
    char msg[256], line[512], ts[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kw_print_time(ts, sizeof ts, e->ts_usec);
    snprintf(line, sizeof line, "%s  stream %d  %s: %s", ts, e->conn, e->stream ? e->stream : "?", msg);
    kw_printer_event(&d->pr, line);
}

static void on_frame(kw__decoder *d, const kw_tcpr_ev *e)
{
    kw_print_frame f;
    kw_print_frame_init(&f);
    f.ts_usec = e->ts_usec;
    f.stream_id = e->conn;
    f.stream = e->stream;
    f.size = (int64_t)e->len;
    f.data = e->data;
    f.data_len = e->len;
    f.correlation_id = e->correlation_id;
    char what[160];
    if (e->is_request == 1) {
        d->requests++;
        f.direction = "request";
        f.api_name = kw_api_kafka_name(e->api_key);
        int rc = kw_print_frame_bytes(&d->pr, &f, KW_PRINT_FRAME, KW_REQ, -1, -1, e->data, e->len);
        snprintf(what, sizeof what, "stream %d request correlation_id %d", e->conn, e->correlation_id);
        kw__decoder_after_walk(d, rc, what);
    } else if (e->paired) {
        d->responses++;
        f.direction = "response";
        f.api_name = kw_api_kafka_name(e->api_key);
        if (e->ts_usec >= e->req_ts_usec) f.latency_usec = e->ts_usec - e->req_ts_usec;
        int rc = kw_print_frame_bytes(&d->pr, &f, KW_PRINT_FRAME, KW_RESP, e->api_key, e->api_version, e->data, e->len);
        snprintf(what, sizeof what, "stream %d response correlation_id %d", e->conn, e->correlation_id);
        kw__decoder_after_walk(d, rc, what);
    } else {
        /* no request to say what it is: show its size, correlation id and bytes */
        d->responses++;
        f.direction = "response (unpaired)";
        kw_printer_frame(&d->pr, &f);
        char v1[32], v2[32];
        int32_t size = 0, corr;
        kw_frame_size_peek(e->data, e->len, &size); /* a frame: at least its size */
        snprintf(v1, sizeof v1, "%u", (uint32_t)size);
        kw_ann a = {KW_ANN_FIELD, "size", "int32", e->data, 0, 4, v1, 0};
        kw_print_cb(&d->pr, &a);
        if (e->len >= 4 && !kw_resp_correlation_peek(e->data + 4, e->len - 4, &corr)) {
            snprintf(v2, sizeof v2, "%d", corr);
            kw_ann c = {KW_ANN_FIELD, "correlation_id", "int32", e->data + 4, 4, 4, v2, 0};
            kw_print_cb(&d->pr, &c);
            kw_ann r = {KW_ANN_FIELD, "rest", "bytes", e->data + 8, 8, e->len - 8,
                        "not decoded: no request with this correlation id", 0};
            kw_print_cb(&d->pr, &r);
        }
        d->frames++;
    }
}

int kw__decoder_on_event(void *ud, const kw_tcpr_ev *e)
{
    kw__decoder *d = ud;
    switch (e->kind) {
    case KW_TCPR_FRAME:
        on_frame(d, e);
        break;
    case KW_TCPR_GAP:
        d->gaps++;
        event_text(d, e, "GAP: %llu bytes missing from the capture; resynchronising", (unsigned long long)e->bytes);
        break;
    case KW_TCPR_SKIP:
        d->skipped += e->bytes;
        event_text(d, e, "skipped %llu bytes looking for a frame boundary", (unsigned long long)e->bytes);
        break;
    case KW_TCPR_OVERSIZE:
        event_text(d, e, "frame size %llu exceeds --max-frame: framing lost, resynchronising", (unsigned long long)e->bytes);
        break;
    case KW_TCPR_UNPAIRED:
        d->unpaired++;
        event_text(d, e, "response with correlation id %d matches no request", e->correlation_id);
        break;
    case KW_TCPR_NOREPLY:
        d->noreply++;
        event_text(d, e, "%s v%d request correlation id %d got no response in the capture",
                   kw_api_kafka_name(e->api_key) ? kw_api_kafka_name(e->api_key) : "?", e->api_version, e->correlation_id);
        break;
    case KW_TCPR_PARTIAL:
        d->partial++;
        event_text(d, e, "capture ends inside a frame (%llu bytes)", (unsigned long long)e->bytes);
        break;
    }
    return kw__decoder_flush(d) ? KW_ERR_IO : 0;
}

void kw__decoder_summary(const kw__decoder *d, FILE *f, const char *path, uint64_t packets, const kw_tcpr_stats *s)
{
    fprintf(f,
            "kwire decode: %s: %llu packets, %llu connections, %llu requests, %llu responses "
            "(%llu paired, %llu unpaired), %llu without response, %llu gaps, %llu bytes skipped, "
            "%llu bodies not described, %llu decode errors\n",
            path, (unsigned long long)packets, (unsigned long long)s->conns, (unsigned long long)d->requests,
            (unsigned long long)d->responses, (unsigned long long)s->paired, (unsigned long long)d->unpaired,
            (unsigned long long)s->noreply, (unsigned long long)d->gaps, (unsigned long long)d->skipped,
            (unsigned long long)d->undecoded, (unsigned long long)d->errors);
}

int kw__decoder_capture(kw__decoder *d, const char *path, int port, size_t max_frame, int quiet)
{
    kw_tcpr_opts o = {0};
    o.port = port;
    o.max_frame = max_frame;
    kw_tcpr *r = kw_tcpr_new(&o, kw__decoder_on_event, d);
    if (!r) { say(d, "out of memory"); return -1; }
    char err[512] = "";
    uint64_t packets = 0;
    int rc = kw_pcap_read(path, r, &packets, err, sizeof err);
    if (rc == KW_ERR_IO && err[0]) {
        say(d, "%s", err);
        if (packets == 0) { /* nothing read: nothing printed */
            kw_tcpr_free(r);
            return -1;
        }
        /* a read error part way: report what was read, keep the output well formed */
        kw_tcpr_finish(r);
    } else if (!rc) {
        rc = kw_tcpr_finish(r);
    }
    if (kw__decoder_finish(d)) rc = KW_ERR_IO;
    if (!quiet) kw__decoder_summary(d, d->err_f, path, packets, kw_tcpr_get_stats(r));
    kw_tcpr_free(r);
    return rc || d->errors ? -1 : 0;
}
