/* tests/test_mock.c — bench/mock: the embedded broker's launcher, against stand-in
 * kwire-broker scripts beside a stand-in executable: its arguments, the bootstrap line,
 * the reason when it does not start, stopped by PID and reaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/mock.h"

static char dir[64], exe[96];

static void stand_in(const char *body)
{
    char p[128];
    snprintf(p, sizeof p, "%s/kwire-broker", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    assert_int_equal(chmod(p, 0755), 0);
}

static int setup(void **st)
{
    (void)st;
    strcpy(dir, "/tmp/kwire-test-mock.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(exe, sizeof exe, "%s/kwire", dir);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_starts_and_stops(void **st)
{
    (void)st;
    /* prints its arguments as the bootstrap line, then runs until stopped */
    stand_in("echo \"127.0.0.1:1 $*\"; exec sleep 60");
    const char *topics[] = {"a:3", "b:1:1"};
    kw_mock_opts o = {.exe = exe, .brokers = 2, .topics = topics, .ntopics = 2};
    kw_mock m;
    char why[256];
    assert_int_equal(kw_mock_start(&o, &m, why, sizeof why), 0);
    assert_string_equal(m.bootstrap, "127.0.0.1:1 --brokers 2 --topic a:3 --topic b:1:1");
    assert_non_null(strstr(m.path, "/kwire-broker"));
    assert_true(m.pid > 0);
    pid_t pid = m.pid;
    assert_int_equal(kill(pid, 0), 0);
    kw_mock_stop(&m);
    assert_int_equal(m.pid, 0);
    assert_int_equal(kill(pid, 0), -1); /* gone and reaped */
    kw_mock_stop(&m);                   /* twice: nothing */
}

static void test_reason_when_it_fails(void **st)
{
    (void)st;
    stand_in("echo 'kwire-broker: bad --topic x' >&2; exit 2");
    kw_mock_opts o = {.exe = exe};
    kw_mock m;
    char why[256];
    assert_int_equal(kw_mock_start(&o, &m, why, sizeof why), -1);
    assert_string_equal(why, "it printed no bootstrap line: kwire-broker: bad --topic x");
    assert_int_equal(m.pid, 0);
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* no child left behind */
    assert_int_equal(errno, ECHILD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starts_and_stops),
        cmocka_unit_test(test_reason_when_it_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
