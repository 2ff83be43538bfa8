/*
 * tests/test_conn.c — client/conn: the connection state machine driven by scripted
 * byte exchanges and a fake clock (microseconds); no socket anywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn/conn.h"
#include "codec/buf.h"
#include "proto/proto.h"

#define MS 1000LL

/* ---- outcomes ---- */
typedef struct outcome {
    int calls, err, order;
    int16_t version;
    int32_t corr;
    size_t len;
    uint8_t body[64];
    int64_t rtt;
} outcome;
static int g_order;

static void done_cb(void *ud, int err, const kw_conn_resp *r)
{
    outcome *o = ud;
    o->calls++;
    o->err = err;
    o->order = ++g_order;
    if (r) {
        o->version = r->version;
        o->corr = r->correlation_id;
        o->len = r->len;
        o->rtt = r->rtt_us;
        if (r->len) memcpy(o->body, r->body, r->len < sizeof o->body ? r->len : sizeof o->body);
    }
}

/* body: int32 marker 0xB0D1E5 + version */
static int enc_cb(void *ud, int16_t v, kw_buf *out)
{
    (void)ud;
    kw_buf_i32(out, 0xB0D1E5 + v);
    return 0;
}

static uint64_t g_rng = 1ULL << 63; /* factor 1.0 */
static uint64_t fake_rng(void *ud) { (void)ud; return g_rng; }

static kw_conn *mk(int max_inflight)
{
    kw_conn_opts o;
    kw_conn_opts_default(&o);
    o.name = "b1";
    o.client_id = "cid";
    o.max_in_flight = max_inflight;
    o.rng = fake_rng;
    o.max_response = 1 << 16;
    g_rng = 1ULL << 63;
    kw_conn *c = kw_conn_new(&o);
    assert_non_null(c);
    return c;
}

static void submit(kw_conn *c, int16_t key, outcome *o, int64_t now)
{
    kw_conn_req r = {.api_key = key, .min_version = -1, .max_version = -1, .encode = enc_cb, .done = done_cb, .ud = o};
    assert_int_equal(kw_conn_submit(c, &r, now), 0);
}

/* ---- parsing what the connection writes ---- */
typedef struct sent {
    int16_t key, ver;
    int32_t corr;
    char cid[16];
    const uint8_t *body;
    size_t body_len;
} sent;

/* Take all output, mark it written, parse up to max frames. */
static int drain(kw_conn *c, int64_t now, sent *out, int max, kw_buf *keep)
{
    size_t len;
    const uint8_t *p = kw_conn_output(c, &len);
    keep->len = 0;
    kw_buf_put(keep, p, len);
    kw_conn_written(c, now, len);
    int n = 0;
    kw_rd rd;
    kw_rd_init(&rd, keep->data, keep->len);
    while (kw_rd_left(&rd) && n < max) {
        int32_t sz = kw_rd_i32(&rd);
        size_t start = rd.off;
        sent *s = &out[n++];
        s->key = kw_rd_i16(&rd);
        s->ver = kw_rd_i16(&rd);
        s->corr = kw_rd_i32(&rd);
        int16_t cl = kw_rd_i16(&rd);
        assert_true(cl >= -1 && cl < 16); /* -1: null client id */
        s->cid[0] = 0;
        if (cl > 0) {
            memcpy(s->cid, kw_rd_take(&rd, (size_t)cl), (size_t)cl);
            s->cid[cl] = 0;
        }
        int flex = (s->key == KW_API_Metadata && s->ver >= 9) || (s->key == KW_API_ApiVersions && s->ver >= 3) ||
                   (s->key == KW_API_Produce && s->ver >= 9) || (s->key == KW_API_Fetch && s->ver >= 12);
        if (flex) assert_int_equal(kw_rd_uvarint32(&rd), 0); /* no header tags */
        size_t hdr = rd.off - start;
        s->body = rd.p + rd.off;
        s->body_len = (size_t)sz - hdr;
        kw_rd_take(&rd, s->body_len);
        assert_int_equal(rd.err, 0);
    }
    return n;
}

/* Broker ranges used by most tests. */
static const int16_t BROKER[][3] = {
    {KW_API_Produce, 0, 11}, {KW_API_Fetch, 0, 16}, {KW_API_Metadata, 0, 12}, {KW_API_ApiVersions, 0, 4},
    {KW_API_ListOffsets, 0, 9}, {KW_API_FindCoordinator, 0, 6}, {100, 0, 3}, /* unknown to kwire */
};
#define NBROKER (sizeof BROKER / sizeof BROKER[0])

/* ApiVersions response frame at `ver` (header v0 always). */
static void av_response(kw_buf *b, int32_t corr, int16_t ver, int16_t ec, const int16_t (*keys)[3], size_t n)
{
    b->len = 0;
    kw_buf_i32(b, 0);
    kw_buf_i32(b, corr);
    kw_buf_i16(b, ec);
    if (ver >= 3) kw_buf_uvarint(b, n + 1); else kw_buf_i32(b, (int32_t)n);
    for (size_t i = 0; i < n; i++) {
        kw_buf_i16(b, keys[i][0]);
        kw_buf_i16(b, keys[i][1]);
        kw_buf_i16(b, keys[i][2]);
        if (ver >= 3) kw_buf_uvarint(b, 0);
    }
    if (ver >= 1) kw_buf_i32(b, 0);
    if (ver >= 3) kw_buf_uvarint(b, 0);
    kw_be32(b->data, (uint32_t)(b->len - 4));
}

/* A response frame with header v1 (flexible) or v0 and a body of `body` bytes. */
static void response(kw_buf *b, int32_t corr, int flexible, const void *body, size_t n)
{
    b->len = 0;
    kw_buf_i32(b, 0);
    kw_buf_i32(b, corr);
    if (flexible) kw_buf_uvarint(b, 0);
    kw_buf_put(b, body, n);
    kw_be32(b->data, (uint32_t)(b->len - 4));
}

/* Connect and negotiate: leaves c READY at time t. */
static void handshake(kw_conn *c, int64_t t)
{
    kw_buf out, in;
    kw_buf_init(&out);
    kw_buf_init(&in);
    kw_conn_connecting(c, t);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_CONNECTING);
    kw_conn_connected(c, t);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_APIVERSIONS);
    sent s[4];
    assert_int_equal(drain(c, t, s, 4, &out), 1);
    assert_int_equal(s[0].key, KW_API_ApiVersions);
    assert_int_equal(s[0].ver, 5);
    av_response(&in, s[0].corr, 5, 0, BROKER, NBROKER);
    assert_int_equal(kw_conn_feed(c, t, in.data, in.len), 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    kw_buf_free(&out);
    kw_buf_free(&in);
}

/* ---- tests ---- */

static void test_handshake_bytes_and_first_request(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    outcome o = {0};
    assert_false(kw_conn_want_connect(c, 0));
    submit(c, KW_API_Metadata, &o, 0);
    assert_true(kw_conn_want_connect(c, 0));
    kw_conn_connecting(c, 0);
    kw_conn_connected(c, 1 * MS);
    size_t len;
    const uint8_t *p = kw_conn_output(c, &len);
    /* ApiVersions v5: size, key 18, version 5, corr 1, client id "cid", no tags,
     * compact "kwire", compact "0.1.0", cluster_id null, node_id -1, no tags */
    const uint8_t want[] = {0, 0, 0, 32, 0, 18, 0, 5, 0, 0, 0, 1, 0, 3, 'c', 'i', 'd', 0,
                            6, 'k', 'w', 'i', 'r', 'e', 6, '0', '.', '1', '.', '0', 0, 0xff, 0xff, 0xff, 0xff, 0};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    /* written in two pieces */
    kw_conn_written(c, 1 * MS, 10);
    p = kw_conn_output(c, &len);
    assert_int_equal(len, sizeof want - 10);
    kw_conn_written(c, 1 * MS, len);
    assert_null(kw_conn_output(c, &len));
    assert_int_equal(kw_conn_api_version(c, KW_API_Metadata, &(int16_t){0}, &(int16_t){0}), KW_ERR_STATE);

    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    av_response(&in, 1, 5, 0, BROKER, NBROKER);
    assert_int_equal(kw_conn_feed(c, 2 * MS, in.data, in.len), 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    assert_int_equal(kw_conn_apiversions_version(c), 5);
    int16_t lo, hi;
    assert_int_equal(kw_conn_api_version(c, KW_API_Metadata, &lo, &hi), 0);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 12); /* broker 12 < kwire 13 */
    assert_int_equal(kw_conn_api_version(c, KW_API_Produce, &lo, &hi), 0);
    assert_int_equal(lo, 3); /* kwire's lowest */
    assert_int_equal(hi, 11);
    assert_int_equal(kw_conn_api_version(c, KW_API_OffsetCommit, &lo, &hi), KW_ERR_VERSION); /* not listed */
    assert_int_equal(kw_conn_broker_range(c, KW_API_Fetch, &lo, &hi), 0);
    assert_int_equal(hi, 16);

    sent s[4];
    assert_int_equal(drain(c, 3 * MS, s, 4, &out), 1);
    assert_int_equal(s[0].key, KW_API_Metadata);
    assert_int_equal(s[0].ver, 12);
    assert_int_equal(s[0].corr, 2);
    assert_string_equal(s[0].cid, "cid");
    assert_int_equal(s[0].body_len, 4);
    assert_int_equal(kw_ld32(s[0].body), 0xB0D1E5 + 12);
    assert_int_equal(o.calls, 0);

    const uint8_t body[] = {9, 8, 7};
    response(&in, 2, 1, body, 3);
    assert_int_equal(kw_conn_feed(c, 5500, in.data, in.len), 0);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.err, 0);
    assert_int_equal(o.version, 12);
    assert_int_equal(o.len, 3);
    assert_memory_equal(o.body, body, 3);
    assert_int_equal(o.rtt, 5500 - 3 * MS);
    kw_conn_free(c);
    assert_int_equal(o.calls, 1); /* exactly one outcome */
    kw_buf_free(&in);
    kw_buf_free(&out);
}

static void test_apiversions_fallback(void **st)
{
    (void)st;
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[4];
    /* the broker lists ApiVersions up to 2 in its error-35 v0 answer: retry at v2 */
    kw_conn *c = mk(5);
    kw_conn_connecting(c, 0);
    kw_conn_connected(c, 0);
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    const int16_t only_av[][3] = {{KW_API_ApiVersions, 0, 2}};
    av_response(&in, s[0].corr, 0, 35, only_av, 1);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_APIVERSIONS);
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    assert_int_equal(s[0].key, KW_API_ApiVersions);
    assert_int_equal(s[0].ver, 2);
    assert_int_equal(s[0].body_len, 0);
    av_response(&in, s[0].corr, 2, 0, BROKER, NBROKER);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    assert_int_equal(kw_conn_apiversions_version(c), 2);
    kw_conn_free(c);

    /* no ApiVersions entry in the error answer: v0 */
    c = mk(5);
    kw_conn_connecting(c, 0);
    kw_conn_connected(c, 0);
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    av_response(&in, s[0].corr, 0, 35, NULL, 0);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    assert_int_equal(s[0].ver, 0);
    /* and error 35 at v0 is final: the connection drops */
    av_response(&in, s[0].corr, 0, 35, NULL, 0);
    assert_true(kw_conn_feed(c, 0, in.data, in.len) < 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_BACKOFF);
    assert_non_null(strstr(kw_conn_last_error(c), "UNSUPPORTED_VERSION"));
    kw_conn_free(c);

    /* error 35 in a body that decodes at no version (librdkafka 2.0.2's mock answers
     * v3/v4 with a flexible body whose array count says 0 but holds one entry): v0 */
    c = mk(5);
    kw_conn_connecting(c, 0);
    kw_conn_connected(c, 0);
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    const uint8_t mock[] = {0, 0, 0, 18, 0, 0, 0, 1, 0, 0x23, 0x01, 0, 0x12, 0, 0, 0, 2, 0, 0, 0, 0, 0};
    assert_int_equal(kw_conn_feed(c, 0, mock, sizeof mock), 0);
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    assert_int_equal(s[0].key, KW_API_ApiVersions);
    assert_int_equal(s[0].ver, 0);
    av_response(&in, s[0].corr, 0, 0, BROKER, NBROKER);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    assert_int_equal(kw_conn_apiversions_version(c), 0);
    kw_conn_free(c);

    /* malformed ApiVersions body: dropped with a clear error */
    c = mk(5);
    kw_conn_connecting(c, 0);
    kw_conn_connected(c, 0);
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    av_response(&in, s[0].corr, 4, 0, BROKER, NBROKER);
    in.len -= 12; /* cut inside the array */
    kw_be32(in.data, (uint32_t)(in.len - 4));
    assert_true(kw_conn_feed(c, 0, in.data, in.len) < 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_BACKOFF);
    assert_non_null(strstr(kw_conn_last_error(c), "malformed ApiVersions v5 response"));
    kw_conn_free(c);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

static void test_pipelining_limit_and_order(void **st)
{
    (void)st;
    kw_conn *c = mk(2);
    outcome o[5] = {0};
    for (int i = 0; i < 5; i++) submit(c, KW_API_ListOffsets, &o[i], 0);
    handshake(c, 0);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[8];
    assert_int_equal(drain(c, 0, s, 8, &out), 2);
    assert_int_equal(kw_conn_inflight(c), 2);
    assert_int_equal(kw_conn_queued(c), 3);
    int32_t c0 = s[0].corr, c1 = s[1].corr;
    assert_int_equal(c1, c0 + 1);
    assert_int_equal(s[0].ver, 9);
    /* one response lets one more out */
    response(&in, c0, 1, "a", 1);
    assert_int_equal(kw_conn_feed(c, 1 * MS, in.data, in.len), 0);
    assert_int_equal(o[0].calls, 1);
    assert_int_equal(drain(c, 1 * MS, s, 8, &out), 1);
    assert_int_equal(s[0].corr, c1 + 1);
    /* two responses in one read, the second split over two reads */
    kw_buf both;
    kw_buf_init(&both);
    response(&in, c1, 1, "b", 1);
    kw_buf_put(&both, in.data, in.len);
    response(&in, c1 + 1, 1, "c", 1);
    kw_buf_put(&both, in.data, in.len);
    assert_int_equal(kw_conn_feed(c, 2 * MS, both.data, both.len - 3), 0);
    assert_int_equal(o[1].calls, 1);
    assert_int_equal(o[2].calls, 0);
    assert_int_equal(kw_conn_feed(c, 2 * MS, both.data + both.len - 3, 3), 0);
    assert_int_equal(o[2].calls, 1);
    assert_int_equal(o[2].body[0], 'c');
    assert_true(o[0].order < o[1].order && o[1].order < o[2].order);
    assert_int_equal(drain(c, 2 * MS, s, 8, &out), 2);
    response(&in, s[0].corr, 1, "d", 1);
    kw_conn_feed(c, 3 * MS, in.data, in.len);
    response(&in, s[1].corr, 1, "e", 1);
    kw_conn_feed(c, 3 * MS, in.data, in.len);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(o[i].calls, 1);
        assert_int_equal(o[i].err, 0);
    }
    assert_int_equal(kw_conn_stats_get(c)->inflight_max, 2);
    kw_conn_free(c);
    kw_buf_free(&both);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

static void test_unknown_correlation_drops(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    outcome o[3] = {0};
    for (int i = 0; i < 3; i++) submit(c, KW_API_Metadata, &o[i], 0);
    handshake(c, 0);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[4];
    assert_int_equal(drain(c, 0, s, 4, &out), 3);
    /* answer the second first: out of order is an unknown id for the oldest */
    response(&in, s[1].corr, 1, "x", 1);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), KW_ERR_CORRELATION);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_BACKOFF);
    assert_false(kw_conn_wants_socket(c));
    char want[64];
    snprintf(want, sizeof want, "correlation id %d, expected %d", s[1].corr, s[0].corr);
    assert_non_null(strstr(kw_conn_last_error(c), want));
    assert_non_null(strstr(kw_conn_last_error(c), "b1: "));
    for (int i = 0; i < 3; i++) {
        assert_int_equal(o[i].calls, 1);
        assert_int_equal(o[i].err, KW_ERR_CORRELATION);
    }
    /* feeding after the drop is refused */
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), KW_ERR_STATE);
    kw_conn_free(c);
    for (int i = 0; i < 3; i++) assert_int_equal(o[i].calls, 1);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

static void test_request_timeout_drops_and_requeues(void **st)
{
    (void)st;
    kw_conn *c = mk(1);
    outcome o[3] = {0};
    submit(c, KW_API_Metadata, &o[0], 0);
    handshake(c, 0);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[4];
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    submit(c, KW_API_Metadata, &o[1], 10000 * MS); /* queued behind (max in flight 1) */
    submit(c, KW_API_Metadata, &o[2], 10000 * MS);
    assert_int_equal(kw_conn_next_deadline(c), 30000 * MS);
    kw_conn_tick(c, 30000 * MS - 1);
    assert_int_equal(o[0].calls, 0);
    kw_conn_tick(c, 30000 * MS);
    assert_int_equal(o[0].calls, 1);
    assert_int_equal(o[0].err, KW_ERR_TIMEOUT);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_BACKOFF);
    assert_non_null(strstr(kw_conn_last_error(c), "request.timeout.ms"));
    assert_int_equal(kw_conn_stats_get(c)->timeouts, 1);
    /* the queued ones survive and go out after reconnecting */
    assert_int_equal(o[1].calls, 0);
    assert_int_equal(kw_conn_queued(c), 2);
    assert_false(kw_conn_want_connect(c, 30000 * MS));
    assert_true(kw_conn_want_connect(c, 30000 * MS + 50 * MS));
    handshake(c, 30050 * MS);
    assert_int_equal(drain(c, 30050 * MS, s, 4, &out), 1);
    /* the third waits in the queue past its own bound (queued at 10 s, 30 s): it fails
     * alone, the connection stays */
    kw_conn_tick(c, 40000 * MS);
    assert_int_equal(o[2].calls, 1);
    assert_int_equal(o[2].err, KW_ERR_TIMEOUT);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    response(&in, s[0].corr, 1, "ok", 2);
    assert_int_equal(kw_conn_feed(c, 40001 * MS, in.data, in.len), 0);
    assert_int_equal(o[1].calls, 1);
    assert_int_equal(o[1].err, 0);
    assert_int_equal(o[1].len, 2);
    kw_conn_free(c);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

static void test_backoff_exponential_with_jitter(void **st)
{
    (void)st;
    /* Kafka's ExponentialBackoff: base * 2^(n-1) * factor, capped */
    assert_int_equal(kw_conn_backoff_ms(50, 1000, 1, 1.0), 50);
    assert_int_equal(kw_conn_backoff_ms(50, 1000, 2, 1.0), 100);
    assert_int_equal(kw_conn_backoff_ms(50, 1000, 5, 1.0), 800);
    assert_int_equal(kw_conn_backoff_ms(50, 1000, 6, 1.0), 1000);
    assert_int_equal(kw_conn_backoff_ms(50, 1000, 60, 1.0), 1000);
    assert_int_equal(kw_conn_backoff_ms(50, 1000, 1, 0.8), 40);
    assert_int_equal(kw_conn_backoff_ms(50, 1000, 1, 1.2), 60);
    assert_int_equal(kw_conn_backoff_ms(50, 1000, 5, 1.2), 960);
    assert_int_equal(kw_conn_backoff_ms(100, 50, 3, 1.2), 100); /* max <= base: base */
    assert_int_equal(kw_conn_backoff_ms(0, 50, 3, 1.2), 0);

    /* the state machine: repeated connect failures at factor 1.0 */
    kw_conn *c = mk(5);
    outcome o = {0};
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .timeout_ms = 1000000,
                     .encode = enc_cb, .done = done_cb, .ud = &o};
    assert_int_equal(kw_conn_submit(c, &r, 0), 0);
    int64_t t = 0;
    const int64_t want[] = {50, 100, 200, 400, 800, 1000, 1000};
    for (int i = 0; i < 7; i++) {
        assert_true(kw_conn_want_connect(c, t));
        kw_conn_connecting(c, t);
        kw_conn_connect_failed(c, t, KW_ERR_CONNECT, "refused");
        assert_int_equal(kw_conn_state_get(c), KW_CONN_BACKOFF);
        assert_int_equal(kw_conn_next_deadline(c), t + want[i] * MS);
        assert_false(kw_conn_want_connect(c, t + want[i] * MS - 1));
        t += want[i] * MS;
    }
    assert_int_equal(kw_conn_stats_get(c)->connect_failures, 7);
    assert_non_null(strstr(kw_conn_last_error(c), "connect failed: refused"));
    /* jitter comes from the injected RNG: lowest and highest factor */
    g_rng = 0;
    kw_conn_connecting(c, t);
    kw_conn_connect_failed(c, t, KW_ERR_CONNECT, "refused");
    assert_int_equal(kw_conn_next_deadline(c), t + 800 * MS); /* 1000 cap after 0.8 of 6400 */
    kw_conn_free(c);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.err, KW_ERR_DESTROYED);

    c = mk(5);
    assert_int_equal(kw_conn_submit(c, &r, 0), 0);
    g_rng = 0;
    kw_conn_connecting(c, 0);
    kw_conn_connect_failed(c, 0, KW_ERR_CONNECT, "refused");
    assert_int_equal(kw_conn_next_deadline(c), 40 * MS);
    g_rng = UINT64_MAX;
    kw_conn_connecting(c, 40 * MS);
    kw_conn_connect_failed(c, 40 * MS, KW_ERR_CONNECT, "refused");
    int64_t d = kw_conn_next_deadline(c) - 40 * MS;
    assert_true(d >= 119 * MS && d <= 120 * MS); /* 100 * ~1.2 */
    /* a successful negotiation resets the failure count */
    g_rng = 1ULL << 63;
    handshake(c, 200 * MS);
    kw_conn_disconnected(c, 201 * MS, KW_ERR_DISCONNECTED, "reset by peer");
    assert_int_equal(kw_conn_next_deadline(c), INT64_MAX); /* nothing queued: no wake-up */
    assert_int_equal(kw_conn_submit(c, &r, 201 * MS), 0);
    assert_int_equal(kw_conn_next_deadline(c) - 201 * MS, 50 * MS);
    kw_conn_free(c);
}

static void test_connect_timeout_and_queue_expiry(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    outcome o = {0};
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .timeout_ms = 25000,
                     .encode = enc_cb, .done = done_cb, .ud = &o};
    assert_int_equal(kw_conn_submit(c, &r, 0), 0);
    kw_conn_connecting(c, 0);
    assert_int_equal(kw_conn_next_deadline(c), 10000 * MS); /* socket.connection.setup.timeout.ms */
    kw_conn_tick(c, 10000 * MS - 1);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_CONNECTING);
    kw_conn_tick(c, 10000 * MS);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_BACKOFF);
    assert_non_null(strstr(kw_conn_last_error(c), "setup.timeout"));
    /* the second attempt's setup timeout doubles (20 s, max 30 s) */
    kw_conn_tick(c, 10050 * MS);
    assert_true(kw_conn_want_connect(c, 10050 * MS));
    kw_conn_connecting(c, 10050 * MS);
    assert_int_equal(kw_conn_next_deadline(c), 25000 * MS); /* the queued request's bound comes first */
    kw_conn_tick(c, 25000 * MS);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.err, KW_ERR_CONNECT); /* the broker could not be reached */
    assert_int_equal(kw_conn_next_deadline(c), 30050 * MS);
    kw_conn_free(c);
}

static void test_idle_close(void **st)
{
    (void)st;
    kw_conn_opts op;
    kw_conn_opts_default(&op);
    op.connections_max_idle_ms = 1000;
    kw_conn *c = kw_conn_new(&op);
    outcome o = {0};
    submit(c, KW_API_Metadata, &o, 0);
    handshake(c, 0);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[2];
    assert_int_equal(drain(c, 0, s, 2, &out), 1);
    kw_conn_tick(c, 5000 * MS); /* busy: request in flight (no idle close) */
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    response(&in, s[0].corr, 1, "", 0);
    kw_conn_feed(c, 5000 * MS, in.data, in.len);
    assert_int_equal(kw_conn_next_deadline(c), 6000 * MS);
    kw_conn_tick(c, 5999 * MS);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    kw_conn_tick(c, 6000 * MS);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_DISCONNECTED);
    assert_false(kw_conn_wants_socket(c));
    assert_false(kw_conn_want_connect(c, 6000 * MS));
    submit(c, KW_API_Metadata, &o, 7000 * MS);
    assert_true(kw_conn_want_connect(c, 7000 * MS)); /* on demand, no backoff */
    kw_conn_free(c);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

static void test_close_gives_every_request_one_outcome(void **st)
{
    (void)st;
    kw_conn *c = mk(2);
    outcome o[6] = {0};
    for (int i = 0; i < 6; i++) submit(c, KW_API_Metadata, &o[i], 0);
    handshake(c, 0);
    kw_buf out;
    kw_buf_init(&out);
    sent s[4];
    assert_int_equal(drain(c, 0, s, 4, &out), 2);
    /* the peer closes: two in flight fail, four stay queued */
    kw_conn_disconnected(c, 1 * MS, KW_ERR_DISCONNECTED, "EOF");
    for (int i = 0; i < 2; i++) assert_int_equal(o[i].err, KW_ERR_DISCONNECTED);
    for (int i = 2; i < 6; i++) assert_int_equal(o[i].calls, 0);
    assert_int_equal(kw_conn_queued(c), 4);
    kw_conn_close(c);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_CLOSED);
    for (int i = 0; i < 6; i++) assert_int_equal(o[i].calls, 1);
    for (int i = 2; i < 6; i++) assert_int_equal(o[i].err, KW_ERR_DESTROYED);
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode = enc_cb,
                     .done = done_cb, .ud = &o[0]};
    assert_int_equal(kw_conn_submit(c, &r, 0), KW_ERR_DESTROYED);
    kw_conn_free(c);
    for (int i = 0; i < 6; i++) assert_int_equal(o[i].calls, 1);
    kw_buf_free(&out);
}

static void test_oversize_and_short_frames(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    outcome o = {0};
    submit(c, KW_API_Metadata, &o, 0);
    handshake(c, 0);
    kw_buf out;
    kw_buf_init(&out);
    sent s[2];
    drain(c, 0, s, 2, &out);
    const uint8_t big[] = {0, 1, 0, 1}; /* 65537 > max_response 65536 */
    assert_int_equal(kw_conn_feed(c, 0, big, 4), KW_ERR_TOO_LARGE);
    assert_int_equal(o.err, KW_ERR_TOO_LARGE);
    assert_non_null(strstr(kw_conn_last_error(c), "larger than 65536"));
    kw_conn_free(c);

    c = mk(5);
    outcome o2 = {0};
    submit(c, KW_API_Metadata, &o2, 0);
    handshake(c, 0);
    drain(c, 0, s, 2, &out);
    const uint8_t tiny[] = {0, 0, 0, 2, 0, 0};
    assert_int_equal(kw_conn_feed(c, 0, tiny, sizeof tiny), KW_ERR_CORRUPT);
    assert_int_equal(o2.err, KW_ERR_CORRUPT);
    kw_conn_free(c);
    kw_buf_free(&out);
}

static void test_versions_and_flexible_header(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    outcome lo = {0}, bad = {0}, oldv = {0};
    /* caller can only encode Metadata up to v8 (non-flexible) */
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = 8, .encode = enc_cb,
                     .done = done_cb, .ud = &oldv};
    assert_int_equal(kw_conn_submit(c, &r, 0), 0);
    /* Fetch at least v17: the broker has 16 */
    kw_conn_req r2 = {.api_key = KW_API_Fetch, .min_version = 17, .max_version = -1, .encode = enc_cb,
                      .done = done_cb, .ud = &bad};
    assert_int_equal(kw_conn_submit(c, &r2, 0), 0);
    submit(c, KW_API_Metadata, &lo, 0);
    kw_conn_req r3 = {.api_key = 77, .encode = enc_cb, .done = done_cb, .ud = &bad};
    assert_int_equal(kw_conn_submit(c, &r3, 0), KW_ERR_UNKNOWN_API);
    handshake(c, 0);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[4];
    assert_int_equal(drain(c, 0, s, 4, &out), 2);
    assert_int_equal(bad.calls, 1);
    assert_int_equal(bad.err, KW_ERR_VERSION);
    assert_int_equal(s[0].ver, 8);
    assert_int_equal(s[1].ver, 12);
    /* v8 response: header v0, the body starts right after the correlation id */
    response(&in, s[0].corr, 0, "\x01\x02", 2);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(oldv.len, 2);
    assert_int_equal(oldv.body[0], 1);
    /* v12 response with a tagged field in its header: skipped */
    in.len = 0;
    kw_buf_i32(&in, 0);
    kw_buf_i32(&in, s[1].corr);
    const uint8_t tags[] = {1, 5, 2, 0xaa, 0xbb};
    kw_buf_put(&in, tags, sizeof tags);
    kw_buf_put(&in, "\x07", 1);
    kw_be32(in.data, (uint32_t)(in.len - 4));
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(lo.len, 1);
    assert_int_equal(lo.body[0], 7);
    kw_conn_free(c);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

static void test_no_response_requests(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    outcome p = {0}, m = {0};
    kw_conn_req r = {.api_key = KW_API_Produce, .min_version = -1, .max_version = -1, .no_response = 1,
                     .encode = enc_cb, .done = done_cb, .ud = &p};
    assert_int_equal(kw_conn_submit(c, &r, 0), 0);
    submit(c, KW_API_Metadata, &m, 0);
    handshake(c, 0);
    size_t len;
    const uint8_t *o = kw_conn_output(c, &len);
    assert_non_null(o);
    kw_conn_written(c, 0, 5);
    assert_int_equal(p.calls, 0); /* not fully written yet */
    kw_conn_written(c, 0, 20);
    assert_int_equal(p.calls, 1);
    assert_int_equal(p.err, 0);
    assert_int_equal(p.len, 0);
    assert_int_equal(p.version, 11);
    /* the Metadata response still matches its request */
    kw_conn_output(c, &len);
    kw_conn_written(c, 0, len);
    kw_buf in;
    kw_buf_init(&in);
    response(&in, 3, 1, "z", 1);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(m.calls, 1);
    assert_int_equal(m.err, 0);
    kw_conn_free(c);
    kw_buf_free(&in);
}

static void test_statistics(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    outcome o[4] = {0};
    handshake(c, 0);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    const int64_t rtts[] = {100, 900, 3000, 70000};
    for (int i = 0; i < 4; i++) {
        submit(c, KW_API_Metadata, &o[i], 1000000);
        sent s[1];
        assert_int_equal(drain(c, 1000000, s, 1, &out), 1);
        response(&in, s[0].corr, 1, "abcdef", 6);
        assert_int_equal(kw_conn_feed(c, 1000000 + rtts[i], in.data, in.len), 0);
    }
    const kw_conn_stats *stt = kw_conn_stats_get(c);
    const kw_api_stats *md = NULL, *av = NULL;
    for (size_t i = 0; i < stt->napis; i++) {
        if (stt->apis[i].api_key == KW_API_Metadata) md = &stt->apis[i];
        if (stt->apis[i].api_key == KW_API_ApiVersions) av = &stt->apis[i];
    }
    assert_non_null(md);
    assert_non_null(av);
    assert_int_equal(av->requests, 1);
    assert_int_equal(av->version, 5);
    assert_int_equal(md->version, 12);
    assert_int_equal(md->requests, 4);
    assert_int_equal(md->bytes_out, 4 * (4 + 2 + 2 + 4 + 2 + 3 + 1 + 4));
    assert_int_equal(md->bytes_in, 4 * (4 + 4 + 1 + 6));
    assert_int_equal(md->rtt_min_us, 100);
    assert_int_equal(md->rtt_max_us, 70000);
    assert_int_equal(md->rtt_sum_us, 100 + 900 + 3000 + 70000);
    assert_int_equal(kw_api_stats_quantile(md, 0.5), 900);    /* below 2048 us: exact */
    assert_int_equal(kw_api_stats_quantile(md, 0.75), 3001);  /* 3000 in [3000, 3001] */
    assert_int_equal(kw_api_stats_quantile(md, 1.0), 70000);  /* [69632, 70143]: clamped to the max */
    assert_int_equal(kw_api_stats_quantile(md, 0.0), 100);
    assert_int_equal(md->rtt->total, 4);
    assert_int_equal(stt->connects, 1);
    assert_int_equal(stt->inflight_max, 1);
    kw_conn_free(c);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

/* A done callback that submits a follow-up request (re-entrancy). */
typedef struct chain { kw_conn *c; outcome first, second; } chain;
static void chain_done(void *ud, int err, const kw_conn_resp *r)
{
    chain *ch = ud;
    done_cb(&ch->first, err, r);
    kw_conn_req n = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode = enc_cb,
                     .done = done_cb, .ud = &ch->second};
    assert_int_equal(kw_conn_submit(ch->c, &n, 0), 0);
}

static void test_callback_may_submit(void **st)
{
    (void)st;
    chain ch = {0};
    ch.c = mk(5);
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode = enc_cb,
                     .done = chain_done, .ud = &ch};
    assert_int_equal(kw_conn_submit(ch.c, &r, 0), 0);
    handshake(ch.c, 0);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[2];
    assert_int_equal(drain(ch.c, 0, s, 2, &out), 1);
    response(&in, s[0].corr, 1, "", 0);
    assert_int_equal(kw_conn_feed(ch.c, 0, in.data, in.len), 0);
    assert_int_equal(ch.first.calls, 1);
    assert_int_equal(drain(ch.c, 0, s, 2, &out), 1); /* the follow-up went out */
    assert_int_equal(s[0].key, KW_API_Metadata);
    kw_conn_free(ch.c);
    assert_int_equal(ch.second.calls, 1);
    assert_int_equal(ch.second.err, KW_ERR_DESTROYED);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

static void test_fail_fast(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    outcome slow = {0}, fast = {0};
    submit(c, KW_API_Metadata, &slow, 0);
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .fail_fast = 1,
                     .encode = enc_cb, .done = done_cb, .ud = &fast};
    assert_int_equal(kw_conn_submit(c, &r, 0), 0);
    kw_conn_connecting(c, 0);
    kw_conn_connect_failed(c, 1 * MS, KW_ERR_CONNECT, "refused");
    assert_int_equal(fast.calls, 1);
    assert_int_equal(fast.err, KW_ERR_CONNECT);
    assert_int_equal(slow.calls, 0); /* waits for the next attempt */
    assert_int_equal(kw_conn_queued(c), 1);
    kw_conn_free(c);
    assert_int_equal(slow.calls, 1);
}

typedef struct tapped { int n; int dir[8]; int16_t key[8], ver[8]; size_t len[8]; } tapped;
static void tap_cb(void *ud, int dir, int16_t key, int16_t ver, const uint8_t *p, size_t len)
{
    tapped *t = ud;
    (void)p;
    if (t->n < 8) {
        t->dir[t->n] = dir;
        t->key[t->n] = key;
        t->ver[t->n] = ver;
        t->len[t->n] = len;
    }
    t->n++;
}

static void test_tap_sees_every_frame(void **st)
{
    (void)st;
    tapped t = {0};
    kw_conn_opts o;
    kw_conn_opts_default(&o);
    o.tap = tap_cb;
    o.tap_ud = &t;
    kw_conn *c = kw_conn_new(&o);
    outcome m = {0};
    submit(c, KW_API_Metadata, &m, 0);
    handshake(c, 0);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[2];
    assert_int_equal(drain(c, 0, s, 2, &out), 1);
    response(&in, s[0].corr, 1, "abc", 3);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(t.n, 4); /* ApiVersions request + response, Metadata request + response */
    assert_int_equal(t.dir[0], KW_REQ);
    assert_int_equal(t.key[0], KW_API_ApiVersions);
    assert_int_equal(t.dir[1], KW_RESP);
    assert_int_equal(t.key[2], KW_API_Metadata);
    assert_int_equal(t.ver[2], 12);
    assert_int_equal(t.len[2], out.len - 4);
    assert_int_equal(t.dir[3], KW_RESP);
    assert_int_equal(t.len[3], in.len - 4);
    kw_conn_free(c);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

/* ---- requests that refer to the caller's slices ---- */

/* A request body: "AB", slice 1, "CD", slice 2 (empty when NULL), "EF". */
typedef struct refreq {
    const uint8_t *s1, *s2;
    size_t n1, n2;
    int encodes;
} refreq;

static int enc_ref_cb(void *ud, int16_t v, kw_buf *out, kw_conn_refs *refs)
{
    (void)v;
    refreq *q = ud;
    q->encodes++;
    kw_buf_put(out, "AB", 2);
    if (kw_conn_ref(refs, out, q->s1, q->n1)) return KW_ERR_NOMEM;
    kw_buf_put(out, "CD", 2);
    if (q->s2 && kw_conn_ref(refs, out, q->s2, q->n2)) return KW_ERR_NOMEM;
    kw_buf_put(out, "EF", 2);
    return 0;
}

typedef struct refout {
    outcome o;
    size_t pending_at_done; /* output bytes still to write when done ran */
    kw_conn *c;
    refreq *q;
} refout;

static void ref_done_cb(void *ud, int err, const kw_conn_resp *r)
{
    refout *x = ud;
    size_t len = 0;
    kw_conn_iov v[8];
    kw_conn_output_iov(x->c, v, 8, &len);
    x->pending_at_done = len;
    done_cb(&x->o, err, r);
}

static int enc_ref_trampoline(void *ud, int16_t v, kw_buf *out, kw_conn_refs *refs)
{
    refout *x = ud;
    return enc_ref_cb(x->q, v, out, refs);
}

static void submit_ref(kw_conn *c, refreq *q, refout *x, int64_t now)
{
    x->c = c;
    kw_conn_req r = {.api_key = KW_API_Produce, .min_version = -1, .max_version = -1, .encode_ref = enc_ref_cb,
                     .done = ref_done_cb, .ud = x};
    q->encodes = 0;
    x->q = q;
    r.encode_ref = enc_ref_trampoline;
    assert_int_equal(kw_conn_submit(c, &r, now), 0);
}

/* Everything the connection has to write, gathered, without marking it written. */
static size_t gather(kw_conn *c, kw_buf *b, int *nv)
{
    kw_conn_iov v[16];
    size_t total;
    int n = kw_conn_output_iov(c, v, 16, &total);
    b->len = 0;
    size_t sum = 0;
    for (int i = 0; i < n; i++) {
        kw_buf_put(b, v[i].p, v[i].len);
        sum += v[i].len;
    }
    assert_int_equal(sum, total);
    if (nv) *nv = n;
    return total;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(seed + i * 7);
}

static void test_request_refers_to_slices(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    handshake(c, 0);
    enum { N1 = 10000, N2 = 5000 };
    uint8_t *s1 = malloc(N1), *s2 = malloc(N2);
    fill(s1, N1, 1);
    fill(s2, N2, 2);
    refreq q = {s1, s2, N1, N2, 0};
    refout x = {0};
    submit_ref(c, &q, &x, 0);
    /* a second, plain request behind it: its bytes follow in the same gather list */
    outcome m = {0};
    submit(c, KW_API_Metadata, &m, 0);
    kw_buf g, want;
    kw_buf_init(&g);
    kw_buf_init(&want);
    int nv;
    size_t total = gather(c, &g, &nv);
    assert_int_equal(q.encodes, 1);
    /* header+"AB" | s1 | "CD" | s2 | "EF"+Metadata frame */
    assert_int_equal(nv, 5);
    /* the expected bytes: Produce v11 (broker's max), header v2 (flexible), then the body */
    kw_buf_i32(&want, 0);
    kw_buf_i16(&want, KW_API_Produce);
    kw_buf_i16(&want, 11);
    kw_buf_i32(&want, 2);
    kw_buf_i16(&want, 3);
    kw_buf_put(&want, "cid", 3);
    kw_buf_uvarint(&want, 0);
    kw_buf_put(&want, "AB", 2);
    kw_buf_put(&want, s1, N1);
    kw_buf_put(&want, "CD", 2);
    kw_buf_put(&want, s2, N2);
    kw_buf_put(&want, "EF", 2);
    kw_be32(want.data, (uint32_t)(want.len - 4));
    size_t plen = want.len;
    assert_true(total > plen);
    assert_memory_equal(g.data, want.data, plen);
    /* the Metadata frame after it */
    assert_int_equal(kw_ld32(g.data + plen), total - plen - 4);
    assert_int_equal(kw_ld16(g.data + plen + 4), KW_API_Metadata);

    /* written in odd pieces that end inside and across every slice */
    kw_buf w;
    kw_buf_init(&w);
    size_t steps[] = {1, 17, 9990, 3, 4999, 2, 1, 7, 100000};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        size_t len;
        kw_conn_iov v[16];
        kw_conn_output_iov(c, v, 16, &len);
        if (!len) break;
        size_t n = steps[i] < len ? steps[i] : len;
        /* "write" n bytes from the gather list */
        size_t left = n;
        for (int k = 0; left; k++) {
            size_t t = v[k].len < left ? v[k].len : left;
            kw_buf_put(&w, v[k].p, t);
            left -= t;
        }
        kw_conn_written(c, 1 * MS, n);
        /* the contiguous view agrees with the gather list */
        const uint8_t *p = kw_conn_output(c, &len);
        if (len) {
            kw_conn_output_iov(c, v, 16, &(size_t){0});
            assert_ptr_equal(p, v[0].p);
            assert_int_equal(len, v[0].len);
        }
    }
    assert_int_equal(w.len, total);
    assert_memory_equal(w.data, g.data, total);
    size_t len;
    assert_null(kw_conn_output(c, &len));
    assert_int_equal(kw_conn_output_iov(c, (kw_conn_iov[1]){{0}}, 1, &len), 0);
    assert_int_equal(len, 0);

    /* the answer: done once; the slices are the caller's again */
    kw_buf in;
    kw_buf_init(&in);
    response(&in, 2, 1, "ok", 2);
    assert_int_equal(kw_conn_feed(c, 2 * MS, in.data, in.len), 0);
    assert_int_equal(x.o.calls, 1);
    assert_int_equal(x.o.err, 0);
    assert_int_equal(x.o.version, 11);
    const kw_conn_stats *cs = kw_conn_stats_get(c);
    assert_int_equal(cs->bytes_out, 36 + total); /* ApiVersions + both frames */
    kw_conn_free(c);
    assert_int_equal(x.o.calls, 1);
    free(s1);
    free(s2);
    kw_buf_free(&g);
    kw_buf_free(&want);
    kw_buf_free(&w);
    kw_buf_free(&in);
}

/* Dropped with a referring request half written: done runs once, after which the
 * connection holds no reference (nothing left to write); a reconnect starts clean. */
static void test_refs_dropped_mid_write(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    handshake(c, 0);
    enum { N1 = 20000 };
    uint8_t *s1 = malloc(N1);
    fill(s1, N1, 3);
    refreq q = {s1, NULL, N1, 0, 0};
    refout x = {0};
    submit_ref(c, &q, &x, 0);
    kw_buf g;
    kw_buf_init(&g);
    size_t total = gather(c, &g, NULL);
    kw_conn_written(c, 1 * MS, total / 2); /* inside the slice */
    kw_conn_disconnected(c, 2 * MS, KW_ERR_IO, "test");
    assert_int_equal(x.o.calls, 1);
    assert_int_equal(x.o.err, KW_ERR_DISCONNECTED);
    assert_int_equal(x.pending_at_done, 0); /* nothing referred to once done ran */
    free(s1);                               /* the caller may free it now (ASan checks) */
    size_t len;
    assert_null(kw_conn_output(c, &len));
    /* reconnect: only the new ApiVersions is written */
    kw_conn_tick(c, 10000 * MS);
    outcome m = {0};
    submit(c, KW_API_Metadata, &m, 10000 * MS);
    kw_conn_connecting(c, 10000 * MS);
    kw_conn_connected(c, 10000 * MS);
    sent s[4];
    assert_int_equal(drain(c, 10000 * MS, s, 4, &g), 1);
    assert_int_equal(s[0].key, KW_API_ApiVersions);
    kw_conn_free(c);
    assert_int_equal(x.o.calls, 1);
    assert_int_equal(m.calls, 1);
    kw_buf_free(&g);
}

/* A response to a referring request before its last byte was written: the connection
 * drops (the broker broke the protocol) and the slice is released only then. */
static void test_refs_early_response_drops(void **st)
{
    (void)st;
    kw_conn *c = mk(5);
    handshake(c, 0);
    enum { N1 = 8192 };
    uint8_t *s1 = malloc(N1);
    fill(s1, N1, 4);
    refreq q = {s1, NULL, N1, 0, 0};
    refout x = {0};
    submit_ref(c, &q, &x, 0);
    kw_buf g, in;
    kw_buf_init(&g);
    kw_buf_init(&in);
    size_t total = gather(c, &g, NULL);
    kw_conn_written(c, 1 * MS, total - 1);
    response(&in, 2, 1, "ok", 2);
    assert_int_equal(kw_conn_feed(c, 2 * MS, in.data, in.len), KW_ERR_CORRUPT);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_BACKOFF);
    assert_int_equal(x.o.calls, 1);
    assert_int_equal(x.o.err, KW_ERR_CORRUPT);
    assert_int_equal(x.pending_at_done, 0);
    assert_non_null(strstr(kw_conn_last_error(c), "before the request was written"));
    free(s1);
    kw_conn_free(c);
    assert_int_equal(x.o.calls, 1);
    kw_buf_free(&g);
    kw_buf_free(&in);
}

/* Copied instead of referred to: a slice under KW_CONN_REF_MIN, and every slice when a
 * tap is set (it sees the frame as one block). Closing with a referring request in
 * flight fails it once. */
static void test_refs_copied_when_small_or_tapped(void **st)
{
    (void)st;
    uint8_t small[100], big[KW_CONN_REF_MIN];
    fill(small, sizeof small, 5);
    fill(big, sizeof big, 6);
    kw_conn *c = mk(5);
    handshake(c, 0);
    refreq q = {small, NULL, sizeof small, 0, 0};
    refout x = {0};
    submit_ref(c, &q, &x, 0);
    kw_buf g;
    kw_buf_init(&g);
    int nv;
    gather(c, &g, &nv);
    assert_int_equal(nv, 1); /* all copied: one slice */
    kw_conn_free(c);
    assert_int_equal(x.o.calls, 1);
    assert_int_equal(x.o.err, KW_ERR_DESTROYED);

    tapped t = {0};
    kw_conn_opts o;
    kw_conn_opts_default(&o);
    o.tap = tap_cb;
    o.tap_ud = &t;
    c = kw_conn_new(&o);
    handshake(c, 0);
    refreq q2 = {big, NULL, sizeof big, 0, 0};
    refout x2 = {0};
    submit_ref(c, &q2, &x2, 0);
    size_t total = gather(c, &g, &nv);
    assert_int_equal(nv, 1);
    assert_int_equal(t.n, 3); /* ApiVersions request + response, the Produce request */
    assert_int_equal(t.key[2], KW_API_Produce);
    assert_int_equal(t.len[2], total - 4);
    kw_conn_written(c, 0, total);
    kw_conn_close(c);
    assert_int_equal(x2.o.calls, 1);
    assert_int_equal(x2.o.err, KW_ERR_DESTROYED);
    kw_conn_free(c);
    assert_int_equal(x2.o.calls, 1);
    kw_buf_free(&g);
}

static void test_correlation_ids_wrap(void **st)
{
    (void)st;
    kw_conn_opts o;
    kw_conn_opts_default(&o);
    o.first_correlation_id = INT32_MAX - 1;
    kw_conn *c = kw_conn_new(&o);
    outcome r[3] = {0};
    for (int i = 0; i < 3; i++) submit(c, KW_API_Metadata, &r[i], 0);
    kw_conn_connecting(c, 0);
    kw_conn_connected(c, 0);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[4];
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    assert_int_equal(s[0].corr, INT32_MAX - 1);
    av_response(&in, s[0].corr, 4, 0, BROKER, NBROKER);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(drain(c, 0, s, 4, &out), 3);
    assert_int_equal(s[0].corr, INT32_MAX);
    assert_int_equal(s[1].corr, 0);
    assert_int_equal(s[2].corr, 1);
    for (int i = 0; i < 3; i++) {
        response(&in, s[i].corr, 1, "", 0);
        assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
        assert_int_equal(r[i].err, 0);
        assert_int_equal(r[i].corr, s[i].corr);
    }
    kw_conn_free(c);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

/* A peer answering ApiVersions in another protocol: every waiting request fails at once
 * with KW_ERR_NOT_KAFKA, and the message names the protocol. (A TLS record is a TLS
 * listener: KW_ERR_TLS, test_conn_security.) */
static void test_not_kafka_answer(void **st)
{
    (void)st;
    kw_buf out;
    kw_buf_init(&out);
    sent s[4];
    struct { const char *bytes; const char *like; } peers[] = {
        {"HTTP/1.1 400 Bad Request\r\n\r\n", "first bytes look like HTTP"},
        {"SSH-2.0-OpenSSH_9.2\r\n", "first bytes look like SSH"},
        {"220 mail ESMTP\r\n", "first bytes look like text"},
        {"\xff\xff\xff\xf0\x01", "first bytes ff ff ff f0: a frame of -16 bytes"},
    };
    for (size_t i = 0; i < sizeof peers / sizeof peers[0]; i++) {
        kw_conn *c = mk(5);
        outcome o = {0};
        submit(c, KW_API_Metadata, &o, 0);
        kw_conn_connecting(c, 0);
        kw_conn_connected(c, 0);
        assert_int_equal(drain(c, 0, s, 4, &out), 1);
        size_t n = strlen(peers[i].bytes);
        if (peers[i].bytes[0] == '\xff') n = 5;
        assert_int_equal(kw_conn_feed(c, 1 * MS, (const uint8_t *)peers[i].bytes, n), KW_ERR_NOT_KAFKA);
        assert_int_equal(o.calls, 1);
        assert_int_equal(o.err, KW_ERR_NOT_KAFKA);
        assert_true(kw_conn_not_kafka(c));
        assert_non_null(strstr(kw_conn_last_error(c), "b1: does not speak the Kafka protocol"));
        if (!strstr(kw_conn_last_error(c), peers[i].like)) fail_msg("%s", kw_conn_last_error(c));
        kw_conn_free(c);
    }
    kw_buf_free(&out);
}

/* A peer that closes before answering, three times running: not a Kafka broker either
 * (a peer that accepts and stays silent may be a frozen broker: it keeps the ordinary
 * timeouts). */
static void test_not_kafka_silent(void **st)
{
    (void)st;
    kw_buf out;
    kw_buf_init(&out);
    sent s[4];
    kw_conn *c = mk(5);
    outcome o = {0};
    submit(c, KW_API_Metadata, &o, 0);
    int64_t t = 0;
    for (int k = 1; k <= KW_CONN_SILENT_CLOSES; k++) {
        while (!kw_conn_want_connect(c, t)) t += 10 * MS;
        kw_conn_connecting(c, t);
        kw_conn_connected(c, t);
        assert_int_equal(drain(c, t, s, 4, &out), 1);
        kw_conn_disconnected(c, t, KW_ERR_DISCONNECTED, "connection closed by peer");
        assert_int_equal(o.calls, k == KW_CONN_SILENT_CLOSES);
    }
    assert_int_equal(o.err, KW_ERR_NOT_KAFKA);
    assert_non_null(strstr(kw_conn_last_error(c), "closed the connection 3 times without answering ApiVersions"));
    kw_conn_free(c);

    /* a broker that answered once (then shuts down, closing new connections): never */
    c = mk(5);
    kw_buf in;
    kw_buf_init(&in);
    handshake(c, 0);
    kw_conn_disconnected(c, 1 * MS, KW_ERR_DISCONNECTED, "gone");
    outcome q = {0};
    submit(c, KW_API_Metadata, &q, 1 * MS);
    t = 1 * MS;
    for (int k = 1; k <= 2 * KW_CONN_SILENT_CLOSES; k++) {
        while (!kw_conn_want_connect(c, t)) t += 10 * MS;
        kw_conn_connecting(c, t);
        kw_conn_connected(c, t);
        assert_int_equal(drain(c, t, s, 4, &out), 1);
        kw_conn_disconnected(c, t, KW_ERR_DISCONNECTED, "connection closed by peer");
    }
    assert_int_equal(q.calls, 0); /* still waiting for its own timeout */
    assert_false(kw_conn_not_kafka(c));
    kw_conn_free(c);
    kw_buf_free(&in);

    kw_buf_free(&out);
}

/* The ApiVersions version that worked is where the next connection starts; a capped
 * API is sent and reported at its cap. */
static void test_versions_remembered(void **st)
{
    (void)st;
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    sent s[4];
    kw_conn *c = mk(5);
    kw_conn_connecting(c, 0);
    kw_conn_connected(c, 0);
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    const int16_t only_av[][3] = {{KW_API_ApiVersions, 0, 2}};
    av_response(&in, s[0].corr, 0, 35, only_av, 1);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(drain(c, 0, s, 4, &out), 1);
    av_response(&in, s[0].corr, 2, 0, BROKER, NBROKER);
    assert_int_equal(kw_conn_feed(c, 0, in.data, in.len), 0);
    assert_int_equal(kw_conn_apiversions_version(c), 2);
    kw_conn_disconnected(c, 1 * MS, KW_ERR_DISCONNECTED, "gone");
    int64_t t = 1 * MS;
    kw_conn_request_connect(c);
    while (!kw_conn_want_connect(c, t)) t += 10 * MS;
    kw_conn_connecting(c, t);
    kw_conn_connected(c, t);
    assert_int_equal(drain(c, t, s, 4, &out), 1);
    assert_int_equal(s[0].ver, 2); /* not 4 again */
    av_response(&in, s[0].corr, 2, 0, BROKER, NBROKER);
    assert_int_equal(kw_conn_feed(c, t, in.data, in.len), 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);

    int16_t lo, hi;
    kw_conn_cap_version(c, KW_API_ListOffsets, 3);
    assert_int_equal(kw_conn_api_version(c, KW_API_ListOffsets, &lo, &hi), 0);
    assert_int_equal(hi, 3);
    outcome o = {0};
    submit(c, KW_API_ListOffsets, &o, t);
    assert_int_equal(drain(c, t, s, 4, &out), 1);
    assert_int_equal(s[0].key, KW_API_ListOffsets);
    assert_int_equal(s[0].ver, 3);
    kw_conn_cap_version(c, KW_API_ListOffsets, -1);
    assert_int_equal(kw_conn_api_version(c, KW_API_ListOffsets, &lo, &hi), 0);
    assert_int_equal(hi, 9);
    kw_conn_free(c);
    kw_buf_free(&in);
    kw_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_bytes_and_first_request),
        cmocka_unit_test(test_apiversions_fallback),
        cmocka_unit_test(test_pipelining_limit_and_order),
        cmocka_unit_test(test_unknown_correlation_drops),
        cmocka_unit_test(test_request_timeout_drops_and_requeues),
        cmocka_unit_test(test_backoff_exponential_with_jitter),
        cmocka_unit_test(test_connect_timeout_and_queue_expiry),
        cmocka_unit_test(test_idle_close),
        cmocka_unit_test(test_close_gives_every_request_one_outcome),
        cmocka_unit_test(test_oversize_and_short_frames),
        cmocka_unit_test(test_versions_and_flexible_header),
        cmocka_unit_test(test_no_response_requests),
        cmocka_unit_test(test_statistics),
        cmocka_unit_test(test_callback_may_submit),
        cmocka_unit_test(test_fail_fast),
        cmocka_unit_test(test_tap_sees_every_frame),
        cmocka_unit_test(test_correlation_ids_wrap),
        cmocka_unit_test(test_request_refers_to_slices),
        cmocka_unit_test(test_refs_dropped_mid_write),
        cmocka_unit_test(test_refs_early_response_drops),
        cmocka_unit_test(test_refs_copied_when_small_or_tapped),
        cmocka_unit_test(test_not_kafka_answer),
        cmocka_unit_test(test_not_kafka_silent),
        cmocka_unit_test(test_versions_remembered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
