/*
 * tests/test_sasl_annot.c — proto/sasl_annot and its use by the printer: every SASL
 * message form annotated over all its bytes, secrets (password, client proof, bearer
 * token, unknown client bytes) hidden from the text and JSON dumps — neither as text nor
 * as hex — unless secrets are asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/buf.h"
#include "proto/msg_saslauthenticate.h"
#include "proto/msg_saslhandshake.h"
#include "proto/print.h"
#include "proto/proto.h"
#include "proto/sasl_annot.h"

typedef struct cover {
    size_t next, fields, secrets;
    char names[400];
    char values[2000];
} cover;

/* Fields back to back from offset 0 (base 100 in these walks). */
static int cover_cb(void *ud, const kw_ann *a)
{
    cover *c = ud;
    assert_int_equal(a->kind, KW_ANN_FIELD);
    assert_int_equal(a->off, 100 + c->next);
    assert_int_equal(a->depth, 3);
    c->next += a->len;
    c->fields++;
    c->secrets += a->secret != 0;
    strncat(c->names, a->name, sizeof c->names - strlen(c->names) - 2);
    strcat(c->names, " ");
    strncat(c->values, a->value, sizeof c->values - strlen(c->values) - 3);
    strcat(c->values, " | ");
    return 0;
}

static void walk(const char *msg, size_t n, int dir, int show, const char *what, const char *names, size_t secrets,
                 cover *c)
{
    memset(c, 0, sizeof *c);
    const char *w = NULL;
    assert_int_equal(kw__sasl_annotate((const uint8_t *)msg, n, 100, 3, dir, show, cover_cb, c, &w), 0);
    assert_int_equal(c->next, n);
    assert_string_equal(w, what);
    assert_string_equal(kw__sasl_what((const uint8_t *)msg, n, dir), what);
    if (strcmp(c->names, names)) fail_msg("names '%s', want '%s'", c->names, names);
    assert_int_equal(c->secrets, secrets);
}

static void test_forms(void **st)
{
    (void)st;
    cover c;
    walk("\0alice\0pencil", 13, KW_REQ, 0, "PLAIN message", "authzid authcid passwd ", 1, &c);
    assert_non_null(strstr(c.values, "<redacted, 6 bytes>"));
    assert_null(strstr(c.values, "pencil"));
    walk("\0alice\0pencil", 13, KW_REQ, 1, "PLAIN message", "authzid authcid passwd ", 0, &c);
    assert_non_null(strstr(c.values, "\"pencil\""));
    walk("n,,n=user,r=fyko", 16, KW_REQ, 0, "SCRAM client-first-message", "gs2_header username nonce ", 0, &c);
    assert_non_null(strstr(c.values, "\"user\""));
    const char *fin = "c=biws,r=fyko3rfc,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
    walk(fin, strlen(fin), KW_REQ, 0, "SCRAM client-final-message", "channel_binding nonce proof ", 1, &c);
    assert_non_null(strstr(c.values, "<redacted, 28 bytes>"));
    assert_null(strstr(c.values, "v0X8"));
    const char *sf = "r=fyko3rfc,s=QSXCR+Q6sek8bf92,i=4096";
    walk(sf, strlen(sf), KW_RESP, 0, "SCRAM server-first-message", "nonce salt iterations ", 0, &c);
    assert_non_null(strstr(c.values, "(base64 of 12 bytes)"));
    walk("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", 30, KW_RESP, 0, "SCRAM server-final-message", "server_signature ", 0, &c);
    walk("e=invalid-proof", 15, KW_RESP, 0, "SCRAM server-final-message", "server_error ", 0, &c);
    static const char ob[] = "n,,\x01" "auth=Bearer eyJ.eyJ.\x01" "traceId=7\x01\x01";
    walk(ob, sizeof ob - 1, KW_REQ, 0, "OAUTHBEARER client initial response", "gs2_header kvsep auth extension end ", 1,
         &c);
    assert_non_null(strstr(c.values, "Bearer <redacted, 8 bytes>"));
    assert_null(strstr(c.values, "eyJ"));
    walk("\x01", 1, KW_REQ, 0, "OAUTHBEARER acknowledgement of an error", "kvsep ", 0, &c);
    walk("{\"status\":\"invalid_token\"}", 26, KW_RESP, 0, "OAUTHBEARER error (JSON)", "error ", 0, &c);
    walk("what is this", 12, KW_REQ, 0, "client message of no known mechanism", "data ", 1, &c);
    walk("\0alice", 6, KW_REQ, 0, "PLAIN message", "authzid rest ", 1, &c); /* one NUL only */
    walk("", 0, KW_REQ, 0, "empty", "", 0, &c);
}

/* A SaslAuthenticate frame printed as --dump and decode print it. */
static char *print(int dir, int16_t v, const char *auth, size_t n, int json, int secrets)
{
    kw_buf frame, out;
    kw_buf_init(&frame);
    kw_buf_init(&out);
    if (dir == KW_REQ) {
        kw_saslauthenticate_req q = {kw_b(auth, n)};
        assert_int_equal(kw_request_encode(&frame, KW_API_SaslAuthenticate, v, 7, "kwire", &q), 0);
    } else {
        kw_saslauthenticate_resp r = {0, KW_STR_NULL, kw_b(auth, n), 0};
        assert_int_equal(kw_response_encode(&frame, KW_API_SaslAuthenticate, v, 7, &r), 0);
    }
    kw_printer p;
    kw_print_opts o = {.fmt = json ? KW_PRINT_JSON : KW_PRINT_TEXT, .secrets = secrets};
    kw_printer_init(&p, &out, &o);
    assert_int_equal(kw_print_frame_bytes(&p, NULL, KW_PRINT_FRAME, dir, KW_API_SaslAuthenticate, v, frame.data,
                                          frame.len),
                     0);
    kw_printer_finish(&p);
    kw_buf_put(&out, "", 1);
    kw_buf_free(&frame);
    return (char *)kw_buf_detach(&out, NULL);
}

static void test_printed(void **st)
{
    (void)st;
    for (int16_t v = 0; v <= 2; v++) {
        /* PLAIN password: neither the text nor its hex (70 65 6e 63 69 6c) */
        char *t = print(KW_REQ, v, "\0alice\0pencil", 13, 0, 0);
        assert_null(strstr(t, "pencil"));
        assert_null(strstr(t, "70 65 6e 63 69 6c"));
        assert_non_null(strstr(t, "passwd"));
        assert_non_null(strstr(t, "<redacted, 6 bytes>"));
        assert_non_null(strstr(t, "(hidden)"));
        assert_non_null(strstr(t, "13 bytes: PLAIN message"));
        assert_non_null(strstr(t, "\"alice\""));
        free(t);
        t = print(KW_REQ, v, "\0alice\0pencil", 13, 1, 0);
        assert_null(strstr(t, "pencil"));
        assert_null(strstr(t, "70656e63696c"));
        assert_non_null(strstr(t, "\"redacted\": true"));
        free(t);
        /* --dump-secrets */
        t = print(KW_REQ, v, "\0alice\0pencil", 13, 0, 1);
        assert_non_null(strstr(t, "\"pencil\""));
        assert_null(strstr(t, "(hidden)"));
        free(t);
        /* the server's first message: nothing hidden */
        t = print(KW_RESP, v, "r=ab,s=QSXCR+Q6sek8bf92,i=4096", 30, 0, 0);
        assert_non_null(strstr(t, "iterations"));
        assert_non_null(strstr(t, "\"4096\""));
        assert_null(strstr(t, "(hidden)"));
        free(t);
    }
    /* a token in a JSON dump */
    static const char ob[] = "n,,\x01" "auth=Bearer SECRETTOKEN\x01\x01";
    char *t = print(KW_REQ, 2, ob, sizeof ob - 1, 1, 0);
    assert_null(strstr(t, "SECRETTOKEN"));
    assert_null(strstr(t, "534543524554")); /* "SECRET" as hex */
    assert_non_null(strstr(t, "Bearer <redacted, 11 bytes>"));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_printed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
