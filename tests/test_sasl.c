/*
 * tests/test_sasl.c — client/sasl: SCRAM against the RFC 5802 (SHA-1) and RFC 7677
 * (SHA-256) test vectors and a SHA-512 vector computed with Python's hashlib/hmac (an
 * independent implementation; the same script reproduces both RFC vectors), the
 * server-message checks, saslname escaping, base64, PLAIN, the OAUTHBEARER initial
 * response and the unsecured JWT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn/sasl.h"

static void buf_eq(kw_buf *b, const char *s)
{
    assert_int_equal(b->err, 0);
    assert_int_equal(b->len, strlen(s));
    assert_memory_equal(b->data, s, b->len);
}

static void bytes_eq(kw_buf *b, const void *s, size_t n)
{
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, s, n);
}

typedef struct vector {
    int hash;
    const char *nonce, *first, *server_first, *final, *server_final;
} vector;

static const vector VECTORS[] = {
    /* RFC 5802 section 5 */
    {KW_SCRAM_SHA1, "fyko+d2lbbFgONRv9qkxdawL", "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
     "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
     "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
     "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="},
    /* RFC 7677 section 3 */
    {KW_SCRAM_SHA256, "rOprNGfwEbeRWgbNEkqO", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
     "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
     "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
     "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="},
    /* SHA-512, the RFC 7677 inputs (hashlib.pbkdf2_hmac('sha512', ...), hmac) */
    {KW_SCRAM_SHA512, "rOprNGfwEbeRWgbNEkqO", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
     "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
     "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2"
     "xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==",
     "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw=="},
};

static void run_vector(const vector *v)
{
    kw_scram s;
    kw_buf out;
    kw_buf_init(&out);
    assert_int_equal(kw_scram_init(&s, v->hash, "user", "pencil", v->nonce), 0);
    assert_int_equal(kw_scram_client_first(&s, &out), 0);
    buf_eq(&out, v->first);
    out.len = 0;
    assert_int_equal(kw_scram_client_final(&s, (const uint8_t *)v->server_first, strlen(v->server_first), &out), 0);
    buf_eq(&out, v->final);
    assert_int_equal(kw_scram_server_final(&s, (const uint8_t *)v->server_final, strlen(v->server_final)), 0);
    kw_scram_free(&s);
    /* a signature off by one character: the server does not know the password */
    assert_int_equal(kw_scram_init(&s, v->hash, "user", "pencil", v->nonce), 0);
    out.len = 0;
    assert_int_equal(kw_scram_client_first(&s, &out), 0);
    assert_int_equal(kw_scram_client_final(&s, (const uint8_t *)v->server_first, strlen(v->server_first), &out), 0);
    char bad[200];
    snprintf(bad, sizeof bad, "%s", v->server_final);
    bad[2] = bad[2] == 'A' ? 'B' : 'A';
    assert_int_equal(kw_scram_server_final(&s, (const uint8_t *)bad, strlen(bad)), KW_ERR_AUTH);
    assert_non_null(strstr(kw_scram_error(&s), "signature is wrong"));
    kw_scram_free(&s);
    /* the wrong password gives another proof */
    assert_int_equal(kw_scram_init(&s, v->hash, "user", "pencil2", v->nonce), 0);
    out.len = 0;
    assert_int_equal(kw_scram_client_first(&s, &out), 0);
    out.len = 0;
    assert_int_equal(kw_scram_client_final(&s, (const uint8_t *)v->server_first, strlen(v->server_first), &out), 0);
    assert_int_equal(out.len, strlen(v->final));
    assert_memory_not_equal(out.data, v->final, out.len);
    kw_scram_free(&s);
    kw_buf_free(&out);
}

static void test_scram_rfc5802_sha1(void **st) { (void)st; run_vector(&VECTORS[0]); }
static void test_scram_rfc7677_sha256(void **st) { (void)st; run_vector(&VECTORS[1]); }
static void test_scram_sha512(void **st) { (void)st; run_vector(&VECTORS[2]); }

/* client-first then a given server-first: the result of client_final */
static int server_first(const char *msg, char *err, size_t errlen)
{
    kw_scram s;
    kw_buf out;
    kw_buf_init(&out);
    assert_int_equal(kw_scram_init(&s, KW_SCRAM_SHA256, "user", "pencil", "abc"), 0);
    assert_int_equal(kw_scram_client_first(&s, &out), 0);
    int rc = kw_scram_client_final(&s, (const uint8_t *)msg, strlen(msg), &out);
    snprintf(err, errlen, "%s", kw_scram_error(&s));
    kw_scram_free(&s);
    kw_buf_free(&out);
    return rc;
}

static void test_scram_server_first_checks(void **st)
{
    (void)st;
    char e[200];
    assert_int_equal(server_first("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", e, sizeof e), 0);
    assert_int_equal(server_first("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,x=ext", e, sizeof e), 0);
    assert_int_equal(server_first("r=xyzdef,s=QSXCR+Q6sek8bf92,i=4096", e, sizeof e), KW_ERR_CORRUPT);
    assert_non_null(strstr(e, "does not extend"));
    assert_int_equal(server_first("r=abc,s=QSXCR+Q6sek8bf92,i=4096", e, sizeof e), KW_ERR_CORRUPT); /* no server part */
    assert_int_equal(server_first("r=abcdef,s=QSXCR+Q6sek8bf92,i=4095", e, sizeof e), KW_ERR_CORRUPT);
    assert_non_null(strstr(e, "iteration count 4095"));
    assert_int_equal(server_first("r=abcdef,s=QSXCR+Q6sek8bf92,i=99999999", e, sizeof e), KW_ERR_CORRUPT);
    assert_int_equal(server_first("r=abcdef,s=QSXCR+Q6sek8bf92,i=40x6", e, sizeof e), KW_ERR_CORRUPT);
    assert_int_equal(server_first("r=abcdef,s=QSXCR+Q6sek8bf9,i=4096", e, sizeof e), KW_ERR_CORRUPT); /* bad base64 */
    assert_int_equal(server_first("r=abcdef,s=,i=4096", e, sizeof e), KW_ERR_CORRUPT);
    assert_int_equal(server_first("r=abcdef,i=4096", e, sizeof e), KW_ERR_CORRUPT);
    assert_int_equal(server_first("r=abcdef,s=QSXCR+Q6sek8bf92", e, sizeof e), KW_ERR_CORRUPT);
    assert_int_equal(server_first("m=x,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", e, sizeof e), KW_ERR_CORRUPT);
    assert_non_null(strstr(e, "mandatory extension"));
    assert_int_equal(server_first("e=unknown-user", e, sizeof e), KW_ERR_AUTH);
    assert_non_null(strstr(e, "unknown-user"));
    assert_int_equal(server_first("", e, sizeof e), KW_ERR_CORRUPT);
    assert_int_equal(server_first("r=abc\x01" "def,s=QSXCR+Q6sek8bf92,i=4096", e, sizeof e), KW_ERR_CORRUPT);
}

static void test_scram_server_final_checks(void **st)
{
    (void)st;
    const vector *v = &VECTORS[1];
    const char *bad[] = {"", "x=1", "v=not base64!", "v=AAAA", "e=invalid-proof"};
    int want[] = {KW_ERR_CORRUPT, KW_ERR_CORRUPT, KW_ERR_CORRUPT, KW_ERR_AUTH, KW_ERR_AUTH};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kw_scram s;
        kw_buf out;
        kw_buf_init(&out);
        assert_int_equal(kw_scram_init(&s, v->hash, "user", "pencil", v->nonce), 0);
        assert_int_equal(kw_scram_client_first(&s, &out), 0);
        assert_int_equal(kw_scram_client_final(&s, (const uint8_t *)v->server_first, strlen(v->server_first), &out), 0);
        assert_int_equal(kw_scram_server_final(&s, (const uint8_t *)bad[i], strlen(bad[i])), want[i]);
        kw_scram_free(&s);
        kw_buf_free(&out);
    }
    /* steps out of order */
    kw_scram s;
    kw_buf out;
    kw_buf_init(&out);
    assert_int_equal(kw_scram_init(&s, KW_SCRAM_SHA256, "u", "p", NULL), 0);
    assert_int_equal(kw_scram_server_final(&s, (const uint8_t *)"v=", 2), KW_ERR_STATE);
    assert_int_equal(kw_scram_client_final(&s, (const uint8_t *)"r=", 2, &out), KW_ERR_STATE);
    kw_scram_free(&s);
    kw_buf_free(&out);
}

static void test_scram_nonce_and_names(void **st)
{
    (void)st;
    kw_scram a, b;
    kw_buf o1, o2;
    kw_buf_init(&o1);
    kw_buf_init(&o2);
    /* random nonces: 32 base64 characters, different each time */
    assert_int_equal(kw_scram_init(&a, KW_SCRAM_SHA512, "al,i=ce", "pw", NULL), 0);
    assert_int_equal(kw_scram_init(&b, KW_SCRAM_SHA512, "al,i=ce", "pw", NULL), 0);
    assert_int_equal(strlen(a.nonce), 32);
    assert_null(strchr(a.nonce, ','));
    assert_string_not_equal(a.nonce, b.nonce);
    assert_int_equal(kw_scram_client_first(&a, &o1), 0);
    kw_buf_put(&o1, "", 1);
    char want[128];
    snprintf(want, sizeof want, "n,,n=al=2Ci=3Dce,r=%s", a.nonce);
    assert_string_equal((const char *)o1.data, want);
    assert_int_equal(kw_scram_client_first(&a, &o1), KW_ERR_STATE);
    kw_scram_free(&a);
    kw_scram_free(&b);
    /* bad arguments */
    assert_int_equal(kw_scram_init(&a, 9, "u", "p", NULL), KW_ERR_INVALID_ARG);
    kw_scram_free(&a);
    assert_int_equal(kw_scram_init(&a, KW_SCRAM_SHA256, "", "p", NULL), KW_ERR_INVALID_ARG);
    kw_scram_free(&a);
    assert_int_equal(kw_scram_init(&a, KW_SCRAM_SHA256, "u", "p", "a,b"), KW_ERR_INVALID_ARG);
    kw_scram_free(&a);
    o2.len = 0;
    kw_scram_saslname(&o2, "=,x");
    buf_eq(&o2, "=3D=2Cx");
    kw_buf_free(&o1);
    kw_buf_free(&o2);
}

static void test_base64(void **st)
{
    (void)st;
    kw_buf b;
    kw_buf_init(&b);
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"}; /* RFC 4648 section 10 */
    const char *url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        b.len = 0;
        kw_sasl_b64_encode(&b, in[i], strlen(in[i]), 0);
        buf_eq(&b, std[i]);
        b.len = 0;
        kw_sasl_b64_encode(&b, in[i], strlen(in[i]), 1);
        buf_eq(&b, url[i]);
        b.len = 0;
        assert_int_equal(kw_sasl_b64_decode(&b, std[i], strlen(std[i]), 0), 0);
        buf_eq(&b, in[i]);
        b.len = 0;
        assert_int_equal(kw_sasl_b64_decode(&b, url[i], strlen(url[i]), 1), 0);
        buf_eq(&b, in[i]);
    }
    const uint8_t hi[] = {0xfb, 0xff};
    b.len = 0;
    kw_sasl_b64_encode(&b, hi, 2, 0);
    buf_eq(&b, "+/8=");
    b.len = 0;
    kw_sasl_b64_encode(&b, hi, 2, 1);
    buf_eq(&b, "-_8");
    const char *bad[] = {"Zg=", "Z===", "Zh==", "Zm9v!A==", "-_8="};
    for (int i = 0; i < 5; i++) assert_int_equal(kw_sasl_b64_decode(&b, bad[i], strlen(bad[i]), 0), KW_ERR_CORRUPT);
    assert_int_equal(kw_sasl_b64_decode(&b, "Z", 1, 1), KW_ERR_CORRUPT);
    assert_int_equal(kw_sasl_b64_decode(&b, "+/8", 3, 1), KW_ERR_CORRUPT);
    kw_buf_free(&b);
}

static void test_plain(void **st)
{
    (void)st;
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_sasl_plain(&b, NULL, "alice", "s3cret"), 0);
    bytes_eq(&b, "\0alice\0s3cret", 13);
    b.len = 0;
    assert_int_equal(kw_sasl_plain(&b, "admin", "alice", ""), 0);
    bytes_eq(&b, "admin\0alice\0", 12);
    assert_int_equal(kw_sasl_plain(&b, NULL, NULL, "x"), KW_ERR_INVALID_ARG);
    kw_buf_free(&b);
    assert_string_equal(kw_sasl_mech_name(KW_SASL_SCRAM_SHA_512), "SCRAM-SHA-512");
    assert_int_equal(kw_sasl_mech_parse("OAUTHBEARER"), KW_SASL_OAUTHBEARER);
    assert_int_equal(kw_sasl_mech_parse("GSSAPI"), KW_SASL_NONE);
    assert_int_equal(kw_sasl_mech_parse("plain"), KW_SASL_NONE);
    assert_null(kw_sasl_mech_name(7));
}

static void test_oauth_initial(void **st)
{
    (void)st;
    kw_buf b;
    kw_buf_init(&b);
    char err[120];
    assert_int_equal(kw_oauth_initial(&b, "abc.def.", 8, NULL, err, sizeof err), 0);
    static const char want1[] = "n,,\x01" "auth=Bearer abc.def.\x01\x01";
    bytes_eq(&b, want1, sizeof want1 - 1);
    b.len = 0;
    assert_int_equal(kw_oauth_initial(&b, "T", 1, "traceId=123,logicalCluster=lc-1", err, sizeof err), 0);
    static const char want2[] = "n,,\x01" "auth=Bearer T\x01" "traceId=123\x01" "logicalCluster=lc-1\x01\x01";
    bytes_eq(&b, want2, sizeof want2 - 1);
    assert_int_equal(kw_oauth_initial(&b, "T", 1, "auth=x", err, sizeof err), KW_ERR_INVALID_ARG);
    assert_non_null(strstr(err, "reserved"));
    assert_int_equal(kw_oauth_initial(&b, "T", 1, "tr4ce=1", err, sizeof err), KW_ERR_INVALID_ARG);
    assert_non_null(strstr(err, "letters only"));
    assert_int_equal(kw_oauth_initial(&b, "T", 1, "novalue", err, sizeof err), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_oauth_initial(&b, "T", 1, "k=a b", err, sizeof err), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_oauth_initial(&b, "", 0, NULL, err, sizeof err), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_oauth_initial(&b, "a\x01" "b", 3, NULL, err, sizeof err), KW_ERR_INVALID_ARG);
    kw_buf_free(&b);
}

static void test_jwt_unsecured(void **st)
{
    (void)st;
    kw_buf b, d;
    kw_buf_init(&b);
    kw_buf_init(&d);
    kw_jwt_unsecured j = {.principal = "ad\"min", .scope = "read write"};
    assert_int_equal(kw_jwt_unsecured_build(&b, &j, 1700000000), 0);
    kw_buf_put(&b, "", 1);
    const char *t = (const char *)b.data;
    /* header {"alg":"none"} */
    assert_int_equal(strncmp(t, "eyJhbGciOiJub25lIn0.", 20), 0);
    assert_int_equal(t[strlen(t) - 1], '.');
    const char *c = t + 20;
    size_t cl = strlen(c) - 1;
    assert_int_equal(kw_sasl_b64_decode(&d, c, cl, 1), 0);
    kw_buf_put(&d, "", 1);
    assert_string_equal((const char *)d.data,
                        "{\"iat\":1700000000,\"exp\":1700003600,\"sub\":\"ad\\\"min\",\"scope\":[\"read\",\"write\"]}");
    kw_jwt_claims cs;
    assert_int_equal(kw_jwt_claims_read(t, strlen(t), &cs), 0);
    assert_int_equal(cs.iat_s, 1700000000);
    assert_int_equal(cs.exp_s, 1700003600);
    assert_string_equal(cs.sub, "ad\\\"min"); /* raw JSON text */
    /* another principal claim and lifetime */
    b.len = 0;
    kw_jwt_unsecured j2 = {.principal = "bob", .principal_claim = "user", .life_s = 60};
    assert_int_equal(kw_jwt_unsecured_build(&b, &j2, 10), 0);
    assert_int_equal(kw_jwt_claims_read((const char *)b.data, b.len, &cs), 0);
    assert_int_equal(cs.exp_s, 70);
    assert_string_equal(cs.sub, "");
    kw_jwt_unsecured none = {0};
    assert_int_equal(kw_jwt_unsecured_build(&b, &none, 0), KW_ERR_INVALID_ARG);
    kw_buf_free(&b);
    kw_buf_free(&d);
}

static void test_jwt_claims_read(void **st)
{
    (void)st;
    kw_buf b;
    kw_buf_init(&b);
    kw_jwt_claims c;
    /* claims with nested values and fractional seconds, in a signed-looking token */
    const char *claims = "{ \"nested\": {\"exp\": 1, \"a\": [1, {\"b\": \"}\"}]}, \"exp\" : 1.7e9, "
                         "\"iat\":1600000000.25, \"sub\":\"svc\" }";
    kw_buf_put(&b, "eyJhbGciOiJSUzI1NiJ9.", 21);
    kw_sasl_b64_encode(&b, claims, strlen(claims), 1);
    kw_buf_put(&b, ".c2ln", 5);
    assert_int_equal(kw_jwt_claims_read((const char *)b.data, b.len, &c), 0);
    assert_int_equal(c.exp_s, 1700000000);
    assert_int_equal(c.iat_s, 1600000000);
    assert_string_equal(c.sub, "svc");
    const char *bad[] = {"abc", "a.b", "a.b.c.d", "a.!!.c"};
    for (int i = 0; i < 4; i++) assert_int_equal(kw_jwt_claims_read(bad[i], strlen(bad[i]), &c), KW_ERR_CORRUPT);
    const char *notobj[] = {"[1]", "{\"exp\":", "{\"exp\" 1}", "{\"a\":1,}", "{\"a\":{\"b\":}}"};
    for (int i = 0; i < 5; i++) {
        b.len = 0;
        kw_buf_put(&b, "x.", 2);
        kw_sasl_b64_encode(&b, notobj[i], strlen(notobj[i]), 1);
        kw_buf_put(&b, ".", 1);
        assert_int_equal(kw_jwt_claims_read((const char *)b.data, b.len, &c), KW_ERR_CORRUPT);
    }
    /* nesting deeper than the bound is refused, not recursed into */
    b.len = 0;
    kw_buf_put(&b, "x.", 2);
    char deep[200];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "{\"a\":");
    for (int i = 0; i < 60; i++) deep[n++] = '[';
    deep[n] = 0;
    kw_sasl_b64_encode(&b, deep, n, 1);
    kw_buf_put(&b, ".", 1);
    assert_int_equal(kw_jwt_claims_read((const char *)b.data, b.len, &c), KW_ERR_CORRUPT);
    kw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scram_rfc5802_sha1),
        cmocka_unit_test(test_scram_rfc7677_sha256),
        cmocka_unit_test(test_scram_sha512),
        cmocka_unit_test(test_scram_server_first_checks),
        cmocka_unit_test(test_scram_server_final_checks),
        cmocka_unit_test(test_scram_nonce_and_names),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_oauth_initial),
        cmocka_unit_test(test_jwt_unsecured),
        cmocka_unit_test(test_jwt_claims_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
