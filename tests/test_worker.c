/*
 * tests/test_worker.c — bench/worker (the Trogdor worker's workload, status lines and
 * merge) and bench/trogdor (the coordinator's task list, HTTP answers and URLs): a
 * ProduceBench-style workload read with its defaults and ranges, every unknown field
 * named, bad fields refused with their name; a status written and read back with its
 * histograms equal; the last status of a saved output; the merge of statuses equal to
 * the histogram of the pooled values; tasks picked by prefix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/trogdor.h"
#include "bench/worker.h"

static int parse(const char *s, kw_workload *w, char *err, size_t errlen)
{
    return kw_workload_parse(s, strlen(s), w, err, errlen);
}

static void test_workload(void **st)
{
    (void)st;
    kw_workload w;
    char err[512];
    int rc = parse("{\"id\":\"prod-1\",\"workload\":{\"bootstrapServers\":\"b1:9092,b2:9092\","
                   "\"targetMessagesPerSec\":1000,\"maxMessages\":50000,"
                   "\"activeTopics\":{\"foo[1-3]\":{\"numPartitions\":6,\"replicationFactor\":3,"
                   "\"configs\":{\"retention.ms\":\"60000\"}}},\"inactiveTopics\":{\"idle\":{}},"
                   "\"producerConf\":{\"acks\":\"all\",\"linger.ms\":5},\"commonClientConf\":{\"client.id\":\"t\"},"
                   "\"keyGenerator\":{\"type\":\"sequential\",\"size\":8,\"startOffset\":100},"
                   "\"valueGenerator\":{\"type\":\"constant\",\"size\":300}}}\n",
                   &w, err, sizeof err);
    if (rc) fail_msg("%s", err);
    assert_string_equal(w.task_id, "prod-1");
    assert_int_equal(w.kind, KW_WK_PRODUCE);
    assert_string_equal(w.bootstrap, "b1:9092,b2:9092");
    assert_int_equal(w.target_per_sec, 1000);
    assert_int_equal(w.max_messages, 50000);
    assert_int_equal(w.ntopics, 4);
    assert_string_equal(w.topics[0].name, "foo1");
    assert_string_equal(w.topics[2].name, "foo3");
    assert_int_equal(w.topics[1].partitions, 6);
    assert_int_equal(w.topics[1].replication_factor, 3);
    assert_int_equal(w.topics[2].nconfigs, 1);
    assert_string_equal(w.topics[2].configs[0], "retention.ms=60000");
    assert_false(w.topics[2].inactive);
    assert_string_equal(w.topics[3].name, "idle");
    assert_true(w.topics[3].inactive);
    assert_int_equal(w.topics[3].partitions, -1);
    assert_int_equal(w.nconf, 3);
    assert_string_equal(w.conf_names[0], "client.id"); /* commonClientConf first */
    assert_int_equal(w.conf_src[0], KW_WK_CONF_COMMON);
    assert_string_equal(w.conf_names[1], "acks");
    assert_int_equal(w.conf_src[1], KW_WK_CONF_PRODUCER);
    assert_string_equal(w.conf_values[2], "5"); /* a number taken as its text */
    assert_int_equal(w.key_size, 8);
    assert_int_equal(w.key_start, 100);
    assert_int_equal(w.value_size, 300);
    assert_int_equal(w.status_interval_ms, KW_WK_DEFAULT_STATUS_MS);
    kw_workload_free(&w);

    /* defaults, and a consume workload's array of topics */
    rc = parse("{\"id\":\"c\",\"workload\":{\"kind\":\"consume\",\"bootstrapServers\":\"b:1\",\"durationMs\":5000,"
               "\"activeTopics\":[\"t\",\"u:2\",\"v[0-1]:1\"],\"consumeFrom\":\"latest\",\"latencyLog\":\"/tmp/x\"}}",
               &w, err, sizeof err);
    if (rc) fail_msg("%s", err);
    assert_int_equal(w.kind, KW_WK_CONSUME);
    assert_int_equal(w.ntopics, 4);
    assert_int_equal(w.topics[0].partition, -1);
    assert_string_equal(w.topics[1].name, "u");
    assert_int_equal(w.topics[1].partition, 2);
    assert_string_equal(w.topics[3].name, "v1");
    assert_int_equal(w.topics[3].partition, 1);
    assert_int_equal(w.from_latest, 1);
    assert_int_equal(w.value_size, KW_WK_DEFAULT_VALUE);
    assert_int_equal(w.key_size, 4);
    assert_string_equal(w.latency_log, "/tmp/x");
    kw_workload_free(&w);
}

static void refused(const char *workload, const char *why)
{
    char line[2048], err[512] = "";
    snprintf(line, sizeof line, "{\"id\":\"t\",\"workload\":%s}", workload);
    kw_workload w;
    int rc = kw_workload_parse(line, strlen(line), &w, err, sizeof err);
    kw_workload_free(&w);
    if (!rc) fail_msg("%s was accepted", workload);
    if (!strstr(err, why)) fail_msg("%s: '%s' does not say '%s'", workload, err, why);
}

#define OK_BASE "\"bootstrapServers\":\"b:1\",\"maxMessages\":1,\"activeTopics\":{\"t\":{}}"

static void test_workload_refused(void **st)
{
    (void)st;
    kw_workload w;
    char err[512];
    assert_int_equal(parse("{\"id\":", &w, err, sizeof err), -1);
    assert_non_null(strstr(err, "not JSON: byte 6"));
    kw_workload_free(&w);
    assert_int_equal(parse("[1]", &w, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a JSON object"));
    kw_workload_free(&w);
    refused("{" OK_BASE ",\"producerNode\":\"n\",\"skipFlush\":true,\"useConfiguredPartitioner\":false}",
            "unknown workload fields: producerNode, skipFlush, useConfiguredPartitioner");
    refused("{" OK_BASE ",\"x\":1}", "unknown workload field: x");
    refused("{\"maxMessages\":1,\"activeTopics\":{\"t\":{}}}", "bootstrapServers missing");
    refused("{\"bootstrapServers\":\"\",\"maxMessages\":1,\"activeTopics\":{\"t\":{}}}", "bootstrapServers is empty");
    refused("{\"bootstrapServers\":\"b:1\",\"activeTopics\":{\"t\":{}}}", "neither maxMessages nor durationMs");
    refused("{\"bootstrapServers\":\"b:1\",\"maxMessages\":1}", "activeTopics missing");
    refused("{\"bootstrapServers\":\"b:1\",\"maxMessages\":1,\"activeTopics\":{}}", "names no topic");
    refused("{\"bootstrapServers\":\"b:1\",\"maxMessages\":-1,\"activeTopics\":{\"t\":{}}}", "maxMessages: a whole number");
    refused("{\"bootstrapServers\":\"b:1\",\"maxMessages\":1.5,\"activeTopics\":{\"t\":{}}}", "maxMessages: a whole number");
    refused("{\"bootstrapServers\":7,\"maxMessages\":1,\"activeTopics\":{\"t\":{}}}", "bootstrapServers: a string expected");
    refused("{" OK_BASE ",\"kind\":\"both\"}", "kind: \"produce\" or \"consume\"");
    refused("{\"bootstrapServers\":\"b:1\",\"maxMessages\":1,\"activeTopics\":{\"t[3-1]\":{}}}", "a range is [A-B]");
    refused("{\"bootstrapServers\":\"b:1\",\"maxMessages\":1,\"activeTopics\":{\"t[0-99999]\":{}}}", "more than 1024 topics");
    refused("{\"bootstrapServers\":\"b:1\",\"maxMessages\":1,\"activeTopics\":{\"t\":{\"partitions\":3}}}",
            "activeTopics.t: unknown field partitions");
    refused("{" OK_BASE ",\"producerConf\":{\"linger\":\"5\"}}", "producerConf: unknown setting linger");
    refused("{" OK_BASE ",\"producerConf\":{\"fetch.min.bytes\":\"5\"}}", "fetch.min.bytes is not a producer setting");
    refused("{" OK_BASE ",\"consumerConf\":{\"linger.ms\":\"5\"}}", "linger.ms is not a consumer setting");
    refused("{" OK_BASE ",\"producerConf\":{\"acks\":\"most\"}}", "producerConf:");
    refused("{" OK_BASE ",\"producerConf\":{\"acks\":[1]}}", "producerConf.acks: a string value expected");
    refused("{" OK_BASE ",\"valueGenerator\":{\"type\":\"uniformRandom\",\"size\":5}}",
            "valueGenerator: type uniformRandom has no kwire equivalent");
    refused("{" OK_BASE ",\"keyGenerator\":{\"type\":\"sequential\",\"size\":9}}", "size 1 to 8");
    refused("{" OK_BASE ",\"recordSize\":10,\"valueGenerator\":{\"type\":\"constant\",\"size\":5}}", "not both");
    refused("{" OK_BASE ",\"labPayload\":true,\"recordSize\":10}", "labPayload fixes the value");
    refused("{\"kind\":\"consume\",\"bootstrapServers\":\"b:1\",\"maxMessages\":1,\"activeTopics\":[\"t:x\"]}",
            "NAME:PARTITION takes a partition number");
    refused("{\"kind\":\"consume\",\"bootstrapServers\":\"b:1\",\"maxMessages\":1,\"activeTopics\":[\"t:1\"],"
            "\"consumerGroup\":\"g\"}",
            "a consumerGroup hands them out");
    refused("{\"kind\":\"consume\",\"bootstrapServers\":\"b:1\",\"maxMessages\":1,\"activeTopics\":{\"t\":{}},"
            "\"inactiveTopics\":{\"u\":{}}}",
            "inactiveTopics: an object, for produce workloads");
    refused("{" OK_BASE ",\"statusIntervalMs\":5}", "statusIntervalMs: a whole number from 100");
}

static kw_hdr *hist_of(const int64_t *v, int n)
{
    kw_hdr *h = kw_hdr_new_default();
    for (int i = 0; i < n; i++) kw_hdr_record(h, v[i]);
    return h;
}

static void fill(kw_wk_status *s, const char *task, int64_t start, int64_t elapsed, const int64_t *v, int n)
{
    memset(s, 0, sizeof *s);
    snprintf(s->task, sizeof s->task, "%s", task);
    snprintf(s->state, sizeof s->state, "done");
    s->start_ms = start;
    s->elapsed_ms = elapsed;
    s->records = (uint64_t)n;
    s->bytes = (uint64_t)n * 100;
    s->h = hist_of(v, n);
    s->int_h = hist_of(v, n > 2 ? 2 : n);
    s->int_records = n > 2 ? 2 : (uint64_t)n;
    s->int_len_ms = 1000;
}

static void test_status_roundtrip(void **st)
{
    (void)st;
    static const int64_t v[] = {5, 900, 1500, 1501, 20000, 3000000, 7};
    kw_wk_status s;
    fill(&s, "task \"one\"", 1700000000000, 4321, v, 7);
    s.errors = 2;
    snprintf(s.error, sizeof s.error, "boom");
    snprintf(s.state, sizeof s.state, "failed");
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_wk_status_line(&b, &s), 0);
    assert_int_equal(b.data[b.len - 1], '\n');
    assert_null(memchr(b.data, '\n', b.len - 1)); /* one line */
    char err[300];
    kw_jv *root = kw_jv_parse((const char *)b.data, b.len, err, sizeof err);
    if (!root) fail_msg("%s", err);
    kw_wk_status back;
    if (kw_wk_status_read(kw_jv_get(root, "status"), &back, err, sizeof err)) fail_msg("%s", err);
    assert_string_equal(back.task, "task \"one\"");
    assert_string_equal(back.state, "failed");
    assert_string_equal(back.error, "boom");
    assert_int_equal(back.start_ms, 1700000000000);
    assert_int_equal(back.elapsed_ms, 4321);
    assert_int_equal(back.records, 7);
    assert_int_equal(back.bytes, 700);
    assert_int_equal(back.errors, 2);
    assert_int_equal(back.int_records, 2);
    assert_int_equal(back.int_len_ms, 1000);
    assert_int_equal(back.h->total, 7);
    assert_int_equal(back.h->len, s.h->len);
    assert_memory_equal(back.h->counts, s.h->counts, (size_t)s.h->len * sizeof s.h->counts[0]);
    assert_int_equal(back.int_h->total, 2);
    kw_wk_status_free(&back);
    kw_jv_free(root);

    /* a saved output: other lines skipped, the last status taken */
    kw_buf out;
    kw_buf_init(&out);
    kw_wk_log_line(&out, "starting");
    snprintf(s.state, sizeof s.state, "running");
    s.error[0] = 0;
    kw_wk_status_line(&out, &s);
    kw_buf_put(&out, "not json\n", 9);
    snprintf(s.state, sizeof s.state, "done");
    kw_wk_status_line(&out, &s);
    kw_wk_error_line(&out, "late \"trouble\"");
    kw_buf_put(&out, "\n\n", 2);
    assert_int_equal(kw_wk_status_last((const char *)out.data, out.len, &back, err, sizeof err), 1);
    assert_string_equal(back.state, "done");
    kw_wk_status_free(&back);
    assert_int_equal(kw_wk_status_last("{\"log\":\"x\"}\nplain\n", 18, &back, err, sizeof err), 0);
    const char *bad = "{\"status\":{\"kwire\":1,\"task\":\"t\",\"kind\":\"produce\",\"state\":\"done\",\"startMs\":1}}\n";
    assert_int_equal(kw_wk_status_last(bad, strlen(bad), &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "elapsedMs: missing"));
    const char *badh = "{\"status\":{\"kwire\":1,\"task\":\"t\",\"kind\":\"produce\",\"state\":\"done\",\"startMs\":1,"
                       "\"elapsedMs\":1,\"records\":0,\"bytes\":0,\"errors\":0,\"interval\":{\"startMs\":0,"
                       "\"lengthMs\":1,\"records\":0,\"bytes\":0,\"errors\":0,\"histogram\":\"AAAA\"},"
                       "\"histogram\":\"AAAA\"}}";
    assert_int_equal(kw_wk_status_last(badh, strlen(badh), &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "histogram: not an HdrHistogram"));
    assert_int_equal(kw_wk_status_last("{\"status\":{\"records\":1}}", 24, &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a kwire worker's"));
    kw_buf_free(&out);
    kw_buf_free(&b);
    kw_wk_status_free(&s);
}

static void test_merge(void **st)
{
    (void)st;
    int64_t a[500], b[300];
    for (int i = 0; i < 500; i++) a[i] = 100 + (int64_t)i * 37;
    for (int i = 0; i < 300; i++) b[i] = 5000 + (int64_t)i * i;
    kw_wk_status sa, sb;
    fill(&sa, "a", 1000, 4000, a, 500);
    fill(&sb, "b", 2000, 4000, b, 300);
    kw_wk_merged m = {0};
    assert_int_equal(kw_wk_merge_add(&m, &sa), 0);
    assert_int_equal(kw_wk_merge_add(&m, &sb), 0);
    assert_int_equal(m.workers, 2);
    assert_int_equal(m.records, 800);
    assert_int_equal(m.bytes, 80000);
    assert_int_equal(m.first_start_ms, 1000);
    assert_int_equal(m.last_end_ms, 6000);
    double mb, rate = kw_wk_merged_rate(&m, &mb);
    assert_true(rate > 159.99 && rate < 160.01); /* 800 records in 5 s */
    assert_true(mb > 0.01599 && mb < 0.01601);
    /* the merge is the histogram of every value pooled: same counts, same percentiles */
    int64_t all[800];
    memcpy(all, a, sizeof a);
    memcpy(all + 500, b, sizeof b);
    kw_hdr *pooled = hist_of(all, 800);
    assert_int_equal(m.h->total, 800);
    assert_memory_equal(m.h->counts, pooled->counts, (size_t)pooled->len * sizeof pooled->counts[0]);
    static const double ps[] = {50, 90, 99, 99.9, 100};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        assert_int_equal(kw_hdr_value_at(m.h, ps[i]), kw_hdr_value_at(pooled, ps[i]));
    kw_hdr_free(pooled);
    kw_wk_merged_free(&m);
    kw_wk_status_free(&sa);
    kw_wk_status_free(&sb);
}

static void test_tasks(void **st)
{
    (void)st;
    const char *doc = "{\"tasks\":{"
                      "\"p-2\":{\"state\":\"DONE\",\"spec\":{\"commandNode\":\"n2\"},\"error\":\"exited with return code 137\","
                      "\"status\":{\"records\":1}},"
                      "\"q-1\":{\"state\":\"RUNNING\",\"spec\":{},\"status\":null},"
                      "\"p-1\":{\"state\":\"DONE\",\"spec\":{\"commandNode\":\"n1\"},\"error\":\"\",\"status\":{\"x\":1}},"
                      "\"p-3\":{\"state\":\"PENDING\",\"spec\":{}}}}";
    char err[200];
    kw_jv *root = kw_jv_parse(doc, strlen(doc), err, sizeof err);
    assert_non_null(root);
    kw_trogdor_task *t;
    int n;
    assert_int_equal(kw_trogdor_tasks(root, "p-", &t, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(t[0].id, "p-1");
    assert_string_equal(t[0].node, "n1");
    assert_string_equal(t[0].error, "");
    assert_non_null(t[0].status);
    assert_string_equal(t[1].id, "p-2");
    assert_string_equal(t[1].error, "exited with return code 137");
    assert_string_equal(t[2].state, "PENDING");
    assert_null(t[2].status);
    assert_string_equal(t[2].node, "");
    free(t);
    assert_int_equal(kw_trogdor_tasks(root, "zz", &t, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(t);
    kw_jv_free(root);
    root = kw_jv_parse("{\"task\":{}}", 11, err, sizeof err);
    assert_int_equal(kw_trogdor_tasks(root, "", &t, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "no \"tasks\" object"));
    kw_jv_free(root);
}

static void test_http(void **st)
{
    (void)st;
    char err[200];
    int status;
    size_t off, len;
    const char *a = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 4\r\n\r\n{}xyz";
    assert_int_equal(kw_http_answer(a, strlen(a), &status, &off, &len, err, sizeof err), 0);
    assert_int_equal(status, 200);
    assert_int_equal(len, 4);
    assert_memory_equal(a + off, "{}xy", 4);
    const char *b = "HTTP/1.0 404 Not Found\n\nnothing";
    assert_int_equal(kw_http_answer(b, strlen(b), &status, &off, &len, err, sizeof err), 0);
    assert_int_equal(status, 404);
    assert_int_equal(len, 7);
    const char *c = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}";
    assert_int_equal(kw_http_answer(c, strlen(c), &status, &off, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "cut short (2 of 10 bytes)"));
    const char *d = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    assert_int_equal(kw_http_answer(d, strlen(d), &status, &off, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "chunked"));
    assert_int_equal(kw_http_answer("HTTP/1.1 200 OK\r\nX: y", 22, &status, &off, &len, err, sizeof err), -1);
    assert_int_equal(kw_http_answer("SSH-2.0-OpenSSH", 15, &status, &off, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "not HTTP"));

    char host[64], port[8], path[64];
    assert_int_equal(kw_http_split_url("http://10.0.0.1:8889/coordinator/tasks", host, sizeof host, port, sizeof port,
                                       path, sizeof path, err, sizeof err), 0);
    assert_string_equal(host, "10.0.0.1");
    assert_string_equal(port, "8889");
    assert_string_equal(path, "/coordinator/tasks");
    assert_int_equal(kw_http_split_url("http://coord", host, sizeof host, port, sizeof port, path, sizeof path, err,
                                       sizeof err), 0);
    assert_string_equal(port, "80");
    assert_string_equal(path, "/");
    assert_int_equal(kw_http_split_url("https://c:1/", host, sizeof host, port, sizeof port, path, sizeof path, err,
                                       sizeof err), -1);
    assert_int_equal(kw_http_split_url("http://c:x1/", host, sizeof host, port, sizeof port, path, sizeof path, err,
                                       sizeof err), -1);
    assert_int_equal(kw_http_split_url("http://:1/", host, sizeof host, port, sizeof port, path, sizeof path, err,
                                       sizeof err), -1);
    assert_int_equal(kw_http_split_url("http://c:1/a b", host, sizeof host, port, sizeof port, path, sizeof path, err,
                                       sizeof err), -1);
}

/* More topics, topic configs and settings than their arrays first hold: all kept, in order. */
static void test_workload_many(void **st)
{
    (void)st;
    static const char *const conf[][2] = {
        {"acks", "1"},          {"batch.size", "1000"},          {"linger.ms", "1"},
        {"buffer.memory", "1000000"}, {"max.block.ms", "10"},    {"retries", "3"},
        {"retry.backoff.ms", "20"}, {"enable.idempotence", "false"}, {"send.buffer.bytes", "-1"},
        {"client.id", "many"},
    };
    enum { NCONF = sizeof conf / sizeof conf[0] };
    char doc[2048];
    size_t at = (size_t)snprintf(doc, sizeof doc, "{\"id\":\"p\",\"workload\":{\"bootstrapServers\":\"b:1\","
                                 "\"maxMessages\":1,\"activeTopics\":{\"t[1-20]\":{\"configs\":{");
    for (int i = 1; i <= 10; i++) at += (size_t)snprintf(doc + at, sizeof doc - at, "%s\"c%d\":\"%d\"", i > 1 ? "," : "", i, i);
    at += (size_t)snprintf(doc + at, sizeof doc - at, "}}},\"producerConf\":{");
    for (int i = 0; i < NCONF; i++)
        at += (size_t)snprintf(doc + at, sizeof doc - at, "%s\"%s\":\"%s\"", i ? "," : "", conf[i][0], conf[i][1]);
    snprintf(doc + at, sizeof doc - at, "}}}");
    kw_workload w;
    char err[512], want[16];
    if (parse(doc, &w, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(w.ntopics, 20);
    for (int i = 0; i < w.ntopics; i++) {
        snprintf(want, sizeof want, "t%d", i + 1);
        assert_string_equal(w.topics[i].name, want);
        assert_int_equal(w.topics[i].nconfigs, 10);
        for (int k = 0; k < 10; k++) {
            snprintf(want, sizeof want, "c%d=%d", k + 1, k + 1);
            assert_string_equal(w.topics[i].configs[k], want);
        }
    }
    assert_int_equal(w.nconf, NCONF);
    for (int i = 0; i < NCONF; i++) {
        assert_string_equal(w.conf_names[i], conf[i][0]);
        assert_string_equal(w.conf_values[i], conf[i][1]);
        assert_int_equal(w.conf_src[i], KW_WK_CONF_PRODUCER);
    }
    kw_workload_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workload),
        cmocka_unit_test(test_workload_many),
        cmocka_unit_test(test_workload_refused),
        cmocka_unit_test(test_status_roundtrip),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_tasks),
        cmocka_unit_test(test_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
