/*
 * tests/test_tls.c — client/tls: handshakes against an in-process OpenSSL server over
 * memory BIOs, with certificates made at test time (tests/tls_util.h): TLS 1.3 and 1.2,
 * data both ways, SNI, session resumption, client certificates (plain and encrypted
 * keys), and the failures a user meets: a CA that did not sign the broker, a
 * certificate for another host, an expired certificate, a plaintext peer, a peer that
 * closes without answering, unreadable settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/conn/tls.h"
#include "tls_util.h"

static char g_dir[64];
static tu_cert g_ca, g_other_ca, g_srv, g_expired, g_elsewhere, g_client;
static char p_ca[256], p_other_ca[256], p_client[256], p_client_key[256], p_client_enc[256], p_client_both[256];
static const char *const FILES[] = {"ca.pem", "other-ca.pem", "client.pem", "client.key", "client-enc.key",
                                    "client-both.pem"};

static int setup(void **st)
{
    (void)st;
    tu_tmpdir(g_dir, sizeof g_dir);
    g_ca = tu_make("kwire test CA", NULL, 1, NULL, -3600, 86400);
    g_other_ca = tu_make("some other CA", NULL, 1, NULL, -3600, 86400);
    g_srv = tu_make("broker", &g_ca, 0, "DNS:localhost,DNS:broker.test,IP:127.0.0.1", -3600, 86400);
    g_expired = tu_make("old broker", &g_ca, 0, "DNS:localhost", -172800, -86400);
    g_elsewhere = tu_make("elsewhere", &g_ca, 0, "DNS:other.example", -3600, 86400);
    g_client = tu_make("kwire client", &g_ca, 0, NULL, -3600, 86400);
    tu_write_cert(tu_path(p_ca, sizeof p_ca, g_dir, "ca.pem"), &g_ca, NULL);
    tu_write_cert(tu_path(p_other_ca, sizeof p_other_ca, g_dir, "other-ca.pem"), &g_other_ca, NULL);
    tu_write_cert(tu_path(p_client, sizeof p_client, g_dir, "client.pem"), &g_client, NULL);
    tu_write_key(tu_path(p_client_key, sizeof p_client_key, g_dir, "client.key"), &g_client, NULL);
    tu_write_key(tu_path(p_client_enc, sizeof p_client_enc, g_dir, "client-enc.key"), &g_client, "k3y-pass");
    /* a Java-style PEM keystore: certificate and key in one file */
    tu_write_cert(tu_path(p_client_both, sizeof p_client_both, g_dir, "client-both.pem"), &g_client, NULL);
    FILE *f = fopen(p_client_both, "a");
    assert_non_null(f);
    assert_true(PEM_write_PrivateKey(f, g_client.key, NULL, NULL, 0, NULL, NULL));
    fclose(f);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    tu_rmdir(g_dir, FILES, (int)(sizeof FILES / sizeof FILES[0]));
    tu_cert *all[] = {&g_ca, &g_other_ca, &g_srv, &g_expired, &g_elsewhere, &g_client};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) tu_free(all[i]);
    return 0;
}

static kw_tls_ctx *client_ctx(const char *ca, int verify_peer, int verify_host)
{
    kw_tls_opts o = {.ca_location = ca, .verify_peer = verify_peer, .verify_host = verify_host};
    char err[300];
    kw_tls_ctx *c = kw_tls_ctx_new(&o, err, sizeof err);
    if (!c) fail_msg("ctx: %s", err);
    return c;
}

/*
 * Move ciphertext both ways and advance both handshakes until the client's is done or
 * fails, or nothing moves. Returns the client's kw_tls_handshake result.
 */
static int pump(kw_tls *c, tu_server *sv)
{
    uint8_t *buf = NULL;
    size_t cap = 0;
    int r = 0;
    for (int i = 0; i < 20; i++) {
        size_t n;
        const uint8_t *p = kw_tls_pending(c, &n);
        if (n) {
            tu_server_in(sv, p, n);
            kw_tls_consumed(c, n);
        }
        tu_server_step(sv);
        size_t m = tu_server_out(sv, &buf, &cap);
        if (m) assert_int_equal(kw_tls_feed(c, buf, m), 0);
        r = kw_tls_handshake(c);
        if (r < 0) break;
        kw_tls_pending(c, &n);
        if (r == 1 && sv->done && !n && !m) break;
    }
    free(buf);
    return r;
}

/* Client writes, server reads it; server writes, client reads it. */
static void exchange(kw_tls *c, tu_server *sv, const char *up, const char *down)
{
    assert_int_equal(kw_tls_write(c, (const uint8_t *)up, strlen(up)), 0);
    size_t n;
    const uint8_t *p = kw_tls_pending(c, &n);
    assert_true(n > strlen(up)); /* record header and tag around it */
    assert_null(memmem(p, n, up, strlen(up)));
    tu_server_in(sv, p, n);
    kw_tls_consumed(c, n);
    char got[256];
    size_t rn = 0;
    assert_int_equal(SSL_read_ex(sv->ssl, got, sizeof got, &rn), 1);
    assert_int_equal(rn, strlen(up));
    assert_memory_equal(got, up, rn);
    assert_int_equal(SSL_write_ex(sv->ssl, down, strlen(down), &rn), 1);
    uint8_t *buf = NULL;
    size_t cap = 0, m = tu_server_out(sv, &buf, &cap);
    assert_int_equal(kw_tls_feed(c, buf, m), 0);
    free(buf);
    uint8_t pt[256];
    size_t total = 0;
    for (int i = 0; i < 4 && total < strlen(down); i++) {
        size_t k;
        assert_int_equal(kw_tls_read(c, pt + total, sizeof pt - total, &k), 0);
        total += k;
    }
    assert_int_equal(total, strlen(down));
    assert_memory_equal(pt, down, total);
}

static void test_handshake_tls13_data_and_resume(void **st)
{
    (void)st;
    kw_tls_ctx *cx = client_ctx(p_ca, 1, 1);
    kw_tls *c = kw_tls_new(cx, "localhost");
    kw_tls_ctx_free(cx); /* the connection keeps its reference */
    SSL_CTX *sx = tu_server_ctx(&g_srv, NULL, 0, 0, NULL);
    tu_server sv;
    tu_server_start(&sv, sx);
    assert_int_equal(kw_tls_start(c), 0);
    size_t n;
    assert_non_null(kw_tls_pending(c, &n)); /* the ClientHello */
    assert_true(n > 0);
    assert_int_equal(pump(c, &sv), 1);
    assert_string_equal(SSL_get_servername(sv.ssl, TLSEXT_NAMETYPE_host_name), "localhost"); /* SNI */
    assert_string_equal(kw_tls_version(c), "TLSv1.3");
    assert_true(strlen(kw_tls_cipher(c)) > 0);
    assert_int_equal(kw_tls_resumed(c), 0);
    exchange(c, &sv, "ApiVersions request bytes", "response bytes");
    assert_int_equal(kw_tls_has_session(c), 1); /* the TLS 1.3 ticket came with the first records */
    tu_server_stop(&sv);
    /* reconnect: the session is offered and resumed */
    tu_server_start(&sv, sx);
    assert_int_equal(kw_tls_start(c), 0);
    assert_int_equal(pump(c, &sv), 1);
    assert_int_equal(kw_tls_resumed(c), 1);
    exchange(c, &sv, "again", "still here");
    /* the peer's close_notify */
    SSL_shutdown(sv.ssl);
    uint8_t *buf = NULL;
    size_t cap = 0, m = tu_server_out(&sv, &buf, &cap);
    assert_int_equal(kw_tls_feed(c, buf, m), 0);
    free(buf);
    uint8_t pt[16];
    assert_int_equal(kw_tls_read(c, pt, sizeof pt, &n), KW_ERR_DISCONNECTED);
    tu_server_stop(&sv);
    SSL_CTX_free(sx);
    kw_tls_free(c);
}

static void test_handshake_tls12_ip_and_resume(void **st)
{
    (void)st;
    kw_tls_ctx *cx = client_ctx(p_ca, 1, 1);
    kw_tls *c = kw_tls_new(cx, "127.0.0.1"); /* checked against the IP subjectAltName; no SNI */
    SSL_CTX *sx = tu_server_ctx(&g_srv, NULL, TLS1_2_VERSION, TLS1_2_VERSION, NULL);
    tu_server sv;
    tu_server_start(&sv, sx);
    assert_int_equal(kw_tls_start(c), 0);
    assert_int_equal(pump(c, &sv), 1);
    assert_null(SSL_get_servername(sv.ssl, TLSEXT_NAMETYPE_host_name));
    assert_string_equal(kw_tls_version(c), "TLSv1.2");
    exchange(c, &sv, "up", "down");
    assert_int_equal(kw_tls_has_session(c), 1);
    tu_server_stop(&sv);
    tu_server_start(&sv, sx);
    assert_int_equal(kw_tls_start(c), 0);
    assert_int_equal(pump(c, &sv), 1);
    assert_int_equal(kw_tls_resumed(c), 1);
    tu_server_stop(&sv);
    SSL_CTX_free(sx);
    kw_tls_free(c);
    kw_tls_ctx_free(cx);
}

/* A handshake that must fail on the client; returns the error text. */
static void expect_failure(const char *ca, int vp, int vh, const char *host, const tu_cert *srv, const char *want1,
                           const char *want2)
{
    kw_tls_ctx *cx = client_ctx(ca, vp, vh);
    kw_tls *c = kw_tls_new(cx, host);
    SSL_CTX *sx = tu_server_ctx(srv, NULL, 0, 0, NULL);
    tu_server sv;
    tu_server_start(&sv, sx);
    assert_int_equal(kw_tls_start(c), 0);
    assert_int_equal(pump(c, &sv), KW_ERR_TLS);
    const char *e = kw_tls_error(c);
    if (!strstr(e, want1) || (want2 && !strstr(e, want2))) fail_msg("error '%s' lacks '%s' / '%s'", e, want1, want2);
    assert_null(strchr(e, '\n'));
    assert_int_equal(kw_tls_handshake_done(c), 0);
    tu_server_stop(&sv);
    SSL_CTX_free(sx);
    kw_tls_free(c);
    kw_tls_ctx_free(cx);
}

static void test_wrong_ca(void **st)
{
    (void)st;
    expect_failure(p_other_ca, 1, 1, "localhost", &g_srv, "is not signed by a CA in", "issued by CN=kwire test CA");
}

static void test_wrong_hostname(void **st)
{
    (void)st;
    expect_failure(p_ca, 1, 1, "localhost", &g_elsewhere, "certificate is for DNS:other.example, not localhost",
                   "ssl.endpoint.identification.algorithm");
    expect_failure(p_ca, 1, 1, "10.1.2.3", &g_srv, "not 10.1.2.3", "IP:127.0.0.1");
}

static void test_expired(void **st)
{
    (void)st;
    expect_failure(p_ca, 1, 1, "localhost", &g_expired, "(CN=old broker) expired on 20", " UTC");
}

/* The checks can be turned off: enable.ssl.certificate.verification=false, or
 * ssl.endpoint.identification.algorithm=none (which keeps the CA check). */
static void test_verification_settings(void **st)
{
    (void)st;
    struct { const char *ca; int vp, vh; const tu_cert *srv; int ok; } rows[] = {
        {p_other_ca, 0, 1, &g_srv, 1},      /* no verification at all */
        {p_ca, 1, 0, &g_elsewhere, 1},      /* no host check */
        {p_other_ca, 1, 0, &g_elsewhere, 0}, /* the CA check stays */
        {p_ca, 0, 0, &g_expired, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        kw_tls_ctx *cx = client_ctx(rows[i].ca, rows[i].vp, rows[i].vh);
        kw_tls *c = kw_tls_new(cx, "localhost");
        SSL_CTX *sx = tu_server_ctx(rows[i].srv, NULL, 0, 0, NULL);
        tu_server sv;
        tu_server_start(&sv, sx);
        assert_int_equal(kw_tls_start(c), 0);
        assert_int_equal(pump(c, &sv), rows[i].ok ? 1 : KW_ERR_TLS);
        tu_server_stop(&sv);
        SSL_CTX_free(sx);
        kw_tls_free(c);
        kw_tls_ctx_free(cx);
    }
}

static void test_client_certificate(void **st)
{
    (void)st;
    struct { const char *cert, *key, *pw; int ok; const char *err; } rows[] = {
        {p_client, p_client_key, NULL, 1, NULL},
        {p_client, p_client_enc, "k3y-pass", 1, NULL},
        {p_client_both, NULL, NULL, 1, NULL}, /* key read from the certificate's file */
        {NULL, NULL, NULL, 0, "wants a client certificate"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        kw_tls_opts o = {.ca_location = p_ca, .cert_location = rows[i].cert, .key_location = rows[i].key,
                         .key_password = rows[i].pw, .verify_peer = 1, .verify_host = 1};
        char err[300];
        kw_tls_ctx *cx = kw_tls_ctx_new(&o, err, sizeof err);
        if (!cx) fail_msg("row %zu: %s", i, err);
        kw_tls *c = kw_tls_new(cx, "localhost");
        SSL_CTX *sx = tu_server_ctx(&g_srv, NULL, 0, 0, &g_ca);
        tu_server sv;
        tu_server_start(&sv, sx);
        assert_int_equal(kw_tls_start(c), 0);
        int r = pump(c, &sv);
        if (rows[i].ok) {
            assert_int_equal(r, 1);
            exchange(c, &sv, "mtls", "ok"); /* TLS 1.3: the server checks the certificate now */
            X509 *peer = SSL_get1_peer_certificate(sv.ssl);
            assert_non_null(peer);
            X509_free(peer);
        } else {
            /* TLS 1.3: the client finishes first; the server's alert comes with the next record */
            if (r == 1) {
                assert_int_equal(kw_tls_write(c, (const uint8_t *)"x", 1), 0);
                size_t n;
                const uint8_t *p = kw_tls_pending(c, &n);
                tu_server_in(&sv, p, n);
                kw_tls_consumed(c, n);
                char b[8];
                assert_int_not_equal(SSL_read_ex(sv.ssl, b, sizeof b, &n), 1);
                uint8_t *buf = NULL;
                size_t cap = 0, m = tu_server_out(&sv, &buf, &cap);
                kw_tls_feed(c, buf, m);
                free(buf);
                uint8_t pt[8];
                r = kw_tls_read(c, pt, sizeof pt, &n);
                assert_int_equal(r, KW_ERR_TLS);
                assert_non_null(strstr(kw_tls_error(c), "certificate required"));
            } else {
                assert_int_equal(r, KW_ERR_TLS);
                assert_non_null(strstr(kw_tls_error(c), rows[i].err));
            }
        }
        tu_server_stop(&sv);
        SSL_CTX_free(sx);
        kw_tls_free(c);
        kw_tls_ctx_free(cx);
    }
}

static void test_plaintext_peer(void **st)
{
    (void)st;
    kw_tls_ctx *cx = client_ctx(p_ca, 1, 1);
    kw_tls *c = kw_tls_new(cx, "localhost");
    assert_int_equal(kw_tls_start(c), 0);
    /* a Kafka response frame (size, correlation id) instead of a ServerHello */
    const uint8_t frame[] = {0, 0, 0, 12, 0, 0, 0, 1, 0, 35, 0, 0};
    assert_int_equal(kw_tls_feed(c, frame, sizeof frame), 0);
    assert_int_equal(kw_tls_handshake(c), KW_ERR_TLS);
    assert_non_null(strstr(kw_tls_error(c), "answered in plaintext, not TLS"));
    assert_non_null(strstr(kw_tls_error(c), "security.protocol"));
    /* closed without a word: most likely a plaintext listener */
    assert_int_equal(kw_tls_start(c), 0);
    assert_int_equal(kw_tls_eof_in_handshake(c), KW_ERR_TLS);
    assert_non_null(strstr(kw_tls_error(c), "without answering the ClientHello"));
    /* closed mid-handshake after TLS bytes */
    assert_int_equal(kw_tls_start(c), 0);
    const uint8_t rec[] = {22, 3, 3, 0, 40, 2};
    assert_int_equal(kw_tls_feed(c, rec, sizeof rec), 0);
    assert_int_equal(kw_tls_handshake(c), 0);
    assert_int_equal(kw_tls_eof_in_handshake(c), KW_ERR_TLS);
    assert_non_null(strstr(kw_tls_error(c), "in the middle of the handshake (after 6 bytes)"));
    /* garbage that looks like TLS at first: OpenSSL's reason, with what it means */
    assert_int_equal(kw_tls_start(c), 0);
    const uint8_t junk[] = {22, 3, 3, 0x7f, 0xff, 1, 2, 3};
    kw_tls_feed(c, junk, sizeof junk);
    assert_int_equal(kw_tls_handshake(c), KW_ERR_TLS);
    assert_non_null(strstr(kw_tls_error(c), "TLS handshake with localhost failed"));
    assert_int_equal(kw_tls_looks_like_record((const uint8_t *)"\x16\x03", 2), 1);
    assert_int_equal(kw_tls_looks_like_record((const uint8_t *)"\x00\x00", 2), 0);
    kw_tls_free(c);
    kw_tls_ctx_free(cx);
}

static void test_ctx_errors(void **st)
{
    (void)st;
    char err[300];
    struct { kw_tls_opts o; const char *want; } rows[] = {
        {{.ca_location = "/nonexistent/ca.pem"}, "ssl.ca.location: /nonexistent/ca.pem: No such file"},
        {{.ca_location = p_client_key}, "ssl.ca.location"},
        {{.ca_location = p_ca, .cert_location = p_client, .key_location = p_client_enc},
         "is encrypted and ssl.key.password is not set"},
        {{.ca_location = p_ca, .cert_location = p_client, .key_location = p_client_enc, .key_password = "nope"},
         "does not decrypt it"},
        {{.ca_location = p_ca, .key_location = p_client_key}, "ssl.key.location is set but ssl.certificate.location"},
        {{.ca_location = p_ca, .cert_location = p_ca, .key_location = p_client_key}, "is not the key of the certificate"},
        {{.ca_location = p_ca, .cert_location = g_dir}, "is a directory"},
        {{.ca_location = p_ca, .cert_location = p_client_key, .key_location = p_client_key}, "ssl.certificate.location"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        kw_tls_ctx *c = kw_tls_ctx_new(&rows[i].o, err, sizeof err);
        if (c) fail_msg("row %zu: no error", i);
        if (!strstr(err, rows[i].want)) fail_msg("row %zu: '%s' lacks '%s'", i, err, rows[i].want);
    }
    /* a directory of CAs is accepted (it is looked up by hash when needed) */
    kw_tls_opts o = {.ca_location = g_dir, .verify_peer = 1};
    kw_tls_ctx *c = kw_tls_ctx_new(&o, err, sizeof err);
    assert_non_null(c);
    kw_tls_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_tls13_data_and_resume),
        cmocka_unit_test(test_handshake_tls12_ip_and_resume),
        cmocka_unit_test(test_wrong_ca),
        cmocka_unit_test(test_wrong_hostname),
        cmocka_unit_test(test_expired),
        cmocka_unit_test(test_verification_settings),
        cmocka_unit_test(test_client_certificate),
        cmocka_unit_test(test_plaintext_peer),
        cmocka_unit_test(test_ctx_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
