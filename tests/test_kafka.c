/*
 * tests/test_kafka.c — bench/kafka: the launcher of a real Apache Kafka, against a stand-in
 * for scripts/kafka.sh (KWIRE_KAFKA_SCRIPT) that records its arguments: start passes
 * DIR, --brokers, --version and each --set, reads the bootstrap list and the ready line;
 * a failing start reports the script's own message and leaves nothing behind; stop runs
 * `stop DIR` once and removes a directory it made; a missing script is named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/kafka.h"

static char g_dir[64], g_script[128], g_calls[128];

/* The stand-in: every call appended to calls; start writes bootstrap and the ready line
 * unless FAIL is in the settings, then says why as kafka.sh does and exits 1. */
static int setup(void **st)
{
    (void)st;
    snprintf(g_dir, sizeof g_dir, "/tmp/kwire-test-kafka-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    snprintf(g_script, sizeof g_script, "%s/kafka.sh", g_dir);
    snprintf(g_calls, sizeof g_calls, "%s/calls", g_dir);
    FILE *f = fopen(g_script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n"
               "echo \"$*\" >> %s\n"
               "case \"$1\" in\n"
               "start) case \"$*\" in *FAIL*) echo 'kafka.sh: Java not found: Kafka needs Java 17'; exit 1 ;; esac\n"
               "  echo '127.0.0.1:9999,127.0.0.1:9998' > \"$2/bootstrap\"\n"
               "  echo 'kafka 4.4.0: 1 node ready in 1.5 s (storage format included); resident memory: node 1 300 MB'\n"
               "  echo 'bootstrap: 127.0.0.1:9999' ;;\n"
               "esac\n"
               "exit 0\n",
            g_calls);
    fclose(f);
    assert_int_equal(chmod(g_script, 0755), 0);
    setenv("KWIRE_KAFKA_SCRIPT", g_script, 1);
    setenv("TMPDIR", g_dir, 1);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    assert_int_equal(system(cmd), 0);
    unsetenv("KWIRE_KAFKA_SCRIPT");
    return 0;
}

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void test_start_stop(void **st)
{
    (void)st;
    const char *sets[] = {"num.io.threads=8", "socket.send.buffer.bytes=131072"};
    kw_kafka_opts o = {.brokers = 1, .version = "4.4.0", .sets = sets, .nsets = 2};
    kw_kafka k;
    char err[256] = "";
    assert_int_equal(kw_kafka_start(&o, &k, err, sizeof err), 0);
    assert_string_equal(k.bootstrap, "127.0.0.1:9999,127.0.0.1:9998");
    assert_non_null(strstr(k.ready_line, "1 node ready in 1.5 s"));
    assert_true(k.own_dir && k.running);
    assert_memory_equal(k.dir, g_dir, strlen(g_dir)); /* under $TMPDIR */
    char want[PATH_MAX + 160];
    snprintf(want, sizeof want, "start %s --brokers 1 --version 4.4.0 --set num.io.threads=8 --set "
                                "socket.send.buffer.bytes=131072\n", k.dir);
    assert_string_equal(slurp(g_calls), want);
    struct stat sb;
    assert_int_equal(stat(k.dir, &sb), 0);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", k.dir);
    assert_int_equal(kw_kafka_stop(&k), 0);
    assert_false(k.running);
    assert_int_equal(stat(dir, &sb), -1); /* made here: removed */
    char *calls = slurp(g_calls);
    snprintf(want, sizeof want, "stop %s\n", dir);
    assert_non_null(strstr(calls, want));
    assert_int_equal(kw_kafka_stop(&k), 0); /* a second stop does nothing */
    calls = slurp(g_calls);
    int stops = 0;
    for (const char *q = calls; (q = strstr(q, "stop ")); q++) stops++;
    assert_int_equal(stops, 1);
}

static void test_start_in_given_dir(void **st)
{
    (void)st;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/nodes", g_dir);
    kw_kafka_opts o = {.brokers = 3, .dir = dir};
    kw_kafka k;
    char err[256] = "";
    assert_int_equal(kw_kafka_start(&o, &k, err, sizeof err), 0);
    assert_false(k.own_dir);
    assert_non_null(strstr(slurp(g_calls), "--brokers 3"));
    assert_null(strstr(slurp(g_calls), "--version"));
    assert_int_equal(kw_kafka_stop(&k), 0);
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0); /* the caller's: kept */
}

static void test_start_fails(void **st)
{
    (void)st;
    const char *sets[] = {"FAIL=1"};
    kw_kafka_opts o = {.sets = sets, .nsets = 1};
    kw_kafka k;
    char err[256] = "";
    assert_int_equal(kw_kafka_start(&o, &k, err, sizeof err), -1);
    assert_string_equal(err, "kafka.sh: Java not found: Kafka needs Java 17");
    assert_false(k.running);
    struct stat sb;
    assert_int_equal(stat(k.dir, &sb), -1); /* nothing left behind */
    assert_non_null(strstr(slurp(g_calls), "stop "));

    setenv("KWIRE_KAFKA_SCRIPT", "/nonexistent/kafka.sh", 1);
    assert_int_equal(kw_kafka_start(&o, &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "KWIRE_KAFKA_SCRIPT"));
    char path[64];
    assert_int_equal(kw_kafka_script(path, sizeof path), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_in_given_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_fails, setup, teardown),
    };
    return cmocka_run_group_tests_name("kafka", tests, NULL, NULL);
}
