/* tests/test_lag.c — client/lag: snapshot builder, lag rows and sums, lag in seconds
 * (the age of the record at the committed offset; 0 without lag; unknown without its
 * timestamp, and then the group's oldest too), owners and group type and members, the
 * table (LAG-SECONDS, CONSUMER-ID HOST CLIENT-ID when owners are known, a clamped lag
 * marked "0*" with its footnote), JSON (past_end for a clamped row), watch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "client/admin/lag.h"

/*
 * test-group: test-topic 0 committed 10 / HW 15        -> lag 5, record 10 is 2.5 s old
 *             test-topic 1 committed 20 / HW 18        -> clamped to 0
 *             test-topic 2 no commit    / HW 7         -> "-", not summed
 *             other-topic 0 committed 3 / no partition  -> log-end unknown
 * app:        test-topic 0 committed 15 / HW 15        -> 0
 *             test-topic 1 committed 8  / HW 18        -> 10
 */
static void fixture(kw_snapshot *s)
{
    kw_snap_init(s);
    s->brokers = 3;
    assert_int_equal(kw_snap_set_partition(s, "test-topic", 2, 0, 7, 7), 0);
    assert_int_equal(kw_snap_set_partition(s, "test-topic", 0, 0, 15, 12), 0);
    assert_int_equal(kw_snap_set_partition(s, "test-topic", 1, 4, 18, 18), 0);
    assert_int_equal(kw_snap_add_topic(s, "other-topic"), 0);
    assert_int_equal(kw_snap_add_group(s, "test-group", "Stable"), 0);
    assert_int_equal(kw_snap_set_commit(s, "test-group", "test-topic", 1, 20), 0);
    assert_int_equal(kw_snap_set_commit(s, "test-group", "test-topic", 0, 10), 0);
    assert_int_equal(kw_snap_set_commit(s, "test-group", "test-topic", 2, -1), 0);
    assert_int_equal(kw_snap_set_commit(s, "test-group", "other-topic", 0, 3), 0);
    assert_int_equal(kw_snap_set_commit(s, "app", "test-topic", 1, 8), 0);
    assert_int_equal(kw_snap_set_commit(s, "app", "test-topic", 0, 15), 0);
    s->taken_ms = 100000;
    assert_int_equal(kw_snap_set_commit_time(s, "test-group", "test-topic", 0, 97500), 0);
    assert_int_equal(kw_snap_set_commit_time(s, "test-group", "nope", 0, 1), KW_ERR_NOT_FOUND);
}

static void test_builder_sorts_and_overwrites(void **st)
{
    (void)st;
    kw_snapshot s;
    fixture(&s);
    const kw_snap_topic *t = kw_snap_find_topic(&s, "test-topic");
    assert_non_null(t);
    assert_int_equal(t->nparts, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(t->parts[i].id, i);
    assert_int_equal(kw_snap_set_partition(&s, "test-topic", 1, 5, 19, 19), 0);
    assert_int_equal(t->nparts, 3);
    assert_int_equal(kw_snap_find_part(&s, "test-topic", 1)->newest, 19);
    assert_null(kw_snap_find_part(&s, "test-topic", 3));
    assert_null(kw_snap_find_part(&s, "nope", 0));
    assert_int_equal(kw_snap_set_commit(&s, "app", "test-topic", 0, 14), 0);
    const kw_snap_group *g = kw_snap_find_group(&s, "app");
    assert_int_equal(g->ncommits, 2);
    assert_null(g->state);
    assert_int_equal(kw_snap_add_group(&s, "app", "Empty"), 0);
    assert_string_equal(g->state, "Empty");
    assert_int_equal(kw_snap_set_partition(&s, "t", -1, 0, 0, 0), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_snap_set_partition(&s, "", 0, 0, 0, 0), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_snap_set_commit(&s, "g", NULL, 0, 0), KW_ERR_INVALID_ARG);
    kw_snap_free(&s);
    assert_int_equal(s.ntopics, 0);
    assert_int_equal(s.brokers, -1);
}

static void test_rows_flags_and_sums(void **st)
{
    (void)st;
    kw_snapshot s;
    fixture(&s);
    kw_lag_report r;
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    assert_int_equal(r.nrows, 6);
    /* sorted: app/test-topic 0,1; test-group/other-topic 0; test-group/test-topic 0,1,2 */
    assert_string_equal(r.rows[0].group, "app");
    assert_int_equal(r.rows[0].lag, 0);
    assert_int_equal(r.rows[1].lag, 10);
    assert_string_equal(r.rows[2].topic, "other-topic");
    assert_int_equal(r.rows[2].lag, -1);
    assert_int_equal(r.rows[2].log_end, -1);
    assert_int_equal(r.rows[2].flags, KW_LAG_NO_LOG_END);
    assert_int_equal(r.rows[3].lag, 5);
    assert_int_equal(r.rows[3].flags, 0);
    assert_int_equal(r.rows[4].committed, 20);
    assert_int_equal(r.rows[4].log_end, 18);
    assert_int_equal(r.rows[4].lag, 0);
    assert_int_equal(r.rows[4].flags, KW_LAG_CLAMPED);
    assert_int_equal(r.rows[5].committed, -1);
    assert_int_equal(r.rows[5].lag, -1);
    assert_int_equal(r.rows[5].flags, KW_LAG_NO_COMMIT);

    assert_int_equal(r.ngroups, 2);
    assert_string_equal(r.groups[0].group, "app");
    assert_int_equal(r.groups[0].lag, 10);
    assert_string_equal(r.groups[1].group, "test-group");
    assert_string_equal(r.groups[1].state, "Stable");
    assert_int_equal(r.groups[1].lag, 5); /* 5 + 0 (clamped); -1 rows not summed */
    assert_int_equal(r.groups[1].partitions, 4);
    assert_int_equal(r.groups[1].with_lag, 2);
    assert_int_equal(r.ntopics, 3);
    assert_string_equal(r.topics[2].topic, "test-topic");
    assert_int_equal(r.topics[2].lag, 5);
    assert_int_equal(r.topics[2].committed_sum, 30); /* 10 + 20, the -1 left out */
    assert_int_equal(r.topics[2].with_lag, 2);
    assert_int_equal(r.topics[1].with_lag, 0);
    assert_int_equal(r.total, 15);
    assert_int_equal(r.no_commit, 1);
    assert_int_equal(r.clamped, 1);
    assert_int_equal(r.no_log_end, 1);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
}

static void test_read_committed_uses_lso(void **st)
{
    (void)st;
    kw_snapshot s;
    fixture(&s);
    s.read_committed = 1;
    kw_lag_report r;
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    /* app/test-topic 0: committed 15, LSO 12 -> clamped (a read_uncommitted commit past the LSO) */
    assert_int_equal(r.rows[0].log_end, 12);
    assert_int_equal(r.rows[0].lag, 0);
    assert_true(r.rows[0].flags & KW_LAG_CLAMPED);
    /* test-group/test-topic 0: committed 10, LSO 12 -> 2 */
    assert_int_equal(r.rows[3].lag, 2);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
}

static int only(void *ud, const char *group) { return strcmp(group, (const char *)ud) == 0; }

static void test_filter(void **st)
{
    (void)st;
    kw_snapshot s;
    fixture(&s);
    kw_lag_report r;
    assert_int_equal(kw_lag_compute(&s, only, "app", &r), 0);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.nrows, 2);
    assert_int_equal(r.total, 10);
    kw_lag_report_free(&r);
    assert_int_equal(kw_lag_compute(&s, only, "nobody", &r), 0);
    assert_int_equal(r.ngroups, 0);
    assert_int_equal(r.nrows, 0);
    assert_int_equal(r.total, 0);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
}

static void test_table_text(void **st)
{
    (void)st;
    kw_snapshot s;
    fixture(&s);
    kw_lag_report r;
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_lag_format_table(&r, &b), 0);
    kw_buf_put(&b, "", 1);
    const char *want =
        "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             LAG-SECONDS\n"
        "app             test-topic      0          15              15              0               0.0\n"
        "app             test-topic      1          8               18              10              -\n"
        "test-group      other-topic     0          3               -               -               -\n"
        "test-group      test-topic      0          10              15              5               2.5\n"
        "test-group      test-topic      1          20              18              0*              0.0\n"
        "test-group      test-topic      2          -               7               -               -\n"
        "* 1 partition(s) with CURRENT-OFFSET past LOG-END-OFFSET (log truncated, topic re-created, or offsets "
        "set by hand): their lag counts as 0\n";
    assert_string_equal((const char *)b.data, want);
    /* with owners known (kwire groups GROUP): Kafka's CONSUMER-ID HOST CLIENT-ID */
    assert_int_equal(kw_snap_set_owner(&s, "app", "test-topic", 1, "m-1", "kwire", "/127.0.0.1"), 0);
    assert_int_equal(kw_snap_set_owner(&s, "app", "test-topic", 2, "m-2", "java", "/127.0.0.2"), 0);
    kw_lag_report_free(&r);
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    b.len = 0;
    assert_int_equal(kw_lag_format_table(&r, &b), 0);
    kw_buf_put(&b, "", 1);
    assert_non_null(strstr((const char *)b.data, "LAG-SECONDS CONSUMER-ID     HOST            CLIENT-ID\n"));
    assert_non_null(strstr((const char *)b.data,
                           "app             test-topic      1          8               18              10              "
                           "-           m-1             /127.0.0.1      kwire\n"));
    /* an assigned partition without a commit is listed */
    assert_non_null(strstr((const char *)b.data, "app             test-topic      2          -               7      "
                                                 "         -               -           m-2             /127.0.0.2      java\n"));
    kw_buf_free(&b);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
}

static void test_table_widens_for_big_offsets(void **st)
{
    (void)st;
    kw_snapshot s;
    kw_snap_init(&s);
    assert_int_equal(kw_snap_set_partition(&s, "t", 0, 0, INT64_MAX, -1), 0);
    assert_int_equal(kw_snap_set_commit(&s, "consumer-group-with-long-name", "t", 0, 1), 0);
    kw_lag_report r;
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_lag_format_table(&r, &b), 0);
    kw_buf_put(&b, "", 1);
    assert_string_equal((const char *)b.data,
        "GROUP                         TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET      LAG                  LAG-SECONDS\n"
        "consumer-group-with-long-name t               0          1               9223372036854775807 9223372036854775806  -\n");
    kw_buf_free(&b);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
}

static void test_json(void **st)
{
    (void)st;
    kw_snapshot s;
    fixture(&s);
    assert_int_equal(kw_snap_set_commit(&s, "we\"ird\n", "test-topic", 0, 1), 0);
    assert_int_equal(kw_snap_set_group_info(&s, "test-group", "consumer", 3), 0);
    assert_int_equal(kw_snap_set_owner(&s, "test-group", "test-topic", 0, "m-1", NULL, "/10.0.0.1"), 0);
    kw_lag_report r;
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_lag_format_json(&r, &b), 0);
    kw_buf_put(&b, "", 1);
    const char *want =
        "{\"groups\":["
        "{\"group\":\"app\",\"state\":null,\"type\":null,\"member_count\":null,\"lag\":10,\"lag_seconds_max\":null,"
        "\"topics\":[{\"topic\":\"test-topic\",\"lag\":10,"
        "\"partitions\":[{\"partition\":0,\"current_offset\":15,\"log_end_offset\":15,\"lag\":0,\"lag_seconds\":0.000,"
        "\"clamped\":false},"
        "{\"partition\":1,\"current_offset\":8,\"log_end_offset\":18,\"lag\":10,\"lag_seconds\":null,"
        "\"clamped\":false}]}]},"
        "{\"group\":\"test-group\",\"state\":\"Stable\",\"type\":\"consumer\",\"member_count\":3,\"lag\":5,"
        "\"lag_seconds_max\":2.500,\"topics\":["
        "{\"topic\":\"other-topic\",\"lag\":0,\"partitions\":[{\"partition\":0,\"current_offset\":3,"
        "\"log_end_offset\":null,\"lag\":null,\"lag_seconds\":null,\"clamped\":false}]},"
        "{\"topic\":\"test-topic\",\"lag\":5,\"partitions\":["
        "{\"partition\":0,\"current_offset\":10,\"log_end_offset\":15,\"lag\":5,\"lag_seconds\":2.500,"
        "\"clamped\":false,\"consumer_id\":\"m-1\",\"host\":\"/10.0.0.1\",\"client_id\":null},"
        "{\"partition\":1,\"current_offset\":20,\"log_end_offset\":18,\"lag\":0,\"lag_seconds\":0.000,"
        "\"clamped\":true,\"past_end\":2},"
        "{\"partition\":2,\"current_offset\":null,\"log_end_offset\":7,\"lag\":null,\"lag_seconds\":null,"
        "\"clamped\":false}]}]},"
        "{\"group\":\"we\\\"ird\\n\",\"state\":null,\"type\":null,\"member_count\":null,\"lag\":14,"
        "\"lag_seconds_max\":null,\"topics\":[{\"topic\":\"test-topic\",\"lag\":14,"
        "\"partitions\":[{\"partition\":0,\"current_offset\":1,\"log_end_offset\":15,\"lag\":14,"
        "\"lag_seconds\":null,\"clamped\":false}]}]}"
        "],\"total_lag\":29,\"clamped\":1}\n";
    assert_string_equal((const char *)b.data, want);
    kw_buf_free(&b);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
}

/* The labs' M6: group test-group, warn at >= 100. */
static void test_watch_lines_and_exit_codes(void **st)
{
    (void)st;
    kw_snapshot s;
    kw_snap_init(&s);
    assert_int_equal(kw_snap_set_partition(&s, "test-topic", 0, 0, 150, -1), 0);
    assert_int_equal(kw_snap_set_partition(&s, "test-topic", 1, 0, 40, -1), 0);
    assert_int_equal(kw_snap_set_commit(&s, "test-group", "test-topic", 0, 100), 0);
    assert_int_equal(kw_snap_set_commit(&s, "test-group", "test-topic", 1, -1), 0);
    kw_lag_watch w;
    kw_lag_watch_init(&w, 100, 0);
    kw_lag_report r;
    kw_buf b;
    kw_buf_init(&b);
    const int64_t t0 = 1795400000000; /* 2026-11-23T02:13:20Z (date -u -d @1795400000) */
    char ts[32];
    kw_lag_timestamp(t0, ts, sizeof ts);
    assert_string_equal(ts, "2026-11-23T02:13:20Z");

    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    assert_int_equal(kw_lag_watch_step(&w, &r, t0, &b), 0); /* 50 < 100 */
    kw_lag_report_free(&r);
    kw_buf_put(&b, "", 1);
    assert_string_equal((const char *)b.data, "2026-11-23T02:13:20Z test-group total-lag 50\n");
    b.len = 0;

    assert_int_equal(kw_snap_set_partition(&s, "test-topic", 0, 0, 200, -1), 0);
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    assert_int_equal(kw_lag_watch_step(&w, &r, t0 + 5000, &b), KW_LAG_EXIT_OVER); /* exactly 100 */
    kw_lag_report_free(&r);
    kw_buf_put(&b, "", 1);
    assert_string_equal((const char *)b.data,
                        "2026-11-23T02:13:25Z test-group total-lag 100 (+50)\n"
                        "2026-11-23T02:13:25Z WARNING test-group total-lag 100 >= threshold 100\n");
    b.len = 0;

    w.verbose = 1;
    assert_int_equal(kw_snap_set_commit(&s, "test-group", "test-topic", 0, 180), 0);
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    assert_int_equal(kw_lag_watch_step(&w, &r, t0 + 10000, &b), 0);
    kw_lag_report_free(&r);
    kw_buf_put(&b, "", 1);
    assert_string_equal((const char *)b.data,
                        "2026-11-23T02:13:30Z test-group total-lag 20 (-80)\n"
                        "2026-11-23T02:13:30Z   test-topic 0 lag 20\n"
                        "2026-11-23T02:13:30Z   test-topic 1 lag -\n");
    b.len = 0;

    /* A negative threshold never warns. */
    kw_lag_watch_init(&w, -1, 0);
    assert_int_equal(kw_snap_set_commit(&s, "other", "test-topic", 1, 0), 0);
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    assert_int_equal(r.total, 60);
    assert_int_equal(kw_lag_watch_step(&w, &r, t0, &b), 0);
    kw_lag_report_free(&r);
    kw_buf_put(&b, "", 1);
    assert_string_equal((const char *)b.data, "2026-11-23T02:13:20Z all-groups total-lag 60\n");
    kw_buf_free(&b);
    kw_snap_free(&s);
}

/* Offsets come from the network: huge values saturate instead of overflowing. */
static void test_sums_saturate(void **st)
{
    (void)st;
    kw_snapshot s;
    kw_snap_init(&s);
    for (int p = 0; p < 3; p++) {
        assert_int_equal(kw_snap_set_partition(&s, "t", p, 0, INT64_MAX, -1), 0);
        assert_int_equal(kw_snap_set_commit(&s, "g", "t", p, p == 0 ? 0 : INT64_MAX - 1), 0);
    }
    kw_lag_report r;
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    assert_true(r.total == INT64_MAX);
    assert_true(r.topics[0].lag == INT64_MAX);
    assert_true(r.topics[0].committed_sum == INT64_MAX);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
}

static void test_swap(void **st)
{
    (void)st;
    kw_snapshot a, b;
    fixture(&a);
    kw_snap_init(&b);
    kw_snap_swap(&a, &b);
    assert_int_equal(a.ntopics, 0);
    assert_int_equal(b.ntopics, 2);
    assert_int_equal(b.brokers, 3);
    kw_snap_free(&a);
    kw_snap_free(&b);
}

/* A group with no committed offset at all is unknown, not a lag of 0. */
static void test_group_commits(void **st)
{
    (void)st;
    kw_snapshot s;
    kw_snap_init(&s);
    assert_int_equal(kw_snap_set_partition(&s, "t", 0, 0, 100, -1), 0);
    assert_int_equal(kw_snap_set_partition(&s, "t", 1, 0, 100, -1), 0);
    assert_int_equal(kw_snap_set_commit(&s, "g", "t", 0, 40), 0);
    assert_int_equal(kw_snap_set_commit(&s, "g", "t", 1, -1), 0);
    assert_int_equal(kw_snap_add_group(&s, "empty", NULL), 0);
    kw_lag_report r;
    assert_int_equal(kw_lag_compute(&s, NULL, NULL, &r), 0);
    assert_int_equal(kw_lag_group_commits(&r, "g"), 1);
    assert_int_equal(kw_lag_group_commits(&r, "empty"), 0);
    assert_int_equal(kw_lag_group_commits(&r, "typo"), 0);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder_sorts_and_overwrites),
        cmocka_unit_test(test_rows_flags_and_sums),
        cmocka_unit_test(test_read_committed_uses_lso),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_table_text),
        cmocka_unit_test(test_table_widens_for_big_offsets),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_watch_lines_and_exit_codes),
        cmocka_unit_test(test_sums_saturate),
        cmocka_unit_test(test_swap),
        cmocka_unit_test(test_group_commits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
