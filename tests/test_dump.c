/* tests/test_dump.c — client/conn/dump.c, --dump as the net's frame tap: one tap per net
 * (a second kw_net_set_dump or frame tap refused), the tap's done hook run once at
 * kw_net_free, the JSON document closed there even with no frame, text mode writing nothing
 * without a frame. Frames printed end to end: tests/integ_dump.sh (against tshark and
 * kwire decode of the same exchange). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn/net.h"
#include "proto/proto.h"

static int g_done;
static void count_done(void *ud) { (void)ud; g_done++; }
static void no_frame(void *ud, const char *peer, int dir, int16_t api, int16_t v, const uint8_t *p, size_t len)
{
    (void)ud; (void)peer; (void)dir; (void)api; (void)v; (void)p; (void)len;
}

/* What f holds, from the start (at most cap - 1 bytes). */
static size_t slurp(FILE *f, char *buf, size_t cap)
{
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
    return n;
}

static void test_one_tap_per_net(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    assert_non_null(n);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(kw_net_set_dump(n, f, 0), 0);
    assert_int_equal(kw_net_set_dump(n, f, 0), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_net_set_frame_tap(n, no_frame, count_done, NULL), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_net_set_dump(NULL, f, 0), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_net_set_dump(n, NULL, 0), KW_ERR_INVALID_ARG);
    kw_net_free(n);
    char buf[256];
    assert_int_equal(slurp(f, buf, sizeof buf), 0); /* text, no frame: nothing */
    fclose(f);
}

static void test_done_once_at_free(void **st)
{
    (void)st;
    g_done = 0;
    kw_net *n = kw_net_new(NULL);
    assert_non_null(n);
    assert_int_equal(kw_net_set_frame_tap(n, no_frame, count_done, NULL), 0);
    assert_int_equal(g_done, 0);
    kw_net_free(n);
    assert_int_equal(g_done, 1);
}

static void test_json_closed_at_free(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    assert_non_null(n);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(kw_net_set_dump(n, f, KW_NET_DUMP_JSON), 0);
    kw_net_free(n);
    char buf[256];
    size_t len = slurp(f, buf, sizeof buf);
    assert_true(len > 0);
    /* one JSON object, closed */
    assert_int_equal(buf[0], '{');
    size_t end = len;
    while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == ' ')) end--;
    assert_true(end > 0);
    assert_int_equal(buf[end - 1], '}');
    assert_non_null(strstr(buf, "\"frames\""));
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_tap_per_net),
        cmocka_unit_test(test_done_once_at_free),
        cmocka_unit_test(test_json_closed_at_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
