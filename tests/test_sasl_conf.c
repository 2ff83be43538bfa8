/*
 * tests/test_sasl_conf.c — client/sasl_conf and the security settings in client/config:
 * security.protocol and its SASL rules as kw_config_validate applies them (GSSAPI,
 * missing credentials, token sources), librdkafka's and Java's names (sasl.mechanisms,
 * sasl.jaas.config, ssl.truststore.location, sasl.oauthbearer.token.endpoint.url),
 * secrets never printed, the JAAS parser, and the OAUTHBEARER token sources (file,
 * command, unsecured JWT) with their refresh before expiry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/core/config.h"
#include "client/conn/sasl_conf.h"

static kw_config *cfg(const char *const *kv)
{
    kw_config *c = kw_config_new(KW_ROLE_ANY);
    assert_non_null(c);
    for (; *kv; kv++)
        if (kw_config_set_kv(c, *kv)) fail_msg("%s: %s", *kv, kw_config_error(c));
    return c;
}

static void invalid(const char *const *kv, const char *want)
{
    kw_config *c = cfg(kv);
    assert_int_equal(kw_config_validate(c), KW_ERR_CONFIG);
    if (!strstr(kw_config_error(c), want)) fail_msg("'%s' lacks '%s'", kw_config_error(c), want);
    kw_config_free(c);
}

static void test_validation(void **st)
{
    (void)st;
    invalid((const char *[]){"security.protocol=SASL_SSL", NULL}, "GSSAPI (Kerberos, Kafka's default) is not supported");
    invalid((const char *[]){"security.protocol=sasl_plaintext", "sasl.mechanism=PLAIN", "sasl.username=u", NULL},
            "SASL PLAIN needs both");
    invalid((const char *[]){"security.protocol=SASL_PLAINTEXT", "sasl.mechanisms=OAUTHBEARER", NULL},
            "OAUTHBEARER needs a token");
    invalid((const char *[]){"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=OAUTHBEARER",
                             "kwire.sasl.oauthbearer.token.file=/t", "kwire.sasl.oauthbearer.token.command=echo", NULL},
            "set one token source, not both");
    invalid((const char *[]){"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=OAUTHBEARER",
                             "sasl.oauthbearer.config=principal=a lifeSeconds=0", NULL},
            "lifeSeconds=0 is not");
    invalid((const char *[]){"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=OAUTHBEARER",
                             "sasl.oauthbearer.config=principal=a colour=red", NULL},
            "unknown key 'colour'");
    invalid((const char *[]){"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=OAUTHBEARER",
                             "sasl.oauthbearer.config=principal=a extension_1x=y", NULL},
            "OAUTHBEARER extensions: extension key '1x' must be letters only");
    invalid((const char *[]){"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=SCRAM-SHA-256",
                             "sasl.jaas.config=username=a password=b;", NULL},
            "does not start with a login module class");
    /* valid ones */
    const char *ok[][6] = {
        {"security.protocol=PLAINTEXT", NULL},
        {"security.protocol=SSL", "ssl.endpoint.identification.algorithm=", NULL}, /* Java's empty = none */
        {"security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512", "sasl.username=u", "sasl.password=", NULL},
        {"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=OAUTHBEARER",
         "sasl.oauthbearer.config=principal=admin scope=a,b lifeSeconds=60 extension_traceId=1", NULL},
        {"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=OAUTHBEARER",
         "sasl.oauthbearer.token.endpoint.url=file:///tmp/token", NULL},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        kw_config *c = cfg(ok[i]);
        if (kw_config_validate(c)) fail_msg("row %zu: %s", i, kw_config_error(c));
        kw_config_free(c);
    }
    kw_config *c = cfg((const char *[]){"ssl.endpoint.identification.algorithm=", NULL});
    assert_string_equal(kw_config_str(c, KW_CONF_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM), "none");
    assert_int_equal(kw_config_set(c, "sasl.oauthbearer.token.endpoint.url", "https://idp/token"), KW_ERR_CONFIG);
    assert_non_null(strstr(kw_config_error(c), "file:// URL only"));
    assert_int_equal(kw_config_set(c, "ssl.truststore.type", "PEM"), 0);
    assert_int_equal(kw_config_set(c, "ssl.truststore.type", "JKS"), KW_ERR_CONFIG);
    assert_non_null(strstr(kw_config_error(c), "PEM files only"));
    assert_int_equal(kw_config_set(c, "ssl.truststore.location", "/ca.pem"), 0);
    assert_string_equal(kw_config_str(c, KW_CONF_SSL_CA_LOCATION), "/ca.pem");
    assert_int_equal(kw_config_set(c, "ssl.keystore.location", "/ks.pem"), 0);
    assert_string_equal(kw_config_str(c, KW_CONF_SSL_CERTIFICATE_LOCATION), "/ks.pem");
    assert_int_equal(kw_config_set(c, "security.protocol", "TLS"), KW_ERR_CONFIG);
    kw_config_free(c);
}

static void test_secrets_not_printed(void **st)
{
    (void)st;
    kw_config *c = cfg((const char *[]){"sasl.password=hunter2", "ssl.key.password=k3y",
                                        "sasl.jaas.config=x.PlainLoginModule required username=\"u\" password=\"pw9\";",
                                        NULL});
    char buf[256];
    assert_string_equal(kw_config_format(c, KW_CONF_SASL_PASSWORD, buf, sizeof buf), "<redacted, 7 chars>");
    assert_string_equal(kw_config_format(c, KW_CONF_SSL_KEY_PASSWORD, buf, sizeof buf), "<redacted, 3 chars>");
    assert_int_equal(kw_config_secret(KW_CONF_SASL_JAAS_CONFIG), 1);
    assert_int_equal(kw_config_secret(KW_CONF_SASL_USERNAME), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    kw_config_dump(c, f, KW_ROLE_ANY);
    fclose(f);
    assert_null(strstr(text, "hunter2"));
    assert_null(strstr(text, "k3y"));
    assert_null(strstr(text, "pw9"));
    assert_non_null(strstr(text, "sasl.password = <redacted, 7 chars>"));
    free(text);
    kw_config_free(c);
}

static void test_jaas(void **st)
{
    (void)st;
    const char *j = "org.apache.kafka.common.security.scram.ScramLoginModule required\n"
                    "  username=\"alice\" password=\"a \\\"quoted\\\" secret\" unsecuredLoginExtension_traceId=abc ;";
    char v[128], err[200];
    assert_int_equal(kw_jaas_option(j, "username", v, sizeof v, err, sizeof err), 1);
    assert_string_equal(v, "alice");
    assert_int_equal(kw_jaas_option(j, "password", v, sizeof v, err, sizeof err), 1);
    assert_string_equal(v, "a \"quoted\" secret");
    assert_int_equal(kw_jaas_option(j, "nope", v, sizeof v, err, sizeof err), 0);
    assert_int_equal(kw_jaas_option("x.PlainLoginModule maybe a=b;", "a", v, sizeof v, err, sizeof err), -1);
    assert_non_null(strstr(err, "required, requisite"));
    assert_int_equal(kw_jaas_option("x.PlainLoginModule required a=\"b;", "a", v, sizeof v, err, sizeof err), -1);
    assert_non_null(strstr(err, "no closing quote"));
    assert_int_equal(kw_jaas_option("x.PlainLoginModule required a;", "a", v, sizeof v, err, sizeof err), -1);

    /* the setup takes credentials from JAAS; explicit settings win */
    kw_config *c = cfg((const char *[]){"security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-256", NULL});
    assert_int_equal(kw_config_set(c, "sasl.jaas.config", j), 0);
    kw_sasl_setup s;
    int on;
    assert_int_equal(kw_sasl_setup_init(&s, c, &on, err, sizeof err), 0);
    assert_int_equal(on, 1);
    assert_int_equal(s.conf.mech, KW_SASL_SCRAM_SHA_256);
    assert_string_equal(s.conf.username, "alice");
    assert_string_equal(s.conf.password, "a \"quoted\" secret");
    assert_string_equal(s.conf.extensions, "traceId=abc");
    kw_sasl_setup_free(&s);
    assert_int_equal(kw_config_set(c, "sasl.username", "bob"), 0);
    assert_int_equal(kw_sasl_setup_init(&s, c, &on, err, sizeof err), 0);
    assert_string_equal(s.conf.username, "bob");
    kw_sasl_setup_free(&s);
    /* no SASL: nothing held */
    assert_int_equal(kw_config_set(c, "security.protocol", "SSL"), 0);
    assert_int_equal(kw_sasl_setup_init(&s, c, &on, err, sizeof err), 0);
    assert_int_equal(on, 0);
    kw_config_free(c);
}

/* A JWT-shaped token with these claims (the signature part is not checked). */
static void write_token(const char *path, int64_t iat, int64_t exp)
{
    char claims[128];
    snprintf(claims, sizeof claims, "{\"sub\":\"svc\",\"iat\":%lld,\"exp\":%lld}", (long long)iat, (long long)exp);
    kw_buf b;
    kw_buf_init(&b);
    kw_buf_put(&b, "eyJhbGciOiJSUzI1NiJ9.", 21);
    kw_sasl_b64_encode(&b, claims, strlen(claims), 1);
    kw_buf_put(&b, ".c2ln\n", 6);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite(b.data, 1, b.len, f);
    fclose(f);
    kw_buf_free(&b);
}

static void test_token_file_refresh(void **st)
{
    (void)st;
    char dir[] = "/tmp/kwire-token-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/token", dir);
    int64_t now = (int64_t)time(NULL);
    write_token(path, now - 100, now + 900); /* lifetime 1000 s, 80% = 800 s from iat: 700 s from now */
    kw_config *c = cfg((const char *[]){"security.protocol=SASL_SSL", "sasl.mechanism=OAUTHBEARER", NULL});
    assert_int_equal(kw_config_set(c, "kwire.sasl.oauthbearer.token.file", path), 0);
    kw_sasl_setup s;
    int on;
    char err[300];
    assert_int_equal(kw_sasl_setup_init(&s, c, &on, err, sizeof err), 0);
    kw_buf t;
    kw_buf_init(&t);
    int64_t t0 = 5000000; /* the caller's monotonic clock, us */
    assert_int_equal(s.conf.token(s.conf.token_ud, t0, &t, err, sizeof err), 0);
    assert_int_equal(s.src.fetches, 1);
    assert_int_equal(t.data[t.len - 1], 'n'); /* the newline trimmed */
    assert_in_range(s.src.refresh_at_us - t0, 695 * 1000000LL, 705 * 1000000LL);
    /* before the refresh point: the cached token, the file is not read */
    write_token(path, now, now + 10);
    t.len = 0;
    assert_int_equal(s.conf.token(s.conf.token_ud, t0 + 600 * 1000000LL, &t, err, sizeof err), 0);
    assert_int_equal(s.src.fetches, 1);
    /* after it: read again */
    t.len = 0;
    assert_int_equal(s.conf.token(s.conf.token_ud, t0 + 701 * 1000000LL, &t, err, sizeof err), 0);
    assert_int_equal(s.src.fetches, 2);
    assert_int_equal(s.src.exp_s, now + 10);
    /* an expired token is refused with when it expired */
    write_token(path, now - 100, now - 50);
    t.len = 0;
    assert_int_equal(s.conf.token(s.conf.token_ud, t0 + 10000 * 1000000LL, &t, err, sizeof err), KW_ERR_CONFIG);
    assert_non_null(strstr(err, "the token expired at 20"));
    /* a missing file */
    unlink(path);
    assert_int_equal(s.conf.token(s.conf.token_ud, t0 + 20000 * 1000000LL, &t, err, sizeof err), KW_ERR_CONFIG);
    assert_non_null(strstr(err, "No such file"));
    rmdir(dir);
    kw_buf_free(&t);
    kw_sasl_setup_free(&s);
    kw_config_free(c);
}

static void test_token_command_and_unsecured(void **st)
{
    (void)st;
    char err[300];
    kw_sasl_setup s;
    int on;
    kw_buf t;
    kw_buf_init(&t);
    /* a command: an opaque token (no exp) is fetched again every time */
    kw_config *c = cfg((const char *[]){"security.protocol=SASL_SSL", "sasl.mechanism=OAUTHBEARER",
                                        "kwire.sasl.oauthbearer.token.command=printf ' opaque-token \\n'", NULL});
    assert_int_equal(kw_sasl_setup_init(&s, c, &on, err, sizeof err), 0);
    assert_int_equal(s.conf.token(s.conf.token_ud, 1, &t, err, sizeof err), 0);
    assert_int_equal(t.len, 12);
    assert_memory_equal(t.data, "opaque-token", 12);
    assert_int_equal(s.conf.token(s.conf.token_ud, 2, &t, err, sizeof err), 0);
    assert_int_equal(s.src.fetches, 2);
    kw_sasl_setup_free(&s);
    kw_config_free(c);
    /* a failing command says so */
    c = cfg((const char *[]){"security.protocol=SASL_SSL", "sasl.mechanism=OAUTHBEARER",
                             "kwire.sasl.oauthbearer.token.command=exit 3", NULL});
    assert_int_equal(kw_sasl_setup_init(&s, c, &on, err, sizeof err), 0);
    assert_int_equal(s.conf.token(s.conf.token_ud, 1, &t, err, sizeof err), KW_ERR_CONFIG);
    assert_non_null(strstr(err, "'exit 3' failed (exit status 3)"));
    kw_sasl_setup_free(&s);
    kw_config_free(c);
    /* the unsecured JWT from Java's JAAS options, refreshed at 80% of lifeSeconds */
    c = cfg((const char *[]){"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=OAUTHBEARER", NULL});
    assert_int_equal(kw_config_set(c, "sasl.jaas.config",
                                   "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                                   "unsecuredLoginStringClaim_sub=\"admin\" unsecuredLoginLifetimeSeconds=100;"),
                     0);
    assert_int_equal(kw_sasl_setup_init(&s, c, &on, err, sizeof err), 0);
    assert_int_equal(s.src.kind, KW_TOKEN_UNSECURED);
    t.len = 0;
    assert_int_equal(s.conf.token(s.conf.token_ud, 0, &t, err, sizeof err), 0);
    kw_jwt_claims cl;
    assert_int_equal(kw_jwt_claims_read((const char *)t.data, t.len, &cl), 0);
    assert_string_equal(cl.sub, "admin");
    assert_int_equal(cl.exp_s - cl.iat_s, 100);
    assert_in_range(s.src.refresh_at_us, 79 * 1000000LL, 80 * 1000000LL);
    kw_sasl_setup_free(&s);
    kw_config_free(c);
    kw_buf_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_secrets_not_printed),
        cmocka_unit_test(test_jaas),
        cmocka_unit_test(test_token_file_refresh),
        cmocka_unit_test(test_token_command_and_unsecured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
