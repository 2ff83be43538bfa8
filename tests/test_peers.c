/* tests/test_peers.c — bench/peers: the clients of bench compare, Kafka's setting names in
 * each client's terms (and those it lacks), their command lines, and the reading of what
 * each prints (Kafka's perf tools' lines, kwire's and the peer programs' JSON). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/peers.h"

static int has(const kw_peer_settings *s, const char *kv)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], kv)) return 1;
    return 0;
}

static int has_prefix(const kw_peer_settings *s, const char *prefix)
{
    for (int i = 0; i < s->n; i++)
        if (!strncmp(s->v[i], prefix, strlen(prefix))) return 1;
    return 0;
}

static void test_table(void **st)
{
    (void)st;
    for (int i = 0; i < KW_PEER_N; i++) {
        const kw_peer *p = kw_peer_get(i);
        assert_non_null(p);
        assert_int_equal(kw_peer_find(p->name), i);
        assert_true(p->base == KW_PEER_KWIRE || p->base == KW_PEER_KWIRE_CLI);
        assert_true(p->divisor >= 1);
    }
    assert_null(kw_peer_get(KW_PEER_N));
    assert_int_equal(kw_peer_find("nope"), -1);
    assert_int_equal(kw_peer_get(KW_PEER_KCAT)->base, KW_PEER_KWIRE_CLI);
    assert_int_equal(kw_peer_get(KW_PEER_JAVA)->base, KW_PEER_KWIRE);
    assert_int_equal(kw_peer_get(KW_PEER_KPY)->divisor, 10);
    assert_int_equal(kw_peer_get(KW_PEER_KPY_DEB)->divisor, 10);
    assert_int_equal(kw_peer_get(KW_PEER_FRANZ)->divisor, 1);
    assert_true(kw_peer_get(KW_PEER_KCAT)->reads_lines && kw_peer_get(KW_PEER_KWIRE_CLI)->reads_lines);
    assert_false(kw_peer_get(KW_PEER_KWIRE)->reads_lines);
    assert_string_equal(kw_peer_dir_name(KW_DIR_PRODUCE), "produce");
    assert_string_equal(kw_peer_dir_name(KW_DIR_CONSUME), "consume");
}

static void test_map_librdkafka(void **st)
{
    (void)st;
    const char *s[] = {"compression.type=gzip", "linger.ms=10", "bootstrap.servers=x:1", "buffer.memory=1000000"};
    kw_peer_settings o;
    assert_int_equal(kw_peer_map_settings(KW_PEER_KCAT, KW_DIR_PRODUCE, s, 4, &o), 0);
    assert_true(has(&o, "compression.codec=gzip"));
    assert_true(has(&o, "linger.ms=10"));
    assert_int_equal(o.n, 2);
    assert_string_equal(o.skipped, "buffer.memory");
    /* the consumer gets no producer setting, and the harness's own are not passed */
    const char *c[] = {"linger.ms=10",       "fetch.max.wait.ms=500",    "max.poll.records=10",
                       "fetch.max.bytes=1024", "auto.offset.reset=earliest", "enable.auto.commit=false"};
    assert_int_equal(kw_peer_map_settings(KW_PEER_CONFLUENT, KW_DIR_CONSUME, c, 6, &o), 0);
    assert_false(has_prefix(&o, "linger.ms"));
    assert_true(has(&o, "fetch.wait.max.ms=500"));
    assert_true(has(&o, "fetch.max.bytes=1024"));
    assert_true(has(&o, "message.max.bytes=1024")); /* librdkafka's own rule */
    assert_non_null(strstr(o.adjusted, "message.max.bytes=1024"));
    assert_string_equal(o.skipped, "max.poll.records");
    assert_non_null(strstr(kw_peer_skip_reason(KW_PEER_KCAT, o.skipped), "no such setting"));
    assert_false(has_prefix(&o, "auto.offset.reset") || has_prefix(&o, "enable.auto.commit"));
}

static void test_map_python_java_kwire(void **st)
{
    (void)st;
    const char *s[] = {"linger.ms=5", "batch.size=1000000", "acks=1", "max.block.ms=100"};
    kw_peer_settings o;
    assert_int_equal(kw_peer_map_settings(KW_PEER_KPY_DEB, KW_DIR_PRODUCE, s, 4, &o), 0);
    assert_true(has(&o, "linger_ms=5") && has(&o, "batch_size=1000000") && has(&o, "acks=1"));
    assert_string_equal(o.skipped, "max.block.ms");
    assert_int_equal(kw_peer_map_settings(KW_PEER_JAVA, KW_DIR_PRODUCE, s, 4, &o), 0);
    assert_int_equal(o.n, 4); /* the reference: every name as it is */
    assert_true(has(&o, "max.block.ms=100"));
    assert_string_equal(o.skipped, "");
    assert_int_equal(kw_peer_map_settings(KW_PEER_KWIRE, KW_DIR_PRODUCE, s, 4, &o), 0);
    assert_int_equal(o.n, 4);
    assert_int_equal(kw_peer_map_settings(KW_PEER_JAVA, KW_DIR_CONSUME, s, 4, &o), 0);
    assert_int_equal(o.n, 0);
    assert_non_null(strstr(o.adjusted, "receive.buffer.bytes=2097152")); /* the tool's own default, named */
    const char *bad[] = {"novalue"};
    assert_int_equal(kw_peer_map_settings(KW_PEER_KWIRE, KW_DIR_PRODUCE, bad, 1, &o), -1);
    const char *empty[] = {"=1"};
    assert_int_equal(kw_peer_map_settings(KW_PEER_KWIRE, KW_DIR_PRODUCE, empty, 1, &o), -1);
}

static void test_map_franz(void **st)
{
    (void)st;
    kw_peer_settings o;
    const char *a[] = {"linger.ms=5", "batch.size=65536", "compression.type=snappy"};
    assert_int_equal(kw_peer_map_settings(KW_PEER_FRANZ, KW_DIR_PRODUCE, a, 3, &o), 0);
    assert_true(has(&o, "ProducerLinger=5") && has(&o, "ProducerBatchMaxBytes=65536") &&
                has(&o, "ProducerBatchCompression=snappy"));
    assert_false(has_prefix(&o, "DisableIdempotentWrite"));
    /* acks=1: franz-go writes idempotently only with acks=all, so that is turned off, and said */
    const char *b[] = {"acks=1"};
    assert_int_equal(kw_peer_map_settings(KW_PEER_FRANZ, KW_DIR_PRODUCE, b, 1, &o), 0);
    assert_true(has(&o, "RequiredAcks=1") && has(&o, "DisableIdempotentWrite=true"));
    assert_non_null(strstr(o.adjusted, "DisableIdempotentWrite"));
    /* asked for: renamed, nothing to explain */
    const char *c[] = {"enable.idempotence=false"};
    assert_int_equal(kw_peer_map_settings(KW_PEER_FRANZ, KW_DIR_PRODUCE, c, 1, &o), 0);
    assert_true(has(&o, "DisableIdempotentWrite=true"));
    assert_string_equal(o.adjusted, "");
    assert_string_equal(o.skipped, "");
    const char *d[] = {"max.poll.records=100", "max.poll.interval.ms=500", "fetch.min.bytes=1024"};
    assert_int_equal(kw_peer_map_settings(KW_PEER_FRANZ, KW_DIR_CONSUME, d, 3, &o), 0);
    assert_true(has(&o, "MaxPollRecords=100") && has(&o, "FetchMinBytes=1024"));
    assert_string_equal(o.skipped, "max.poll.interval.ms");
    assert_non_null(strstr(kw_peer_skip_reason(KW_PEER_FRANZ, o.skipped), "without a group"));
}

static const kw_peer_paths paths = {.kwire = "/x/bin/kwire",
                                    .kafka_sh = "/x/scripts/kafka.sh",
                                    .kafka_version = "4.4.0",
                                    .franz = "/c/kwire-franz",
                                    .venv_python = "/c/venv/bin/python",
                                    .sys_python = "/usr/bin/python3",
                                    .perf_py = "/x/bench/peers/python/perf.py"};

static int argv_has(const kw_peer_argv *a, const char *s)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->v[i], s)) return 1;
    return 0;
}

/* the argument right after s */
static const char *after(const kw_peer_argv *a, const char *s)
{
    for (int i = 0; i + 1 < a->n; i++)
        if (!strcmp(a->v[i], s)) return a->v[i + 1];
    return NULL;
}

static void test_argv(void **st)
{
    (void)st;
    kw_peer_settings set;
    const char *s[] = {"linger.ms=5"};
    kw_peer_map_settings(KW_PEER_KWIRE, KW_DIR_PRODUCE, s, 1, &set);
    kw_peer_job j = {.dir = KW_DIR_PRODUCE, .bootstrap = "h:1", .topic = "t", .group = "g", .records = 1234,
                     .lines_file = "/d/lines.txt", .payload_file = "/d/payload.txt", .set = &set};
    kw_peer_argv a;
    char why[128];
    assert_int_equal(kw_peer_argv_build(KW_PEER_KWIRE, &j, &paths, &a, why, sizeof why), 0);
    assert_string_equal(a.v[0], "/x/bin/kwire");
    assert_null(a.v[a.n]);
    assert_string_equal(after(&a, "-X"), "linger.ms=5");
    assert_string_equal(after(&a, "bench"), "produce");
    assert_string_equal(after(&a, "-n"), "1234");
    assert_string_equal(after(&a, "--payload"), "lab");
    assert_true(argv_has(&a, "--json"));
    assert_int_equal(kw_peer_argv_build(KW_PEER_KWIRE_CLI, &j, &paths, &a, why, sizeof why), 0);
    assert_string_equal(after(&a, "-l"), "/d/lines.txt");
    assert_string_equal(after(&a, "-b"), "h:1");

    kw_peer_map_settings(KW_PEER_JAVA, KW_DIR_PRODUCE, s, 1, &set);
    assert_int_equal(kw_peer_argv_build(KW_PEER_JAVA, &j, &paths, &a, why, sizeof why), 0);
    assert_string_equal(a.v[0], "/x/scripts/kafka.sh");
    assert_string_equal(after(&a, "tool"), "4.4.0");
    assert_true(argv_has(&a, "producer-perf-test"));
    assert_string_equal(after(&a, "--payload-file"), "/d/payload.txt");
    assert_string_equal(after(&a, "--num-records"), "1234");
    assert_string_equal(after(&a, "--throughput"), "-1");
    assert_string_equal(after(&a, "--producer-props"), "bootstrap.servers=h:1");
    assert_string_equal(after(&a, "bootstrap.servers=h:1"), "linger.ms=5");

    kw_peer_job jc = j;
    jc.dir = KW_DIR_CONSUME;
    const char *cs[] = {"fetch.min.bytes=1024"};
    kw_peer_map_settings(KW_PEER_JAVA, KW_DIR_CONSUME, cs, 1, &set);
    jc.set = &set;
    assert_int_equal(kw_peer_argv_build(KW_PEER_JAVA, &jc, &paths, &a, why, sizeof why), 0);
    assert_true(argv_has(&a, "consumer-perf-test"));
    assert_string_equal(after(&a, "--command-property"), "fetch.min.bytes=1024");
    assert_string_equal(after(&a, "--group"), "g");
    assert_string_equal(after(&a, "--bootstrap-server"), "h:1");

    kw_peer_map_settings(KW_PEER_KCAT, KW_DIR_CONSUME, cs, 1, &set);
    assert_int_equal(kw_peer_argv_build(KW_PEER_KCAT, &jc, &paths, &a, why, sizeof why), 0);
    assert_string_equal(a.v[0], "kcat");
    assert_true(argv_has(&a, "-C") && argv_has(&a, "-e"));
    assert_string_equal(after(&a, "-o"), "beginning");
    assert_string_equal(after(&a, "-X"), "fetch.min.bytes=1024");

    kw_peer_map_settings(KW_PEER_KPY_DEB, KW_DIR_PRODUCE, s, 1, &set);
    assert_int_equal(kw_peer_argv_build(KW_PEER_KPY_DEB, &j, &paths, &a, why, sizeof why), 0);
    assert_string_equal(a.v[0], "/usr/bin/python3");
    assert_string_equal(a.v[1], "/x/bench/peers/python/perf.py");
    assert_string_equal(a.v[2], "kafka-python");
    assert_string_equal(a.v[3], "produce");
    assert_string_equal(a.v[6], "1234");
    assert_string_equal(a.v[7], "/d/payload.txt");
    assert_string_equal(a.v[8], "linger_ms=5");
    assert_int_equal(kw_peer_argv_build(KW_PEER_CONFLUENT, &j, &paths, &a, why, sizeof why), 0);
    assert_string_equal(a.v[0], "/c/venv/bin/python");
    assert_string_equal(a.v[2], "confluent");

    kw_peer_map_settings(KW_PEER_FRANZ, KW_DIR_PRODUCE, s, 1, &set);
    assert_int_equal(kw_peer_argv_build(KW_PEER_FRANZ, &j, &paths, &a, why, sizeof why), 0);
    assert_string_equal(a.v[0], "/c/kwire-franz");
    assert_string_equal(a.v[1], "produce");
    assert_string_equal(after(&a, "-payload"), "/d/payload.txt");
    assert_true(argv_has(&a, "ProducerLinger=5"));

    /* a program that is not there: no command line, the reason */
    kw_peer_paths none = paths;
    none.franz = NULL;
    assert_int_equal(kw_peer_argv_build(KW_PEER_FRANZ, &j, &none, &a, why, sizeof why), -1);
    assert_non_null(strstr(why, "franz-go"));
    none.venv_python = NULL;
    assert_int_equal(kw_peer_argv_build(KW_PEER_CONFLUENT, &j, &none, &a, why, sizeof why), -1);
    assert_non_null(strstr(why, "venv"));
}

static void test_parse_java(void **st)
{
    (void)st;
    kw_peer_out o;
    const char *prod = "14325 records sent, 2836.1 records/sec (0.25 MB/sec), 517.9 ms avg latency, 2874.0 ms max latency.\n"
                       "200000 records sent, 15854.141895 records/sec (1.39 MB/sec), 557.18 ms avg latency, 2874.00 ms "
                       "max latency, 551 ms 50th, 945 ms 95th, 1187 ms 99th, 1476 ms 99.9th.\n";
    assert_int_equal(kw_peer_parse(KW_PEER_JAVA, KW_DIR_PRODUCE, prod, &o), 0);
    assert_int_equal(o.records, 200000);
    assert_true(fabs(o.own_seconds - 200000 / 15854.141895) < 1e-6);
    assert_true(o.have_latency);
    assert_true(o.latency_ms[KW_LAT_P50] == 551 && o.latency_ms[KW_LAT_P95] == 945 && o.latency_ms[KW_LAT_P99] == 1187 &&
                o.latency_ms[KW_LAT_P999] == 1476 && o.latency_ms[KW_LAT_MAX] == 2874);
    assert_true(o.latency_ms[KW_LAT_P9999] < 0); /* not reported */
    assert_int_equal(kw_peer_parse(KW_PEER_JAVA, KW_DIR_PRODUCE, "14325 records sent, 2836.1 records/sec\n", &o), -1);
    const char *cons = "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
                       "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n"
                       "2026-12-03 23:26:32:546, 2026-12-03 23:26:33:450, 17.5476, 19.3971, 200000, 221079.8343, 178, 727, "
                       "24.1370, 275103.1637\n";
    assert_int_equal(kw_peer_parse(KW_PEER_JAVA, KW_DIR_CONSUME, cons, &o), 0);
    assert_int_equal(o.records, 200000);
    assert_true(fabs(o.own_seconds - 0.727) < 1e-9);
    assert_false(o.have_latency);
    assert_int_equal(kw_peer_parse(KW_PEER_JAVA, KW_DIR_CONSUME, "WARN something\n", &o), -1);
}

static void test_parse_json(void **st)
{
    (void)st;
    kw_peer_out o;
    /* kwire bench produce --json: the service-time histogram, not the perf-test's integer ms */
    const char *kw = "{\"topic\":\"t\",\"records\":200000,\"failed\":0,\"seconds\":2.382710,\"latency_p50_ms\":1101,"
                     "\"service_time_ms\":{\"count\":200000,\"mean\":1199.628,\"p50\":1100.799,\"p95\":1795.071,\"p99\":"
                     "1864.703,\"p999\":1885.183,\"p9999\":1886.207,\"max\":1886.207}}";
    assert_int_equal(kw_peer_parse(KW_PEER_KWIRE, KW_DIR_PRODUCE, kw, &o), 0);
    assert_int_equal(o.records, 200000);
    assert_int_equal(o.failed, 0);
    assert_true(fabs(o.own_seconds - 2.38271) < 1e-9);
    assert_true(o.have_latency && fabs(o.latency_ms[KW_LAT_P50] - 1100.799) < 1e-9 &&
                fabs(o.latency_ms[KW_LAT_P9999] - 1886.207) < 1e-9);
    const char *kc = "{\"topic\":\"t\",\"records\":5,\"seconds\":0.5,\"fetch_hold_ms\":{\"p50\":3}}";
    assert_int_equal(kw_peer_parse(KW_PEER_KWIRE, KW_DIR_CONSUME, kc, &o), 0);
    assert_int_equal(o.records, 5);
    assert_false(o.have_latency);
    const char *fz = "{\"records\":20000,\"failed\":0,\"seconds\":0.1,\"latency_ms\":{\"max\":88.6,\"p50\":55.1,"
                     "\"p95\":80,\"p99\":88.3,\"p999\":88.5,\"p9999\":88.5}}";
    assert_int_equal(kw_peer_parse(KW_PEER_FRANZ, KW_DIR_PRODUCE, fz, &o), 0);
    assert_true(o.records == 20000 && o.have_latency && o.latency_ms[KW_LAT_MAX] == 88.6 && o.latency_ms[KW_LAT_P50] == 55.1);
    const char *py = "{\"records\": 2000, \"failed\": 0, \"seconds\": 1.08, \"client\": \"kafka-python 3.0.12\"}\n";
    assert_int_equal(kw_peer_parse(KW_PEER_KPY, KW_DIR_PRODUCE, py, &o), 0);
    assert_int_equal(o.records, 2000);
    assert_string_equal(o.version, "kafka-python 3.0.12");
    assert_false(o.have_latency);
    assert_int_equal(kw_peer_parse(KW_PEER_CONFLUENT, KW_DIR_CONSUME, "Traceback ...\n", &o), -1);
    assert_int_equal(kw_peer_parse(KW_PEER_KWIRE, KW_DIR_PRODUCE, NULL, &o), -1);
    /* kcat and kwire-cli say nothing: the harness counts */
    assert_int_equal(kw_peer_parse(KW_PEER_KCAT, KW_DIR_CONSUME, "x\ny\n", &o), 0);
    assert_int_equal(o.records, -1);
    double v;
    assert_int_equal(kw_peer_json_num("{\"a\" : 1.5}", "a", &v), 0);
    assert_true(v == 1.5);
    assert_int_equal(kw_peer_json_num("{\"a\": \"x\"}", "a", &v), -1);
    assert_int_equal(kw_peer_json_num("{\"ab\": 1}", "a", &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),     cmocka_unit_test(test_map_librdkafka), cmocka_unit_test(test_map_python_java_kwire),
        cmocka_unit_test(test_map_franz), cmocka_unit_test(test_argv),           cmocka_unit_test(test_parse_java),
        cmocka_unit_test(test_parse_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
