/*
 * tests/test_conn_security.c — client/conn over TLS and SASL, end to end without a
 * socket: the connection's bytes go to a scripted broker written here (ApiVersions,
 * SaslHandshake, SaslAuthenticate with a PLAIN check, a SCRAM server computing and
 * checking the proof on its own, an OAUTHBEARER check; any other API answered with its
 * default response), through an in-process OpenSSL server over memory BIOs for TLS
 * (tests/tls_util.h, certificates made at test time).
 *
 * Covers: SASL PLAIN, SCRAM-SHA-256/512, OAUTHBEARER (and a refused token), each SASL
 * error (UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE, SASL_AUTHENTICATION_FAILED) as
 * a one-line message and a FAILED connection that does not reconnect, a server that
 * cannot prove it knows the password, KIP-368 re-authentication, SASL_SSL with session
 * resumption on reconnect, a large request by reference through TLS records, TLS
 * failures (CA, peer closing, plaintext answers), a plaintext client meeting TLS
 * (an alert record; silent closes), and security settings that could not be loaded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/hmac.h>

#include "client/conn/auth.h"
#include "client/conn/conn.h"
#include "client/conn/sasl.h"
#include "client/conn/tls.h"
#include "proto/desc.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_saslauthenticate.h"
#include "proto/msg_saslhandshake.h"
#include "proto/proto.h"
#include "tls_util.h"

#define MS 1000LL

/* ================================================================ the scripted broker */

typedef struct mini {
    /* behaviour */
    const char *mechs;           /* enabled mechanisms, comma-separated */
    int hs_error;                /* SaslHandshake error to answer */
    const char *user, *pass;     /* the credentials it knows */
    int bad_server_sig;          /* SCRAM: send a wrong server signature */
    int oauth_reject;            /* OAUTHBEARER: refuse the token (JSON error, then 58) */
    int64_t lifetime_ms;         /* session_lifetime_ms to grant */
    int hold_user;               /* do not answer user requests (they stay in flight) */
    /* state */
    kw_buf in, out;              /* plaintext from / to the client */
    int mech;                    /* chosen at SaslHandshake */
    int authed;
    char scram_first_bare[256], scram_server_first[256], snonce[128];
    int count[64];               /* requests per api key */
    int order[32], norder;       /* api keys in arrival order */
    kw_buf last_auth;            /* the last SaslAuthenticate auth_bytes */
    size_t big;                  /* the longest request frame seen */
    struct { int16_t api, ver; int32_t corr; } held[8];
    int nheld;
} mini;

static void mini_init(mini *m)
{
    memset(m, 0, sizeof *m);
    kw_buf_init(&m->in);
    kw_buf_init(&m->out);
    kw_buf_init(&m->last_auth);
    m->mechs = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER";
    m->user = "alice";
    m->pass = "alice-secret";
}

static void mini_free(mini *m)
{
    kw_buf_free(&m->in);
    kw_buf_free(&m->out);
    kw_buf_free(&m->last_auth);
}

typedef union big_msg { _Alignas(16) uint8_t b[8192]; int64_t a; } big_msg;

static void respond(mini *m, int16_t api, int16_t ver, int32_t corr, const void *resp)
{
    assert_int_equal(kw_response_encode(&m->out, api, ver, corr, resp), 0);
}

static void respond_default(mini *m, int16_t api, int16_t ver, int32_t corr)
{
    static big_msg r;
    memset(&r, 0, sizeof r);
    kw_msg_defaults(api, KW_RESP, r.b);
    respond(m, api, ver, corr, r.b);
}

static void api_versions(mini *m, int16_t ver, int32_t corr)
{
    kw_apiversions_key keys[] = {{KW_API_ApiVersions, 0, 4}, {KW_API_Metadata, 0, 12}, {KW_API_SaslHandshake, 0, 1},
                                 {KW_API_SaslAuthenticate, 0, 2}, {KW_API_FindCoordinator, 0, 4},
                                 {KW_API_Produce, 3, 11}};
    kw_apiversions_resp r;
    kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
    r.api_keys = keys;
    r.n_api_keys = 6;
    respond(m, KW_API_ApiVersions, ver, corr, &r);
}

/* SCRAM's keys from the password (the test's own computation, OpenSSL primitives) */
static void scram_keys(const EVP_MD *md, const char *pass, uint8_t *salted, uint8_t *stored, uint8_t *server_key)
{
    static const uint8_t salt[] = "kwire-test-salt";
    int hl = EVP_MD_get_size(md);
    unsigned l;
    uint8_t ck[64];
    assert_true(PKCS5_PBKDF2_HMAC(pass, (int)strlen(pass), salt, 15, 4096, md, hl, salted));
    HMAC(md, salted, hl, (const uint8_t *)"Client Key", 10, ck, &l);
    EVP_Digest(ck, (size_t)hl, stored, &l, md, NULL);
    HMAC(md, salted, hl, (const uint8_t *)"Server Key", 10, server_key, &l);
}

static void auth_resp(mini *m, int16_t ver, int32_t corr, int ec, const char *msg, const void *bytes, size_t n)
{
    kw_saslauthenticate_resp r = {(int16_t)ec, msg ? kw_s(msg) : KW_STR_NULL, kw_b(bytes ? bytes : "", n),
                                  ec ? 0 : m->lifetime_ms};
    respond(m, KW_API_SaslAuthenticate, ver, corr, &r);
}

static void fail58(mini *m, int16_t ver, int32_t corr)
{
    char msg[160];
    snprintf(msg, sizeof msg, "Authentication failed during authentication due to invalid credentials with SASL "
                              "mechanism %s", kw_sasl_mech_name(m->mech));
    auth_resp(m, ver, corr, KW_KAFKA_SASL_AUTHENTICATION_FAILED, msg, NULL, 0);
}

static void sasl_authenticate(mini *m, int16_t ver, int32_t corr, const uint8_t *p, size_t n)
{
    m->last_auth.len = 0;
    kw_buf_put(&m->last_auth, p, n);
    char t[1024];
    snprintf(t, sizeof t, "%.*s", (int)n, (const char *)p);
    if (m->mech == KW_SASL_PLAIN) {
        char want[256];
        int wl = snprintf(want, sizeof want, "%c%s%c%s", 0, m->user, 0, m->pass);
        if ((size_t)wl == n && !memcmp(want, p, n)) {
            m->authed = 1;
            auth_resp(m, ver, corr, 0, NULL, NULL, 0);
        } else {
            fail58(m, ver, corr);
        }
        return;
    }
    if (m->mech == KW_SASL_OAUTHBEARER) {
        if (n == 1 && p[0] == 1) { /* the client's acknowledgement of our JSON error */
            auth_resp(m, ver, corr, KW_KAFKA_SASL_AUTHENTICATION_FAILED, "{\"status\":\"invalid_token\"}", NULL, 0);
            return;
        }
        assert_int_equal(memcmp(t, "n,,\x01" "auth=Bearer ", 16), 0);
        if (m->oauth_reject) {
            static const char js[] = "{\"status\":\"invalid_token\"}";
            auth_resp(m, ver, corr, 0, NULL, js, sizeof js - 1);
        } else {
            m->authed = 1;
            auth_resp(m, ver, corr, 0, NULL, NULL, 0);
        }
        return;
    }
    /* SCRAM */
    const EVP_MD *md = m->mech == KW_SASL_SCRAM_SHA_256 ? EVP_sha256() : EVP_sha512();
    int hl = EVP_MD_get_size(md);
    if (!strncmp(t, "n,,", 3)) {
        snprintf(m->scram_first_bare, sizeof m->scram_first_bare, "%.250s", t + 3);
        const char *r = strstr(t, ",r=");
        assert_non_null(r);
        char user[64];
        snprintf(user, sizeof user, "%.*s", (int)(r - (t + 5)), t + 5);
        if (strcmp(user, m->user)) { /* Kafka answers an unknown user like a wrong password */
            fail58(m, ver, corr);
            return;
        }
        snprintf(m->snonce, sizeof m->snonce, "%sSERVERnonce", r + 3);
        kw_buf sb;
        kw_buf_init(&sb);
        kw_sasl_b64_encode(&sb, "kwire-test-salt", 15, 0);
        snprintf(m->scram_server_first, sizeof m->scram_server_first, "r=%s,s=%.*s,i=4096", m->snonce, (int)sb.len,
                 (const char *)sb.data);
        kw_buf_free(&sb);
        auth_resp(m, ver, corr, 0, NULL, m->scram_server_first, strlen(m->scram_server_first));
        return;
    }
    /* client-final: c=biws,r=<nonce>,p=<proof> */
    const char *pp = strstr(t, ",p=");
    assert_non_null(pp);
    char am[1024];
    snprintf(am, sizeof am, "%s,%s,%.*s", m->scram_first_bare, m->scram_server_first, (int)(pp - t), t);
    uint8_t salted[64], stored[64], skey[64], csig[64], ssig[64], ck[64], h[64];
    unsigned l;
    scram_keys(md, m->pass, salted, stored, skey);
    HMAC(md, stored, hl, (const uint8_t *)am, strlen(am), csig, &l);
    kw_buf proof;
    kw_buf_init(&proof);
    assert_int_equal(kw_sasl_b64_decode(&proof, pp + 3, strlen(pp + 3), 0), 0);
    int ok = proof.len == (size_t)hl;
    for (int i = 0; ok && i < hl; i++) ck[i] = proof.data[i] ^ csig[i];
    if (ok) EVP_Digest(ck, (size_t)hl, h, &l, md, NULL);
    ok = ok && !memcmp(h, stored, (size_t)hl);
    kw_buf_free(&proof);
    if (!ok) {
        fail58(m, ver, corr);
        return;
    }
    HMAC(md, skey, hl, (const uint8_t *)am, strlen(am), ssig, &l);
    if (m->bad_server_sig) ssig[0] ^= 1;
    kw_buf fin;
    kw_buf_init(&fin);
    kw_buf_put(&fin, "v=", 2);
    kw_sasl_b64_encode(&fin, ssig, (size_t)hl, 0);
    m->authed = 1;
    auth_resp(m, ver, corr, 0, NULL, fin.data, fin.len);
    kw_buf_free(&fin);
}

/* Handle every complete request frame in m->in. */
static void mini_feed(mini *m, const uint8_t *p, size_t n)
{
    kw_buf_put(&m->in, p, n);
    size_t off = 0;
    while (m->in.len - off >= 4) {
        size_t sz = kw_ld32(m->in.data + off);
        if (m->in.len - off - 4 < sz) break;
        const uint8_t *f = m->in.data + off + 4;
        if (sz + 4 > m->big) m->big = sz + 4;
        kw_req_header h;
        size_t hl;
        assert_int_equal(kw_req_header_decode(f, sz, &h, &hl), 0);
        const uint8_t *body = f + hl;
        size_t bl = sz - hl;
        if (h.api_key >= 0 && h.api_key < 64) m->count[h.api_key]++;
        if (m->norder < 32) m->order[m->norder++] = h.api_key;
        kw_arena a;
        kw_arena_init(&a);
        if (h.api_key == KW_API_ApiVersions) {
            api_versions(m, h.api_version, h.correlation_id);
        } else if (h.api_key == KW_API_SaslHandshake) {
            kw_saslhandshake_req q;
            assert_int_equal(kw_msg_decode(KW_API_SaslHandshake, h.api_version, KW_REQ, body, bl, &q, &a, NULL), 0);
            char mech[64];
            snprintf(mech, sizeof mech, "%.*s", (int)q.mechanism.len, q.mechanism.p);
            kw_str ms[4];
            int nm = 0;
            char copy[128];
            snprintf(copy, sizeof copy, "%s", m->mechs);
            int enabled = 0;
            for (char *s = strtok(copy, ","); s && nm < 4; s = strtok(NULL, ",")) {
                ms[nm++] = kw_s(s);
                enabled |= !strcmp(s, mech);
            }
            kw_saslhandshake_resp r = {(int16_t)(m->hs_error ? m->hs_error : enabled ? 0 : 33), ms, nm};
            m->mech = kw_sasl_mech_parse(mech);
            m->authed = 0;
            respond(m, KW_API_SaslHandshake, h.api_version, h.correlation_id, &r);
        } else if (h.api_key == KW_API_SaslAuthenticate) {
            kw_saslauthenticate_req q;
            assert_int_equal(kw_msg_decode(KW_API_SaslAuthenticate, h.api_version, KW_REQ, body, bl, &q, &a, NULL), 0);
            sasl_authenticate(m, h.api_version, h.correlation_id, q.auth_bytes.p, (size_t)q.auth_bytes.len);
        } else {
            /* a broker with SASL answers nothing else before authentication */
            assert_true(m->authed || !m->mechs[0]);
            if (m->hold_user && m->nheld < 8) {
                m->held[m->nheld].api = h.api_key;
                m->held[m->nheld].ver = h.api_version;
                m->held[m->nheld++].corr = h.correlation_id;
            } else {
                respond_default(m, h.api_key, h.api_version, h.correlation_id);
            }
        }
        kw_arena_free(&a);
        off += 4 + sz;
    }
    memmove(m->in.data, m->in.data + off, m->in.len - off);
    m->in.len -= off;
}

static void mini_release(mini *m)
{
    for (int i = 0; i < m->nheld; i++) respond_default(m, m->held[i].api, m->held[i].ver, m->held[i].corr);
    m->nheld = 0;
    m->hold_user = 0;
}

/* ================================================================ the wire between */

typedef struct wire {
    kw_conn *c;
    mini *m;
    tu_server *sv; /* NULL: plaintext */
    size_t max_pending;
} wire;

/* Move bytes both ways until nothing moves. */
static void run(wire *l, int64_t now)
{
    uint8_t *sbuf = NULL;
    size_t scap = 0;
    for (int round = 0; round < 400; round++) {
        int moved = 0;
        kw_conn_tick(l->c, now); /* a re-authentication may come due */
        kw_conn_iov v[64];
        size_t tot;
        int n = kw_conn_output_iov(l->c, v, 64, &tot);
        if (tot > l->max_pending) l->max_pending = tot;
        if (n > 0 && tot) {
            kw_buf w;
            kw_buf_init(&w);
            for (int i = 0; i < n; i++) kw_buf_put(&w, v[i].p, v[i].len);
            kw_conn_written(l->c, now, tot);
            if (l->sv) tu_server_in(l->sv, w.data, w.len);
            else if (l->m) mini_feed(l->m, w.data, w.len);
            kw_buf_free(&w);
            moved = 1;
        }
        if (l->sv) {
            tu_server_step(l->sv);
            if (l->sv->done) {
                uint8_t pt[16384];
                size_t got;
                while (SSL_read_ex(l->sv->ssl, pt, sizeof pt, &got) == 1) {
                    mini_feed(l->m, pt, got);
                    moved = 1;
                }
                if (l->m->out.len) {
                    size_t w;
                    assert_int_equal(SSL_write_ex(l->sv->ssl, l->m->out.data, l->m->out.len, &w), 1);
                    l->m->out.len = 0;
                }
            }
            size_t m = tu_server_out(l->sv, &sbuf, &scap);
            if (m && kw_conn_wants_socket(l->c)) {
                kw_conn_feed(l->c, now, sbuf, m);
                moved = 1;
            }
        } else if (l->m && l->m->out.len && kw_conn_wants_socket(l->c)) {
            kw_buf o = l->m->out;
            kw_buf_init(&l->m->out);
            kw_conn_feed(l->c, now, o.data, o.len);
            kw_buf_free(&o);
            moved = 1;
        }
        kw_conn_tick(l->c, now);
        if (!moved) break;
    }
    free(sbuf);
}

/* ================================================================ fixtures */

static char g_dir[64], p_ca[256], p_other_ca[256];
static tu_cert g_ca, g_other_ca, g_srv;
static const char *const FILES[] = {"ca.pem", "other-ca.pem"};

static int setup(void **st)
{
    (void)st;
    tu_tmpdir(g_dir, sizeof g_dir);
    g_ca = tu_make("kwire test CA", NULL, 1, NULL, -3600, 86400);
    g_other_ca = tu_make("other CA", NULL, 1, NULL, -3600, 86400);
    g_srv = tu_make("broker", &g_ca, 0, "DNS:localhost", -3600, 86400);
    tu_write_cert(tu_path(p_ca, sizeof p_ca, g_dir, "ca.pem"), &g_ca, NULL);
    tu_write_cert(tu_path(p_other_ca, sizeof p_other_ca, g_dir, "other-ca.pem"), &g_other_ca, NULL);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    tu_rmdir(g_dir, FILES, 2);
    tu_free(&g_ca);
    tu_free(&g_other_ca);
    tu_free(&g_srv);
    return 0;
}

typedef struct outcome { int calls, err; } outcome;
static void done_cb(void *ud, int err, const kw_conn_resp *r)
{
    (void)r;
    outcome *o = ud;
    o->calls++;
    o->err = err;
}

static int enc_empty(void *ud, int16_t v, kw_buf *out)
{
    (void)ud;
    static big_msg q;
    kw_msg_defaults(KW_API_Metadata, KW_REQ, q.b);
    return kw_msg_encode(KW_API_Metadata, v, KW_REQ, q.b, out);
}

static void submit_md(kw_conn *c, outcome *o, int64_t now, int fail_fast)
{
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode = enc_empty,
                     .done = done_cb, .ud = o, .fail_fast = fail_fast};
    assert_int_equal(kw_conn_submit(c, &r, now), 0);
}

static uint64_t half_rng(void *ud) { (void)ud; return 1ULL << 63; }

static kw_conn *mk(const kw_sasl_conf *sasl, kw_tls_ctx *tls)
{
    kw_conn_opts o;
    kw_conn_opts_default(&o);
    o.name = "localhost:9093";
    o.host = "localhost";
    o.client_id = "kwire";
    o.sasl = sasl;
    o.tls = tls;
    o.rng = half_rng;
    kw_conn *c = kw_conn_new(&o);
    assert_non_null(c);
    return c;
}

static void connect_now(kw_conn *c, int64_t now)
{
    assert_true(kw_conn_want_connect(c, now));
    kw_conn_connecting(c, now);
    kw_conn_connected(c, now);
}

static void has(const char *s, const char *want)
{
    if (!strstr(s, want)) fail_msg("'%s' lacks '%s'", s, want);
}

/* ================================================================ SASL */

static void test_sasl_plain(void **st)
{
    (void)st;
    kw_sasl_conf sc = {.mech = KW_SASL_PLAIN, .username = "alice", .password = "alice-secret"};
    mini m;
    mini_init(&m);
    kw_conn *c = mk(&sc, NULL);
    wire l = {c, &m, NULL, 0};
    outcome o = {0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    run(&l, 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.err, 0);
    /* order on the wire: ApiVersions, SaslHandshake, SaslAuthenticate, then the request */
    assert_int_equal(m.norder, 4);
    assert_int_equal(m.order[0], KW_API_ApiVersions);
    assert_int_equal(m.order[1], KW_API_SaslHandshake);
    assert_int_equal(m.order[2], KW_API_SaslAuthenticate);
    assert_int_equal(m.order[3], KW_API_Metadata);
    assert_int_equal(m.last_auth.len, 19);
    assert_memory_equal(m.last_auth.data, "\0alice\0alice-secret", 19);
    char sec[200];
    assert_string_equal(kw_conn_security(c, sec, sizeof sec), "SASL PLAIN as 'alice'");
    assert_string_equal(kw_conn_sasl_mechanism(c), "PLAIN");
    assert_int_equal(kw_conn_stats_get(c)->auths, 1);
    kw_conn_free(c);
    mini_free(&m);
}

static void scram_ok(int mech)
{
    kw_sasl_conf sc = {.mech = mech, .username = "alice", .password = "alice-secret"};
    mini m;
    mini_init(&m);
    kw_conn *c = mk(&sc, NULL);
    wire l = {c, &m, NULL, 0};
    outcome o = {0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    run(&l, 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    assert_int_equal(m.count[KW_API_SaslAuthenticate], 2);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.err, 0);
    kw_conn_free(c);
    mini_free(&m);
}

static void test_sasl_scram(void **st)
{
    (void)st;
    scram_ok(KW_SASL_SCRAM_SHA_256);
    scram_ok(KW_SASL_SCRAM_SHA_512);
}

/* A failure: FAILED with err, the request failed with it, one line saying want. */
static void expect_fatal(kw_conn *c, wire *l, outcome *o, int err, const char *want)
{
    run(l, 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_FAILED);
    assert_int_equal(kw_conn_fatal(c), err);
    assert_int_equal(o->calls, 1);
    assert_int_equal(o->err, err);
    has(kw_conn_last_error(c), want);
    assert_null(strchr(kw_conn_last_error(c), '\n'));
    /* no retry: no reconnect wanted, ever; a later request fails at the next tick */
    int64_t later = 3600 * 1000 * MS;
    assert_false(kw_conn_wants_socket(c));
    assert_false(kw_conn_want_connect(c, later));
    outcome o2 = {0};
    submit_md(c, &o2, later, 0);
    assert_int_equal(kw_conn_next_deadline(c), later);
    kw_conn_tick(c, later);
    assert_int_equal(o2.calls, 1);
    assert_int_equal(o2.err, err);
    assert_false(kw_conn_want_connect(c, later));
}

static void sasl_failure(int mech, const char *user, const char *pass, void (*tweak)(mini *), const char *want)
{
    kw_sasl_conf sc = {.mech = mech, .username = user, .password = pass};
    mini m;
    mini_init(&m);
    if (tweak) tweak(&m);
    kw_conn *c = mk(&sc, NULL);
    wire l = {c, &m, NULL, 0};
    outcome o = {0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    expect_fatal(c, &l, &o, KW_ERR_AUTH, want);
    assert_int_equal(m.count[KW_API_Metadata], 0); /* nothing was sent unauthenticated */
    assert_int_equal(kw_conn_stats_get(c)->connects, 1);
    kw_conn_free(c);
    mini_free(&m);
}

static void only_plain(mini *m) { m->mechs = "PLAIN"; }
static void illegal_state(mini *m) { m->hs_error = KW_KAFKA_ILLEGAL_SASL_STATE; m->mechs = ""; }
static void bad_sig(mini *m) { m->bad_server_sig = 1; }

static void test_sasl_errors(void **st)
{
    (void)st;
    sasl_failure(KW_SASL_SCRAM_SHA_256, "alice", "wrong", NULL,
                 "SASL SCRAM-SHA-256 authentication as 'alice' failed: Authentication failed during authentication due "
                 "to invalid credentials with SASL mechanism SCRAM-SHA-256 [SASL_AUTHENTICATION_FAILED]");
    sasl_failure(KW_SASL_SCRAM_SHA_512, "mallory", "x", NULL, "as 'mallory' failed"); /* unknown user */
    sasl_failure(KW_SASL_PLAIN, "alice", "wrong", NULL, "SASL PLAIN authentication as 'alice' failed");
    sasl_failure(KW_SASL_SCRAM_SHA_512, "alice", "alice-secret", only_plain,
                 "the broker does not enable SCRAM-SHA-512 on this listener (it enables PLAIN) "
                 "[UNSUPPORTED_SASL_MECHANISM]");
    sasl_failure(KW_SASL_PLAIN, "alice", "alice-secret", illegal_state,
                 "this listener does not authenticate with SASL; set security.protocol to PLAINTEXT or SSL "
                 "[ILLEGAL_SASL_STATE]");
    sasl_failure(KW_SASL_SCRAM_SHA_256, "alice", "alice-secret", bad_sig, "the server's signature is wrong");
}

static int tok_fn(void *ud, int64_t now_us, kw_buf *out, char *err, size_t errlen)
{
    (void)now_us;
    int *calls = ud;
    (*calls)++;
    if (*calls > 5) {
        snprintf(err, errlen, "no more tokens");
        return KW_ERR_CONFIG;
    }
    kw_jwt_unsecured j = {.principal = "admin"};
    return kw_jwt_unsecured_build(out, &j, 1700000000);
}

static void test_sasl_oauthbearer(void **st)
{
    (void)st;
    int calls = 0;
    kw_sasl_conf sc = {.mech = KW_SASL_OAUTHBEARER, .token = tok_fn, .token_ud = &calls, .extensions = "traceId=7"};
    mini m;
    mini_init(&m);
    kw_conn *c = mk(&sc, NULL);
    wire l = {c, &m, NULL, 0};
    outcome o = {0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    run(&l, 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    assert_int_equal(o.err, 0);
    assert_int_equal(calls, 1);
    assert_non_null(memmem(m.last_auth.data, m.last_auth.len, "\x01traceId=7\x01\x01", 12));
    kw_conn_free(c);
    /* the broker refuses the token: JSON error, our 0x01, then SASL_AUTHENTICATION_FAILED */
    mini_free(&m);
    mini_init(&m);
    m.oauth_reject = 1;
    c = mk(&sc, NULL);
    l = (wire){c, &m, NULL, 0};
    o = (outcome){0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    expect_fatal(c, &l, &o, KW_ERR_AUTH, "SASL OAUTHBEARER authentication failed: {\"status\":\"invalid_token\"}");
    assert_int_equal(m.count[KW_API_SaslAuthenticate], 2);
    kw_conn_free(c);
    mini_free(&m);
    /* no token at all */
    calls = 10;
    mini_init(&m);
    c = mk(&sc, NULL);
    l = (wire){c, &m, NULL, 0};
    o = (outcome){0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    expect_fatal(c, &l, &o, KW_ERR_AUTH, "SASL OAUTHBEARER: no token: no more tokens");
    kw_conn_free(c);
    mini_free(&m);
}

/* KIP-368: the session lifetime the broker grants is renewed on the same socket. */
static void test_reauthentication(void **st)
{
    (void)st;
    kw_sasl_conf sc = {.mech = KW_SASL_SCRAM_SHA_256, .username = "alice", .password = "alice-secret"};
    mini m;
    mini_init(&m);
    m.lifetime_ms = 10000;
    kw_conn *c = mk(&sc, NULL);
    wire l = {c, &m, NULL, 0};
    outcome o1 = {0};
    submit_md(c, &o1, 0, 0);
    connect_now(c, 0);
    run(&l, 0);
    assert_int_equal(o1.err, 0);
    /* re-authentication at 90% of the lifetime (the rng gives the middle of 85..95%) */
    assert_int_equal(kw_conn_next_deadline(c), 9000 * MS);
    char sec[200];
    has(kw_conn_security(c, sec, sizeof sec), "session lifetime 10000 ms");
    /* a request in flight when it comes due: it finishes first, a new one waits */
    m.hold_user = 1;
    outcome o2 = {0}, o3 = {0};
    submit_md(c, &o2, 8000 * MS, 0);
    run(&l, 8000 * MS);
    assert_int_equal(kw_conn_inflight(c), 1);
    submit_md(c, &o3, 9100 * MS, 0);
    run(&l, 9100 * MS);
    assert_int_equal(m.count[KW_API_Metadata], 2); /* o3 waits */
    assert_int_equal(m.count[KW_API_SaslHandshake], 1);
    mini_release(&m);
    run(&l, 9200 * MS);
    assert_int_equal(o2.calls, 1);
    assert_int_equal(o2.err, 0);
    assert_int_equal(m.count[KW_API_SaslHandshake], 2);
    assert_int_equal(m.count[KW_API_SaslAuthenticate], 4);
    assert_int_equal(o3.calls, 1);
    assert_int_equal(o3.err, 0);
    assert_int_equal(m.order[m.norder - 1], KW_API_Metadata); /* after the re-authentication */
    assert_int_equal(kw_conn_stats_get(c)->auths, 1);
    assert_int_equal(kw_conn_stats_get(c)->reauths, 1);
    assert_int_equal(kw_conn_stats_get(c)->connects, 1);
    assert_int_equal(kw_conn_next_deadline(c), 9200 * MS + 9000 * MS);
    /* idle at the next due time: it re-authenticates by itself */
    run(&l, 18200 * MS);
    assert_int_equal(kw_conn_stats_get(c)->reauths, 2);
    kw_conn_free(c);
    mini_free(&m);
}

/* ================================================================ TLS */

static kw_tls_ctx *client_tls(const char *ca)
{
    kw_tls_opts o = {.ca_location = ca, .verify_peer = 1, .verify_host = 1};
    char err[300];
    kw_tls_ctx *x = kw_tls_ctx_new(&o, err, sizeof err);
    if (!x) fail_msg("%s", err);
    return x;
}

/* a request by reference: its outcome first (done_cb reads it), then the slice */
typedef struct bigreq {
    outcome o;
    uint8_t *slice;
} bigreq;

/* A Produce-shaped body is not needed: the scripted broker answers any API's default. */
static int enc_ref(void *ud, int16_t v, kw_buf *out, kw_conn_refs *refs)
{
    (void)v;
    bigreq *b = ud;
    kw_buf_i32(out, 1 << 20);
    return kw_conn_ref(refs, out, b->slice, 1 << 20);
}

static void test_sasl_ssl_and_resumption(void **st)
{
    (void)st;
    kw_tls_ctx *x = client_tls(p_ca);
    SSL_CTX *sx = tu_server_ctx(&g_srv, NULL, 0, 0, NULL);
    kw_sasl_conf sc = {.mech = KW_SASL_SCRAM_SHA_512, .username = "alice", .password = "alice-secret"};
    mini m;
    mini_init(&m);
    kw_conn *c = mk(&sc, x);
    tu_server sv;
    tu_server_start(&sv, sx);
    wire l = {c, &m, &sv, 0};
    outcome o = {0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_TLS_HANDSHAKE);
    run(&l, 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    assert_int_equal(o.err, 0);
    assert_string_equal(kw_conn_tls_version(c), "TLSv1.3");
    char sec[200];
    has(kw_conn_security(c, sec, sizeof sec), "TLSv1.3 (TLS_");
    has(sec, "), SASL SCRAM-SHA-512 as 'alice'");
    const kw_conn_stats *s = kw_conn_stats_get(c);
    assert_true(s->tls_bytes_out > s->bytes_out); /* records cost bytes */
    assert_true(s->tls_bytes_in > s->bytes_in);
    /* a 1 MiB slice by reference: encrypted a bounded amount ahead, arrives whole */
    bigreq b = {{0}, malloc(1 << 20)};
    assert_non_null(b.slice);
    for (size_t i = 0; i < (1u << 20); i++) b.slice[i] = (uint8_t)(i * 7);
    kw_conn_req big = {.api_key = KW_API_Produce, .min_version = -1, .max_version = -1, .encode_ref = enc_ref,
                       .done = done_cb, .ud = &b};
    assert_int_equal(kw_conn_submit(c, &big, 0), 0);
    l.max_pending = 0;
    m.big = 0;
    run(&l, 0);
    assert_int_equal(b.o.calls, 1);
    assert_int_equal(b.o.err, 0);
    assert_true(m.big > (1u << 20));
    assert_true(l.max_pending <= (256u << 10) + 16 * 1024); /* TLS_OUT_MAX and one record's overhead */
    free(b.slice);
    /* the connection drops; the next one resumes the TLS session */
    kw_conn_disconnected(c, 0, KW_ERR_DISCONNECTED, "test");
    tu_server_stop(&sv);
    tu_server_start(&sv, sx);
    outcome o2 = {0};
    submit_md(c, &o2, 1000 * MS, 0);
    kw_conn_tick(c, 1000 * MS);
    kw_conn_connecting(c, 1000 * MS);
    kw_conn_connected(c, 1000 * MS);
    run(&l, 1000 * MS);
    assert_int_equal(o2.err, 0);
    assert_int_equal(kw_conn_stats_get(c)->tls_handshakes, 2);
    assert_int_equal(kw_conn_stats_get(c)->tls_resumed, 1);
    has(kw_conn_security(c, sec, sizeof sec), "session resumed");
    tu_server_stop(&sv);
    SSL_CTX_free(sx);
    kw_conn_free(c);
    kw_tls_ctx_free(x);
    mini_free(&m);
}

static void test_tls_failures(void **st)
{
    (void)st;
    /* a CA that did not sign the broker */
    kw_tls_ctx *x = client_tls(p_other_ca);
    SSL_CTX *sx = tu_server_ctx(&g_srv, NULL, 0, 0, NULL);
    mini m;
    mini_init(&m);
    m.mechs = "";
    kw_conn *c = mk(NULL, x);
    tu_server sv;
    tu_server_start(&sv, sx);
    wire l = {c, &m, &sv, 0};
    outcome o = {0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    expect_fatal(c, &l, &o, KW_ERR_TLS, "is not signed by a CA in");
    assert_int_equal(kw_conn_stats_get(c)->connects, 1); /* TCP was up: one attempt, not a connect failure */
    assert_int_equal(kw_conn_stats_get(c)->connect_failures, 0);
    tu_server_stop(&sv);
    kw_conn_free(c);
    /* a peer that closes at once (a plaintext listener reading the ClientHello as a size) */
    c = mk(NULL, x);
    o = (outcome){0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    kw_conn_disconnected(c, 0, KW_ERR_DISCONNECTED, "connection closed by peer");
    l = (wire){c, &m, NULL, 0};
    expect_fatal(c, &l, &o, KW_ERR_TLS, "closed the connection without answering the ClientHello");
    kw_conn_free(c);
    /* a peer that answers a Kafka frame */
    c = mk(NULL, x);
    o = (outcome){0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    const uint8_t frame[] = {0, 0, 0, 6, 0, 0, 0, 1, 0, 35};
    assert_int_equal(kw_conn_feed(c, 0, frame, sizeof frame), KW_ERR_TLS);
    l = (wire){c, &m, NULL, 0};
    expect_fatal(c, &l, &o, KW_ERR_TLS, "answered in plaintext, not TLS");
    kw_conn_free(c);
    SSL_CTX_free(sx);
    kw_tls_ctx_free(x);
    mini_free(&m);
}

/* A plaintext client on a TLS port: an alert record back, or closes without a word. */
static void test_plaintext_client_on_tls_port(void **st)
{
    (void)st;
    kw_conn *c = mk(NULL, NULL);
    outcome o = {0};
    submit_md(c, &o, 0, 0);
    connect_now(c, 0);
    const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 10};
    assert_int_equal(kw_conn_feed(c, 0, alert, sizeof alert), KW_ERR_TLS);
    wire l = {c, NULL, NULL, 0};
    expect_fatal(c, &l, &o, KW_ERR_TLS, "answered in TLS (a TLS record, first bytes 15 03)");
    kw_conn_free(c);

    c = mk(NULL, NULL);
    outcome ff = {0}, slow = {0};
    submit_md(c, &ff, 0, 1); /* fail fast: gives up at the first silent close */
    submit_md(c, &slow, 0, 0);
    int64_t now = 0;
    for (int i = 1; i <= 3; i++) {
        assert_true(kw_conn_want_connect(c, now));
        kw_conn_connecting(c, now);
        kw_conn_connected(c, now);
        kw_conn_disconnected(c, now, KW_ERR_DISCONNECTED, "connection closed by peer");
        if (i == 1) {
            assert_int_equal(ff.calls, 1);
            assert_int_equal(ff.err, KW_ERR_CONNECT);
            has(kw_conn_last_error(c), "without answering ApiVersions (1 time in a row)");
        }
        if (i == 3) break;
        now = kw_conn_next_deadline(c);
        kw_conn_tick(c, now);
    }
    /* the third: not Kafka (test_conn's test_not_kafka_silent): what waits fails at once */
    assert_true(kw_conn_not_kafka(c));
    assert_int_equal(slow.calls, 1);
    assert_int_equal(slow.err, KW_ERR_NOT_KAFKA);
    has(kw_conn_last_error(c), "closed the connection 3 times without answering ApiVersions (an SSL or SASL_SSL "
                               "listener does that to a plaintext client: set security.protocol to match");
    assert_true(now < 1000 * MS); /* three quick attempts: well within a second */
    kw_conn_free(c);
}

static void test_setup_error(void **st)
{
    (void)st;
    kw_conn_opts o;
    kw_conn_opts_default(&o);
    o.name = "b";
    o.setup_error = "ssl.ca.location: /x.pem: No such file or directory";
    kw_conn *c = kw_conn_new(&o);
    outcome r = {0};
    submit_md(c, &r, 5, 0);
    assert_false(kw_conn_want_connect(c, 5));
    assert_int_equal(kw_conn_next_deadline(c), 5);
    kw_conn_tick(c, 5);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.err, KW_ERR_CONFIG);
    assert_int_equal(kw_conn_fatal(c), KW_ERR_CONFIG);
    assert_string_equal(kw_conn_last_error(c), "b: ssl.ca.location: /x.pem: No such file or directory");
    kw_conn_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sasl_plain),
        cmocka_unit_test(test_sasl_scram),
        cmocka_unit_test(test_sasl_errors),
        cmocka_unit_test(test_sasl_oauthbearer),
        cmocka_unit_test(test_reauthentication),
        cmocka_unit_test(test_sasl_ssl_and_resumption),
        cmocka_unit_test(test_tls_failures),
        cmocka_unit_test(test_plaintext_client_on_tls_port),
        cmocka_unit_test(test_setup_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
