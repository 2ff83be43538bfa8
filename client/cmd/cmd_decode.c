/*
 * client/cmd/cmd_decode.c — `kwire decode`: the teaching view of bytes already on the
 * wire. A packet capture is reassembled (client/capture/pcap.c) and every request and its
 * response is printed annotated (proto/print.c); a single request frame or response
 * body/frame can be decoded from a file (binary, or hex text with --hex).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/capture/pcap.h"
#include "commands.h"
#include "proto/desc.h"
#include "proto/print.h"
#include "proto/proto.h"

#define CMD "decode"
#define MAX_ERROR_LINES 10 /* decode errors described on stderr; the rest are counted */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kwire decode CAPTURE.pcap [--port N] [--max-frame BYTES] [--paths] [--json]\n"
            "       kwire decode --request FILE [--hex] [--paths] [--json]\n"
            "       kwire decode --response API VERSION FILE [--frame] [--hex] [--paths] [--json]\n\n"
            "Print Kafka protocol bytes field by field: offset and hex on the left, the decoded\n"
            "tree on the right (--json: one JSON document, see proto/print.h).\n\n"
            "  CAPTURE.pcap       pcap or pcapng; TCP streams are reassembled, split into frames,\n"
            "                     and each response is paired with its request by correlation id\n"
            "  --port N           the brokers' port (the other side is the client; other traffic\n"
            "                     is ignored); default: found from the handshake or the frames\n"
            "  --max-frame BYTES  largest frame accepted (default 104857600)\n"
            "  --request FILE     FILE is a whole request frame (size, header, body)\n"
            "  --response API VERSION FILE\n"
            "                     FILE is a response body as it follows the response header;\n"
            "                     API is Kafka's name (case-insensitive) or key\n"
            "  --frame            with --response: FILE is a whole response frame\n"
            "  --hex              FILE is hex text (whitespace ignored); FILE '-' reads stdin\n"
            "  --paths            full field paths instead of an indented tree\n\n"
            "Exit status: 0 decoded, 1 malformed input, a record batch whose CRC does not match,\n"
            "or an unreadable file, 2 usage error.\n");
}


/* ---- input files ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Read FILE (or stdin for "-"), at most max bytes; hex text decoded when hex. */
static uint8_t *read_input(const char *path, int hex, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) { kw__cli_err(CMD, "%s: %s", path, strerror(errno)); return NULL; }
    kw_buf b;
    kw_buf_init(&b);
    uint8_t chunk[65536];
    size_t n;
    size_t limit = hex ? max * 3 + 4096 : max;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > limit) {
            kw__cli_err(CMD, "%s: larger than %zu bytes (see --max-frame)", path, max);
            goto fail;
        }
        kw_buf_put(&b, chunk, n);
    }
    if (ferror(f)) { kw__cli_err(CMD, "%s: %s", path, strerror(errno)); goto fail; }
    if (b.err) { kw__cli_err(CMD, "%s: %s", path, kw_strerror(b.err)); goto fail; }
    if (f != stdin) fclose(f);
    if (hex) {
        size_t o = 0, digits = 0;
        int hi = -1;
        for (size_t i = 0; i < b.len; i++) {
            int c = b.data[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
            int v = hexval(c);
            if (v < 0) {
                kw__cli_err(CMD, "%s: not hex text: byte '%c' (0x%02x) at file offset %zu", path,
                            c >= 0x20 && c < 0x7f ? c : '?', c, i);
                kw_buf_free(&b);
                return NULL;
            }
            digits++;
            if (hi < 0) { hi = v; continue; }
            b.data[o++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
        if (hi >= 0) {
            kw__cli_err(CMD, "%s: odd number of hex digits (%zu)", path, digits);
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

/* ---- shared output ---- */

typedef struct decoder {
    kw_cli *cli;
    kw_buf out;
    kw_printer pr;
    uint64_t errors, undecoded, frames;
    int crc_seen;
    uint64_t requests, responses, unpaired, noreply, gaps, skipped, partial;
} decoder;

static void dec_init(decoder *d, kw_cli *cli, int paths)
{
    memset(d, 0, sizeof *d);
    d->cli = cli;
    kw_buf_init(&d->out);
    kw_print_opts o = {0};
    o.fmt = cli->json ? KW_PRINT_JSON : KW_PRINT_TEXT;
    o.paths = paths;
    o.secrets = cli->dump_secrets;
    kw_printer_init(&d->pr, &d->out, &o);
}

/* After a frame is printed: count it, and describe a decode error on stderr. */
static void after_walk(decoder *d, int rc, const char *what)
{
    d->frames++;
    if (d->pr.crc_mismatches > d->crc_seen) {
        /* the dump says MISMATCH: so do stderr and the exit status */
        d->crc_seen = d->pr.crc_mismatches;
        d->errors++;
        if (d->errors <= MAX_ERROR_LINES)
            kw__cli_err(CMD, "%s: record batch CRC-32C mismatch (marked CRC MISMATCH in the output)", what);
    }
    if (rc == KW_ERR_UNSUPPORTED) {
        d->undecoded++;
        return;
    }
    if (rc >= 0 && !d->pr.err.set) return;
    d->errors++;
    if (d->errors == MAX_ERROR_LINES + 1)
        kw__cli_err(CMD, "more decode errors: only the first %d are listed here (all are marked \"!! ERROR\" in the output)", MAX_ERROR_LINES);
    if (d->errors > MAX_ERROR_LINES)
        return;
    if (d->pr.err.set && d->pr.err.region)
        kw__cli_err(CMD, "%s: decoding stopped at offset %zu of region %d (field %s): %s", what, d->pr.err.off,
                    d->pr.err.region, d->pr.err.path[0] ? d->pr.err.path : "?", d->pr.err.msg);
    else if (d->pr.err.set)
        kw__cli_err(CMD, "%s: decoding stopped at offset %zu (field %s): %s", what, d->pr.err.off,
                    d->pr.err.path[0] ? d->pr.err.path : "?", d->pr.err.msg);
    else
        kw__cli_err(CMD, "%s: decoding failed: %s", what, kw_strerror(rc));
}

static int flush_out(decoder *d)
{
    if (kw_printer_flush(&d->pr, stdout)) {
        kw__cli_err(CMD, "writing output: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- single frames from files ---- */

static int decode_request_file(decoder *d, const uint8_t *p, size_t len, const char *path)
{
    kw_print_frame f;
    kw_print_frame_init(&f);
    kw_req_header h;
    size_t hl;
    if (len >= 4 && kw_req_header_decode(p + 4, len - 4, &h, &hl) == 0) f.api_name = kw_api_kafka_name(h.api_key);
    int rc = kw_print_frame_bytes(&d->pr, &f, KW_PRINT_FRAME, KW_REQ, -1, -1, p, len);
    after_walk(d, rc, path);
    return rc;
}

static int decode_response_file(decoder *d, int api, int version, int frame, const uint8_t *p, size_t len,
                                const char *path)
{
    kw_print_frame f;
    kw_print_frame_init(&f);
    f.api_name = kw_api_kafka_name(api);
    int rc = kw_print_frame_bytes(&d->pr, &f, frame ? KW_PRINT_FRAME : KW_PRINT_BODY, KW_RESP, api, version, p, len);
    after_walk(d, rc, path);
    return rc;
}

/* ---- captures ---- */

static void event_text(decoder *d, const kw_tcpr_ev *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void event_text(decoder *d, const kw_tcpr_ev *e, const char *fmt, ...)
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

static int on_event(void *ud, const kw_tcpr_ev *e)
{
    decoder *d = ud;
    switch (e->kind) {
    case KW_TCPR_FRAME: {
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
            after_walk(d, rc, what);
        } else if (e->paired) {
            d->responses++;
            f.direction = "response";
            f.api_name = kw_api_kafka_name(e->api_key);
            if (e->ts_usec >= e->req_ts_usec) f.latency_usec = e->ts_usec - e->req_ts_usec;
            int rc = kw_print_frame_bytes(&d->pr, &f, KW_PRINT_FRAME, KW_RESP, e->api_key, e->api_version, e->data, e->len);
            snprintf(what, sizeof what, "stream %d response correlation_id %d", e->conn, e->correlation_id);
            after_walk(d, rc, what);
        } else {
            /* no request to say what it is: show its size, correlation id and bytes */
            d->responses++;
            f.direction = "response (unpaired)";
            kw_printer_frame(&d->pr, &f);
            char v1[32], v2[32];
            snprintf(v1, sizeof v1, "%u", kw_ld32(e->data));
            kw_ann a = {KW_ANN_FIELD, "size", "int32", e->data, 0, 4, v1, 0};
            kw_print_cb(&d->pr, &a);
            if (e->len >= 8) {
                snprintf(v2, sizeof v2, "%d", (int32_t)kw_ld32(e->data + 4));
                kw_ann c = {KW_ANN_FIELD, "correlation_id", "int32", e->data + 4, 4, 4, v2, 0};
                kw_print_cb(&d->pr, &c);
                kw_ann r = {KW_ANN_FIELD, "rest", "bytes", e->data + 8, 8, e->len - 8, "not decoded: no request with this correlation id", 0};
                kw_print_cb(&d->pr, &r);
            }
            d->frames++;
        }
        break;
    }
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
    return flush_out(d) ? KW_ERR_IO : 0;
}

static int decode_capture(decoder *d, const char *path, int port, size_t max_frame)
{
    kw_tcpr_opts o = {0};
    o.port = port;
    o.max_frame = max_frame;
    kw_tcpr *r = kw_tcpr_new(&o, on_event, d);
    if (!r) { kw__cli_err(CMD, "out of memory"); return KW_EXIT_FAIL; }
    char err[512] = "";
    uint64_t packets = 0;
    int rc = kw_pcap_read(path, r, &packets, err, sizeof err);
    if (rc == KW_ERR_IO && err[0]) {
        kw__cli_err(CMD, "%s", err);
        if (packets == 0) { /* nothing read: nothing printed */
            kw_tcpr_free(r);
            return KW_EXIT_FAIL;
        }
        /* a read error part way: report what was read, keep the output well formed */
        kw_tcpr_finish(r);
    } else if (!rc) {
        rc = kw_tcpr_finish(r);
    }
    const kw_tcpr_stats *s = kw_tcpr_get_stats(r);
    kw_printer_finish(&d->pr);
    if (flush_out(d)) rc = KW_ERR_IO;
    if (d->cli->verbosity >= 0)
        fprintf(stderr,
                "kwire decode: %s: %llu packets, %llu connections, %llu requests, %llu responses "
                "(%llu paired, %llu unpaired), %llu without response, %llu gaps, %llu bytes skipped, "
                "%llu bodies not described, %llu decode errors\n",
                path, (unsigned long long)packets, (unsigned long long)s->conns, (unsigned long long)d->requests,
                (unsigned long long)d->responses, (unsigned long long)s->paired, (unsigned long long)d->unpaired,
                (unsigned long long)s->noreply, (unsigned long long)d->gaps,
                (unsigned long long)d->skipped, (unsigned long long)d->undecoded, (unsigned long long)d->errors);
    kw_tcpr_free(r);
    if (rc) return KW_EXIT_FAIL;
    return d->errors ? KW_EXIT_FAIL : KW_EXIT_OK;
}

int kw__cmd_decode(kw_cli *cli, int argc, char **argv)
{
    const char *capture = NULL, *request = NULL, *resp_api = NULL, *resp_ver = NULL, *resp_file = NULL;
    int hex = 0, frame = 0, paths = 0, port = 0;
    size_t max_frame = KW_PCAP_MAX_FRAME_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return KW_EXIT_OK; }
        if (!strcmp(a, "--hex")) { hex = 1; continue; }
        if (!strcmp(a, "--frame")) { frame = 1; continue; }
        if (!strcmp(a, "--paths")) { paths = 1; continue; }
        if (!strcmp(a, "--json")) { cli->json = 1; continue; }
        if (!strcmp(a, "--request")) {
            if (i + 1 >= argc) { kw__cli_err(CMD, "--request needs a FILE"); return KW_EXIT_USAGE; }
            request = argv[++i];
            continue;
        }
        if (!strcmp(a, "--response")) {
            if (i + 2 >= argc) { kw__cli_err(CMD, "--response needs API VERSION FILE"); return KW_EXIT_USAGE; }
            resp_api = argv[++i]; resp_ver = argv[++i];
            continue;
        }
        if (!strcmp(a, "--port") || !strcmp(a, "--max-frame")) {
            if (i + 1 >= argc) { kw__cli_err(CMD, "%s needs a number", a); return KW_EXIT_USAGE; }
            char *end;
            errno = 0;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || v == 0 || (a[2] == 'p' ? v > 65535 : v > INT32_MAX)) {
                kw__cli_err(CMD, "%s: bad value '%s'", a, argv[i]);
                return KW_EXIT_USAGE;
            }
            if (a[2] == 'p') port = (int)v; else max_frame = (size_t)v;
            continue;
        }
        if (a[0] == '-' && a[1]) { kw__cli_err(CMD, "unknown option '%s' (see kwire decode --help)", a); return KW_EXIT_USAGE; }
        if (capture) { kw__cli_err(CMD, "one file at a time ('%s' and '%s')", capture, a); return KW_EXIT_USAGE; }
        capture = a;
    }
    if (resp_api) { resp_file = capture; capture = NULL; } /* FILE after --response API VERSION */
    int modes = !!capture + !!request + !!resp_api;
    if (modes != 1 || (resp_api && !resp_file)) {
        kw__cli_err(CMD, modes > 1 ? "give one of CAPTURE, --request FILE or --response API VERSION FILE"
                                   : "nothing to decode (see kwire decode --help)");
        return KW_EXIT_USAGE;
    }
    if (frame && !resp_file) { kw__cli_err(CMD, "--frame goes with --response"); return KW_EXIT_USAGE; }
    if (capture && hex) { kw__cli_err(CMD, "--hex is for --request/--response files"); return KW_EXIT_USAGE; }
    if (!capture && port) { kw__cli_err(CMD, "--port is for captures"); return KW_EXIT_USAGE; }

    decoder d;
    dec_init(&d, cli, paths);
    int rc = KW_EXIT_OK;
    if (capture) {
        rc = decode_capture(&d, capture, port, max_frame);
        kw_buf_free(&d.out);
        return rc;
    }
    int api = -1;
    long ver = -1;
    if (resp_file) {
        char *end;
        api = kw_api_kafka_parse(resp_api);
        if (api < 0) { kw__cli_err(CMD, "unknown API '%s'", resp_api); return KW_EXIT_USAGE; }
        ver = strtol(resp_ver, &end, 10);
        if (*end || end == resp_ver || ver < 0 || ver > INT16_MAX) {
            kw__cli_err(CMD, "bad version '%s'", resp_ver);
            return KW_EXIT_USAGE;
        }
        int16_t lo, hi;
        if (kw_api_described(api, &lo, &hi) || ver < lo || ver > hi) {
            kw__cli_err(CMD, "kwire does not describe %s v%ld responses (it describes v%d to v%d)", kw_api_name(api), ver,
                        lo, hi);
            return KW_EXIT_USAGE;
        }
    }
    const char *path = request ? request : resp_file;
    size_t len = 0;
    uint8_t *data = read_input(path, hex, max_frame + 4, &len);
    if (!data) { kw_buf_free(&d.out); return KW_EXIT_FAIL; }
    int wrc = request ? decode_request_file(&d, data, len, path)
                      : decode_response_file(&d, api, (int)ver, frame, data, len, path);
    (void)wrc;
    kw_printer_finish(&d.pr);
    if (flush_out(&d)) rc = KW_EXIT_FAIL;
    if (d.errors) rc = KW_EXIT_FAIL;
    free(data);
    kw_buf_free(&d.out);
    return rc;
}
