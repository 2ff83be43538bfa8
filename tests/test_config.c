/* tests/test_config.c — client/config: defaults, typed parsing, messages, files, cross rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/config.h"

static kw_config *mk(int role)
{
    kw_config *c = kw_config_new(role);
    assert_non_null(c);
    return c;
}

/* Kafka 4.0's documented defaults. */
static void test_defaults(void **st)
{
    (void)st;
    kw_config *c = mk(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_int(c, KW_CONF_BATCH_SIZE), 16384);
    assert_int_equal(kw_config_int(c, KW_CONF_LINGER_MS), 5);
    assert_int_equal(kw_config_int(c, KW_CONF_BUFFER_MEMORY), 33554432);
    assert_int_equal(kw_config_int(c, KW_CONF_MAX_BLOCK_MS), 60000);
    assert_int_equal(kw_config_int(c, KW_CONF_RETRIES), 2147483647);
    assert_int_equal(kw_config_int(c, KW_CONF_DELIVERY_TIMEOUT_MS), 120000);
    assert_int_equal(kw_config_int(c, KW_CONF_REQUEST_TIMEOUT_MS), 30000);
    assert_int_equal(kw_config_int(c, KW_CONF_MAX_IN_FLIGHT), 5);
    assert_int_equal(kw_config_int(c, KW_CONF_COMPRESSION_GZIP_LEVEL), -1);
    assert_int_equal(kw_config_int(c, KW_CONF_COMPRESSION_LZ4_LEVEL), 9);
    assert_int_equal(kw_config_int(c, KW_CONF_COMPRESSION_ZSTD_LEVEL), 3);
    assert_int_equal(kw_config_int(c, KW_CONF_RECONNECT_BACKOFF_MS), 50);
    assert_int_equal(kw_config_int(c, KW_CONF_RECONNECT_BACKOFF_MAX_MS), 1000);
    assert_int_equal(kw_config_int(c, KW_CONF_CONNECTIONS_MAX_IDLE_MS), 540000);
    assert_int_equal(kw_config_int(c, KW_CONF_SEND_BUFFER_BYTES), 131072);
    assert_int_equal(kw_config_int(c, KW_CONF_RECEIVE_BUFFER_BYTES), 32768);
    assert_int_equal(kw_config_int(c, KW_CONF_DECOMPRESS_MAX_BYTES), 64 << 20);
    assert_true(kw_config_bool(c, KW_CONF_ENABLE_IDEMPOTENCE));
    assert_int_equal(kw_config_acks(c), -1);
    assert_string_equal(kw_config_str(c, KW_CONF_ACKS), "all");
    assert_string_equal(kw_config_str(c, KW_CONF_COMPRESSION_TYPE), "none");
    assert_string_equal(kw_config_str(c, KW_CONF_BOOTSTRAP_SERVERS), "");
    assert_null(kw_config_str(c, KW_CONF_GROUP_ID));
    assert_false(kw_config_is_set(c, KW_CONF_LINGER_MS));
    kw_config_free(c);

    c = mk(KW_ROLE_CONSUMER);
    assert_int_equal(kw_config_int(c, KW_CONF_RECEIVE_BUFFER_BYTES), 65536);
    assert_int_equal(kw_config_int(c, KW_CONF_FETCH_MAX_BYTES), 52428800);
    assert_int_equal(kw_config_int(c, KW_CONF_MAX_PARTITION_FETCH_BYTES), 1048576);
    assert_int_equal(kw_config_int(c, KW_CONF_FETCH_MAX_WAIT_MS), 500);
    assert_int_equal(kw_config_int(c, KW_CONF_MAX_POLL_RECORDS), 500);
    assert_string_equal(kw_config_str(c, KW_CONF_ISOLATION_LEVEL), "read_uncommitted");
    assert_string_equal(kw_config_str(c, KW_CONF_AUTO_OFFSET_RESET), "latest");
    assert_true(kw_config_bool(c, KW_CONF_CHECK_CRCS));
    kw_config_free(c);
}

/* Every default in the table parses and lies in its own range. */
static void test_every_default_valid(void **st)
{
    (void)st;
    kw_config *c = mk(KW_ROLE_ANY);
    char buf[256];
    for (int i = 0; i < KW_CONF__COUNT; i++) {
        const kw_conf_desc *d = kw_config_desc((kw_conf_id)i);
        assert_non_null(d);
        assert_int_equal(kw_config_lookup(d->name), i);
        if (!d->def) continue;
        /* re-setting the formatted default is accepted and yields the same text */
        kw_config_format(c, (kw_conf_id)i, buf, sizeof buf);
        assert_int_equal(kw_config_set(c, d->name, buf), 0);
        char again[256];
        assert_string_equal(kw_config_format(c, (kw_conf_id)i, again, sizeof again), buf);
    }
    kw_config_free(c);
}

static void test_set_types(void **st)
{
    (void)st;
    kw_config *c = mk(KW_ROLE_ANY);
    assert_int_equal(kw_config_set(c, "linger.ms", "20"), 0);
    assert_int_equal(kw_config_int(c, KW_CONF_LINGER_MS), 20);
    assert_true(kw_config_is_set(c, KW_CONF_LINGER_MS));
    assert_int_equal(kw_config_set(c, "linger.ms", "2s"), 0);
    assert_int_equal(kw_config_int(c, KW_CONF_LINGER_MS), 2000);
    assert_int_equal(kw_config_set(c, "max.block.ms", "1m"), 0);
    assert_int_equal(kw_config_int(c, KW_CONF_MAX_BLOCK_MS), 60000);
    assert_int_equal(kw_config_set(c, "buffer.memory", "8589934592"), 0);
    assert_true(kw_config_int(c, KW_CONF_BUFFER_MEMORY) == 8589934592LL);
    assert_int_equal(kw_config_set(c, "enable.idempotence", "false"), 0);
    assert_false(kw_config_bool(c, KW_CONF_ENABLE_IDEMPOTENCE));
    assert_int_equal(kw_config_set(c, "check.crcs", "0"), 0);
    assert_false(kw_config_bool(c, KW_CONF_CHECK_CRCS));
    assert_int_equal(kw_config_set(c, "acks", "1"), 0);
    assert_int_equal(kw_config_acks(c), 1);
    assert_int_equal(kw_config_set(c, "acks", "0"), 0);
    assert_int_equal(kw_config_acks(c), 0);
    assert_int_equal(kw_config_set(c, "acks", "-1"), 0);
    assert_int_equal(kw_config_acks(c), -1);
    assert_int_equal(kw_config_set(c, "compression.type", "ZSTD"), 0);
    assert_string_equal(kw_config_str(c, KW_CONF_COMPRESSION_TYPE), "zstd");
    assert_int_equal(kw_config_enum(c, KW_CONF_COMPRESSION_TYPE), 4);
    assert_int_equal(kw_config_set(c, "group.id", "g1"), 0);
    assert_string_equal(kw_config_str(c, KW_CONF_GROUP_ID), "g1");
    assert_int_equal(kw_config_set(c, "bootstrap.servers", "a:9092, b:9093,[::1]:9094"), 0);
    assert_int_equal(kw_config_set(c, "compression.zstd.level", "-131072"), 0);
    assert_int_equal(kw_config_set(c, "send.buffer.bytes", "-1"), 0);
    assert_int_equal(kw_config_int(c, KW_CONF_SEND_BUFFER_BYTES), -1);
    /* aliases */
    assert_int_equal(kw_config_set(c, "socket.send.buffer.bytes", "4096"), 0);
    assert_int_equal(kw_config_int(c, KW_CONF_SEND_BUFFER_BYTES), 4096);
    assert_int_equal(kw_config_set(c, "partitioner.class", "org.apache.kafka.clients.producer.RoundRobinPartitioner"), 0);
    assert_string_equal(kw_config_str(c, KW_CONF_PARTITIONER), "round_robin");
    assert_int_equal(kw_config_set(c, "partitioner", "murmur2"), 0);
    assert_string_equal(kw_config_str(c, KW_CONF_PARTITIONER), "murmur2");
    kw_config_free(c);
}

static void expect_err(kw_config *c, const char *name, const char *value, const char *msg)
{
    assert_int_equal(kw_config_set(c, name, value), KW_ERR_CONFIG);
    if (!strstr(kw_config_error(c), msg)) fail_msg("error '%s' lacks '%s'", kw_config_error(c), msg);
}

static void test_errors_name_setting_and_range(void **st)
{
    (void)st;
    kw_config *c = mk(KW_ROLE_ANY);
    expect_err(c, "linger.ms", "abc", "linger.ms: 'abc' is not an integer (accepts 0..2147483647)");
    expect_err(c, "batch.size", "abc", "batch.size: 'abc' is not an integer (accepts 0..2147483647)");
    expect_err(c, "batch.size", "-5", "batch.size: -5 is out of range (accepts 0..2147483647)");
    expect_err(c, "batch.size", "2147483648", "out of range");
    expect_err(c, "batch.size", "12x", "is not an integer");
    expect_err(c, "batch.size", "", "is not an integer");
    expect_err(c, "buffer.memory", "99999999999999999999", "out of range");
    expect_err(c, "linger.ms", "9999999999999999999h", "out of range");
    expect_err(c, "linger.ms", "5 days", "is not an integer");
    expect_err(c, "linger.ms", "5x", "durations are in ms, or end in ms, s, m or h");
    expect_err(c, "max.in.flight.requests.per.connection", "0", "accepts 1..");
    expect_err(c, "acks", "2", "acks: '2' is not one of all, -1, 0, 1");
    expect_err(c, "compression.type", "brotli", "none, gzip, snappy, lz4, zstd");
    expect_err(c, "compression.gzip.level", "0", "accepts 1..9 or -1");
    expect_err(c, "compression.gzip.level", "10", "accepts 1..9 or -1");
    expect_err(c, "compression.lz4.level", "18", "accepts 1..17");
    expect_err(c, "compression.zstd.level", "23", "accepts -131072..22");
    expect_err(c, "enable.idempotence", "maybe", "is not a boolean (accepts true, false)");
    expect_err(c, "isolation.level", "read_dirty", "read_uncommitted, read_committed");
    expect_err(c, "bootstrap.servers", "localhost", "'localhost' is not host:port");
    expect_err(c, "bootstrap.servers", "a:1,b:99999", "'b:99999' is not host:port");
    expect_err(c, "bootstrap.servers", "a:", "is not host:port");
    /* a failed set leaves the old value */
    assert_int_equal(kw_config_int(c, KW_CONF_BATCH_SIZE), 16384);
    assert_false(kw_config_is_set(c, KW_CONF_BATCH_SIZE));
    kw_config_free(c);
}

static void test_unknown_suggests(void **st)
{
    (void)st;
    kw_config *c = mk(KW_ROLE_ANY);
    expect_err(c, "linger.msec", "1", "linger.msec: unknown setting (did you mean linger.ms?)");
    expect_err(c, "bootstrap.server", "a:1", "did you mean bootstrap.servers?");
    expect_err(c, "compresion.type", "gzip", "did you mean compression.type?");
    expect_err(c, "qqqqqqqqqqqq", "1", "qqqqqqqqqqqq: unknown setting");
    assert_null(strstr(kw_config_error(c), "did you mean"));
    assert_null(kw_config_suggest("zzzzzzzzzzzzzzzzzzzzzz"));
    kw_config_free(c);
}

static void test_kv_and_text(void **st)
{
    (void)st;
    kw_config *c = mk(KW_ROLE_ANY);
    assert_int_equal(kw_config_set_kv(c, " linger.ms = 7 "), 0);
    assert_int_equal(kw_config_int(c, KW_CONF_LINGER_MS), 7);
    assert_int_equal(kw_config_set_kv(c, "client.id=a=b"), 0);
    assert_string_equal(kw_config_str(c, KW_CONF_CLIENT_ID), "a=b");
    assert_int_equal(kw_config_set_kv(c, "client.id="), 0);
    assert_string_equal(kw_config_str(c, KW_CONF_CLIENT_ID), "");
    /* the request header's int16 length bounds client.id */
    char *big = malloc(32769);
    assert_non_null(big);
    memset(big, 'x', 32768);
    big[32768] = 0;
    assert_int_equal(kw_config_set(c, "client.id", big), KW_ERR_CONFIG);
    assert_non_null(strstr(kw_config_error(c), "32767"));
    big[32767] = 0;
    assert_int_equal(kw_config_set(c, "client.id", big), 0);
    free(big);
    assert_int_equal(kw_config_set_kv(c, "novalue"), KW_ERR_CONFIG);
    assert_int_equal(kw_config_set_kv(c, "=3"), KW_ERR_CONFIG);

    const char *text = "# producer settings\n"
                       "\n"
                       "acks=1\r\n"
                       "  batch.size = 1000\n"
                       "! another comment\n"
                       "compression.type: lz4\n";
    assert_int_equal(kw_config_load_text(c, text, strlen(text), "p.properties"), 0);
    assert_int_equal(kw_config_acks(c), 1);
    assert_int_equal(kw_config_int(c, KW_CONF_BATCH_SIZE), 1000);
    assert_string_equal(kw_config_str(c, KW_CONF_COMPRESSION_TYPE), "lz4");

    const char *bad = "acks=1\n\nbatch.size=big\n";
    assert_int_equal(kw_config_load_text(c, bad, strlen(bad), "p.properties"), KW_ERR_CONFIG);
    assert_string_equal(kw_config_error(c), "p.properties:3: batch.size: 'big' is not an integer (accepts 0..2147483647)");
    const char nul[] = "acks=1\0x\n";
    assert_int_equal(kw_config_load_text(c, nul, sizeof nul - 1, "n"), KW_ERR_CONFIG);
    kw_config_free(c);
}

static void test_file(void **st)
{
    (void)st;
    char path[] = "/tmp/kwire-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "linger.ms=100\nretries=3\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    kw_config *c = mk(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_load_file(c, path), 0);
    assert_int_equal(kw_config_int(c, KW_CONF_LINGER_MS), 100);
    assert_int_equal(kw_config_int(c, KW_CONF_RETRIES), 3);
    unlink(path);
    assert_int_equal(kw_config_load_file(c, path), KW_ERR_CONFIG);
    assert_non_null(strstr(kw_config_error(c), "No such file"));
    kw_config_free(c);
}

static void test_idempotence_rules(void **st)
{
    (void)st;
    /* default idempotence + conflicting setting: silently off */
    kw_config *c = mk(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(c, "acks", "1"), 0);
    assert_int_equal(kw_config_validate(c), 0);
    assert_false(kw_config_bool(c, KW_CONF_ENABLE_IDEMPOTENCE));
    kw_config_free(c);

    c = mk(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(c, "max.in.flight.requests.per.connection", "6"), 0);
    assert_int_equal(kw_config_validate(c), 0);
    assert_false(kw_config_bool(c, KW_CONF_ENABLE_IDEMPOTENCE));
    kw_config_free(c);

    /* no conflict: stays on */
    c = mk(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(c, "max.in.flight.requests.per.connection", "5"), 0);
    assert_int_equal(kw_config_validate(c), 0);
    assert_true(kw_config_bool(c, KW_CONF_ENABLE_IDEMPOTENCE));
    kw_config_free(c);

    /* explicit + conflicting: error naming the rule */
    c = mk(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(c, "enable.idempotence", "true"), 0);
    assert_int_equal(kw_config_set(c, "acks", "0"), 0);
    assert_int_equal(kw_config_validate(c), KW_ERR_CONFIG);
    assert_string_equal(kw_config_error(c), "enable.idempotence: true requires acks=all (acks is 0)");
    assert_int_equal(kw_config_set(c, "acks", "all"), 0);
    assert_int_equal(kw_config_set(c, "retries", "0"), 0);
    assert_int_equal(kw_config_validate(c), KW_ERR_CONFIG);
    assert_non_null(strstr(kw_config_error(c), "retries > 0"));
    assert_int_equal(kw_config_set(c, "retries", "1"), 0);
    assert_int_equal(kw_config_set(c, "max.in.flight.requests.per.connection", "6"), 0);
    assert_int_equal(kw_config_validate(c), KW_ERR_CONFIG);
    assert_non_null(strstr(kw_config_error(c), "max.in.flight.requests.per.connection <= 5 (it is 6)"));
    kw_config_free(c);
}

static void test_delivery_timeout_rule(void **st)
{
    (void)st;
    kw_config *c = mk(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(c, "delivery.timeout.ms", "1000"), 0);
    assert_int_equal(kw_config_validate(c), KW_ERR_CONFIG);
    assert_string_equal(kw_config_error(c),
                        "delivery.timeout.ms: 1000 must be >= linger.ms + request.timeout.ms (5 + 30000 = 30005)");
    assert_int_equal(kw_config_set(c, "delivery.timeout.ms", "30005"), 0);
    assert_int_equal(kw_config_validate(c), 0);
    kw_config_free(c);
    /* not set explicitly: raised to the sum */
    c = mk(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(c, "request.timeout.ms", "200000"), 0);
    assert_int_equal(kw_config_validate(c), 0);
    assert_int_equal(kw_config_int(c, KW_CONF_DELIVERY_TIMEOUT_MS), 200005);
    kw_config_free(c);
}

static void test_consumer_rules(void **st)
{
    (void)st;
    kw_config *c = mk(KW_ROLE_CONSUMER);
    assert_int_equal(kw_config_validate(c), 0);
    assert_false(kw_config_bool(c, KW_CONF_ENABLE_AUTO_COMMIT)); /* no group: off */
    kw_config_free(c);
    c = mk(KW_ROLE_CONSUMER);
    assert_int_equal(kw_config_set(c, "enable.auto.commit", "true"), 0);
    assert_int_equal(kw_config_validate(c), KW_ERR_CONFIG);
    assert_non_null(strstr(kw_config_error(c), "requires group.id"));
    assert_int_equal(kw_config_set(c, "group.id", "g"), 0);
    assert_int_equal(kw_config_validate(c), 0);
    assert_true(kw_config_bool(c, KW_CONF_ENABLE_AUTO_COMMIT));
    assert_int_equal(kw_config_set(c, "heartbeat.interval.ms", "45000"), 0);
    assert_int_equal(kw_config_validate(c), KW_ERR_CONFIG);
    kw_config_free(c);
    c = mk(KW_ROLE_ANY);
    assert_int_equal(kw_config_set(c, "socket.connection.setup.timeout.ms", "50000"), 0);
    assert_int_equal(kw_config_validate(c), 0);
    assert_int_equal(kw_config_int(c, KW_CONF_SOCKET_SETUP_TIMEOUT_MAX_MS), 50000);
    kw_config_free(c);
}

static void test_dup_and_dump(void **st)
{
    (void)st;
    kw_config *c = mk(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(c, "client.id", "x1"), 0);
    kw_config *d = kw_config_dup(c);
    assert_non_null(d);
    assert_int_equal(kw_config_set(c, "client.id", "x2"), 0);
    assert_string_equal(kw_config_str(d, KW_CONF_CLIENT_ID), "x1");
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    kw_config_dump(d, f, KW_ROLE_PRODUCER);
    fclose(f);
    assert_non_null(strstr(mem, "client.id = x1  # "));
    assert_non_null(strstr(mem, "linger.ms = 5  # "));
    assert_null(strstr(mem, "fetch.min.bytes")); /* consumer only */
    free(mem);
    kw_config_free(c);
    kw_config_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_default_valid),
        cmocka_unit_test(test_set_types),
        cmocka_unit_test(test_errors_name_setting_and_range),
        cmocka_unit_test(test_unknown_suggests),
        cmocka_unit_test(test_kv_and_text),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_idempotence_rules),
        cmocka_unit_test(test_delivery_timeout_rule),
        cmocka_unit_test(test_consumer_rules),
        cmocka_unit_test(test_dup_and_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
