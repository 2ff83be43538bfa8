/*
 * tests/test_proto_captured.c — the protocol layer against REAL frames: every request
 * and response of ApiVersions, Metadata, Produce, Fetch, ListOffsets, OffsetCommit,
 * OffsetFetch and FindCoordinator captured between kcat (librdkafka 2.0.2) /
 * kafka-python 2.0.2 and librdkafka's mock broker (tests/data/frames/, listed in
 * MANIFEST.tsv, described in tests/data/README.md).
 *
 * Two kinds of checks:
 *  - every frame of those APIs (data-driven from the manifest): the header decodes and
 *    agrees with the manifest (api, version, correlation id, client id of the capture's
 *    client), the body decodes with the typed API, re-encodes byte-identically with
 *    kw_request_encode / kw_response_encode (same correlation id and client id), and the
 *    frame annotation covers every byte in order without an error;
 *  - field by field against what the README documents (topics, partitions, keys,
 *    values, groups, generations, offsets). Frames are found by (capture, API, version,
 *    direction, n-th occurrence) and responses paired with their request by correlation
 *    id on the same connection, never by file number (regeneration renumbers them).
 *    Ports are ephemeral: only their range and their consistency between Metadata and
 *    FindCoordinator are asserted.
 *
 * Frames outside kwire's descriptions: the mock's answer to ApiVersions v3 (error 35
 * followed by a body that fits no version: only the error code is read), and the legacy
 * Produce v1/v2 exchanges (magic 0/1 message sets; kwire's Produce starts at v3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/batch.h"
#include "proto/desc.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_findcoordinator.h"
#include "proto/msg_listoffsets.h"
#include "proto/msg_metadata.h"
#include "proto/msg_offsetcommit.h"
#include "proto/msg_offsetfetch.h"
#include "proto/msg_produce.h"
#include "proto/proto.h"

#define FRAMES_DIR "tests/data/frames/"

/* Capture files (tests/data/README.md section 2). */
#define CAP_KCAT_METADATA "traffic-kcat-metadata.pcap"
#define CAP_KCAT_PRODUCE "traffic-kcat-produce.pcap"
#define CAP_KCAT_CONSUME "traffic-kcat-consume.pcap"
#define CAP_KCAT_GROUP "traffic-kcat-group.pcap"
#define CAP_KPY_GROUP "traffic-kpy-group.pcap"
#define CAP_KPY_MAGIC1 "traffic-kpy-magic1.pcap"
#define CAP_KPY_MAGIC0 "traffic-kpy-magic0.pcap"

/* ================================================================== the manifest */

typedef struct ment {
    char file[96];
    int api;
    char name[32];
    int16_t ver;
    int dir;
    int32_t corr;
    size_t length;
    char source[64];
    int conn;
} ment;

#define MAX_FRAMES 400
static ment g_m[MAX_FRAMES];
static int g_n;

static int manifest_setup(void **st)
{
    (void)st;
    FILE *f = fopen(FRAMES_DIR "MANIFEST.tsv", "r");
    if (!f) { print_error("cannot open " FRAMES_DIR "MANIFEST.tsv (run from the repo top dir)\n"); return -1; }
    char line[512];
    if (!fgets(line, sizeof line, f) ||
        strcmp(line, "file\tapi_key\tapi_name\tversion\tdirection\tcorrelation_id\tlength\tsource\tconnection\n")) {
        print_error("MANIFEST.tsv: unexpected header line\n");
        fclose(f);
        return -1;
    }
    g_n = 0;
    while (fgets(line, sizeof line, f)) {
        if (g_n == MAX_FRAMES) { fclose(f); return -1; }
        ment *m = &g_m[g_n];
        char dir[8];
        int ver, corr;
        size_t length;
        if (sscanf(line, "%95[^\t]\t%d\t%31[^\t]\t%d\t%7[^\t]\t%d\t%zu\t%63[^\t]\t%d", m->file, &m->api, m->name, &ver,
                   dir, &corr, &length, m->source, &m->conn) != 9) {
            print_error("MANIFEST.tsv: bad line %s", line);
            fclose(f);
            return -1;
        }
        m->ver = (int16_t)ver;
        m->corr = corr;
        m->length = length;
        if (!strcmp(dir, "req")) m->dir = KW_REQ;
        else if (!strcmp(dir, "resp")) m->dir = KW_RESP;
        else { fclose(f); return -1; }
        g_n++;
    }
    fclose(f);
    return g_n > 0 ? 0 : -1;
}

/* The nth (0-based) frame of (source, api, version, dir), or NULL. */
static const ment *find_frame(const char *source, int api, int16_t ver, int dir, int nth)
{
    for (int i = 0; i < g_n; i++) {
        const ment *m = &g_m[i];
        if (m->api == api && m->ver == ver && m->dir == dir && !strcmp(m->source, source) && nth-- == 0) return m;
    }
    return NULL;
}

static const ment *must_find(const char *source, int api, int16_t ver, int dir, int nth)
{
    const ment *m = find_frame(source, api, ver, dir, nth);
    if (!m) fail_msg("no frame #%d of %s v%d %s in %s", nth, kw_api_name(api), ver, dir ? "resp" : "req", source);
    return m;
}

/* How many frames of (source, api, version, dir) the manifest lists. */
static int count_frames(const char *source, int api, int16_t ver, int dir)
{
    int n = 0;
    while (find_frame(source, api, ver, dir, n)) n++;
    return n;
}

/* The response to a request: same capture, same TCP connection, same correlation id. */
static const ment *pair_of(const ment *req)
{
    for (int i = 0; i < g_n; i++) {
        const ment *m = &g_m[i];
        if (m->dir == KW_RESP && m->api == req->api && m->ver == req->ver && m->corr == req->corr &&
            m->conn == req->conn && !strcmp(m->source, req->source))
            return m;
    }
    fail_msg("%s: no response", req->file);
    return NULL;
}

/* 1 if the request got an answer (the last one of a capture may not: the client exited). */
static int has_pair(const ment *req)
{
    for (int i = 0; i < g_n; i++) {
        const ment *m = &g_m[i];
        if (m->dir == KW_RESP && m->api == req->api && m->ver == req->ver && m->corr == req->corr &&
            m->conn == req->conn && !strcmp(m->source, req->source))
            return 1;
    }
    return 0;
}

/* ==================================================================== one frame */

typedef union anymsg {
    kw_apiversions_req avq; kw_apiversions_resp avr;
    kw_metadata_req mdq; kw_metadata_resp mdr;
    kw_produce_req prq; kw_produce_resp prr;
    kw_fetch_req ftq; kw_fetch_resp ftr;
    kw_listoffsets_req loq; kw_listoffsets_resp lor;
    kw_offsetcommit_req ocq; kw_offsetcommit_resp ocr;
    kw_offsetfetch_req ofq; kw_offsetfetch_resp ofr;
    kw_findcoordinator_req fcq; kw_findcoordinator_resp fcr;
} anymsg;

typedef struct cap {
    const ment *m;
    uint8_t *frame; size_t len;
    const uint8_t *body; size_t blen;
    char client_id[64]; /* requests */
    kw_arena a;
    anymsg msg;
} cap;

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    uint8_t *p = NULL;
    size_t n = 0, room = 0;
    for (;;) {
        if (n == room) {
            room = room ? 2 * room : 1024;
            p = realloc(p, room);
            assert_non_null(p);
        }
        size_t r = fread(p + n, 1, room - n, f);
        if (!r) break;
        n += r;
    }
    fclose(f);
    *len = n;
    return p;
}

/* The client id each capture's client sends (README: tools and versions). */
static const char *expected_client_id(const char *source)
{
    return strstr(source, "kcat") ? "kcat-capture" : "kpy-capture";
}

/* Load a frame and decode its header; the header must agree with the manifest. */
static void cap_load(cap *c, const ment *m)
{
    char path[160];
    memset(c, 0, sizeof *c);
    c->m = m;
    snprintf(path, sizeof path, FRAMES_DIR "%s", m->file);
    c->frame = read_file(path, &c->len);
    kw_arena_init(&c->a);
    if (c->len != m->length) fail_msg("%s: %zu bytes, manifest says %zu", m->file, c->len, m->length);
    assert_true(c->len >= 8);
    /* int32 size = bytes after itself */
    assert_int_equal(kw_ld32(c->frame), c->len - 4);
    size_t hl = 0;
    if (m->dir == KW_REQ) {
        kw_req_header h;
        int rc = kw_req_header_decode(c->frame + 4, c->len - 4, &h, &hl);
        if (rc) fail_msg("%s: request header: %s", m->file, kw_err_name(rc));
        assert_int_equal(h.api_key, m->api);
        assert_int_equal(h.api_version, m->ver);
        assert_int_equal(h.correlation_id, m->corr);
        const char *want = expected_client_id(m->source);
        assert_int_equal(h.client_id_len, (int)strlen(want));
        assert_memory_equal(h.client_id, want, strlen(want));
        memcpy(c->client_id, h.client_id, (size_t)h.client_id_len);
        /* header v1 (int16 key, version, int32 corr, int16 + client id) or v2 (+ 1 tag byte) */
        size_t v1 = 2 + 2 + 4 + 2 + (size_t)h.client_id_len;
        assert_int_equal(hl, kw_req_header_version(m->api, m->ver) == 2 ? v1 + 1 : v1);
    } else {
        int32_t corr = -1;
        int rc = kw_resp_header_decode(m->api, m->ver, c->frame + 4, c->len - 4, &corr, &hl);
        if (rc) fail_msg("%s: response header: %s", m->file, kw_err_name(rc));
        assert_int_equal(corr, m->corr);
        assert_int_equal(hl, kw_resp_header_version(m->api, m->ver) == 1 ? 5 : 4);
    }
    c->body = c->frame + 4 + hl;
    c->blen = c->len - 4 - hl;
}

/* Decode the body into c->msg with the typed API. */
static void *cap_decode(cap *c)
{
    kw_proto_err e;
    memset(&e, 0, sizeof e);
    memset(&c->msg, 0x5a, sizeof c->msg);
    int rc = kw_msg_decode(c->m->api, c->m->ver, c->m->dir, c->body, c->blen, &c->msg, &c->a, &e);
    if (rc) fail_msg("%s: decode %s at %s (offset %zu)", c->m->file, kw_err_name(rc), e.path, e.off);
    return &c->msg;
}

static void cap_free(cap *c)
{
    kw_arena_free(&c->a);
    free(c->frame);
    c->frame = NULL;
}

/* Load and decode in one step (the caller frees). */
static void *open_msg(cap *c, const ment *m)
{
    cap_load(c, m);
    return cap_decode(c);
}

/* ========================================================== assertion helpers */

static void str_eq(kw_str s, const char *want)
{
    if (!want) {
        if (s.len != -1) fail_msg("string: want null, got length %d", s.len);
        return;
    }
    if (s.len != (int32_t)strlen(want) || memcmp(s.p, want, (size_t)s.len))
        fail_msg("string: want \"%s\", got \"%.*s\" (length %d)", want, s.len > 0 ? s.len : 0, s.p ? s.p : "",
                 s.len);
}

static void port_ok(int32_t port)
{
    if (port < 1 || port > 65535) fail_msg("port %d out of 1..65535", port);
}

/* A mock group member id: "0x" then hex digits (a pointer value, README section 3). */
static void member_id_ok(kw_str s)
{
    assert_true(s.len > 2);
    assert_memory_equal(s.p, "0x", 2);
    for (int32_t i = 2; i < s.len; i++)
        if (!strchr("0123456789abcdef", s.p[i])) fail_msg("member id \"%.*s\" is not 0x<hex>", s.len, s.p);
}

/* One expected record. */
typedef struct rexp { const char *key, *value; } rexp;

/*
 * Read every batch of a record set (CRC checked) and compare its records with want[n]
 * (offsets first_offset.., no headers, no compression). The batches' timestamps go to
 * *base_ts / *max_ts (of the last batch) when asked.
 */
static void records_eq(kw_bytes recs, const rexp *want, int n, int64_t first_offset, int64_t *base_ts,
                       int64_t *max_ts)
{
    kw_rd in;
    kw_buf scratch;
    kw_batch b;
    kw_batch_reader_opts o = {1, 0};
    int seen = 0, rc;
    assert_true(recs.len >= 0);
    kw_rd_init(&in, recs.p, (size_t)recs.len);
    kw_buf_init(&scratch);
    while ((rc = kw_batch_next(&in, &b, &scratch, &o)) == 1) {
        assert_int_equal(b.magic, 2);
        assert_true(b.crc == b.crc_computed);
        assert_int_equal(b.attributes, 0); /* uncompressed, CreateTime, not transactional */
        assert_true(b.producer_id == -1);
        assert_int_equal(b.producer_epoch, -1);
        assert_int_equal(b.base_sequence, -1);
        if (base_ts) *base_ts = b.base_timestamp;
        if (max_ts) *max_ts = b.max_timestamp;
        kw_record_iter it;
        kw_record r;
        kw_record_iter_init(&it, &b);
        while ((rc = kw_record_iter_next(&it, &r)) == 1) {
            if (seen >= n) fail_msg("more than %d records", n);
            const rexp *w = &want[seen];
            assert_true(r.offset == first_offset + seen);
            if (r.key_len != (int32_t)strlen(w->key) || memcmp(r.key, w->key, strlen(w->key)))
                fail_msg("record %d: key \"%.*s\", want \"%s\"", seen, r.key_len > 0 ? r.key_len : 0,
                         r.key ? (const char *)r.key : "", w->key);
            if (r.value_len != (int32_t)strlen(w->value) || memcmp(r.value, w->value, strlen(w->value)))
                fail_msg("record %d: value \"%.*s\", want \"%s\"", seen, r.value_len > 0 ? r.value_len : 0,
                         r.value ? (const char *)r.value : "", w->value);
            assert_int_equal(r.header_count, 0);
            assert_int_equal(r.hdr_len, 0);
            seen++;
        }
        assert_int_equal(rc, 0);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(seen, n);
    kw_buf_free(&scratch);
}

static const rexp kcat_records[6] = {
    {"k0", "v0"}, {"k1", "v1"}, {"k2", "v2"}, {"k3", "v3"}, {"k4", "v4"}, {"k5", "v5"},
};
static const rexp kpy_records[4] = {
    {"kpy-0", "value-0"}, {"kpy-1", "value-1"}, {"kpy-2", "value-2"}, {"kpy-3", "value-3"},
};

/* ====================================================== annotation coverage */

typedef struct cover {
    const uint8_t *frame;
    size_t cursor;           /* end of the last leaf */
    size_t last_off, last_len; /* the last leaf */
    size_t prev_start;       /* start of the last byte-carrying event: starts never go back */
    size_t pend_off, pend_len; /* an ENTER with bytes, not yet known to be a prefix or a span */
    int pending;
    int region;              /* inside a decompressed region: offsets are not the frame's */
    int errors, bad, events;
} cover;

/* A leaf must start where the previous one ended, or repeat the previous leaf's bytes
 * exactly (a batch's attribute bits are FIELDs over the attributes' two bytes). */
static void cover_leaf(cover *k, size_t off, size_t len)
{
    if (off == k->cursor) {
        k->cursor = off + len;
        k->last_off = off;
        k->last_len = len;
    } else if (!(off == k->last_off && len == k->last_len)) {
        k->bad++;
    }
}

/* An ENTER carrying bytes is either a prefix (an array's count, a records length: its
 * children follow it) or a span (a record batch, a record: its first child starts at
 * the same byte and the children tile it). Decided by the next event. */
static void cover_resolve(cover *k, size_t next_off, int next_has_bytes)
{
    if (!k->pending) return;
    k->pending = 0;
    if (next_has_bytes && next_off == k->pend_off) return; /* span: the children cover it */
    cover_leaf(k, k->pend_off, k->pend_len);
}

/*
 * Every byte of the frame is covered once by the leaves, in order, and no event starts
 * before the previous one. Offsets are taken from the bytes pointer, so record batches
 * (annotated relative to their records field) are placed within the frame too.
 */
static int cover_cb(void *ud, const kw_ann *a)
{
    cover *k = ud;
    if (k->region) {
        if (a->kind == KW_ANN_REGION) k->region++;
        else if (a->kind == KW_ANN_END_REGION) k->region--;
        else if (a->kind == KW_ANN_ERROR) k->errors++;
        return 0;
    }
    switch (a->kind) {
    case KW_ANN_ERROR: k->errors++; break;
    case KW_ANN_REGION: cover_resolve(k, 0, 0); k->region++; break;
    case KW_ANN_LEAVE: cover_resolve(k, 0, 0); break;
    case KW_ANN_ENTER: case KW_ANN_FIELD: {
        k->events++;
        if (!a->len) break;
        size_t off = (size_t)(a->bytes - k->frame);
        cover_resolve(k, off, 1);
        if (off < k->prev_start) k->bad++;
        k->prev_start = off;
        if (a->kind == KW_ANN_ENTER) {
            k->pending = 1;
            k->pend_off = off;
            k->pend_len = a->len;
        } else {
            cover_leaf(k, off, a->len);
        }
        break;
    }
    default: break;
    }
    return 0;
}

/* ===================================================== every frame, data-driven */

static int is_checked_api(int api)
{
    switch (api) {
    case KW_API_ApiVersions: case KW_API_Metadata: case KW_API_Produce: case KW_API_Fetch:
    case KW_API_ListOffsets: case KW_API_OffsetCommit: case KW_API_OffsetFetch: case KW_API_FindCoordinator:
        return 1;
    default:
        return 0;
    }
}

/* decode -> re-encode byte-identical -> annotate over every byte */
static void roundtrip_frame(const ment *m)
{
    cap c;
    cap_load(&c, m);
    const void *msg = cap_decode(&c);
    kw_buf out;
    kw_buf_init(&out);
    int rc = m->dir == KW_REQ ? kw_request_encode(&out, m->api, m->ver, m->corr, c.client_id, msg)
                              : kw_response_encode(&out, m->api, m->ver, m->corr, msg);
    if (rc) fail_msg("%s: re-encode %s", m->file, kw_err_name(rc));
    if (out.len != c.len || memcmp(out.data, c.frame, c.len)) {
        size_t i = 0;
        while (i < out.len && i < c.len && out.data[i] == c.frame[i]) i++;
        fail_msg("%s: re-encoded %zu bytes, captured %zu, first difference at byte %zu", m->file, out.len, c.len, i);
    }
    assert_int_equal(kw_msg_size(m->api, m->ver, m->dir, msg), c.blen);
    kw_buf_free(&out);

    cover k;
    memset(&k, 0, sizeof k);
    k.frame = c.frame;
    rc = m->dir == KW_REQ ? kw_request_frame_annotate(c.frame, c.len, cover_cb, &k)
                          : kw_response_frame_annotate(m->api, m->ver, c.frame, c.len, cover_cb, &k);
    cover_resolve(&k, 0, 0);
    if (rc || k.errors || k.bad || k.cursor != c.len || k.region)
        fail_msg("%s: annotate rc %d, %d errors, %d out of place, covered %zu of %zu bytes", m->file, rc, k.errors,
                 k.bad, k.cursor, c.len);
    assert_true(k.events > 4);
    cap_free(&c);
}

/* The mock's ApiVersions v3 answer: error 35 UNSUPPORTED_VERSION in the first two body
 * bytes; the rest fits no version (README section 3), so only that is read. */
static void refused_apiversions(const ment *m)
{
    cap c;
    cap_load(&c, m);
    assert_true(c.blen >= 2);
    assert_int_equal((int16_t)kw_ld16(c.body), 35);
    /* 0023 | 01 | 0012 0000 0002 | 00000000: a v3 reading leaves bytes over */
    assert_int_equal(c.blen, 13);
    kw_apiversions_resp r;
    assert_int_not_equal(kw_msg_decode(KW_API_ApiVersions, 3, KW_RESP, c.body, c.blen, &r, &c.a, NULL), 0);
    cap_free(&c);
}

static void test_every_frame(void **st)
{
    (void)st;
    int checked = 0, refused = 0, legacy = 0, listed = 0, v3_requests = 0;
    for (int i = 0; i < g_n; i++) {
        const ment *m = &g_m[i];
        if (!is_checked_api(m->api)) continue;
        listed++;
        if (m->api == KW_API_ApiVersions && m->ver == 3 && m->dir == KW_REQ) v3_requests++;
        assert_string_equal(m->name, kw_api_name(m->api));
        if (m->api == KW_API_Produce && m->ver < 3) {
            /* Legacy Produce v1/v2 (magic 0/1 message sets, README 1c) are below kwire's
             * Produce range 3..12: no description to decode them with. */
            int16_t lo = 0, hi = 0;
            assert_int_equal(kw_api_range(KW_API_Produce, &lo, &hi), 0);
            assert_true(m->ver < lo);
            legacy++;
            continue;
        }
        if (m->api == KW_API_ApiVersions && m->ver == 3 && m->dir == KW_RESP) {
            refused_apiversions(m);
            refused++;
            continue;
        }
        roundtrip_frame(m);
        checked++;
    }
    /* the mock refused every ApiVersions v3 request kcat sent (one per connection) */
    assert_true(v3_requests >= 4);
    assert_int_equal(refused, v3_requests);
    /* the two legacy exchanges kept whole (2f Produce v2, 2g Produce v1), request + response */
    assert_int_equal(legacy, 4);
    /* everything else was decoded, re-encoded and annotated */
    assert_int_equal(checked, listed - refused - legacy);
    assert_true(checked >= 80);
}

/* ================================================================= ApiVersions */

static void test_apiversions(void **st)
{
    (void)st;
    /* kcat: v3 request with librdkafka's software name and version */
    int n3 = count_frames(CAP_KCAT_METADATA, KW_API_ApiVersions, 3, KW_REQ);
    assert_int_equal(n3, 1);
    cap c;
    kw_apiversions_req *q = open_msg(&c, must_find(CAP_KCAT_METADATA, KW_API_ApiVersions, 3, KW_REQ, 0));
    str_eq(q->client_software_name, "librdkafka");
    str_eq(q->client_software_version, "2.0.2");
    cap_free(&c);

    /* The mock's v0 answer: 17 APIs (README section 3), in every capture it appears */
    static const kw_apiversions_key want[17] = {
        {0, 0, 7}, {1, 0, 11}, {2, 0, 5}, {3, 0, 2}, {8, 0, 7}, {9, 0, 5}, {10, 0, 2}, {11, 0, 5}, {12, 0, 3},
        {13, 0, 1}, {14, 0, 3}, {18, 0, 2}, {22, 0, 4}, {24, 0, 1}, {25, 0, 1}, {26, 0, 1}, {28, 0, 2},
    };
    int seen = 0;
    for (int i = 0; i < g_n; i++) {
        const ment *m = &g_m[i];
        if (m->api != KW_API_ApiVersions || m->ver != 0) continue;
        if (m->dir == KW_REQ) {
            cap_load(&c, m);
            assert_int_equal(c.blen, 0); /* v0 request: empty body */
            cap_free(&c);
            continue;
        }
        kw_apiversions_resp *r = open_msg(&c, m);
        assert_int_equal(r->error_code, 0);
        assert_int_equal(r->n_api_keys, 17);
        for (int k = 0; k < 17; k++) {
            assert_int_equal(r->api_keys[k].api_key, want[k].api_key);
            assert_int_equal(r->api_keys[k].min_version, want[k].min_version);
            assert_int_equal(r->api_keys[k].max_version, want[k].max_version);
        }
        cap_free(&c);
        seen++;
    }
    /* one per connection that negotiated: both clients, every capture of 2a-2e */
    assert_true(seen >= 6);
}

/* ==================================================================== Metadata */

/* The 3-broker cluster of captures 2a-2e: node ids 1..3 on 127.0.0.1; ports recorded. */
typedef struct cluster { int32_t port[4]; int known; } cluster;

static void brokers_ok(const kw_metadata_resp *r, int16_t ver, int nbrokers, cluster *cl)
{
    assert_int_equal(r->n_brokers, nbrokers);
    for (int i = 0; i < r->n_brokers; i++) {
        const kw_metadata_broker *b = &r->brokers[i];
        assert_int_equal(b->node_id, i + 1);
        str_eq(b->host, "127.0.0.1");
        port_ok(b->port);
        str_eq(b->rack, NULL);
        if (cl) {
            /* one cluster served every capture: the same port in every answer */
            if (cl->known) assert_int_equal(b->port, cl->port[i + 1]);
            else cl->port[i + 1] = b->port;
        }
    }
    if (cl) cl->known = 1;
    if (ver >= 1) assert_int_equal(r->controller_id, 0); /* the mock's controller id */
    if (ver >= 2) {
        assert_true(r->cluster_id.len > 11);
        assert_memory_equal(r->cluster_id.p, "mockCluster", 11);
    } else {
        str_eq(r->cluster_id, NULL); /* absent below v2: default null */
    }
}

/* Topic `traffic`: 2 partitions, replication 3 over brokers 1..3 (--topic traffic:2:3). */
static void traffic_topic_ok(const kw_metadata_topic *t, int16_t ver)
{
    assert_int_equal(t->error_code, 0);
    str_eq(t->name, "traffic");
    if (ver >= 1) assert_int_equal(t->is_internal, 0);
    assert_int_equal(t->n_partitions, 2);
    for (int p = 0; p < 2; p++) {
        const kw_metadata_partition *mp = &t->partitions[p];
        assert_int_equal(mp->error_code, 0);
        assert_int_equal(mp->partition_index, p);
        assert_in_range(mp->leader_id, 1, 3);
        assert_int_equal(mp->leader_epoch, -1); /* v7+ only: default */
        assert_int_equal(mp->n_replica_nodes, 3);
        assert_int_equal(mp->n_isr_nodes, 3);
        int seen_r = 0, seen_i = 0;
        for (int k = 0; k < 3; k++) {
            assert_in_range(mp->replica_nodes[k], 1, 3);
            assert_in_range(mp->isr_nodes[k], 1, 3);
            seen_r |= 1 << mp->replica_nodes[k];
            seen_i |= 1 << mp->isr_nodes[k];
        }
        assert_int_equal(seen_r, 0xe);
        assert_int_equal(seen_i, 0xe);
        assert_int_equal(mp->n_offline_replicas, 0);
    }
}

static cluster g_cluster;

static void test_metadata_kcat(void **st)
{
    (void)st;
    cap c;
    /* kcat -L: brokers only (empty topic array), then all topics (null array) */
    kw_metadata_req *q = open_msg(&c, must_find(CAP_KCAT_METADATA, KW_API_Metadata, 2, KW_REQ, 0));
    assert_int_equal(q->n_topics, 0);
    assert_int_equal(q->allow_auto_topic_creation, 1); /* v4+ only: default true */
    cap_free(&c);
    const ment *m1 = must_find(CAP_KCAT_METADATA, KW_API_Metadata, 2, KW_REQ, 1);
    q = open_msg(&c, m1);
    assert_int_equal(q->n_topics, -1);
    cap_free(&c);

    kw_metadata_resp *r = open_msg(&c, must_find(CAP_KCAT_METADATA, KW_API_Metadata, 2, KW_RESP, 0));
    brokers_ok(r, 2, 3, &g_cluster);
    assert_int_equal(r->n_topics, 0);
    assert_int_equal(r->throttle_time_ms, 0); /* v3+ only */
    cap_free(&c);
    r = open_msg(&c, pair_of(m1));
    brokers_ok(r, 2, 3, &g_cluster);
    assert_int_equal(r->n_topics, 1);
    traffic_topic_ok(&r->topics[0], 2);
    cap_free(&c);

    /* produce, consume, group: every request naming `traffic` gets it with 2 partitions */
    const char *caps[] = {CAP_KCAT_PRODUCE, CAP_KCAT_CONSUME, CAP_KCAT_GROUP};
    int named = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        const ment *m;
        for (int k = 0; (m = find_frame(caps[i], KW_API_Metadata, 2, KW_REQ, k)); k++) {
            q = open_msg(&c, m);
            int32_t nt = q->n_topics;
            if (nt == 1) str_eq(q->topics[0].name, "traffic");
            else assert_int_equal(nt, 0);
            cap_free(&c);
            if (!has_pair(m)) continue; /* kcat exited with it in flight */
            r = open_msg(&c, pair_of(m));
            brokers_ok(r, 2, 3, &g_cluster);
            assert_int_equal(r->n_topics, nt);
            if (nt == 1) { traffic_topic_ok(&r->topics[0], 2); named++; }
            cap_free(&c);
        }
    }
    assert_true(named >= 3); /* at least one per capture */
}

static void test_metadata_kpy(void **st)
{
    (void)st;
    cap c;
    /* kafka-python's bootstrap probe: v0 with an empty list (= all topics in v0) */
    const ment *m = must_find(CAP_KPY_GROUP, KW_API_Metadata, 0, KW_REQ, 0);
    kw_metadata_req *q = open_msg(&c, m);
    assert_int_equal(q->n_topics, 0);
    cap_free(&c);
    kw_metadata_resp *r = open_msg(&c, pair_of(m));
    brokers_ok(r, 0, 3, &g_cluster);
    assert_int_equal(r->controller_id, -1); /* absent in v0: default */
    assert_int_equal(r->n_topics, 1);
    traffic_topic_ok(&r->topics[0], 0);
    cap_free(&c);

    /* v1: null = all topics, then requests naming `traffic` */
    m = must_find(CAP_KPY_GROUP, KW_API_Metadata, 1, KW_REQ, 0);
    q = open_msg(&c, m);
    assert_int_equal(q->n_topics, -1);
    cap_free(&c);
    int n = count_frames(CAP_KPY_GROUP, KW_API_Metadata, 1, KW_REQ);
    assert_true(n >= 2);
    for (int k = 0; k < n; k++) {
        m = must_find(CAP_KPY_GROUP, KW_API_Metadata, 1, KW_REQ, k);
        q = open_msg(&c, m);
        if (k > 0) {
            assert_int_equal(q->n_topics, 1);
            str_eq(q->topics[0].name, "traffic");
        }
        cap_free(&c);
        r = open_msg(&c, pair_of(m));
        brokers_ok(r, 1, 3, &g_cluster);
        assert_int_equal(r->n_topics, 1);
        traffic_topic_ok(&r->topics[0], 1);
        cap_free(&c);
    }

    /* the 1-broker runs (2f v1, 2g v0): topic `batch`, 1 partition led by node 1 */
    const struct { const char *src; int16_t v; } one[] = {{CAP_KPY_MAGIC1, 1}, {CAP_KPY_MAGIC0, 0}};
    for (int i = 0; i < 2; i++) {
        m = must_find(one[i].src, KW_API_Metadata, one[i].v, KW_REQ, 0);
        q = open_msg(&c, m);
        assert_int_equal(q->n_topics, 1);
        str_eq(q->topics[0].name, "batch");
        cap_free(&c);
        r = open_msg(&c, pair_of(m));
        brokers_ok(r, one[i].v, 1, NULL);
        assert_int_equal(r->n_topics, 1);
        str_eq(r->topics[0].name, "batch");
        assert_int_equal(r->topics[0].error_code, 0);
        assert_int_equal(r->topics[0].n_partitions, 1);
        assert_int_equal(r->topics[0].partitions[0].partition_index, 0);
        assert_int_equal(r->topics[0].partitions[0].leader_id, 1);
        assert_int_equal(r->topics[0].partitions[0].n_replica_nodes, 1);
        assert_int_equal(r->topics[0].partitions[0].replica_nodes[0], 1);
        cap_free(&c);
    }
}

/* ===================================================================== Produce */

static int64_t g_kcat_ts = -1; /* the wall-clock timestamp kcat stamped on its batch */

static void test_produce(void **st)
{
    (void)st;
    cap c;
    /* kcat -P -t traffic -p 0: one uncompressed batch of k0:v0..k5:v5 */
    assert_int_equal(count_frames(CAP_KCAT_PRODUCE, KW_API_Produce, 7, KW_REQ), 1);
    const ment *m = must_find(CAP_KCAT_PRODUCE, KW_API_Produce, 7, KW_REQ, 0);
    kw_produce_req *q = open_msg(&c, m);
    str_eq(q->transactional_id, NULL);
    assert_int_equal(q->acks, -1);          /* librdkafka's default acks=all */
    assert_int_equal(q->timeout_ms, 30000); /* request.timeout.ms default */
    assert_int_equal(q->n_topic_data, 1);
    str_eq(q->topic_data[0].name, "traffic");
    assert_int_equal(q->topic_data[0].n_partition_data, 1);
    assert_int_equal(q->topic_data[0].partition_data[0].index, 0);
    int64_t bts = 0, mts = 0;
    records_eq(q->topic_data[0].partition_data[0].records, kcat_records, 6, 0, &bts, &mts);
    /* one wall-clock timestamp for all six (README 2b) */
    assert_true(bts == mts);
    assert_true(bts > 1600000000000LL);
    g_kcat_ts = bts;
    cap_free(&c);

    kw_produce_resp *r = open_msg(&c, pair_of(m));
    assert_int_equal(r->n_responses, 1);
    str_eq(r->responses[0].name, "traffic");
    assert_int_equal(r->responses[0].n_partition_responses, 1);
    kw_produce_partition_resp *pr = &r->responses[0].partition_responses[0];
    assert_int_equal(pr->index, 0);
    assert_int_equal(pr->error_code, 0);
    assert_true(pr->base_offset == 0);
    assert_true(pr->log_append_time_ms == 1234); /* the mock's fixed value */
    assert_true(pr->log_start_offset == 0);
    assert_int_equal(r->throttle_time_ms, 0);
    cap_free(&c);

    /* kafka-python: acks=1, 4 records to partition 1, timestamps 1700000001000..003 */
    m = must_find(CAP_KPY_GROUP, KW_API_Produce, 7, KW_REQ, 0);
    q = open_msg(&c, m);
    str_eq(q->transactional_id, NULL);
    assert_int_equal(q->acks, 1);
    assert_int_equal(q->timeout_ms, 30000);
    assert_int_equal(q->n_topic_data, 1);
    str_eq(q->topic_data[0].name, "traffic");
    assert_int_equal(q->topic_data[0].n_partition_data, 1);
    assert_int_equal(q->topic_data[0].partition_data[0].index, 1);
    records_eq(q->topic_data[0].partition_data[0].records, kpy_records, 4, 0, &bts, &mts);
    assert_true(bts == 1700000001000LL);
    assert_true(mts == 1700000001003LL);
    cap_free(&c);

    r = open_msg(&c, pair_of(m));
    assert_int_equal(r->n_responses, 1);
    str_eq(r->responses[0].name, "traffic");
    pr = &r->responses[0].partition_responses[0];
    assert_int_equal(pr->index, 1);
    assert_int_equal(pr->error_code, 0);
    assert_true(pr->base_offset == 0); /* first records of partition 1 */
    assert_true(pr->log_append_time_ms == 1234);
    assert_true(pr->log_start_offset == 0);
    cap_free(&c);
}

/* ======================================================================= Fetch */

static const kw_fetch_partition_resp *fetch_part(const kw_fetch_resp *r, int32_t p)
{
    assert_int_equal(r->n_responses, 1);
    str_eq(r->responses[0].topic, "traffic");
    for (int i = 0; i < r->responses[0].n_partitions; i++)
        if (r->responses[0].partitions[i].partition_index == p) return &r->responses[0].partitions[i];
    fail_msg("partition %d not in the Fetch response", p);
    return NULL;
}

/* kcat's Fetch v11 exchanges of one capture: the first answer holds k0..k5 on partition 0. */
static void kcat_fetches(const char *src)
{
    cap c;
    int n = count_frames(src, KW_API_Fetch, 11, KW_REQ);
    assert_true(n >= 2);
    int with_records = 0;
    for (int k = 0; k < n; k++) {
        const ment *m = must_find(src, KW_API_Fetch, 11, KW_REQ, k);
        kw_fetch_req *q = open_msg(&c, m);
        assert_int_equal(q->replica_id, -1);
        assert_int_equal(q->isolation_level, 1); /* librdkafka default read_committed */
        assert_int_equal(q->session_id, 0);
        assert_int_equal(q->session_epoch, -1); /* no fetch session */
        assert_int_equal(q->n_topics, 1);
        str_eq(q->topics[0].topic, "traffic");
        assert_in_range(q->topics[0].n_partitions, 1, 2);
        for (int i = 0; i < q->topics[0].n_partitions; i++) {
            const kw_fetch_partition *fp = &q->topics[0].partitions[i];
            assert_in_range(fp->partition, 0, 1);
            /* partition 0 is read from 0 up to its 6 records; partition 1 is empty */
            if (fp->partition == 0) assert_true(fp->fetch_offset == (k == 0 ? 0 : 6));
            else assert_true(fp->fetch_offset == 0);
            assert_int_equal(fp->current_leader_epoch, -1);
            assert_true(fp->log_start_offset == -1);
            assert_true(fp->partition_max_bytes > 0);
        }
        assert_int_equal(q->n_forgotten_topics_data, 0);
        str_eq(q->rack_id, "");
        cap_free(&c);
        if (!has_pair(m)) { assert_int_equal(k, n - 1); continue; } /* the last one: kcat exited */

        kw_fetch_resp *r = open_msg(&c, pair_of(m));
        assert_int_equal(r->error_code, 0);
        assert_int_equal(r->throttle_time_ms, 0);
        const kw_fetch_partition_resp *p0 = fetch_part(r, 0), *p1 = fetch_part(r, 1);
        assert_int_equal(p0->error_code, 0);
        assert_true(p0->high_watermark == 6);
        assert_true(p0->last_stable_offset == 6);
        assert_true(p0->log_start_offset == 0);
        assert_int_equal(p0->n_aborted_transactions, 0);
        assert_int_equal(p0->preferred_read_replica, -1);
        if (k == 0) {
            int64_t bts = 0, mts = 0;
            records_eq(p0->records, kcat_records, 6, 0, &bts, &mts);
            /* the batch kcat produced, as stored */
            if (g_kcat_ts >= 0) assert_true(bts == g_kcat_ts);
            assert_true(bts == mts);
            with_records++;
        } else {
            assert_int_equal(p0->records.len, 0);
        }
        assert_int_equal(p1->error_code, 0);
        assert_true(p1->high_watermark == 0);
        assert_int_equal(p1->records.len, 0);
        cap_free(&c);
    }
    assert_int_equal(with_records, 1);
}

static void test_fetch(void **st)
{
    (void)st;
    kcat_fetches(CAP_KCAT_CONSUME);
    kcat_fetches(CAP_KCAT_GROUP);

    /* kafka-python Fetch v4: both partitions from 0; the answer has all 10 records */
    cap c;
    const ment *m = must_find(CAP_KPY_GROUP, KW_API_Fetch, 4, KW_REQ, 0);
    kw_fetch_req *q = open_msg(&c, m);
    assert_int_equal(q->replica_id, -1);
    assert_int_equal(q->isolation_level, 0);
    assert_int_equal(q->n_topics, 1);
    str_eq(q->topics[0].topic, "traffic");
    assert_int_equal(q->topics[0].n_partitions, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(q->topics[0].partitions[i].partition, i);
        assert_true(q->topics[0].partitions[i].fetch_offset == 0);
    }
    assert_int_equal(q->session_epoch, -1); /* v7+ only: default */
    cap_free(&c);

    kw_fetch_resp *r = open_msg(&c, pair_of(m));
    const kw_fetch_partition_resp *p0 = fetch_part(r, 0), *p1 = fetch_part(r, 1);
    assert_int_equal(p0->error_code, 0);
    assert_true(p0->high_watermark == 6);
    records_eq(p0->records, kcat_records, 6, 0, NULL, NULL);
    assert_int_equal(p1->error_code, 0);
    assert_true(p1->high_watermark == 4);
    int64_t bts = 0, mts = 0;
    records_eq(p1->records, kpy_records, 4, 0, &bts, &mts);
    assert_true(bts == 1700000001000LL);
    assert_true(mts == 1700000001003LL);
    assert_true(p1->log_start_offset == -1); /* v5+ only: default */
    cap_free(&c);
}

/* ================================================================= ListOffsets */

/* Each request asks for the earliest offset (-2) of one partition; the answer is 0. */
static void listoffsets_of(const char *src, int16_t v)
{
    cap c;
    int n = count_frames(src, KW_API_ListOffsets, v, KW_REQ);
    assert_true(n >= 2);
    int seen_parts = 0;
    for (int k = 0; k < n; k++) {
        const ment *m = must_find(src, KW_API_ListOffsets, v, KW_REQ, k);
        kw_listoffsets_req *q = open_msg(&c, m);
        assert_int_equal(q->replica_id, -1);
        if (v >= 2) assert_int_equal(q->isolation_level, 1); /* read_committed */
        else assert_int_equal(q->isolation_level, 0);        /* absent in v1 */
        assert_int_equal(q->n_topics, 1);
        str_eq(q->topics[0].name, "traffic");
        assert_int_equal(q->topics[0].n_partitions, 1);
        int32_t part = q->topics[0].partitions[0].partition_index;
        assert_in_range(part, 0, 1);
        seen_parts |= 1 << part;
        assert_true(q->topics[0].partitions[0].timestamp == -2); /* earliest */
        assert_int_equal(q->topics[0].partitions[0].current_leader_epoch, -1);
        cap_free(&c);

        kw_listoffsets_resp *r = open_msg(&c, pair_of(m));
        assert_int_equal(r->throttle_time_ms, 0);
        assert_int_equal(r->n_topics, 1);
        str_eq(r->topics[0].name, "traffic");
        assert_int_equal(r->topics[0].n_partitions, 1);
        const kw_listoffsets_resp_partition *rp = &r->topics[0].partitions[0];
        assert_int_equal(rp->partition_index, part);
        assert_int_equal(rp->error_code, 0);
        assert_true(rp->timestamp == -1);
        assert_true(rp->offset == 0); /* nothing was ever deleted: the log starts at 0 */
        assert_int_equal(rp->leader_epoch, -1);
        cap_free(&c);
    }
    assert_int_equal(seen_parts, 3); /* both partitions asked */
}

static void test_listoffsets(void **st)
{
    (void)st;
    listoffsets_of(CAP_KCAT_CONSUME, 2);
    listoffsets_of(CAP_KCAT_GROUP, 2);
    listoffsets_of(CAP_KPY_GROUP, 1);
}

/* ================================================================ OffsetCommit */

static void test_offsetcommit(void **st)
{
    (void)st;
    cap c;
    /* kcat -G kcat-group: generation 2, partition 0 offset 6, leader epoch -1, metadata "" */
    const ment *m = must_find(CAP_KCAT_GROUP, KW_API_OffsetCommit, 7, KW_REQ, 0);
    kw_offsetcommit_req *q = open_msg(&c, m);
    str_eq(q->group_id, "kcat-group");
    assert_int_equal(q->generation_id_or_member_epoch, 2);
    member_id_ok(q->member_id);
    str_eq(q->group_instance_id, NULL);
    assert_true(q->retention_time_ms == -1); /* v2-4 only: default */
    assert_int_equal(q->n_topics, 1);
    str_eq(q->topics[0].name, "traffic");
    assert_int_equal(q->topics[0].n_partitions, 1);
    assert_int_equal(q->topics[0].partitions[0].partition_index, 0);
    assert_true(q->topics[0].partitions[0].committed_offset == 6);
    assert_int_equal(q->topics[0].partitions[0].committed_leader_epoch, -1);
    str_eq(q->topics[0].partitions[0].committed_metadata, "");
    cap_free(&c);
    kw_offsetcommit_resp *r = open_msg(&c, pair_of(m));
    assert_int_equal(r->throttle_time_ms, 0);
    assert_int_equal(r->n_topics, 1);
    str_eq(r->topics[0].name, "traffic");
    assert_int_equal(r->topics[0].n_partitions, 1);
    assert_int_equal(r->topics[0].partitions[0].partition_index, 0);
    assert_int_equal(r->topics[0].partitions[0].error_code, 0);
    cap_free(&c);

    /* kafka-python kpy-group: generation 2, retention -1, p0 offset 6, p1 offset 4 */
    m = must_find(CAP_KPY_GROUP, KW_API_OffsetCommit, 2, KW_REQ, 0);
    q = open_msg(&c, m);
    str_eq(q->group_id, "kpy-group");
    assert_int_equal(q->generation_id_or_member_epoch, 2);
    member_id_ok(q->member_id);
    assert_true(q->retention_time_ms == -1);
    str_eq(q->group_instance_id, NULL); /* v7+ only: default */
    assert_int_equal(q->n_topics, 1);
    str_eq(q->topics[0].name, "traffic");
    assert_int_equal(q->topics[0].n_partitions, 2);
    static const int64_t want_off[2] = {6, 4};
    for (int p = 0; p < 2; p++) {
        assert_int_equal(q->topics[0].partitions[p].partition_index, p);
        assert_true(q->topics[0].partitions[p].committed_offset == want_off[p]);
        str_eq(q->topics[0].partitions[p].committed_metadata, "");
        assert_int_equal(q->topics[0].partitions[p].committed_leader_epoch, -1);
    }
    cap_free(&c);
    r = open_msg(&c, pair_of(m));
    assert_int_equal(r->n_topics, 1);
    str_eq(r->topics[0].name, "traffic");
    assert_int_equal(r->topics[0].n_partitions, 2);
    for (int p = 0; p < 2; p++) {
        assert_int_equal(r->topics[0].partitions[p].partition_index, p);
        assert_int_equal(r->topics[0].partitions[p].error_code, 0);
    }
    cap_free(&c);
}

/* ================================================================= OffsetFetch */

/* Both groups are new when they ask: nothing committed on either partition. */
static void offsetfetch_of(const char *src, int16_t v, const char *group)
{
    cap c;
    assert_int_equal(count_frames(src, KW_API_OffsetFetch, v, KW_REQ), 1);
    const ment *m = must_find(src, KW_API_OffsetFetch, v, KW_REQ, 0);
    kw_offsetfetch_req *q = open_msg(&c, m);
    str_eq(q->group_id, group);
    assert_int_equal(q->n_topics, 1);
    str_eq(q->topics[0].name, "traffic");
    assert_int_equal(q->topics[0].n_partition_indexes, 2);
    assert_int_equal(q->topics[0].partition_indexes[0], 0);
    assert_int_equal(q->topics[0].partition_indexes[1], 1);
    assert_int_equal(q->n_groups, 0);
    assert_int_equal(q->require_stable, 0);
    cap_free(&c);

    kw_offsetfetch_resp *r = open_msg(&c, pair_of(m));
    assert_int_equal(r->throttle_time_ms, 0);
    assert_int_equal(r->error_code, 0);
    assert_int_equal(r->n_groups, 0);
    assert_int_equal(r->n_topics, 1);
    str_eq(r->topics[0].name, "traffic");
    assert_int_equal(r->topics[0].n_partitions, 2);
    for (int p = 0; p < 2; p++) {
        const kw_offsetfetch_resp_partition *rp = &r->topics[0].partitions[p];
        assert_int_equal(rp->partition_index, p);
        assert_true(rp->committed_offset == -1);
        assert_int_equal(rp->committed_leader_epoch, -1);
        str_eq(rp->metadata, NULL);
        assert_int_equal(rp->error_code, 0);
    }
    cap_free(&c);
}

static void test_offsetfetch(void **st)
{
    (void)st;
    offsetfetch_of(CAP_KCAT_GROUP, 5, "kcat-group");
    offsetfetch_of(CAP_KPY_GROUP, 1, "kpy-group");
}

/* ============================================================= FindCoordinator */

/* Check every FindCoordinator exchange of a capture; returns how many were answered. */
static int findcoordinator_of(const char *src, int16_t v, const char *group)
{
    cap c;
    int n = count_frames(src, KW_API_FindCoordinator, v, KW_REQ), answered = 0;
    assert_true(n >= 1);
    for (int k = 0; k < n; k++) {
        const ment *m = must_find(src, KW_API_FindCoordinator, v, KW_REQ, k);
        kw_findcoordinator_req *q = open_msg(&c, m);
        str_eq(q->key, group);
        assert_int_equal(q->key_type, KW_COORD_GROUP);
        assert_int_equal(q->n_coordinator_keys, 0);
        cap_free(&c);

        kw_findcoordinator_resp *r = open_msg(&c, pair_of(m));
        assert_int_equal(r->error_code, 0);
        assert_int_equal(r->throttle_time_ms, 0);
        str_eq(r->error_message, v >= 1 ? NULL : ""); /* absent in v0: default empty */
        assert_in_range(r->node_id, 1, 3);
        str_eq(r->host, "127.0.0.1");
        port_ok(r->port);
        /* the coordinator is one of the brokers Metadata listed, on that broker's port */
        assert_true(g_cluster.known);
        assert_int_equal(r->port, g_cluster.port[r->node_id]);
        assert_int_equal(r->n_coordinators, 0);
        cap_free(&c);
        answered++;
    }
    return answered;
}

static void test_findcoordinator(void **st)
{
    (void)st;
    if (!g_cluster.known) {
        /* the broker ports, from the first Metadata answer of the 3-broker cluster */
        cap c;
        kw_metadata_resp *r = open_msg(&c, must_find(CAP_KCAT_METADATA, KW_API_Metadata, 2, KW_RESP, 0));
        brokers_ok(r, 2, 3, &g_cluster);
        cap_free(&c);
    }
    assert_true(findcoordinator_of(CAP_KCAT_GROUP, 2, "kcat-group") >= 1);
    assert_true(findcoordinator_of(CAP_KPY_GROUP, 0, "kpy-group") >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_frame),
        cmocka_unit_test(test_apiversions),
        cmocka_unit_test(test_metadata_kcat),
        cmocka_unit_test(test_metadata_kpy),
        cmocka_unit_test(test_produce),
        cmocka_unit_test(test_fetch),
        cmocka_unit_test(test_listoffsets),
        cmocka_unit_test(test_offsetcommit),
        cmocka_unit_test(test_offsetfetch),
        cmocka_unit_test(test_findcoordinator),
    };
    return cmocka_run_group_tests(tests, manifest_setup, NULL);
}
