/* tests/test_decoder.c — client/cli/decoder: hex text to bytes (whitespace, bad digits,
 * odd counts), input files with their limits and messages, a request frame and a
 * response body printed, decode errors described up to the limit and counted beyond it,
 * a CRC mismatch counted as an error, capture events as remarks with their counters, an
 * unpaired response shown by size and correlation id, and the capture summary line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cli/decoder.h"
#include "kwire.h"
#include "tests/testutil.h"

/* ApiVersions v0 request: size 10, api key 18, version 0, correlation id 7, client id null. */
static const uint8_t AV_REQ[] = {0, 0, 0, 10, 0, 0x12, 0, 0, 0, 0, 0, 7, 0xff, 0xff};
/* ApiVersions v0 response body: error 0, one API (key 18, versions 0..3). */
static const uint8_t AV_RESP[] = {0, 0, 0, 0, 0, 1, 0, 0x12, 0, 0, 0, 3};


static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

typedef struct fixture {
    kw__decoder d;
    FILE *out, *err;
} fixture;

static void setup(fixture *x, int json)
{
    x->out = tmpfile();
    x->err = tmpfile();
    assert_non_null(x->out);
    assert_non_null(x->err);
    kw__decoder_init(&x->d, json, 0, 0, x->out, x->err);
}

static void teardown(fixture *x, char **out, char **err)
{
    kw__decoder_free(&x->d);
    *out = tu_drain(x->out);
    *err = tu_drain(x->err);
}

static void test_unhex(void **st)
{
    (void)st;
    uint8_t t1[] = " 00 0A\n\tfF\r\n7b";
    size_t n = 99, at = 99, digits = 99;
    assert_int_equal(kw__decoder_unhex(t1, sizeof t1 - 1, &n, &at, &digits), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(t1, "\x00\x0a\xff\x7b", 4);
    uint8_t t2[] = "00 0g";
    assert_int_equal(kw__decoder_unhex(t2, sizeof t2 - 1, &n, &at, &digits), -1);
    assert_int_equal(at, 4);
    uint8_t t3[] = "ab c";
    assert_int_equal(kw__decoder_unhex(t3, sizeof t3 - 1, &n, &at, &digits), -2);
    assert_int_equal(digits, 3);
    uint8_t t4[] = " \n";
    assert_int_equal(kw__decoder_unhex(t4, sizeof t4 - 1, &n, &at, &digits), 0);
    assert_int_equal(n, 0);
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
}

static void test_read_input(void **st)
{
    (void)st;
    fixture x;
    setup(&x, 0);
    char path[] = "/tmp/kw-test-decoder-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    size_t len = 0;
    write_file(path, "00 01\n02 03\n");
    uint8_t *p = kw__decoder_read_input(&x.d, path, 1, 4, &len);
    assert_non_null(p);
    assert_int_equal(len, 4);
    assert_memory_equal(p, "\x00\x01\x02\x03", 4);
    free(p);
    /* binary: the same text is 12 bytes, over a limit of 4 */
    assert_null(kw__decoder_read_input(&x.d, path, 0, 4, &len));
    p = kw__decoder_read_input(&x.d, path, 0, 12, &len);
    assert_non_null(p);
    assert_int_equal(len, 12);
    free(p);
    write_file(path, "");
    p = kw__decoder_read_input(&x.d, path, 0, 12, &len);
    assert_non_null(p); /* empty, not an error */
    assert_int_equal(len, 0);
    free(p);
    write_file(path, "00 x1");
    assert_null(kw__decoder_read_input(&x.d, path, 1, 100, &len));
    write_file(path, "001");
    assert_null(kw__decoder_read_input(&x.d, path, 1, 100, &len));
    unlink(path);
    assert_null(kw__decoder_read_input(&x.d, path, 0, 100, &len));
    char *out, *err;
    teardown(&x, &out, &err);
    assert_string_equal(out, "");
    char want[1024];
    snprintf(want, sizeof want,
             "kwire decode: %s: larger than 4 bytes (see --max-frame)\n"
             "kwire decode: %s: not hex text: byte 'x' (0x78) at file offset 3\n"
             "kwire decode: %s: odd number of hex digits (3)\n"
             "kwire decode: %s: No such file or directory\n",
             path, path, path, path);
    assert_string_equal(err, want);
    free(out);
    free(err);
}

static void test_request_and_response(void **st)
{
    (void)st;
    fixture x;
    setup(&x, 0);
    assert_true(kw__decoder_request(&x.d, AV_REQ, sizeof AV_REQ, "req.bin") >= 0);
    assert_true(kw__decoder_response(&x.d, 18, 0, 0, AV_RESP, sizeof AV_RESP, "resp.bin") >= 0);
    assert_int_equal(kw__decoder_finish(&x.d), 0);
    assert_int_equal(x.d.frames, 2);
    assert_int_equal(x.d.errors, 0);
    char *out, *err;
    teardown(&x, &out, &err);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "== request  ApiVersions v0  correlation_id 7  size 14\n"));
    assert_non_null(strstr(out, "ApiVersions v0"));
    assert_non_null(strstr(out, "max_version"));
    free(out);
    free(err);
}

static void test_json_document(void **st)
{
    (void)st;
    fixture x;
    setup(&x, 1);
    kw__decoder_request(&x.d, AV_REQ, sizeof AV_REQ, "req.bin");
    assert_int_equal(kw__decoder_finish(&x.d), 0);
    char *out, *err;
    teardown(&x, &out, &err);
    assert_int_equal(out[0], '{');
    assert_non_null(strstr(out, "\"api\": \"ApiVersions\""));
    size_t n = strlen(out);
    assert_true(n > 2 && out[n - 2] == '}' && out[n - 1] == '\n');
    free(out);
    free(err);
}

static void test_errors_capped(void **st)
{
    (void)st;
    fixture x;
    setup(&x, 0);
    /* a request cut inside its header: the first 10 described, one line says more, then silence */
    static const uint8_t cut[] = {0, 0, 0, 10, 0, 0x12, 0, 0, 0, 0};
    for (int i = 0; i < KW__DECODER_MAX_ERROR_LINES + 3; i++) {
        char what[32];
        snprintf(what, sizeof what, "frame %d", i + 1);
        assert_true(kw__decoder_request(&x.d, cut, sizeof cut, what) < 0 || x.d.pr.err.set);
    }
    assert_int_equal(x.d.errors, KW__DECODER_MAX_ERROR_LINES + 3);
    assert_int_equal(x.d.frames, KW__DECODER_MAX_ERROR_LINES + 3);
    assert_int_equal(kw__decoder_finish(&x.d), 0);
    char *out, *err;
    teardown(&x, &out, &err);
    assert_int_equal(count_lines(err), KW__DECODER_MAX_ERROR_LINES + 1);
    assert_true(!strncmp(err, "kwire decode: frame 1: decoding ", strlen("kwire decode: frame 1: decoding ")));
    assert_non_null(strstr(err, "kwire decode: frame 10: decoding "));
    assert_null(strstr(err, "frame 11:"));
    assert_non_null(strstr(err, "kwire decode: more decode errors: only the first 10 are listed here (all are marked "
                                "\"!! ERROR\" in the output)\n"));
    assert_non_null(strstr(out, "!! ERROR"));
    free(out);
    free(err);
}

static void test_crc_mismatch_and_unsupported(void **st)
{
    (void)st;
    fixture x;
    setup(&x, 0);
    /* the printer counted a CRC mismatch during the walk: an error, said once */
    x.d.pr.crc_mismatches = 1;
    kw__decoder_after_walk(&x.d, 0, "f1");
    kw__decoder_after_walk(&x.d, 0, "f2");
    assert_int_equal(x.d.errors, 1);
    /* a body kwire does not describe: counted, not an error */
    kw__decoder_after_walk(&x.d, KW_ERR_UNSUPPORTED, "f3");
    assert_int_equal(x.d.undecoded, 1);
    assert_int_equal(x.d.errors, 1);
    kw__decoder_after_walk(&x.d, KW_ERR_TRUNCATED, "f4");
    assert_int_equal(x.d.errors, 2);
    assert_int_equal(x.d.frames, 4);
    char *out, *err;
    teardown(&x, &out, &err);
    char want[512];
    snprintf(want, sizeof want,
             "kwire decode: f1: record batch CRC-32C mismatch (marked CRC MISMATCH in the output)\n"
             "kwire decode: f4: decoding failed: %s\n",
             kw_strerror(KW_ERR_TRUNCATED));
    assert_string_equal(err, want);
    free(out);
    free(err);
}

static void test_capture_events(void **st)
{
    (void)st;
    fixture x;
    setup(&x, 0);
    kw_tcpr_ev e;
    memset(&e, 0, sizeof e);
    e.conn = 3;
    e.stream = "10.0.0.1:40000 -> 10.0.0.2:9092";
    e.ts_usec = 1700000000123456LL;
    e.kind = KW_TCPR_FRAME;
    e.is_request = 1;
    e.data = AV_REQ;
    e.len = sizeof AV_REQ;
    e.api_key = 18;
    e.correlation_id = 7;
    assert_int_equal(kw__decoder_on_event(&x.d, &e), 0);
    /* a response with no request: size, correlation id and the rest as bytes */
    static const uint8_t lone[] = {0, 0, 0, 6, 0, 0, 0, 9, 0xab, 0xcd};
    e.is_request = 0;
    e.paired = 0;
    e.data = lone;
    e.len = sizeof lone;
    e.correlation_id = 9;
    assert_int_equal(kw__decoder_on_event(&x.d, &e), 0);
    e.kind = KW_TCPR_GAP;
    e.bytes = 5;
    assert_int_equal(kw__decoder_on_event(&x.d, &e), 0);
    e.kind = KW_TCPR_SKIP;
    e.bytes = 7;
    kw__decoder_on_event(&x.d, &e);
    kw__decoder_on_event(&x.d, &e);
    e.kind = KW_TCPR_UNPAIRED;
    kw__decoder_on_event(&x.d, &e);
    e.kind = KW_TCPR_NOREPLY;
    e.api_key = 18;
    e.api_version = 3;
    e.correlation_id = 11;
    kw__decoder_on_event(&x.d, &e);
    e.kind = KW_TCPR_PARTIAL;
    e.bytes = 2;
    kw__decoder_on_event(&x.d, &e);
    assert_int_equal(x.d.requests, 1);
    assert_int_equal(x.d.responses, 1);
    assert_int_equal(x.d.frames, 2);
    assert_int_equal(x.d.gaps, 1);
    assert_int_equal(x.d.skipped, 14);
    assert_int_equal(x.d.unpaired, 1);
    assert_int_equal(x.d.noreply, 1);
    assert_int_equal(x.d.partial, 1);
    assert_int_equal(x.d.errors, 0);
    kw_tcpr_stats s = {0};
    s.conns = 1;
    s.paired = 0;
    s.noreply = 1;
    FILE *sf = tmpfile();
    assert_non_null(sf);
    kw__decoder_summary(&x.d, sf, "c.pcap", 42, &s);
    char *sum = tu_drain(sf);
    assert_string_equal(sum, "kwire decode: c.pcap: 42 packets, 1 connections, 1 requests, 1 responses (0 paired, 1 "
                             "unpaired), 1 without response, 1 gaps, 14 bytes skipped, 0 bodies not described, 0 "
                             "decode errors\n");
    free(sum);
    char *out, *err;
    teardown(&x, &out, &err);
    assert_string_equal(err, "");
    /* written as they came, without a finish */
    assert_non_null(strstr(out, "stream 3"));
    assert_non_null(strstr(out, "ApiVersions v0"));
    assert_non_null(strstr(out, "response (unpaired)"));
    assert_non_null(strstr(out, "not decoded: no request with this correlation id"));
    const char *ts = "2023-11-14 22:13:20.123456  stream 3  10.0.0.1:40000 -> 10.0.0.2:9092: ";
    char want[256];
    const char *ev[] = {"GAP: 5 bytes missing from the capture; resynchronising",
                        "skipped 7 bytes looking for a frame boundary",
                        "response with correlation id 9 matches no request",
                        "ApiVersions v3 request correlation id 11 got no response in the capture",
                        "capture ends inside a frame (2 bytes)"};
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
        snprintf(want, sizeof want, "%s%s", ts, ev[i]);
        assert_non_null(strstr(out, want));
    }
    /* GAP before SKIP before UNPAIRED: in the order they came */
    assert_true(strstr(out, "GAP:") < strstr(out, "skipped 7") && strstr(out, "skipped 7") < strstr(out, "matches no"));
    free(out);
    free(err);
}

static void test_capture_missing_file(void **st)
{
    (void)st;
    fixture x;
    setup(&x, 0);
    assert_int_equal(kw__decoder_capture(&x.d, "/nonexistent/kw.pcap", 0, 0, 0), -1);
    char *out, *err;
    teardown(&x, &out, &err);
    assert_string_equal(out, ""); /* nothing read: nothing printed, no summary */
    assert_true(!strncmp(err, "kwire decode: ", 14));
    assert_int_equal(count_lines(err), 1);
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unhex),
        cmocka_unit_test(test_read_input),
        cmocka_unit_test(test_request_and_response),
        cmocka_unit_test(test_json_document),
        cmocka_unit_test(test_errors_capped),
        cmocka_unit_test(test_crc_mismatch_and_unsupported),
        cmocka_unit_test(test_capture_events),
        cmocka_unit_test(test_capture_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
