/*
 * tests/test_assignor.c — client/assignor: range, roundrobin and cooperative-sticky.
 * Checked: range's contiguous ranges per topic (the first members one more), members
 * subscribed to some topics only; roundrobin's deal over the sorted partitions,
 * skipping members not subscribed; member order by group.instance.id when both have
 * one; cooperative-sticky: a balanced first assignment, a fourth member joining (each
 * keeps what it can, the partition that must move is left out of the first round and
 * handed over in the second, no partition ever with two owners), a member leaving
 * (its partitions handed out at once), stale owned claims (lower generation) losing;
 * and over random groups: every subscribed partition assigned exactly once to a
 * subscribed member, counts within one of each other for a common subscription.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/consume/assignor.h"
#include "kwire.h"

/* "a0 a1 b2" for a member's partitions */
static const char *fmt(const kw_asg_result *r, int mi)
{
    static char buf[8][512];
    static int k;
    char *b = buf[k++ % 8];
    b[0] = 0;
    for (int i = 0; i < r->nparts[mi]; i++) {
        size_t n = strlen(b);
        snprintf(b + n, 512 - n, "%s%s%d", i ? " " : "", r->parts[mi][i].topic, r->parts[mi][i].partition);
    }
    return b;
}

static const char *ab[] = {"a", "b"};
static const char *a_only[] = {"a"};

static void test_range(void **st)
{
    (void)st;
    kw_asg_topic t[2] = {{"b", 3}, {"a", 5}};
    kw_asg_member m[3] = {{.member_id = "m2", .topics = ab, .ntopics = 2, .generation = -1},
                          {.member_id = "m1", .topics = ab, .ntopics = 2, .generation = -1},
                          {.member_id = "m3", .topics = a_only, .ntopics = 1, .generation = -1}};
    kw_asg_result r;
    assert_int_equal(kw_assign(KW_ASG_RANGE, m, 2, t, 2, &r), 0);
    assert_string_equal(fmt(&r, 1), "a0 a1 a2 b0 b1");
    assert_string_equal(fmt(&r, 0), "a3 a4 b2");
    kw_asg_result_free(&r);
    assert_int_equal(kw_assign(KW_ASG_RANGE, m, 3, t, 2, &r), 0);
    assert_string_equal(fmt(&r, 1), "a0 a1 b0 b1");
    assert_string_equal(fmt(&r, 0), "a2 a3 b2");
    assert_string_equal(fmt(&r, 2), "a4");
    kw_asg_result_free(&r);
    /* group.instance.id orders members when both have one */
    m[0].instance_id = "i1";
    m[1].instance_id = "i2";
    assert_int_equal(kw_assign(KW_ASG_RANGE, m, 2, t, 2, &r), 0);
    assert_string_equal(fmt(&r, 0), "a0 a1 a2 b0 b1");
    kw_asg_result_free(&r);
    /* a topic nobody knows: nothing of it */
    kw_asg_topic t2[1] = {{"a", 0}};
    assert_int_equal(kw_assign(KW_ASG_RANGE, m, 2, t2, 1, &r), 0);
    assert_int_equal(r.nparts[0] + r.nparts[1], 0);
    kw_asg_result_free(&r);
}

static void test_roundrobin(void **st)
{
    (void)st;
    kw_asg_topic t[2] = {{"b", 3}, {"a", 2}};
    kw_asg_member m[3] = {{.member_id = "m1", .topics = ab, .ntopics = 2},
                          {.member_id = "m2", .topics = ab, .ntopics = 2},
                          {.member_id = "m3", .topics = ab, .ntopics = 2}};
    kw_asg_result r;
    assert_int_equal(kw_assign(KW_ASG_ROUNDROBIN, m, 3, t, 2, &r), 0);
    assert_string_equal(fmt(&r, 0), "a0 b1");
    assert_string_equal(fmt(&r, 1), "a1 b2");
    assert_string_equal(fmt(&r, 2), "b0");
    kw_asg_result_free(&r);
    /* m1 reads only a: b's partitions skip it */
    m[0].topics = a_only;
    m[0].ntopics = 1;
    assert_int_equal(kw_assign(KW_ASG_ROUNDROBIN, m, 3, t, 2, &r), 0);
    assert_string_equal(fmt(&r, 0), "a0");
    assert_string_equal(fmt(&r, 1), "a1 b1");
    assert_string_equal(fmt(&r, 2), "b0 b2");
    kw_asg_result_free(&r);
}

/* Owned lists from a result (the members' view after a round). */
static void own(kw_asg_member *m, const kw_asg_result *r, int n, kw_tp owned[][64], int32_t gen)
{
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < r->nparts[i]; k++) owned[i][k] = r->parts[i][k];
        m[i].owned = owned[i];
        m[i].nowned = r->nparts[i];
        m[i].generation = gen;
    }
}

static void test_cooperative_sticky(void **st)
{
    (void)st;
    kw_asg_topic t[1] = {{"a", 6}};
    kw_asg_member m[4] = {{.member_id = "m1", .topics = a_only, .ntopics = 1, .generation = -1},
                          {.member_id = "m2", .topics = a_only, .ntopics = 1, .generation = -1},
                          {.member_id = "m3", .topics = a_only, .ntopics = 1, .generation = -1},
                          {.member_id = "m4", .topics = a_only, .ntopics = 1, .generation = -1}};
    kw_asg_result r;
    assert_int_equal(kw_assign(KW_ASG_COOP_STICKY, m, 3, t, 1, &r), 0);
    for (int i = 0; i < 3; i++) assert_int_equal(r.nparts[i], 2);
    static kw_tp owned[4][64];
    own(m, &r, 3, owned, 1);
    char before[3][64];
    for (int i = 0; i < 3; i++) snprintf(before[i], sizeof before[i], "%s", fmt(&r, i));
    kw_asg_result_free(&r);
    /* m4 joins: first round, one partition is revoked from its owner and given to nobody */
    assert_int_equal(kw_assign(KW_ASG_COOP_STICKY, m, 4, t, 1, &r), 0);
    int total = 0, kept = 0;
    for (int i = 0; i < 3; i++) {
        total += r.nparts[i];
        for (int k = 0; k < r.nparts[i]; k++) kept += strstr(before[i], fmt(&r, i)) != NULL;
        assert_true(r.nparts[i] >= 1 && r.nparts[i] <= 2);
        /* nothing new for the old members: they only keep */
        for (int k = 0; k < r.nparts[i]; k++) {
            int found = 0;
            for (int j = 0; j < m[i].nowned; j++) found |= m[i].owned[j].partition == r.parts[i][k].partition;
            assert_true(found);
        }
    }
    assert_int_equal(total, 5);
    assert_int_equal(r.nparts[3], 0);
    own(m, &r, 4, owned, 2);
    kw_asg_result_free(&r);
    /* second round: the free partition goes to m4, nothing else moves */
    assert_int_equal(kw_assign(KW_ASG_COOP_STICKY, m, 4, t, 1, &r), 0);
    assert_int_equal(r.nparts[3], 1);
    for (int i = 0; i < 3; i++) assert_int_equal(r.nparts[i], m[i].nowned);
    own(m, &r, 4, owned, 3);
    kw_asg_result_free(&r);
    /* m2 leaves: its partitions go at once (no owner among the members to revoke) */
    kw_asg_member rest[3] = {m[0], m[2], m[3]};
    assert_int_equal(kw_assign(KW_ASG_COOP_STICKY, rest, 3, t, 1, &r), 0);
    assert_int_equal(r.nparts[0] + r.nparts[1] + r.nparts[2], 6);
    for (int i = 0; i < 3; i++) assert_int_equal(r.nparts[i], 2);
    kw_asg_result_free(&r);
    /* a stale claim (an older generation) loses to the current owner */
    kw_tp stale[1] = {{"a", 0}}, cur[1] = {{"a", 0}};
    kw_asg_member two[2] = {{.member_id = "m1", .topics = a_only, .ntopics = 1, .owned = stale, .nowned = 1,
                             .generation = 4},
                            {.member_id = "m2", .topics = a_only, .ntopics = 1, .owned = cur, .nowned = 1,
                             .generation = 5}};
    assert_int_equal(kw_assign(KW_ASG_COOP_STICKY, two, 2, t, 1, &r), 0);
    assert_int_equal(r.nparts[1], 3);
    assert_int_equal(r.parts[1][0].partition, 0);
    assert_int_equal(r.nparts[0], 3);
    assert_int_not_equal(r.parts[0][0].partition, 0);
    kw_asg_result_free(&r);
}

static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static void test_random_groups(void **st)
{
    (void)st;
    static const char *names[4] = {"t0", "t1", "t2", "t3"};
    static char ids[8][8];
    for (int iter = 0; iter < 300; iter++) {
        int nt = 1 + (int)rnd(4), n = 1 + (int)rnd(8), same = rnd(2);
        kw_asg_topic t[4];
        for (int i = 0; i < nt; i++) t[i] = (kw_asg_topic){names[i], (int32_t)rnd(12)};
        const char *subs[8][4];
        kw_asg_member m[8];
        static kw_tp owned[8][64];
        for (int i = 0; i < n; i++) {
            snprintf(ids[i], sizeof ids[i], "m%d", (int)rnd(100));
            int k = 0;
            for (int j = 0; j < nt; j++)
                if (same || rnd(2)) subs[i][k++] = names[j];
            m[i] = (kw_asg_member){.member_id = ids[i], .topics = subs[i], .ntopics = k, .generation = -1};
        }
        for (int a = 0; a < 3; a++) {
            kw_asg_result r;
            assert_int_equal(kw_assign(a, m, n, t, nt, &r), 0);
            for (int ti = 0; ti < nt; ti++) {
                int anyone = 0;
                for (int i = 0; i < n; i++)
                    for (int k = 0; k < m[i].ntopics; k++) anyone |= !strcmp(m[i].topics[k], t[ti].name);
                for (int32_t p = 0; p < t[ti].partitions; p++) {
                    int holders = 0;
                    for (int i = 0; i < n; i++)
                        for (int k = 0; k < r.nparts[i]; k++)
                            if (!strcmp(r.parts[i][k].topic, t[ti].name) && r.parts[i][k].partition == p) {
                                holders++;
                                int subd = 0;
                                for (int q = 0; q < m[i].ntopics; q++) subd |= !strcmp(m[i].topics[q], t[ti].name);
                                assert_true(subd);
                            }
                    /* the first sticky round has no owners: every partition is handed out */
                    assert_int_equal(holders, anyone ? 1 : 0);
                }
            }
            if (same && a != KW_ASG_RANGE) {
                int lo = 1 << 30, hi = 0;
                for (int i = 0; i < n; i++) {
                    if (r.nparts[i] < lo) lo = r.nparts[i];
                    if (r.nparts[i] > hi) hi = r.nparts[i];
                }
                assert_true(hi - lo <= 1);
            }
            if (a == KW_ASG_COOP_STICKY) {
                /* a member drops out and the rest keep owning: the next round never
                 * gives one partition to two members, and everything the leaver had
                 * is handed out */
                kw_asg_member m2[8];
                int n2 = 0;
                for (int i = 0; i < n; i++) {
                    if (i == 0 && n > 1) continue;
                    m2[n2] = m[i];
                    for (int k = 0; k < r.nparts[i] && k < 64; k++) owned[n2][k] = r.parts[i][k];
                    m2[n2].owned = owned[n2];
                    m2[n2].nowned = r.nparts[i];
                    m2[n2].generation = 1;
                    n2++;
                }
                kw_asg_result r2;
                assert_int_equal(kw_assign(a, m2, n2, t, nt, &r2), 0);
                for (int i = 0; i < n2; i++)
                    for (int k = 0; k < r2.nparts[i]; k++)
                        for (int j = 0; j < n2; j++)
                            for (int q = 0; q < r2.nparts[j]; q++)
                                if (j != i || q != k)
                                    assert_false(!strcmp(r2.parts[i][k].topic, r2.parts[j][q].topic) &&
                                                 r2.parts[i][k].partition == r2.parts[j][q].partition);
                kw_asg_result_free(&r2);
            }
            kw_asg_result_free(&r);
        }
    }
}

static void test_names(void **st)
{
    (void)st;
    assert_int_equal(kw_assignor_parse("range"), KW_ASG_RANGE);
    assert_int_equal(kw_assignor_parse("org.apache.kafka.clients.consumer.RoundRobinAssignor"), KW_ASG_ROUNDROBIN);
    assert_int_equal(kw_assignor_parse("cooperative-sticky"), KW_ASG_COOP_STICKY);
    assert_int_equal(kw_assignor_parse("sticky"), -1);
    assert_string_equal(kw_assignor_name(KW_ASG_COOP_STICKY), "cooperative-sticky");
    assert_true(kw_assignor_cooperative(KW_ASG_COOP_STICKY));
    assert_false(kw_assignor_cooperative(KW_ASG_RANGE));
    kw_asg_result r;
    assert_int_equal(kw_assign(9, NULL, 0, NULL, 0, &r), KW_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_roundrobin),
        cmocka_unit_test(test_cooperative_sticky),
        cmocka_unit_test(test_random_groups),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
