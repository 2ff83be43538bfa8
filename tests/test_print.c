/* tests/test_print.c — proto/print: the text and JSON printers over a hand-made
 * annotation stream, compared with the expected output exactly; escaping, eliding,
 * nesting limits and the error record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/msg_apiversions.h"
#include "proto/msg_metadata.h"
#include "proto/print.h"
#include "proto/proto.h"

static const uint8_t FR[] = {0, 0, 0, 0x2a, 0, 0, 0, 7, 0, 0, 0, 5, 0, 6, 'k', 'w', 'i', 'r', 'e', '!'};
static uint8_t BIG[100];

/* A request-like walk: fields, nested array, a long field, a note, a region, an error. */
static void walk(kw_printer *p)
{
    for (int i = 0; i < 100; i++) BIG[i] = (uint8_t)i;
    const kw_ann a[] = {
        {KW_ANN_FIELD, "size", "int32", FR, 0, 4, "42", 0},
        {KW_ANN_FIELD, "request_api_key", "int16", FR + 4, 4, 2, "0 (Produce)", 0},
        {KW_ANN_ENTER, "topic_data", "array", NULL, 8, 0, NULL, 0},
        {KW_ANN_ENTER, "[0]", NULL, NULL, 8, 0, NULL, 1},
        {KW_ANN_FIELD, "name", "string", FR + 12, 12, 8, "\"kwire!\"\x1b", 2},
        {KW_ANN_FIELD, "records", "records", BIG, 20, 100, "100 bytes", 2},
        {KW_ANN_FIELD, "crc", "uint32", BIG, 20, 20, "0x1234", 2},
        {KW_ANN_NOTE, NULL, NULL, NULL, 0, 0, "CRC MISMATCH (expected 0x1)", 2},
        {KW_ANN_REGION, "records", "records", NULL, 0, 30, "decompressed gzip", 2},
        {KW_ANN_FIELD, "length", "varint", BIG, 0, 1, "0", 2},
        {KW_ANN_END_REGION, NULL, NULL, NULL, 0, 0, NULL, 2},
        {KW_ANN_LEAVE, NULL, NULL, NULL, 0, 0, NULL, 1},
        {KW_ANN_ERROR, "partitions", NULL, NULL, 44, 0, "truncated", 1},
        {KW_ANN_LEAVE, NULL, NULL, NULL, 0, 0, NULL, 0},
    };
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) assert_int_equal(kw_print_cb(p, &a[i]), 0);
}

static char *run(int fmt, int paths)
{
    kw_buf b; kw_buf_init(&b);
    kw_print_opts o = {0};
    o.fmt = fmt; o.paths = paths;
    kw_printer p; kw_printer_init(&p, &b, &o);
    kw_print_frame f; kw_print_frame_init(&f);
    f.ts_usec = 1700000000123456LL; f.stream_id = 1; f.stream = "10.0.0.1:40000 -> 10.0.0.2:9092";
    f.direction = "request"; f.api_name = "Produce"; f.api_key = 0; f.api_version = 7;
    f.correlation_id = 5; f.size = 46;
    kw_printer_frame(&p, &f);
    walk(&p);
    kw_printer_event(&p, "gap of 10 bytes");
    kw_printer_finish(&p);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.notes, 1);
    assert_true(p.err.set);
    assert_int_equal(p.err.off, 44);
    assert_string_equal(p.err.path, "topic_data.partitions");
    assert_string_equal(p.err.msg, "truncated");
    kw_buf_put(&b, "", 1);
    return (char *)b.data;
}

static void test_text_exact(void **st)
{
    (void)st;
    const char *want =
        "== 2023-11-14 22:13:20.123456  stream 1  10.0.0.1:40000 -> 10.0.0.2:9092  request  Produce v7  correlation_id 5  size 46\n"
        "00000000  00 00 00 2a                                      size                         int32          42\n"
        "00000004  00 00                                            request_api_key              int16          0 (Produce)\n"
        "00000008                                                   topic_data                   array\n"
        "00000008                                                     [0]\n"
        "0000000c  00 06 6b 77 69 72 65 21                              name                     string         \"kwire!\"\\x1b\n"
        "00000014  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f      records                  records        100 bytes\n"
        "00000024  10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f\n"
        "          ... (52 bytes)\n"
        "00000068  54 55 56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63\n"
        "00000014  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f      crc                      uint32         0x1234\n"
        "00000024  10 11 12 13\n"
        "!! CRC MISMATCH (expected 0x1)\n"
        "          ---- region 1: decompressed gzip ----\n"
        "00000000  00                                                   length                   varint         0\n"
        "          ---- end of region 1 ----\n"
        "!! ERROR at offset 0x2c in topic_data.partitions: truncated\n"
        "!! gap of 10 bytes\n";
    char *got = run(KW_PRINT_TEXT, 0);
    assert_string_equal(got, want);
    free(got);
}

static void test_text_paths_exact(void **st)
{
    (void)st;
    const char *want =
        "== 2023-11-14 22:13:20.123456  stream 1  10.0.0.1:40000 -> 10.0.0.2:9092  request  Produce v7  correlation_id 5  size 46\n"
        "00000000  00 00 00 2a                                      size                         int32          42\n"
        "00000004  00 00                                            request_api_key              int16          0 (Produce)\n"
        "00000008                                                   topic_data                   array\n"
        "00000008                                                   topic_data[0]\n"
        "0000000c  00 06 6b 77 69 72 65 21                          topic_data[0].name           string         \"kwire!\"\\x1b\n"
        "00000014  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  topic_data[0].records        records        100 bytes\n"
        "00000024  10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f\n"
        "          ... (52 bytes)\n"
        "00000068  54 55 56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63\n"
        "00000014  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  topic_data[0].crc            uint32         0x1234\n"
        "00000024  10 11 12 13\n"
        "!! CRC MISMATCH (expected 0x1)\n"
        "          ---- region 1: decompressed gzip ----\n"
        "00000000  00                                               topic_data[0].length         varint         0\n"
        "          ---- end of region 1 ----\n"
        "!! ERROR at offset 0x2c in topic_data.partitions: truncated\n"
        "!! gap of 10 bytes\n";
    char *got = run(KW_PRINT_TEXT, 1);
    assert_string_equal(got, want);
    free(got);
}

static void test_json_exact(void **st)
{
    (void)st;
    const char *want =
        "{\"frames\": [\n"
        "{\"kind\": \"frame\", \"time\": 1700000000.123456, \"time_text\": \"2023-11-14 22:13:20.123456\", \"stream_id\": 1, \"stream\": \"10.0.0.1:40000 -> 10.0.0.2:9092\", \"direction\": \"request\", \"api\": \"Produce\", \"api_key\": 0, \"version\": 7, \"correlation_id\": 5, \"size\": 46, \"fields\": [\n"
        "  {\"kind\": \"field\", \"path\": \"size\", \"name\": \"size\", \"type\": \"int32\", \"region\": 0, \"offset\": 0, \"length\": 4, \"hex\": \"0000002a\", \"value\": \"42\"},\n"
        "  {\"kind\": \"field\", \"path\": \"request_api_key\", \"name\": \"request_api_key\", \"type\": \"int16\", \"region\": 0, \"offset\": 4, \"length\": 2, \"hex\": \"0000\", \"value\": \"0 (Produce)\"},\n"
        "  {\"kind\": \"enter\", \"path\": \"topic_data\", \"name\": \"topic_data\", \"type\": \"array\", \"region\": 0, \"offset\": 8},\n"
        "  {\"kind\": \"enter\", \"path\": \"topic_data[0]\", \"name\": \"[0]\", \"region\": 0, \"offset\": 8},\n"
        "  {\"kind\": \"field\", \"path\": \"topic_data[0].name\", \"name\": \"name\", \"type\": \"string\", \"region\": 0, \"offset\": 12, \"length\": 8, \"hex\": \"00066b7769726521\", \"value\": \"\\\"kwire!\\\"\\u001b\"},\n"
        "  {\"kind\": \"field\", \"path\": \"topic_data[0].records\", \"name\": \"records\", \"type\": \"records\", \"region\": 0, \"offset\": 20, \"length\": 100, \"hex\": \"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263\", \"value\": \"100 bytes\"},\n"
        "  {\"kind\": \"field\", \"path\": \"topic_data[0].crc\", \"name\": \"crc\", \"type\": \"uint32\", \"region\": 0, \"offset\": 20, \"length\": 20, \"hex\": \"000102030405060708090a0b0c0d0e0f10111213\", \"value\": \"0x1234\"},\n"
        "  {\"kind\": \"note\", \"path\": \"topic_data[0].crc\", \"value\": \"CRC MISMATCH (expected 0x1)\"},\n"
        "  {\"kind\": \"region\", \"region\": 1, \"length\": 30, \"name\": \"records\", \"value\": \"decompressed gzip\"},\n"
        "  {\"kind\": \"field\", \"path\": \"topic_data[0].length\", \"name\": \"length\", \"type\": \"varint\", \"region\": 1, \"offset\": 0, \"length\": 1, \"hex\": \"00\", \"value\": \"0\"},\n"
        "  {\"kind\": \"end_region\", \"region\": 1},\n"
        "  {\"kind\": \"leave\", \"path\": \"topic_data[0]\"},\n"
        "  {\"kind\": \"error\", \"path\": \"topic_data.partitions\", \"name\": \"partitions\", \"region\": 0, \"offset\": 44, \"value\": \"truncated\"},\n"
        "  {\"kind\": \"leave\", \"path\": \"topic_data\"}\n"
        "]},\n"
        "{\"kind\": \"event\", \"text\": \"gap of 10 bytes\"}\n"
        "]}\n";
    char *got = run(KW_PRINT_JSON, 0);
    assert_string_equal(got, want);
    free(got);
}

/* 64 bytes print whole (4 lines); 65 are elided to 32 + "... (17 bytes)" + 16. */
static void test_elide_boundary(void **st)
{
    (void)st;
    for (int i = 0; i < 100; i++) BIG[i] = (uint8_t)i;
    kw_buf b; kw_buf_init(&b);
    kw_printer p; kw_printer_init(&p, &b, NULL);
    kw_ann a = {KW_ANN_FIELD, "v", "bytes", BIG, 0, 64, NULL, 0};
    kw_print_cb(&p, &a);
    kw_buf_put(&b, "", 1);
    assert_null(strstr((char *)b.data, "..."));
    assert_non_null(strstr((char *)b.data, "\n00000030  30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f\n"));
    b.len = 0;
    a.len = 65;
    kw_print_cb(&p, &a);
    kw_buf_put(&b, "", 1);
    assert_string_equal((char *)b.data,
        "00000000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  v                            bytes\n"
        "00000010  10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f\n"
        "          ... (17 bytes)\n"
        "00000031  31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f 40\n");
    kw_buf_free(&b);
}

static void test_json_escaping(void **st)
{
    (void)st;
    kw_buf b; kw_buf_init(&b);
    const char s[] = "q\"b\\n\n\x01\xc3\xa9\xff\xe2\x82\xac\xed\xa0\x80\xc2\x85";
    kw_json_str(&b, s, sizeof s - 1);
    kw_buf_put(&b, "", 1);
    /* é and € pass through; 0xff, the surrogate bytes and the C1 control are escaped */
    assert_string_equal((char *)b.data,
        "\"q\\\"b\\\\n\\n\\u0001\xc3\xa9\\u00ff\xe2\x82\xac\\u00ed\\u00a0\\u0080\\u00c2\\u0085\"");
    kw_buf_free(&b);
}

static void test_json_empty_and_implicit_frame(void **st)
{
    (void)st;
    kw_buf b; kw_buf_init(&b);
    kw_print_opts o = {0};
    o.fmt = KW_PRINT_JSON;
    kw_printer p; kw_printer_init(&p, &b, &o);
    kw_printer_finish(&p);
    kw_buf_put(&b, "", 1);
    assert_string_equal((char *)b.data, "{\"frames\": []}\n");
    b.len = 0;
    kw_printer_init(&p, &b, &o);
    o.json_hex_max = 2;
    kw_printer_init(&p, &b, &o);
    kw_ann a = {KW_ANN_FIELD, "x", "int32", FR, 0, 4, "42", 0};
    kw_print_cb(&p, &a);
    kw_printer_finish(&p);
    kw_buf_put(&b, "", 1);
    assert_string_equal((char *)b.data,
        "{\"frames\": [\n"
        "{\"kind\": \"frame\", \"fields\": [\n"
        "  {\"kind\": \"field\", \"path\": \"x\", \"name\": \"x\", \"type\": \"int32\", \"region\": 0, "
        "\"offset\": 0, \"length\": 4, \"hex\": \"0000\", \"hex_truncated\": true, \"value\": \"42\"}\n"
        "]}\n"
        "]}\n");
    kw_buf_free(&b);
}

/* Nesting deeper than the path stack: no overflow, the path is cut, LEAVEs balance. */
static void test_deep_nesting(void **st)
{
    (void)st;
    kw_buf b; kw_buf_init(&b);
    kw_printer p; kw_printer_init(&p, &b, NULL);
    kw_ann e = {KW_ANN_ENTER, "abcdefghijklmnopqrstuvwxyz", NULL, NULL, 0, 0, NULL, 0};
    kw_ann l = {KW_ANN_LEAVE, NULL, NULL, NULL, 0, 0, NULL, 0};
    for (int i = 0; i < 200; i++) kw_print_cb(&p, &e);
    assert_int_equal(p.depth, 200);
    assert_true(p.path_len < KW_PRINT_PATH_MAX);
    for (int i = 0; i < 200; i++) kw_print_cb(&p, &l);
    assert_int_equal(p.depth, 0);
    assert_int_equal(p.path_len, 0);
    kw_print_cb(&p, &l); /* unbalanced LEAVE is ignored */
    assert_int_equal(p.depth, 0);
    kw_buf_free(&b);
}

/* An ERROR named by a path that overlaps the printer's own stack is joined, not doubled. */
static void test_error_path_overlap(void **st)
{
    (void)st;
    kw_buf b; kw_buf_init(&b);
    kw_printer p; kw_printer_init(&p, &b, NULL);
    const char *names[] = {"body", "topic_data", "[0]"};
    for (int i = 0; i < 3; i++) {
        kw_ann e = {KW_ANN_ENTER, names[i], NULL, NULL, 0, 0, NULL, i};
        kw_print_cb(&p, &e);
    }
    kw_ann err = {KW_ANN_ERROR, "topic_data[0].records", "error", NULL, 38, 0, "truncated", 3};
    kw_print_cb(&p, &err);
    assert_string_equal(p.err.path, "body.topic_data[0].records");
    kw_ann err2 = {KW_ANN_ERROR, "partitions[1].index", "error", NULL, 40, 0, "truncated", 3};
    kw_print_cb(&p, &err2);
    assert_string_equal(p.err.path, "body.topic_data[0].partitions[1].index");
    assert_int_equal(p.errors, 2);
    kw_buf_free(&b);
}

static void test_response_heading_latency(void **st)
{
    (void)st;
    kw_buf b; kw_buf_init(&b);
    kw_printer p; kw_printer_init(&p, &b, NULL);
    kw_print_frame f; kw_print_frame_init(&f);
    f.direction = "response"; f.api_name = "Fetch"; f.api_version = 11; f.correlation_id = -7;
    f.size = 8; f.latency_usec = 1234567;
    kw_printer_frame(&p, &f);
    kw_buf_put(&b, "", 1);
    assert_string_equal((char *)b.data, "== response  Fetch v11  correlation_id -7  size 8  +1234.567 ms\n");
    kw_buf_free(&b);
    kw_buf_init(&b);
    kw_print_opts o = {0};
    o.fmt = KW_PRINT_JSON;
    kw_printer_init(&p, &b, &o);
    kw_printer_frame(&p, &f);
    kw_printer_finish(&p);
    kw_buf_put(&b, "", 1);
    assert_string_equal((char *)b.data,
        "{\"frames\": [\n{\"kind\": \"frame\", \"direction\": \"response\", \"api\": \"Fetch\", \"version\": 11, "
        "\"correlation_id\": -7, \"size\": 8, \"latency_us\": 1234567, \"fields\": []}\n]}\n");
    kw_buf_free(&b);
}

static char *print_bytes(int form, int dir, int api, int ver, const uint8_t *b, size_t len, int *rc, kw_printer *pr)
{
    kw_buf out; kw_buf_init(&out);
    kw_printer_init(pr, &out, NULL);
    *rc = kw_print_frame_bytes(pr, NULL, form, dir, api, ver, b, len);
    kw_buf_put(&out, "", 1);
    return (char *)out.data;
}

/* One-call printing of whole frames, payloads and bodies. */
static void test_print_frame_bytes(void **st)
{
    (void)st;
    kw_buf fr; kw_buf_init(&fr);
    kw_apiversions_req req;
    kw_msg_defaults(KW_API_ApiVersions, KW_REQ, &req);
    req.client_software_name = kw_s("kwire");
    req.client_software_version = kw_s("1");
    assert_int_equal(kw_request_encode(&fr, KW_API_ApiVersions, 3, 7, "cli", &req), 0);
    kw_printer pr;
    int rc;
    char *a = print_bytes(KW_PRINT_FRAME, KW_REQ, -1, -1, fr.data, fr.len, &rc, &pr);
    assert_int_equal(rc, 0);
    char head[128];
    snprintf(head, sizeof head, "== request  ApiVersions v3  correlation_id 7  size %zu\n", fr.len);
    assert_true(!strncmp(a, head, strlen(head)));
    /* the type column as wide as the frame's widest type, nullable_string (client_id) */
    assert_non_null(strstr(a, "  client_software_name       compact_string  \"kwire\"\n"));
    assert_non_null(strstr(a, "  client_id                  nullable_string \"cli\"\n"));
    assert_null(strstr(a, "!!"));
    /* the payload form prints the same thing */
    char *b = print_bytes(KW_PRINT_PAYLOAD, KW_REQ, -1, -1, fr.data + 4, fr.len - 4, &rc, &pr);
    assert_int_equal(rc, 0);
    assert_string_equal(a, b);
    free(b);
    /* cut short: an error naming where decoding stopped */
    b = print_bytes(KW_PRINT_FRAME, KW_REQ, -1, -1, fr.data, fr.len - 3, &rc, &pr);
    assert_true(rc < 0);
    assert_true(pr.err.set);
    assert_non_null(strstr(b, "!! ERROR at offset"));
    free(b);
    free(a);
    kw_buf_free(&fr);
}

static void test_print_undescribed_and_refusal(void **st)
{
    (void)st;
    /* Produce v2 (removed in Kafka 4.0) is not described by kwire: raw bytes and a note, no error */
    static const uint8_t join[] = {0, 0, 0, 14, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0xde, 0xad, 0xbe, 0xef};
    kw_printer pr;
    int rc;
    char *a = print_bytes(KW_PRINT_FRAME, KW_REQ, -1, -1, join, sizeof join, &rc, &pr);
    assert_int_equal(rc, KW_ERR_UNSUPPORTED);
    assert_false(pr.err.set);
    assert_null(strstr(a, "!! ERROR"));
    assert_non_null(strstr(a, "\n0000000e  de ad be ef"));
    assert_non_null(strstr(a, "raw_body"));
    free(a);
    /* ApiVersions v3 refused by a broker that only knows v0-2 (bytes as captured from
     * librdkafka's mock broker): error 35 and the rest shown as bytes, not an error */
    static const uint8_t refusal[] = {0, 0, 0, 0x11, 0, 0, 0, 1, 0, 0x23, 1, 0, 0x12, 0, 0, 0, 2, 0, 0, 0, 0};
    a = print_bytes(KW_PRINT_FRAME, KW_RESP, KW_API_ApiVersions, 3, refusal, sizeof refusal, &rc, &pr);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(a, "error_code                   int16          35 (UNSUPPORTED_VERSION)\n"));
    assert_non_null(strstr(a, "!! UNSUPPORTED_VERSION"));
    assert_null(strstr(a, "!! ERROR"));
    free(a);
    /* a refusal in the standard v0 layout is shown as v0 */
    static const uint8_t v0[] = {0, 0x23, 0, 0, 0, 1, 0, 0x12, 0, 0, 0, 2};
    a = print_bytes(KW_PRINT_BODY, KW_RESP, KW_API_ApiVersions, 3, v0, sizeof v0, &rc, &pr);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(a, "answered the v3 request in the v0 format"));
    assert_non_null(strstr(a, "max_version              int16          2\n"));
    free(a);
}

static void test_time_format(void **st)
{
    (void)st;
    char t[64];
    kw_print_time(t, sizeof t, 0);
    assert_string_equal(t, "1970-01-01 00:00:00.000000");
    kw_print_time(t, sizeof t, 1700000000123456LL);
    assert_string_equal(t, "2023-11-14 22:13:20.123456");
}

/* Columns stay aligned however long a name or path is: in every field line of a frame
 * the type and the value start at the same column. */
static void check_aligned(const char *text)
{
    long type_at = -1, value_at = -1;
    int lines = 0;
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        /* "OOOOOOOO  hex...(47)  right side": fields have a name, a type and a value */
        if (n > 59 && l[8] == ' ' && l[9] == ' ') {
            const char *r = l + 59, *end = l + n;
            while (r < end && *r == ' ') r++;
            const char *t = r;
            while (t < end && *t != ' ') t++; /* the name */
            while (t < end && *t == ' ') t++;
            const char *v = t;
            while (v < end && *v != ' ') v++; /* the type */
            while (v < end && *v == ' ') v++;
            if (t < end && v < end) {
                if (type_at < 0) { type_at = t - l; value_at = v - l; }
                if (t - l != type_at || v - l != value_at) fail_msg("misaligned: %.*s", (int)n, l);
                lines++;
            }
        }
        l += n + (e ? 1 : 0);
    }
    assert_true(lines > 5);
}

static void test_columns_fit_long_names(void **st)
{
    (void)st;
    kw_buf fr; kw_buf_init(&fr);
    kw_metadata_req req;
    kw_metadata_req_topic t;
    kw_msg_defaults(KW_API_Metadata, KW_REQ, &req);
    memset(&t, 0, sizeof t);
    t.name = kw_s("orders");
    req.topics = &t;
    req.n_topics = 1;
    assert_int_equal(kw_request_encode(&fr, KW_API_Metadata, 12, 7, "cli", &req), 0);
    for (int paths = 0; paths < 2; paths++) {
        kw_buf out; kw_buf_init(&out);
        kw_printer pr;
        kw_print_opts o = {0};
        o.fmt = KW_PRINT_TEXT;
        o.paths = paths;
        kw_printer_init(&pr, &out, &o);
        assert_int_equal(kw_print_frame_bytes(&pr, NULL, KW_PRINT_FRAME, KW_REQ, -1, -1, fr.data, fr.len), 0);
        kw_buf_put(&out, "", 1);
        check_aligned((const char *)out.data);
        /* paths: "body.include_topic_authorized_operations" (40) sets the name column */
        if (paths) assert_non_null(strstr((const char *)out.data, "  body.allow_auto_topic_creation           bool"));
        kw_buf_free(&out);
    }
    kw_buf_free(&fr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_exact),
        cmocka_unit_test(test_text_paths_exact),
        cmocka_unit_test(test_json_exact),
        cmocka_unit_test(test_elide_boundary),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_json_empty_and_implicit_frame),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_error_path_overlap),
        cmocka_unit_test(test_response_heading_latency),
        cmocka_unit_test(test_print_frame_bytes),
        cmocka_unit_test(test_print_undescribed_and_refusal),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_columns_fit_long_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
