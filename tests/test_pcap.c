/* tests/test_pcap.c — client/pcap: packet parsing, TCP reassembly (in order, out of
 * order, retransmitted, overlapping, gaps), Kafka frame splitting and bounding,
 * client-side identification and request/response pairing; and reading a pcap file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/capture/pcap.h"
#include "codec/buf.h"
#include "proto/proto.h"

/* ---- recorded events ---- */

typedef struct rec_ev {
    kw_tcpr_ev_kind kind;
    int conn, is_request, paired;
    int api_key, api_version;
    int32_t corr;
    size_t len;
    uint64_t bytes;
    uint8_t head[16];
} rec_ev;

typedef struct recorder {
    rec_ev ev[256];
    int n;
    int stop_after; /* return non-zero from the callback after this many events (0 = never) */
} recorder;

static int rec_cb(void *ud, const kw_tcpr_ev *e)
{
    recorder *rc = ud;
    if (rc->n < 256) {
        rec_ev *r = &rc->ev[rc->n];
        r->kind = e->kind; r->conn = e->conn; r->is_request = e->is_request; r->paired = e->paired;
        r->api_key = e->api_key; r->api_version = e->api_version; r->corr = e->correlation_id;
        r->len = e->len; r->bytes = e->bytes;
        if (e->kind == KW_TCPR_FRAME) memcpy(r->head, e->data, e->len < 16 ? e->len : 16);
    }
    rc->n++;
    return rc->stop_after && rc->n >= rc->stop_after ? 7 : 0;
}

static int count_kind(const recorder *rc, kw_tcpr_ev_kind k)
{
    int n = 0;
    for (int i = 0; i < rc->n && i < 256; i++) n += rc->ev[i].kind == k;
    return n;
}

/* ---- frames ---- */

/* size | api_key | api_version | correlation_id | client_id "kw" | body_len bytes of fill */
static size_t make_request(uint8_t *out, int16_t key, int16_t ver, int32_t corr, size_t body_len)
{
    kw_buf b; kw_buf_init(&b);
    kw_buf_i32(&b, (int32_t)(10 + 2 + body_len));
    kw_buf_i16(&b, key); kw_buf_i16(&b, ver); kw_buf_i32(&b, corr);
    kw_buf_i16(&b, 2); kw_buf_put(&b, "kw", 2);
    for (size_t i = 0; i < body_len; i++) kw_buf_i8(&b, (int8_t)(0x40 + i % 26));
    memcpy(out, b.data, b.len);
    size_t n = b.len;
    kw_buf_free(&b);
    return n;
}

/* size | correlation_id | body_len bytes */
static size_t make_response(uint8_t *out, int32_t corr, size_t body_len)
{
    kw_be32(out, (uint32_t)(4 + body_len));
    kw_be32(out + 4, (uint32_t)corr);
    memset(out + 8, 0x5a, body_len);
    return 8 + body_len;
}

/* ---- segments ---- */

static const uint8_t CLI[4] = {10, 0, 0, 1}, SRV[4] = {10, 0, 0, 2};

static kw_tcp_seg seg(int from_client, uint32_t seq, uint8_t flags, const uint8_t *d, size_t n)
{
    kw_tcp_seg s;
    memset(&s, 0, sizeof s);
    s.family = 4;
    memcpy(s.src, from_client ? CLI : SRV, 4);
    memcpy(s.dst, from_client ? SRV : CLI, 4);
    s.sport = from_client ? 40000 : 9092;
    s.dport = from_client ? 9092 : 40000;
    s.seq = seq; s.flags = flags; s.data = d; s.len = n;
    s.ts_usec = 1000;
    return s;
}

#define CISN 1000u        /* client initial sequence number */
#define SISN 0xfffffff0u  /* server's: wraps around zero */

static void handshake(kw_tcpr *r)
{
    kw_tcp_seg s = seg(1, CISN, KW_TCP_SYN, NULL, 0);
    assert_int_equal(kw_tcpr_feed(r, &s), 0);
    s = seg(0, SISN, KW_TCP_SYN | KW_TCP_ACK, NULL, 0);
    assert_int_equal(kw_tcpr_feed(r, &s), 0);
}

static void feed(kw_tcpr *r, int from_client, uint32_t seq, const uint8_t *d, size_t n)
{
    kw_tcp_seg s = seg(from_client, seq, KW_TCP_ACK, d, n);
    assert_int_equal(kw_tcpr_feed(r, &s), 0);
}

static void test_in_order_split_across_segments(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, rec_cb, &rc);
    assert_non_null(r);
    handshake(r);
    uint8_t req[200], resp[200];
    size_t qn = make_request(req, KW_API_Metadata, 12, 77, 50);
    size_t pn = make_response(resp, 77, 120);
    /* request in 3 pieces, the size field itself split */
    feed(r, 1, CISN + 1, req, 2);
    feed(r, 1, CISN + 3, req + 2, 20);
    assert_int_equal(rc.n, 0);
    feed(r, 1, CISN + 23, req + 22, qn - 22);
    assert_int_equal(rc.n, 1);
    assert_int_equal(rc.ev[0].kind, KW_TCPR_FRAME);
    assert_int_equal(rc.ev[0].is_request, 1);
    assert_int_equal(rc.ev[0].api_key, KW_API_Metadata);
    assert_int_equal(rc.ev[0].api_version, 12);
    assert_int_equal(rc.ev[0].corr, 77);
    assert_int_equal(rc.ev[0].len, qn);
    assert_memory_equal(rc.ev[0].head, req, 16);
    /* response crossing the server's sequence wrap */
    feed(r, 0, SISN + 1, resp, 10);
    feed(r, 0, SISN + 11, resp + 10, pn - 10);
    assert_int_equal(rc.n, 2);
    assert_int_equal(rc.ev[1].kind, KW_TCPR_FRAME);
    assert_int_equal(rc.ev[1].is_request, 0);
    assert_int_equal(rc.ev[1].paired, 1);
    assert_int_equal(rc.ev[1].api_key, KW_API_Metadata);
    assert_int_equal(rc.ev[1].api_version, 12);
    assert_int_equal(rc.ev[1].corr, 77);
    assert_int_equal(rc.ev[1].len, pn);
    assert_int_equal(kw_tcpr_finish(r), 0);
    assert_int_equal(rc.n, 2); /* nothing partial, nothing unanswered */
    const kw_tcpr_stats *s = kw_tcpr_get_stats(r);
    assert_int_equal(s->requests, 1);
    assert_int_equal(s->paired, 1);
    assert_int_equal(s->data_bytes, qn + pn);
    kw_tcpr_free(r);
}

static void test_two_frames_in_one_segment(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, rec_cb, &rc);
    handshake(r);
    uint8_t d[400];
    size_t n1 = make_request(d, KW_API_Produce, 7, 1, 30);
    size_t n2 = make_request(d + n1, KW_API_Fetch, 11, 2, 0);
    feed(r, 1, CISN + 1, d, n1 + n2 + 3); /* plus the start of a third frame */
    assert_int_equal(rc.n, 2);
    assert_int_equal(rc.ev[0].corr, 1);
    assert_int_equal(rc.ev[1].corr, 2);
    assert_int_equal(rc.ev[1].api_key, KW_API_Fetch);
    assert_int_equal(kw_tcpr_finish(r), 0);
    /* the 3 stray bytes are a partial frame; both requests got no response */
    assert_int_equal(count_kind(&rc, KW_TCPR_PARTIAL), 1);
    assert_int_equal(count_kind(&rc, KW_TCPR_NOREPLY), 2);
    kw_tcpr_free(r);
}

static void test_out_of_order(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, rec_cb, &rc);
    handshake(r);
    uint8_t d[300];
    size_t n = make_request(d, KW_API_ApiVersions, 3, 9, 100);
    /* pieces: [0,40) [40,80) [80,n) delivered as 3, 1, 2 */
    feed(r, 1, CISN + 1 + 80, d + 80, n - 80);
    feed(r, 1, CISN + 1, d, 40);
    assert_int_equal(rc.n, 0);
    feed(r, 1, CISN + 1 + 40, d + 40, 40);
    assert_int_equal(rc.n, 1);
    assert_int_equal(rc.ev[0].kind, KW_TCPR_FRAME);
    assert_int_equal(rc.ev[0].len, n);
    assert_int_equal(rc.ev[0].corr, 9);
    assert_int_equal(kw_tcpr_get_stats(r)->ooo_segments, 1);
    kw_tcpr_free(r);
}

static void test_retransmission_and_overlap(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, rec_cb, &rc);
    handshake(r);
    uint8_t d[300];
    size_t n = make_request(d, KW_API_ListOffsets, 7, 5, 100);
    feed(r, 1, CISN + 1, d, 30);
    feed(r, 1, CISN + 1, d, 30);            /* exact retransmission */
    feed(r, 1, CISN + 1 + 10, d + 10, 40);  /* overlaps 20 old bytes, 20 new */
    feed(r, 1, CISN + 1 + 70, d + 70, 20);  /* ahead: held */
    feed(r, 1, CISN + 1 + 60, d + 60, 20);  /* overlaps the held one */
    feed(r, 1, CISN + 1 + 50, d + 50, n - 50); /* covers everything to the end */
    assert_int_equal(rc.n, 1);
    assert_int_equal(rc.ev[0].len, n);
    assert_int_equal(rc.ev[0].corr, 5);
    const kw_tcpr_stats *s = kw_tcpr_get_stats(r);
    assert_int_equal(s->data_bytes, n);
    /* every byte is delivered once; the copies are counted: 30 (exact resend) + 20
     * (overlap) + 10 (60..70 resent) + 30 (the last segment repeats 50..90) */
    assert_int_equal(s->retransmitted_bytes, 30 + 20 + 10 + 30);
    kw_tcpr_free(r);
}

static void test_gap_resyncs_on_next_request(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr_opts o = {0};
    o.max_ooo_bytes = 64;
    kw_tcpr *r = kw_tcpr_new(&o, rec_cb, &rc);
    handshake(r);
    uint8_t d[600];
    size_t n1 = make_request(d, KW_API_Produce, 9, 1, 100);
    size_t n2 = make_request(d + n1, KW_API_Produce, 9, 2, 100);
    size_t n3 = make_request(d + n1 + n2, KW_API_Metadata, 1, 3, 10);
    /* the first 50 bytes of frame 1 are never seen */
    feed(r, 1, CISN + 1, d, 10);
    uint32_t base = CISN + 1;
    size_t pos = 60;
    while (pos < n1 + n2 + n3) {
        size_t k = n1 + n2 + n3 - pos < 40 ? n1 + n2 + n3 - pos : 40;
        feed(r, 1, base + (uint32_t)pos, d + pos, k);
        pos += k;
    }
    assert_int_equal(kw_tcpr_finish(r), 0);
    assert_int_equal(count_kind(&rc, KW_TCPR_GAP), 1);
    int frames = 0;
    for (int i = 0; i < rc.n; i++) {
        if (rc.ev[i].kind == KW_TCPR_GAP) assert_int_equal(rc.ev[i].bytes, 50 + 10);
        if (rc.ev[i].kind != KW_TCPR_FRAME) continue;
        frames++;
        assert_true(rc.ev[i].corr == 2 || rc.ev[i].corr == 3);
    }
    assert_int_equal(frames, 2);
    assert_int_equal(kw_tcpr_get_stats(r)->gap_bytes, 50);
    kw_tcpr_free(r);
}

/* A hole in the server's stream: the damaged response is lost, the next one is found
 * again by its correlation id and paired. */
static void test_response_gap_resyncs_on_pending_id(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr_opts o = {0};
    o.max_ooo_bytes = 16;
    kw_tcpr *r = kw_tcpr_new(&o, rec_cb, &rc);
    handshake(r);
    uint8_t q[128], p[256];
    size_t qn = make_request(q, KW_API_Metadata, 1, 21, 0);
    qn += make_request(q + qn, KW_API_Metadata, 1, 22, 0);
    feed(r, 1, CISN + 1, q, qn);
    size_t p1 = make_response(p, 21, 60);
    size_t p2 = make_response(p + p1, 22, 30);
    feed(r, 0, SISN + 1, p, 10);                              /* start of response 21 */
    feed(r, 0, SISN + 1 + 40, p + 40, p1 + p2 - 40);          /* bytes 10..40 never arrive */
    assert_int_equal(count_kind(&rc, KW_TCPR_GAP), 1);
    int paired = 0;
    for (int i = 0; i < rc.n; i++)
        if (rc.ev[i].kind == KW_TCPR_FRAME && !rc.ev[i].is_request) {
            assert_int_equal(rc.ev[i].corr, 22);
            assert_int_equal(rc.ev[i].paired, 1);
            paired++;
        }
    assert_int_equal(paired, 1);
    assert_int_equal(kw_tcpr_get_stats(r)->unpaired, 0);
    kw_tcpr_free(r);
}

static void test_gap_at_end_reported(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, rec_cb, &rc);
    handshake(r);
    uint8_t d[300];
    size_t n = make_request(d, KW_API_Produce, 9, 1, 100);
    feed(r, 1, CISN + 1, d, 20);
    feed(r, 1, CISN + 1 + 40, d + 40, n - 40);
    assert_int_equal(rc.n, 0);
    assert_int_equal(kw_tcpr_finish(r), 0);
    assert_int_equal(count_kind(&rc, KW_TCPR_GAP), 1);
    assert_int_equal(count_kind(&rc, KW_TCPR_FRAME), 0);
    kw_tcpr_free(r);
}

static void test_pairing_by_correlation_id(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, rec_cb, &rc);
    handshake(r);
    uint8_t q[600], p[600];
    size_t qn = 0, pn = 0;
    qn += make_request(q + qn, KW_API_Produce, 9, 10, 20);     /* acks=0: never answered */
    qn += make_request(q + qn, KW_API_Fetch, 12, 11, 20);
    qn += make_request(q + qn, KW_API_OffsetFetch, 8, 12, 20);
    feed(r, 1, CISN + 1, q, qn);
    pn += make_response(p + pn, 11, 30);
    pn += make_response(p + pn, 999, 5);                        /* nobody asked */
    pn += make_response(p + pn, 12, 7);
    feed(r, 0, SISN + 1, p, pn);
    assert_int_equal(kw_tcpr_finish(r), 0);
    int seen = 0;
    for (int i = 0; i < rc.n; i++) {
        rec_ev *e = &rc.ev[i];
        if (e->kind != KW_TCPR_FRAME || e->is_request) continue;
        if (e->corr == 11) { assert_int_equal(e->paired, 1); assert_int_equal(e->api_key, KW_API_Fetch); assert_int_equal(e->api_version, 12); seen |= 1; }
        if (e->corr == 999) { assert_int_equal(e->paired, 0); seen |= 2; }
        if (e->corr == 12) { assert_int_equal(e->paired, 1); assert_int_equal(e->api_key, KW_API_OffsetFetch); assert_int_equal(e->api_version, 8); seen |= 4; }
    }
    assert_int_equal(seen, 7);
    assert_int_equal(count_kind(&rc, KW_TCPR_UNPAIRED), 1);
    const kw_tcpr_stats *s = kw_tcpr_get_stats(r);
    assert_int_equal(s->paired, 2);
    assert_int_equal(s->unpaired, 1);
    assert_int_equal(s->noreply, 1); /* the acks=0 produce, skipped when 11 was answered */
    assert_int_equal(count_kind(&rc, KW_TCPR_NOREPLY), 0);
    kw_tcpr_free(r);
}

/* acks=0 requests never answered: the pending list stays bounded and later pairing works. */
static void test_pending_bound(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr_opts o = {0};
    o.max_pending = 8;
    kw_tcpr *r = kw_tcpr_new(&o, rec_cb, &rc);
    handshake(r);
    uint8_t q[64];
    uint32_t seq = CISN + 1;
    for (int i = 0; i < 100; i++) {
        size_t qn = make_request(q, KW_API_Produce, 9, i, 0);
        feed(r, 1, seq, q, qn);
        seq += (uint32_t)qn;
    }
    uint8_t p[32];
    size_t pn = make_response(p, 99, 4);
    feed(r, 0, SISN + 1, p, pn);
    assert_int_equal(rc.ev[rc.n - 1].kind, KW_TCPR_FRAME);
    assert_int_equal(rc.ev[rc.n - 1].paired, 1);
    assert_int_equal(rc.ev[rc.n - 1].corr, 99);
    const kw_tcpr_stats *s = kw_tcpr_get_stats(r);
    assert_int_equal(s->noreply, 99); /* dropped by the bound or skipped by the answer to 99 */
    kw_tcpr_free(r);
}

static void test_oversize_frame_bounded(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr_opts o = {0};
    o.max_frame = 1000;
    kw_tcpr *r = kw_tcpr_new(&o, rec_cb, &rc);
    handshake(r);
    uint8_t d[300];
    kw_be32(d, 5000);                    /* claims 5000 bytes: over the bound */
    memset(d + 4, 0xee, 16);
    size_t n = make_request(d + 20, KW_API_Metadata, 4, 42, 10);
    feed(r, 1, CISN + 1, d, 20 + n);
    assert_int_equal(count_kind(&rc, KW_TCPR_OVERSIZE), 1);
    assert_int_equal(count_kind(&rc, KW_TCPR_FRAME), 1);
    int f = -1;
    for (int i = 0; i < rc.n; i++) if (rc.ev[i].kind == KW_TCPR_FRAME) f = i;
    assert_int_equal(rc.ev[f].corr, 42);
    assert_int_equal(kw_tcpr_get_stats(r)->skipped_bytes, 20);
    kw_tcpr_free(r);
}

static void test_midstream_start_finds_client(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, rec_cb, &rc);
    uint8_t d[300], p[100];
    /* no handshake; the capture starts in the middle of a request */
    size_t n1 = make_request(d, KW_API_Produce, 9, 1, 60);
    size_t n2 = make_request(d + n1, KW_API_Metadata, 12, 2, 4);
    feed(r, 1, 5000, d + 30, n1 + n2 - 30);
    size_t pn = make_response(p, 2, 12);
    feed(r, 0, 7000, p, pn);
    assert_int_equal(kw_tcpr_finish(r), 0);
    assert_int_equal(count_kind(&rc, KW_TCPR_FRAME), 2);
    int req = -1, resp = -1;
    for (int i = 0; i < rc.n; i++) {
        if (rc.ev[i].kind != KW_TCPR_FRAME) continue;
        if (rc.ev[i].is_request == 1) req = i; else resp = i;
    }
    assert_true(req >= 0 && resp > req);
    assert_int_equal(rc.ev[req].corr, 2);
    assert_int_equal(rc.ev[resp].paired, 1);
    assert_int_equal(rc.ev[resp].api_key, KW_API_Metadata);
    kw_tcpr_free(r);
}

static void test_port_decides_direction(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr_opts o = {0};
    o.port = 9092;
    kw_tcpr *r = kw_tcpr_new(&o, rec_cb, &rc);
    /* the server's frame is seen first and happens to look like a Produce request
     * header (correlation id 5 = api key 0, version 5); the port settles it */
    uint8_t p[64], q[64];
    size_t pn = make_response(p, 5, 8);
    feed(r, 0, 100, p, pn);
    /* the start of this stream was not captured and no request is pending: the bytes
     * cannot be a response we can pair, so they are skipped, not taken as a request */
    assert_int_equal(count_kind(&rc, KW_TCPR_FRAME), 0);
    assert_int_equal(count_kind(&rc, KW_TCPR_SKIP), 1);
    size_t qn = make_request(q, KW_API_Metadata, 12, 5, 0);
    feed(r, 1, 200, q, qn);
    /* other traffic is ignored when a port is given */
    kw_tcp_seg other = seg(1, 1, KW_TCP_ACK, q, qn);
    other.dport = 80; other.sport = 5555;
    assert_int_equal(kw_tcpr_feed(r, &other), 0);
    assert_int_equal(count_kind(&rc, KW_TCPR_FRAME), 1);
    assert_int_equal(rc.ev[rc.n - 1].is_request, 1);
    assert_int_equal(kw_tcpr_get_stats(r)->conns, 1);
    kw_tcpr_free(r);
}

static void test_callback_stops_walk(void **st)
{
    (void)st;
    recorder rc = {0};
    rc.stop_after = 1;
    kw_tcpr *r = kw_tcpr_new(NULL, rec_cb, &rc);
    handshake(r);
    uint8_t d[200];
    size_t n = make_request(d, KW_API_Produce, 9, 1, 4);
    n += make_request(d + n, KW_API_Produce, 9, 2, 4);
    kw_tcp_seg s = seg(1, CISN + 1, KW_TCP_ACK, d, n);
    assert_int_equal(kw_tcpr_feed(r, &s), 7);
    assert_int_equal(rc.n, 1);
    kw_tcpr_free(r);
}

static const char *last_stream;
static int stream_cb(void *ud, const kw_tcpr_ev *e)
{
    static char buf[160];
    snprintf(buf, sizeof buf, "%s", e->stream);
    last_stream = buf;
    return rec_cb(ud, e);
}

/* A RST ends a connection: its unanswered request is reported at once. A new SYN on
 * the same addresses and ports starts a new connection (new number, fresh pairing). */
static void test_rst_and_port_reuse(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, stream_cb, &rc);
    handshake(r);
    uint8_t q[64];
    size_t qn = make_request(q, KW_API_Metadata, 1, 1, 0);
    feed(r, 1, CISN + 1, q, qn);
    kw_tcp_seg s = seg(0, SISN + 1, KW_TCP_RST, NULL, 0);
    assert_int_equal(kw_tcpr_feed(r, &s), 0);
    assert_int_equal(count_kind(&rc, KW_TCPR_NOREPLY), 1);
    assert_string_equal(last_stream, "10.0.0.1:40000 -> 10.0.0.2:9092");
    /* same tuple again */
    s = seg(1, 5000, KW_TCP_SYN, NULL, 0);
    assert_int_equal(kw_tcpr_feed(r, &s), 0);
    s = seg(0, 9000, KW_TCP_SYN | KW_TCP_ACK, NULL, 0);
    assert_int_equal(kw_tcpr_feed(r, &s), 0);
    qn = make_request(q, KW_API_Metadata, 1, 1, 0); /* same correlation id, new connection */
    feed(r, 1, 5001, q, qn);
    uint8_t p[32];
    size_t pn = make_response(p, 1, 4);
    feed(r, 0, 9001, p, pn);
    assert_int_equal(rc.ev[rc.n - 1].kind, KW_TCPR_FRAME);
    assert_int_equal(rc.ev[rc.n - 1].paired, 1);
    assert_int_equal(rc.ev[rc.n - 1].conn, 2);
    /* FIN from both sides closes it cleanly: nothing left to report */
    s = seg(1, 5001 + (uint32_t)qn, KW_TCP_FIN | KW_TCP_ACK, NULL, 0);
    assert_int_equal(kw_tcpr_feed(r, &s), 0);
    s = seg(0, 9001 + (uint32_t)pn, KW_TCP_FIN | KW_TCP_ACK, NULL, 0);
    int before = rc.n;
    assert_int_equal(kw_tcpr_feed(r, &s), 0);
    assert_int_equal(kw_tcpr_finish(r), 0);
    assert_int_equal(rc.n, before);
    assert_int_equal(kw_tcpr_get_stats(r)->conns, 2);
    kw_tcpr_free(r);
}

static void test_ipv6_stream_names(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, stream_cb, &rc);
    uint8_t q[64];
    size_t qn = make_request(q, KW_API_ApiVersions, 0, 3, 0);
    kw_tcp_seg s;
    memset(&s, 0, sizeof s);
    s.family = 6;
    s.src[15] = 1; s.dst[0] = 0xfe; s.dst[1] = 0x80; s.dst[15] = 2;
    s.sport = 50000; s.dport = 9093; s.seq = 1; s.flags = KW_TCP_ACK; s.data = q; s.len = qn;
    assert_int_equal(kw_tcpr_feed(r, &s), 0);
    assert_int_equal(count_kind(&rc, KW_TCPR_FRAME), 1);
    assert_string_equal(last_stream, "[::1]:50000 -> [fe80::2]:9093");
    kw_tcpr_free(r);
}

/* Many connections at once: beyond max_conns new ones are not tracked (no unbounded growth). */
static void test_connection_bound(void **st)
{
    (void)st;
    recorder rc = {0};
    kw_tcpr_opts o = {0};
    o.max_conns = 3;
    kw_tcpr *r = kw_tcpr_new(&o, rec_cb, &rc);
    uint8_t q[64];
    size_t qn = make_request(q, KW_API_ApiVersions, 0, 3, 0);
    for (int i = 0; i < 10; i++) {
        kw_tcp_seg s = seg(1, 1, KW_TCP_ACK, q, qn);
        s.sport = (uint16_t)(30000 + i);
        assert_int_equal(kw_tcpr_feed(r, &s), 0);
    }
    assert_int_equal(kw_tcpr_get_stats(r)->conns, 3);
    assert_int_equal(count_kind(&rc, KW_TCPR_FRAME), 3);
    kw_tcpr_free(r);
}

/* ---- packet parsing ---- */

/* IPv4 + TCP around payload; returns the packet length. */
static size_t ip4_tcp(uint8_t *p, const uint8_t *payload, size_t n, uint32_t seq, uint8_t flags)
{
    memset(p, 0, 40);
    p[0] = 0x45;
    kw_be16(p + 2, (uint16_t)(40 + n));
    p[8] = 64; p[9] = 6;
    memcpy(p + 12, CLI, 4); memcpy(p + 16, SRV, 4);
    uint8_t *t = p + 20;
    kw_be16(t, 40000); kw_be16(t + 2, 9092); kw_be32(t + 4, seq);
    t[12] = 5 << 4; t[13] = flags;
    memcpy(p + 40, payload, n);
    return 40 + n;
}

static void test_parse_link_types(void **st)
{
    (void)st;
    uint8_t pl[5] = {1, 2, 3, 4, 5}, ip[64], pkt[128];
    size_t n = ip4_tcp(ip, pl, 5, 1234, KW_TCP_ACK);
    kw_tcp_seg s;
    /* Ethernet with a VLAN tag and trailing padding */
    memset(pkt, 0, sizeof pkt);
    kw_be16(pkt + 12, 0x8100); kw_be16(pkt + 16, 0x0800);
    memcpy(pkt + 18, ip, n);
    assert_int_equal(kw_pkt_parse(KW_DLT_EN10MB, pkt, 18 + n + 6, 7, &s), 1);
    assert_int_equal(s.family, 4);
    assert_int_equal(s.sport, 40000); assert_int_equal(s.dport, 9092);
    assert_int_equal(s.seq, 1234);
    assert_int_equal(s.len, 5);
    assert_memory_equal(s.data, pl, 5);
    assert_memory_equal(s.src, CLI, 4);
    assert_int_equal(s.ts_usec, 7);
    /* Linux cooked v1 and v2 */
    memset(pkt, 0, sizeof pkt); kw_be16(pkt + 14, 0x0800); memcpy(pkt + 16, ip, n);
    assert_int_equal(kw_pkt_parse(KW_DLT_LINUX_SLL, pkt, 16 + n, 0, &s), 1);
    assert_int_equal(s.len, 5);
    memset(pkt, 0, sizeof pkt); kw_be16(pkt, 0x0800); memcpy(pkt + 20, ip, n);
    assert_int_equal(kw_pkt_parse(KW_DLT_LINUX_SLL2, pkt, 20 + n, 0, &s), 1);
    assert_int_equal(s.len, 5);
    /* BSD loopback, family in little-endian host order */
    memset(pkt, 0, sizeof pkt); pkt[0] = 2; memcpy(pkt + 4, ip, n);
    assert_int_equal(kw_pkt_parse(KW_DLT_NULL, pkt, 4 + n, 0, &s), 1);
    assert_int_equal(s.seq, 1234);
    /* raw IP */
    assert_int_equal(kw_pkt_parse(KW_DLT_RAW, ip, n, 0, &s), 1);
    /* unknown link type, truncated, fragment, not TCP */
    assert_int_equal(kw_pkt_parse(9999, ip, n, 0, &s), KW_ERR_UNSUPPORTED);
    assert_int_equal(kw_pkt_parse(KW_DLT_RAW, ip, n - 3, 0, &s), KW_ERR_TRUNCATED);
    assert_int_equal(kw_pkt_parse(KW_DLT_RAW, ip, 10, 0, &s), KW_ERR_TRUNCATED);
    ip[6] = 0x20; /* more fragments */
    assert_int_equal(kw_pkt_parse(KW_DLT_RAW, ip, n, 0, &s), 0);
    ip[6] = 0; ip[9] = 17; /* UDP */
    assert_int_equal(kw_pkt_parse(KW_DLT_RAW, ip, n, 0, &s), 0);
}

static void test_parse_ipv6_with_extension_header(void **st)
{
    (void)st;
    uint8_t p[128];
    memset(p, 0, sizeof p);
    p[0] = 0x60;
    kw_be16(p + 4, 8 + 20 + 3);
    p[6] = 0; /* hop-by-hop options first */
    p[8 + 15] = 1; p[24 + 15] = 2; /* ::1 -> ::2 */
    p[40] = 6; p[41] = 0;          /* next: TCP; length 8 bytes */
    uint8_t *t = p + 48;
    kw_be16(t, 50000); kw_be16(t + 2, 9092); kw_be32(t + 4, 99);
    t[12] = 5 << 4; t[13] = KW_TCP_ACK | KW_TCP_FIN;
    memcpy(t + 20, "abc", 3);
    kw_tcp_seg s;
    assert_int_equal(kw_pkt_parse(KW_DLT_IPV6, p, 48 + 23, 0, &s), 1);
    assert_int_equal(s.family, 6);
    assert_int_equal(s.src[15], 1);
    assert_int_equal(s.dst[15], 2);
    assert_int_equal(s.len, 3);
    assert_int_equal(s.flags & KW_TCP_FIN, KW_TCP_FIN);
    p[40] = 44; /* a fragment header next: skipped */
    assert_int_equal(kw_pkt_parse(KW_DLT_IPV6, p, 48 + 23, 0, &s), 0);
}

/* Write a small pcap with libpcap's own writer, then read it back through the file loop. */
static void test_read_pcap_file(void **st)
{
    (void)st;
    char path[] = "/tmp/kw_test_pcap_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
    assert_non_null(dead);
    pcap_dumper_t *dump = pcap_dump_open(dead, path);
    assert_non_null(dump);
    uint8_t q[128], pk[256];
    size_t qn = make_request(q, KW_API_ApiVersions, 3, 1, 20);
    uint32_t seq = 500;
    for (size_t off = 0; off < qn; off += 16) {
        size_t k = qn - off < 16 ? qn - off : 16;
        size_t n = ip4_tcp(pk, q + off, k, seq, KW_TCP_ACK);
        seq += (uint32_t)k;
        struct pcap_pkthdr h;
        h.ts.tv_sec = 1700000000; h.ts.tv_usec = (int)off;
        h.caplen = h.len = (bpf_u_int32)n;
        pcap_dump((u_char *)dump, &h, pk);
    }
    pcap_dump_close(dump);
    pcap_close(dead);

    recorder rc = {0};
    kw_tcpr *r = kw_tcpr_new(NULL, rec_cb, &rc);
    char err[256];
    uint64_t np = 0;
    assert_int_equal(kw_pcap_read(path, r, &np, err, sizeof err), 0);
    assert_int_equal(np, (qn + 15) / 16);
    assert_int_equal(rc.n, 1);
    assert_int_equal(rc.ev[0].api_key, KW_API_ApiVersions);
    assert_int_equal(rc.ev[0].len, qn);
    kw_tcpr_free(r);
    unlink(path);

    r = kw_tcpr_new(NULL, rec_cb, &rc);
    assert_int_equal(kw_pcap_read("/nonexistent/x.pcap", r, &np, err, sizeof err), KW_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/x.pcap"));
    kw_tcpr_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_split_across_segments),
        cmocka_unit_test(test_two_frames_in_one_segment),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_retransmission_and_overlap),
        cmocka_unit_test(test_gap_resyncs_on_next_request),
        cmocka_unit_test(test_response_gap_resyncs_on_pending_id),
        cmocka_unit_test(test_gap_at_end_reported),
        cmocka_unit_test(test_pairing_by_correlation_id),
        cmocka_unit_test(test_pending_bound),
        cmocka_unit_test(test_oversize_frame_bounded),
        cmocka_unit_test(test_midstream_start_finds_client),
        cmocka_unit_test(test_port_decides_direction),
        cmocka_unit_test(test_callback_stops_walk),
        cmocka_unit_test(test_rst_and_port_reuse),
        cmocka_unit_test(test_ipv6_stream_names),
        cmocka_unit_test(test_connection_bound),
        cmocka_unit_test(test_parse_link_types),
        cmocka_unit_test(test_parse_ipv6_with_extension_header),
        cmocka_unit_test(test_read_pcap_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
