/* tests/test_produce_input.c — client/cli/produce_input: lines to records (-k, -K, -H, -J
 * with its blank lines, bad envelopes and missing topic), the refusals' counts and --json
 * reports, the delivery bookkeeping per partition (offset ranges, acks=0, the first error
 * and its cause) and the summary's exact lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cli/produce_input.h"
#include "kwire.h"
#include "tests/testutil.h"


static void summary_is(const kw_pinput *c, const char *last, const char *verbose, const char *want)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    kw_pinput_summary(c, f, last, verbose);
    char *got = tu_drain(f);
    assert_string_equal(got, want);
    free(got);
}

static void test_plain_lines(void **st)
{
    (void)st;
    kw_pinput c;
    kw_pinput_init(&c);
    c.topic = "t";
    kw_header h[1] = {{(const uint8_t *)"h", 1, (const uint8_t *)"vv", 2}};
    c.hdrs = h;
    c.nhdrs = 1;
    kw_producer_record r;
    assert_int_equal(kw_pinput_line_record(&c, "hello", 5, &r), 0);
    assert_string_equal(r.topic, "t");
    assert_int_equal(r.partition, -1);
    assert_null(r.key);
    assert_int_equal(r.key_len, -1);
    assert_int_equal(r.value_len, 5);
    assert_memory_equal(r.value, "hello", 5);
    assert_int_equal(r.header_count, 1);
    assert_int_equal(c.records, 1);
    /* key + value + header name and value */
    assert_int_equal(kw_pinput_record_bytes(&r), 5 + 1 + 2);

    c.key = "kk";
    c.key_len = 2;
    c.partition = 3;
    assert_int_equal(kw_pinput_line_record(&c, "", 0, &r), 0); /* an empty line is an empty value */
    assert_int_equal(r.partition, 3);
    assert_int_equal(r.key_len, 2);
    assert_memory_equal(r.key, "kk", 2);
    assert_int_equal(r.value_len, 0);
    assert_int_equal(kw_pinput_record_bytes(&r), 2 + 0 + 3);
    assert_int_equal(c.records, 2);
    assert_int_equal(c.refused, 0);
    kw_pinput_free(&c);
}

static void test_delim(void **st)
{
    (void)st;
    kw_pinput c;
    kw_pinput_init(&c);
    c.topic = "t";
    c.delim = "::";
    c.delim_len = 2;
    kw_producer_record r;
    const char *line = "user1::a::b";
    assert_int_equal(kw_pinput_line_record(&c, line, strlen(line), &r), 0);
    assert_int_equal(r.key_len, 5);
    assert_memory_equal(r.key, "user1", 5);
    assert_int_equal(r.value_len, 4);
    assert_memory_equal(r.value, "a::b", 4);
    /* without the delimiter: all value, null key */
    assert_int_equal(kw_pinput_line_record(&c, "plain", 5, &r), 0);
    assert_null(r.key);
    assert_int_equal(r.key_len, -1);
    assert_int_equal(r.value_len, 5);
    kw_pinput_free(&c);
}

static void test_json_in(void **st)
{
    (void)st;
    kw_pinput c;
    kw_pinput_init(&c);
    c.json_in = 1;
    c.json_out = 1;
    kw_producer_record r;
    const char *l1 = "{\"topic\":\"a\",\"partition\":4,\"timestamp\":77,\"key\":\"k\",\"value\":null,"
                     "\"headers\":[{\"name\":\"x\",\"value\":\"yz\"}]} \r";
    assert_int_equal(kw_pinput_line_record(&c, l1, strlen(l1), &r), 0);
    assert_string_equal(r.topic, "a");
    assert_int_equal(r.partition, 4);
    assert_int_equal(r.timestamp, 77);
    assert_int_equal(r.key_len, 1);
    assert_memory_equal(r.key, "k", 1);
    assert_int_equal(r.value_len, -1);
    assert_int_equal(r.header_count, 1);
    assert_int_equal(kw_pinput_record_bytes(&r), 1 + 1 + 2);
    /* -t and -p override the envelope's */
    c.topic = "over";
    c.partition = 0;
    c.partition_given = 1;
    assert_int_equal(kw_pinput_line_record(&c, l1, strlen(l1), &r), 0);
    assert_string_equal(r.topic, "over");
    assert_int_equal(r.partition, 0);
    assert_int_equal(c.records, 2);
    /* a blank line is no record and no number */
    assert_int_equal(kw_pinput_line_record(&c, " \t\r", 3, &r), 1);
    assert_int_equal(c.records, 2);
    assert_int_equal(c.jout.len, 0);
    /* a bad envelope is refused, numbered, and reported */
    int e = kw_pinput_line_record(&c, "{\"nope\":1}", 10, &r);
    assert_true(e < 0);
    assert_int_equal(c.records, 3);
    assert_int_equal(c.refused, 1);
    assert_int_equal(c.first_err, e);
    assert_non_null(strstr(c.first_why, "input record 3: "));
    char *rep = strndup((const char *)c.jout.data, c.jout.len);
    assert_non_null(strstr(rep, "{\"record\":3,\"topic\":\"over\",\"partition\":0,\"offset\":-1,\"error\":{\"code\":"));
    assert_non_null(strstr(rep, "input record 3: "));
    assert_int_equal(rep[c.jout.len - 1], '\n');
    free(rep);
    /* the report goes to out and leaves the queue empty */
    FILE *f = tmpfile();
    c.out = f;
    kw_pinput_flush_json(&c);
    assert_int_equal(c.jout.len, 0);
    char *got = tu_drain(f);
    assert_non_null(strstr(got, "{\"record\":3,"));
    free(got);
    /* no topic anywhere: the second refusal keeps the first error */
    c.topic = NULL;
    const char *l2 = "{\"value\":\"v\"}";
    assert_int_equal(kw_pinput_line_record(&c, l2, strlen(l2), &r), KW_ERR_INVALID_ARG);
    assert_int_equal(c.refused, 2);
    assert_int_equal(c.first_err, e);
    kw_pinput_free(&c);

    kw_pinput_init(&c);
    c.json_in = 1;
    assert_int_equal(kw_pinput_line_record(&c, l2, strlen(l2), &r), KW_ERR_INVALID_ARG);
    assert_string_equal(c.first_why, "input record 1: no \"topic\" and no -t TOPIC");
    assert_int_equal(c.jout.len, 0); /* no --json: no report */
    kw_pinput_free(&c);
}

static void deliver(kw_pinput *c, int32_t partition, int64_t offset, int err, int cause, uint64_t record)
{
    kw_delivery d = {.topic = "t", .partition = partition, .offset = offset, .err = err, .cause = cause,
                     .opaque = (void *)(uintptr_t)record};
    kw_pinput_on_delivery(c, &d);
}

static void test_deliveries_and_summary(void **st)
{
    (void)st;
    kw_pinput c;
    kw_pinput_init(&c);
    c.topic = "t";
    c.sent = 5;
    c.bytes = 40;
    deliver(&c, 2, 10, 0, 0, 1);
    deliver(&c, 2, 8, 0, 0, 2);
    deliver(&c, 2, 12, 0, 0, 3);
    deliver(&c, 0, -1, 0, 0, 4); /* acks=0 */
    assert_int_equal(c.nparts, 3);
    assert_int_equal(c.parts[1].n, 0);
    assert_int_equal(c.parts[2].lo, 8);
    assert_int_equal(c.parts[2].hi, 12);
    summary_is(&c, "", "",
               "kwire produce: 5 records sent, 0 failed, 0 refused, 40 bytes (keys + values + headers) to t\n"
               "  partition 0: 1 record (acks=0: no offsets)\n"
               "  partition 2: 3 records, offsets 8..12\n");

    /* a failure: the first one's error and cause are kept */
    c.json_out = 1;
    deliver(&c, 1, -1, KW_ERR_MSG_TIMED_OUT, KW_KAFKA_MESSAGE_TOO_LARGE, 5);
    deliver(&c, 1, -1, KW_ERR_IO, 0, 6);
    assert_int_equal(c.failed, 2);
    assert_int_equal(c.first_err, KW_ERR_MSG_TIMED_OUT);
    assert_int_equal(c.first_cause, KW_KAFKA_MESSAGE_TOO_LARGE);
    assert_int_equal(c.parts[1].n, 0);
    char *rep = strndup((const char *)c.jout.data, c.jout.len);
    assert_non_null(strstr(rep, "{\"record\":5,\"topic\":\"t\",\"partition\":1,\"offset\":-1,\"error\":{"));
    assert_non_null(strstr(rep, "{\"record\":6,"));
    free(rep);
    char want[2048];
    snprintf(want, sizeof want,
             "kwire produce: 3 records sent, 2 failed, 0 refused, 40 bytes (keys + values + headers) to t\n"
             "  partition 0: 1 record (acks=0: no offsets)\n"
             "  partition 2: 3 records, offsets 8..12\n"
             "  first error: %s (%s); its last attempt failed with: %s (%s)\n"
             "  the broker refused the batch as larger than its message.max.bytes (or the topic's "
             "max.message.bytes); lower max.request.size or batch.size, or raise the broker's limit\n"
             "  last failed request: req\n"
             "  batches 1\n",
             kw_strerror(KW_ERR_MSG_TIMED_OUT), kw_err_name(KW_ERR_MSG_TIMED_OUT),
             kw_strerror(KW_KAFKA_MESSAGE_TOO_LARGE), kw_err_name(KW_KAFKA_MESSAGE_TOO_LARGE));
    summary_is(&c, "req", "  batches 1\n", want);
    kw_pinput_free(&c);

    /* a refusal in words, one record, one byte, the records' own topics */
    kw_pinput_init(&c);
    c.sent = 1;
    c.bytes = 1;
    c.refused = 1;
    c.first_err = KW_ERR_INVALID_ARG;
    snprintf(c.first_why, sizeof c.first_why, "input record 2: bad");
    snprintf(want, sizeof want,
             "kwire produce: 1 record sent, 0 failed, 1 refused, 1 byte (keys + values + headers) to the records' topics\n"
             "  first error: input record 2: bad (%s)\n",
             kw_err_name(KW_ERR_INVALID_ARG));
    summary_is(&c, "", "", want);
    kw_pinput_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_lines),
        cmocka_unit_test(test_delim),
        cmocka_unit_test(test_json_in),
        cmocka_unit_test(test_deliveries_and_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
