/*
 * fuzz/fuzz_tls_sasl.c — client/conn with TLS and SASL fed arbitrary broker bytes.
 *
 * Input: byte 0 = mode, byte 1 = SASL mechanism, byte 2 = chunk size seed, then the data.
 *   mode 0  SASL over plaintext: the broker answers ApiVersions properly (so the
 *           exchange starts); every other request — SaslHandshake, SaslAuthenticate
 *           rounds, the queued requests — is answered with a frame whose correlation id
 *           is right and whose body is the next slice of the data (a length byte, then
 *           that many bytes): SCRAM server messages, mechanism lists, error codes,
 *           session lifetimes, all arbitrary
 *   mode 1  the same over TLS: an in-process OpenSSL server (certificates made once at
 *           start-up) completes a real handshake and encrypts the answers; now and then a
 *           slice of the data goes in as raw ciphertext instead (garbage records)
 *   mode 2  a TLS client fed the data as the server's ciphertext from the first byte
 *           (handshake records), in chunks
 * The clock advances with the data, so timeouts and KIP-368 re-authentication fire.
 * The data is also annotated as SASL auth bytes both ways (proto/sasl_annot): every byte
 * covered once, in order, and no secret field without its redaction.
 * Checks: no crash or sanitizer report, and every request submitted gets exactly one
 * outcome by the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn/auth.h"
#include "client/conn/conn.h"
#include "client/conn/sasl.h"
#include "client/conn/tls.h"
#include "proto/desc.h"
#include "proto/msg_apiversions.h"
#include "proto/proto.h"
#include "proto/sasl_annot.h"
#include "tests/tls_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NREQ 4
static int calls[NREQ];
static tu_cert g_ca, g_srv;
static SSL_CTX *g_server;
static kw_tls_ctx *g_client;

static void done(void *ud, int err, const kw_conn_resp *r)
{
    int i = (int)(intptr_t)ud;
    calls[i]++;
    if ((err == 0) != (r != NULL)) abort();
    if (r) {
        volatile uint8_t x = 0;
        for (size_t k = 0; k < r->len; k++) x ^= r->body[k];
        (void)x;
    }
}

static int enc(void *ud, int16_t v, kw_buf *out)
{
    (void)ud;
    kw_buf_i16(out, v);
    return 0;
}

static int token(void *ud, int64_t now_us, kw_buf *out, char *err, size_t errlen)
{
    (void)ud;
    (void)now_us;
    (void)err;
    (void)errlen;
    kw_jwt_unsecured j = {.principal = "admin"};
    return kw_jwt_unsecured_build(out, &j, 1700000000);
}

static uint64_t rng(void *ud) { (void)ud; return 0x123456789abcdefULL; }

static void init_once(void)
{
    if (g_server) return;
    g_ca = tu_make("fuzz CA", NULL, 1, NULL, -3600, 86400 * 3650);
    g_srv = tu_make("broker", &g_ca, 0, "DNS:localhost", -3600, 86400 * 3650);
    g_server = tu_server_ctx(&g_srv, NULL, 0, 0, NULL);
    kw_tls_opts o = {.verify_peer = 0};
    g_client = kw_tls_ctx_new(&o, NULL, 0);
    if (!g_client) abort();
}

/* The data, consumed slice by slice. */
typedef struct src {
    const uint8_t *p;
    size_t n;
} src;

static size_t take(src *s, const uint8_t **out, size_t max)
{
    size_t k = s->n < max ? s->n : max;
    *out = s->p;
    s->p += k;
    s->n -= k;
    return k;
}

/* The scripted broker's answer to one request frame (payload after the size). */
static void answer(src *s, const uint8_t *f, size_t len, kw_buf *out)
{
    kw_req_header h;
    size_t hl;
    if (kw_req_header_decode(f, len, &h, &hl)) return;
    if (h.api_key == KW_API_ApiVersions) {
        kw_apiversions_key keys[] = {{KW_API_ApiVersions, 0, 4}, {KW_API_Metadata, 0, 12},
                                     {KW_API_SaslHandshake, 0, 1}, {KW_API_SaslAuthenticate, 0, 2}};
        kw_apiversions_resp r;
        kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
        r.api_keys = keys;
        r.n_api_keys = 4;
        kw_response_encode(out, KW_API_ApiVersions, h.api_version, h.correlation_id, &r);
        return;
    }
    const uint8_t *b;
    const uint8_t *lp;
    size_t bl = take(s, &lp, 1) ? *lp : 0;
    bl = take(s, &b, bl);
    size_t start = out->len;
    kw_buf_i32(out, 0);
    kw_buf_i32(out, h.correlation_id);
    if (kw_resp_header_version(h.api_key, h.api_version) >= 1) kw_buf_uvarint(out, 0);
    kw_buf_put(out, b, bl);
    if (!out->err) kw_be32(out->data + start, (uint32_t)(out->len - start - 4));
}

/* Frames the broker has received so far, answered; what is left of a frame stays. */
static void broker_in(src *s, kw_buf *in, kw_buf *out)
{
    size_t off = 0;
    while (in->len - off >= 4) {
        size_t sz = kw_ld32(in->data + off);
        if (in->len - off - 4 < sz) break;
        answer(s, in->data + off + 4, sz, out);
        off += 4 + sz;
    }
    memmove(in->data, in->data + off, in->len - off);
    in->len -= off;
}

typedef struct cover { size_t next; } cover;

static int cover_cb(void *ud, const kw_ann *a)
{
    cover *c = ud;
    if (a->kind != KW_ANN_FIELD || a->off != c->next || !a->value) abort();
    if (a->secret && !strstr(a->value, "<redacted, ")) abort();
    c->next += a->len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int dir = KW_REQ; dir <= KW_RESP; dir++) {
        cover cv = {0};
        kw__sasl_annotate(data, size, 0, 0, dir, 0, cover_cb, &cv, NULL);
        if (cv.next != size) abort();
    }
    if (size < 3) return 0;
    init_once();
    int mode = data[0] % 3;
    kw_sasl_conf sc = {.mech = data[1] % 4, .username = "alice", .password = "alice-secret", .token = token,
                       .extensions = data[1] & 4 ? "traceId=1" : NULL};
    size_t chunk = (size_t)data[2] % 64 + 1;
    src s = {data + 3, size - 3};
    kw_conn_opts o;
    kw_conn_opts_default(&o);
    o.name = "fuzz";
    o.host = "localhost";
    o.rng = rng;
    o.max_response = 1 << 16;
    o.connections_max_idle_ms = -1;
    o.sasl = mode == 2 ? NULL : &sc;
    o.tls = mode == 0 ? NULL : g_client;
    kw_conn *c = kw_conn_new(&o);
    if (!c) return 0;
    memset(calls, 0, sizeof calls);
    for (int i = 0; i < NREQ; i++) {
        kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .timeout_ms = 100000,
                         .encode = enc, .done = done, .ud = (void *)(intptr_t)i};
        if (kw_conn_submit(c, &r, 0)) abort();
    }
    int64_t now = 0;
    kw_conn_connecting(c, now);
    kw_conn_connected(c, now);
    tu_server sv;
    int tls_srv = mode == 1;
    if (tls_srv) tu_server_start(&sv, g_server);
    kw_buf in, out;
    kw_buf_init(&in);
    kw_buf_init(&out);
    uint8_t *sbuf = NULL;
    size_t scap = 0;
    for (int round = 0; round < 200 && kw_conn_wants_socket(c); round++) {
        kw_conn_iov v[16];
        size_t tot;
        int n = kw_conn_output_iov(c, v, 16, &tot);
        for (int i = 0; i < n; i++) {
            if (tls_srv) tu_server_in(&sv, v[i].p, v[i].len);
            else if (mode == 0) kw_buf_put(&in, v[i].p, v[i].len);
        }
        if (tot) kw_conn_written(c, now, tot);
        if (mode == 2) {
            const uint8_t *b;
            size_t k = take(&s, &b, chunk);
            if (!k) break;
            kw_conn_feed(c, now, b, k);
        } else if (mode == 0) {
            broker_in(&s, &in, &out);
            for (size_t off = 0; off < out.len && kw_conn_wants_socket(c); off += chunk)
                kw_conn_feed(c, now, out.data + off, out.len - off < chunk ? out.len - off : chunk);
            out.len = 0;
        } else {
            tu_server_step(&sv);
            if (sv.done) {
                uint8_t pt[4096];
                size_t got;
                while (SSL_read_ex(sv.ssl, pt, sizeof pt, &got) == 1) kw_buf_put(&in, pt, got);
                broker_in(&s, &in, &out);
                size_t w;
                if (out.len) SSL_write_ex(sv.ssl, out.data, out.len, &w);
                out.len = 0;
            }
            size_t m = tu_server_out(&sv, &sbuf, &scap);
            if (m && kw_conn_wants_socket(c)) kw_conn_feed(c, now, sbuf, m);
            const uint8_t *b;
            size_t k;
            if (s.n && (s.p[0] & 0xf0) == 0xf0 && (k = take(&s, &b, chunk)) && kw_conn_wants_socket(c))
                kw_conn_feed(c, now, b, k); /* a garbage record among the real ones */
            if (sv.failed) break;
        }
        now += 1000 * (int64_t)(s.n % 5000);
        kw_conn_tick(c, now);
        if (!s.n && round > 20) break;
    }
    free(sbuf);
    if (tls_srv) tu_server_stop(&sv);
    kw_buf_free(&in);
    kw_buf_free(&out);
    kw_conn_tick(c, now + 200000000LL);
    kw_conn_free(c);
    for (int i = 0; i < NREQ; i++)
        if (calls[i] != 1) abort();
    return 0;
}
