/* tests/test_proc.c — bench/proc: children run with redirected stdio, their exit status,
 * time limit, CPU and peak RSS; the file helpers the harness reads their output with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/proc.h"

static char dir[64];

static int setup(void **st)
{
    (void)st;
    strcpy(dir, "/tmp/kwire-test-proc.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

static void write_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_status_and_stdout(void **st)
{
    (void)st;
    char out[128];
    path(out, sizeof out, "out");
    char *argv[] = {"sh", "-c", "echo one; echo two; printf three; exit 3", NULL};
    kw_proc_opts o = {.out_path = out, .timeout_s = 30};
    kw_proc_result r;
    assert_int_equal(kw_proc_run(argv, &o, &r), 0);
    assert_int_equal(r.status, 3);
    assert_int_equal(r.timed_out, 0);
    assert_true(r.seconds > 0);
    assert_true(r.rss_mb > 0);
    assert_int_equal(kw_file_lines(out), 2);
    char last[64];
    kw_file_last_line(out, last, sizeof last);
    assert_string_equal(last, "three");
    char *all = kw_file_read(out, 1024);
    assert_string_equal(all, "one\ntwo\nthree");
    free(all);
    all = kw_file_read(out, 5); /* the tail when longer */
    assert_string_equal(all, "three");
    free(all);
}

static void test_stdin_stderr_env(void **st)
{
    (void)st;
    char in[128], out[128], err[128];
    path(in, sizeof in, "in");
    path(out, sizeof out, "out2");
    path(err, sizeof err, "err2");
    write_file(in, "a\nb\nc\n");
    const char *env[] = {"KW_TEST_PROC=set-in-child", NULL};
    char *argv[] = {"sh", "-c", "wc -l; echo \"$KW_TEST_PROC\" >&2; echo oops >&2", NULL};
    kw_proc_opts o = {.in_path = in, .out_path = out, .err_path = err, .timeout_s = 30, .env = env};
    kw_proc_result r;
    assert_int_equal(kw_proc_run(argv, &o, &r), 0);
    assert_int_equal(r.status, 0);
    char line[64];
    kw_file_last_line(out, line, sizeof line);
    assert_int_equal(atoi(line), 3);
    kw_file_last_line(err, line, sizeof line);
    assert_string_equal(line, "oops");
    assert_true(kw_file_find(err, "set-in", line, sizeof line));
    assert_string_equal(line, "set-in-child");
    assert_false(kw_file_find(err, "absent", NULL, 0));
    assert_null(getenv("KW_TEST_PROC")); /* only the child's */
}

static void test_not_found(void **st)
{
    (void)st;
    char err[128];
    path(err, sizeof err, "err3");
    char *argv[] = {"/nonexistent/kwire-no-such-program", NULL};
    kw_proc_opts o = {.err_path = err, .timeout_s = 30};
    kw_proc_result r;
    assert_int_equal(kw_proc_run(argv, &o, &r), 0);
    assert_int_equal(r.status, KW_PROC_NOT_FOUND);
    assert_true(kw_file_find(err, "cannot run /nonexistent/kwire-no-such-program", NULL, 0));
}

static void test_timeout_kills(void **st)
{
    (void)st;
    char *argv[] = {"sleep", "30", NULL};
    kw_proc_opts o = {.timeout_s = 0.3};
    kw_proc_result r;
    assert_int_equal(kw_proc_run(argv, &o, &r), 0);
    assert_int_equal(r.timed_out, 1);
    assert_int_equal(r.status, 128 + SIGKILL);
}

static void test_cpu_and_peak_rss(void **st)
{
    (void)st;
    /* dd reads 48 MiB of zeros into one buffer: its peak RSS holds the whole buffer */
    char *argv[] = {"dd", "if=/dev/zero", "of=/dev/null", "bs=48M", "count=1", NULL};
    kw_proc_opts o = {.timeout_s = 60};
    kw_proc_result r;
    assert_int_equal(kw_proc_run(argv, &o, &r), 0);
    assert_int_equal(r.status, 0);
    assert_true(r.rss_mb >= 48);
    assert_true(r.rss_mb < 200);
    /* a busy shell loop shows up as CPU */
    char *busy[] = {"sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done", NULL};
    assert_int_equal(kw_proc_run(busy, &o, &r), 0);
    assert_int_equal(r.status, 0);
    assert_true(r.cpu_s > 0);
    assert_true(r.cpu_s <= r.user_s + r.sys_s + 1e-9 && r.cpu_s >= r.user_s);
}

static void test_which(void **st)
{
    (void)st;
    char p[4096];
    assert_int_equal(kw_proc_which("sh", p, sizeof p), 0);
    assert_non_null(strstr(p, "/sh"));
    assert_int_equal(access(p, X_OK), 0);
    assert_int_equal(kw_proc_which("kwire-no-such-program-anywhere", p, sizeof p), -1);
    assert_int_equal(kw_proc_which("/nonexistent/sh", p, sizeof p), -1);
    assert_int_equal(kw_proc_which("/bin/sh", p, sizeof p), 0);
    assert_string_equal(p, "/bin/sh");
}

static void test_files_missing(void **st)
{
    (void)st;
    char line[16] = "x";
    assert_int_equal(kw_file_lines("/nonexistent/file"), -1);
    kw_file_last_line("/nonexistent/file", line, sizeof line);
    assert_string_equal(line, "");
    assert_null(kw_file_read("/nonexistent/file", 100));
    assert_false(kw_file_find("/nonexistent/file", "x", NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_stdout), cmocka_unit_test(test_stdin_stderr_env),
        cmocka_unit_test(test_not_found),         cmocka_unit_test(test_timeout_kills),
        cmocka_unit_test(test_cpu_and_peak_rss),  cmocka_unit_test(test_which),
        cmocka_unit_test(test_files_missing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
