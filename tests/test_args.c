/* tests/test_args.c — client/args: getopt-style normalization of the kwire command's
 * arguments (attached values, bundled flags, --name=value, values never split). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "client/cli/args.h"

static const kw_argspec consume = {"t:p:o:c:f:g:eJh", "commit,stats,watch=,help"};

/* Normalize the words of in (NULL-terminated) and compare with want (joined by '|'). */
static void check(const char *const *in, const char *want)
{
    char *argv[32];
    int argc = 0;
    for (; in[argc]; argc++) argv[argc] = (char *)in[argc];
    kw_args a;
    char err[128] = "";
    assert_int_equal(kw_args_normalize(&consume, argc, argv, 1, &a, err, sizeof err), 0);
    char got[512] = "";
    for (int i = 0; i < a.argc; i++) {
        if (i) strcat(got, "|");
        strcat(got, a.argv[i]);
    }
    assert_null(a.argv[a.argc]);
    assert_string_equal(got, want);
    kw_args_free(&a);
}

static void test_attached_values(void **st)
{
    (void)st;
    check((const char *[]){"consume", "-tT", "-p2", "-o-1", NULL}, "consume|-t|T|-p|2|-o|-1");
    check((const char *[]){"consume", "-o", "-1", "-t", "T", NULL}, "consume|-o|-1|-t|T");
    check((const char *[]){"consume", "-os@1700000000000", NULL}, "consume|-o|s@1700000000000");
    check((const char *[]){"consume", "-f%s\\n", NULL}, "consume|-f|%s\\n");
}

static void test_bundled_flags(void **st)
{
    (void)st;
    check((const char *[]){"consume", "-eJ", NULL}, "consume|-e|-J");
    check((const char *[]){"consume", "-ec5", NULL}, "consume|-e|-c|5");
    check((const char *[]){"consume", "-ec", "5", NULL}, "consume|-e|-c|5");
}

static void test_long_values(void **st)
{
    (void)st;
    check((const char *[]){"consume", "--watch=5", "--commit", NULL}, "consume|--watch|5|--commit");
    check((const char *[]){"consume", "--watch", "-5", NULL}, "consume|--watch|-5");
    check((const char *[]){"consume", "--watch=", NULL}, "consume|--watch|");
    check((const char *[]){"consume", "--watch=a=b", NULL}, "consume|--watch|a=b");
}

static void test_unknown_words_kept(void **st)
{
    (void)st;
    /* the command names them in its own message */
    check((const char *[]){"consume", "-Z", "--nosuch=1", "--nosuch", "file", "-", NULL},
          "consume|-Z|--nosuch=1|--nosuch|file|-");
    /* after -- nothing is an option */
    check((const char *[]){"consume", "--", "-tT", NULL}, "consume|--|-tT");
}

static void test_errors(void **st)
{
    (void)st;
    kw_args a;
    char err[128];
    char *v1[] = {"consume", "--commit=yes"};
    assert_int_equal(kw_args_normalize(&consume, 2, v1, 1, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "--commit takes no value"));
    char *v2[] = {"consume", "-eZ"};
    assert_int_equal(kw_args_normalize(&consume, 2, v2, 1, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown option -Z in '-eZ'"));
}

static void test_first_words_untouched(void **st)
{
    (void)st;
    kw_args a;
    char err[64];
    char *v[] = {"-tX", "-tY"};
    assert_int_equal(kw_args_normalize(&consume, 2, v, 1, &a, err, sizeof err), 0);
    assert_int_equal(a.argc, 3);
    assert_string_equal(a.argv[0], "-tX");
    assert_string_equal(a.argv[1], "-t");
    assert_string_equal(a.argv[2], "Y");
    kw_args_free(&a);
}

/* The longest bundle: every piece fits the store. */
static void test_long_bundle(void **st)
{
    (void)st;
    const kw_argspec flags = {"abcdefghijklmnopqrstuvwxyz", NULL};
    char word[] = "-abcdefghijklmnopqrstuvwxyz";
    char *v[] = {"x", word};
    kw_args a;
    char err[64];
    assert_int_equal(kw_args_normalize(&flags, 2, v, 1, &a, err, sizeof err), 0);
    assert_int_equal(a.argc, 27);
    assert_string_equal(a.argv[26], "-z");
    kw_args_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attached_values),   cmocka_unit_test(test_bundled_flags),
        cmocka_unit_test(test_long_values),       cmocka_unit_test(test_unknown_words_kept),
        cmocka_unit_test(test_errors),            cmocka_unit_test(test_first_words_untouched),
        cmocka_unit_test(test_long_bundle),
    };
    return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
