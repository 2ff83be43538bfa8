/*
 * bench/bench_group.c — what group membership costs, on a real cluster (Apache Kafka
 * 4.x: the consumer protocol needs it; bench/groups.sh starts one and fills a topic):
 *
 *   throughput  the same records read by a consumer that assigned itself every
 *               partition and by a group member (classic and consumer protocol) that
 *               was handed all of them: records/s from the first record to the last
 *               (the member's join is timed apart), REPEAT rounds of the three in turn,
 *               median and best of each, and the ratio member / assigned (target:
 *               within 5%); and the CPU time (user + sys, first record to last) per
 *               million records, which a busy machine disturbs less than wall time
 *   rebalance   a third member joins a group of two on the topic (and later one
 *               leaves): the time from its subscribe (or close) until every member has
 *               its share in hand and a start position for it — members polled in turn
 *               from one thread — per protocol (target, consumer protocol: under 1 s)
 *
 * Usage: bench_group -b HOST:PORT[,...] -t TOPIC -n RECORDS [-r REPEAT] [--rebalance-only]
 *                    [-X name=value]...
 * The topic must hold at least RECORDS records. Without -b (or $KWIRE_BOOTSTRAP) it says
 * how to run it and exits 0. Prints figures; never fails on them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "client/consume/consumer.h"
#include "client/consume/group.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *boot, *topic;
static const char *xs[32];
static int nxs;

static kw_config *config(const char *group, const char *protocol)
{
    kw_config *c = kw_config_new(KW_ROLE_CONSUMER);
    if (!c) return NULL;
    kw_config_set(c, "bootstrap.servers", boot);
    kw_config_set(c, "auto.offset.reset", "earliest");
    for (int i = 0; i < nxs; i++) kw_config_set_kv(c, xs[i]);
    if (group) {
        kw_config_set(c, "group.id", group);
        kw_config_set(c, "group.protocol", protocol);
    }
    if (kw_config_validate(c)) {
        fprintf(stderr, "bench_group: %s\n", kw_config_error(c));
        kw_config_free(c);
        return NULL;
    }
    return c;
}

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static double last_cpu; /* CPU seconds (user + sys) of the last read_all, first record to last */

/* Read n records; *rate records/s from the first to the last, *join seconds from the
 * start to the first record. 0 or -1. */
static int read_all(kw_consumer *c, long n, double *rate, double *join)
{
    double t0 = now(), first = 0, cpu0 = 0;
    long got = 0;
    while (got < n) {
        const kw_msg *m;
        int k;
        int e = kw_consumer_poll(c, 1000, &m, &k);
        if (e) {
            fprintf(stderr, "bench_group: %s\n", kw_consumer_error(c));
            return -1;
        }
        if (k && !first) {
            first = now();
            cpu0 = cpu_now();
        }
        got += k;
        if (now() - t0 > 120) {
            fprintf(stderr, "bench_group: only %ld of %ld records in 120 s (does %s hold them?)\n", got, n, topic);
            return -1;
        }
    }
    double t1 = now();
    last_cpu = cpu_now() - cpu0;
    *rate = n / (t1 - first);
    *join = first - t0;
    return 0;
}

static int run_assigned(long n, double *rate)
{
    kw_config *cfg = config(NULL, NULL);
    char err[256];
    kw_consumer *c = cfg ? kw_consumer_new(cfg, NULL, err, sizeof err) : NULL;
    kw_start st = {KW_START_BEGINNING, 0};
    double join;
    int e = !c || kw_consumer_assign(c, topic, -1, &st) ? -1 : read_all(c, n, rate, &join);
    kw_consumer_free(c);
    kw_config_free(cfg);
    return e;
}

static int run_member(const char *protocol, int k, long n, double *rate, double *join)
{
    char group[96];
    snprintf(group, sizeof group, "bench-%s-%d-%d", protocol, (int)getpid(), k);
    kw_config *cfg = config(group, protocol);
    char err[256];
    kw_consumer *c = cfg ? kw_consumer_new(cfg, NULL, err, sizeof err) : NULL;
    const char *t[1] = {topic};
    int e = !c || kw_consumer_subscribe(c, t, 1) ? -1 : read_all(c, n, rate, join);
    if (c) kw_consumer_close(c, 5000);
    kw_consumer_free(c);
    kw_config_free(cfg);
    return e;
}

/* ---- rebalance ---- */

static double trace_t0;

/* $KWIRE_BENCH_TRACE: each member's assignment changes, timed */
static void trace_cb(void *ud, kw_consumer *c, int kind, const kw_tp *parts, int n)
{
    (void)c;
    fprintf(stderr, "  %8.3f s  member %ld %s", now() - trace_t0, (long)(intptr_t)ud,
            kind == KW_REBALANCE_ASSIGNED ? "assigned" : kind == KW_REBALANCE_REVOKED ? "revoked" : "lost");
    for (int i = 0; i < n; i++) fprintf(stderr, " %d", parts[i].partition);
    fprintf(stderr, "\n");
}

/* 1 when the members' assignments are settled, disjoint, cover every partition and
 * differ by at most one. */
static int balanced(kw_consumer **c, int n, int nparts)
{
    int total = 0, lo = 1 << 30, hi = 0;
    for (int i = 0; i < n; i++) {
        if (!kw_consumer_settled(c[i])) return 0;
        const kw_tp *p;
        int k = kw_group_owned(kw_consumer_group(c[i]), &p);
        total += k;
        if (k < lo) lo = k;
        if (k > hi) hi = k;
        for (int a = 0; a < k; a++)
            for (int j = 0; j < i; j++) {
                const kw_tp *q;
                int m = kw_group_owned(kw_consumer_group(c[j]), &q);
                for (int b = 0; b < m; b++)
                    if (q[b].partition == p[a].partition && !strcmp(q[b].topic, p[a].topic)) return 0;
            }
    }
    return total == nparts && hi - lo <= 1;
}

/* Poll every member in turn until balanced (or 60 s): seconds taken, -1 on failure. */
static double settle(kw_consumer **c, int n, int nparts)
{
    double t0 = now();
    while (!balanced(c, n, nparts)) {
        for (int i = 0; i < n; i++) {
            const kw_msg *m;
            int k;
            if (kw_consumer_poll_n(c[i], 1, 1000, &m, &k)) {
                fprintf(stderr, "bench_group: %s\n", kw_consumer_error(c[i]));
                return -1;
            }
        }
        if (now() - t0 > 60) return -1;
    }
    return now() - t0;
}

static void rebalance(const char *protocol, const char *label, const char *strategy)
{
    char group[96];
    snprintf(group, sizeof group, "bench-rb-%s-%d", label, (int)getpid());
    kw_config *cfg = config(group, protocol);
    if (!cfg) return;
    if (strategy) kw_config_set(cfg, "partition.assignment.strategy", strategy);
    kw_consumer *c[3] = {0};
    char err[256];
    const char *t[1] = {topic};
    int nparts = -1;
    for (int i = 0; i < 3; i++) {
        c[i] = kw_consumer_new(cfg, NULL, err, sizeof err);
        if (!c[i]) { fprintf(stderr, "bench_group: %s\n", err); goto out; }
        if (getenv("KWIRE_BENCH_TRACE")) kw_consumer_set_rebalance_cb(c[i], trace_cb, (void *)(intptr_t)(i + 1));
    }
    for (int i = 0; i < 2; i++)
        if (kw_consumer_subscribe(c[i], t, 1)) { fprintf(stderr, "bench_group: %s\n", kw_consumer_error(c[i])); goto out; }
    /* the partition count: what two settled members own together */
    double t0 = now();
    while (now() - t0 < 60) {
        int total = 0, ok = 1;
        for (int i = 0; i < 2; i++) {
            const kw_msg *m;
            int k;
            kw_consumer_poll_n(c[i], 1, 1000, &m, &k);
            const kw_tp *p;
            total += kw_group_owned(kw_consumer_group(c[i]), &p);
            ok &= kw_consumer_settled(c[i]);
        }
        const kw_tp *p0, *p1;
        if (ok && total > 0 && kw_group_owned(kw_consumer_group(c[0]), &p0) > 0 &&
            kw_group_owned(kw_consumer_group(c[1]), &p1) > 0) {
            nparts = total;
            break;
        }
    }
    if (nparts < 3) { fprintf(stderr, "bench_group: %s: two members did not settle\n", label); goto out; }
    trace_t0 = now();
    if (kw_consumer_subscribe(c[2], t, 1)) { fprintf(stderr, "bench_group: %s\n", kw_consumer_error(c[2])); goto out; }
    double joined = settle(c, 3, nparts);
    const kw_consumer_group_stats *gs = kw_consumer_group_stats_get(c[2]);
    /* one leaves */
    double leave_t = now();
    kw_consumer_close(c[2], 5000);
    double closed = now() - leave_t;
    double left = settle(c, 2, nparts);
    printf("rebalance %-24s third member joins: %7.3f s (its own join to assignment %.3f s); one leaves: "
           "%7.3f s (+ its close %.3f s)\n",
           label, joined, gs ? gs->last_rebalance_us / 1e6 : -1.0, left, closed);
out:
    for (int i = 0; i < 3; i++) kw_consumer_free(c[i]);
    kw_config_free(cfg);
}

int main(int argc, char **argv)
{
    long n = 0;
    int repeat = 3, only_rebalance = 0;
    boot = getenv("KWIRE_BOOTSTRAP");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-b") && i + 1 < argc) boot = argv[++i];
        else if (!strcmp(argv[i], "-t") && i + 1 < argc) topic = argv[++i];
        else if (!strcmp(argv[i], "-n") && i + 1 < argc) n = atol(argv[++i]);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-X") && i + 1 < argc && nxs < 32) xs[nxs++] = argv[++i];
        else if (!strcmp(argv[i], "--rebalance-only")) only_rebalance = 1;
        else {
            fprintf(stderr, "usage: bench_group -b HOST:PORT -t TOPIC -n RECORDS [-r REPEAT] [-X name=value]...\n");
            return 2;
        }
    }
    if (!boot || !topic || n <= 0) {
        printf("bench_group: needs a real Kafka cluster (4.x for the consumer protocol) and a topic holding the "
               "records: run bench/groups.sh, or bench_group -b HOST:PORT -t TOPIC -n RECORDS (skipped)\n");
        return 0;
    }
    if (repeat < 1) repeat = 1;
    if (repeat > 64) repeat = 64;
    /* the three kinds run in turn (the order rotating per round), so a machine that is
     * busier for a while slows all of them; best and median per kind */
    double rates[3][64], cpus[3][64], join_m[2] = {1e9, 1e9};
    static const char *protos[2] = {"classic", "consumer"};
    for (int r = 0; r < repeat && !only_rebalance; r++) {
        printf("  round %d:", r + 1);
        for (int k = 0; k < 3; k++) {
            int kind = (k + r) % 3;
            double rate, join;
            if (kind == 0 ? run_assigned(n, &rate) : run_member(protos[kind - 1], r, n, &rate, &join)) return 1;
            rates[kind][r] = rate;
            cpus[kind][r] = last_cpu;
            if (kind && join < join_m[kind - 1]) join_m[kind - 1] = join;
            printf(" %s %.0f/s", kind == 0 ? "assigned" : protos[kind - 1], rate);
        }
        printf("\n");
        fflush(stdout);
    }
    if (!only_rebalance) {
        double best[3], med[3], cpu[3];
        for (int k = 0; k < 3; k++) {
            double v[64], w[64];
            memcpy(v, rates[k], (size_t)repeat * sizeof *v);
            memcpy(w, cpus[k], (size_t)repeat * sizeof *w);
            for (int i = 1; i < repeat; i++) {
                for (int j = i; j > 0 && v[j] < v[j - 1]; j--) { double t = v[j]; v[j] = v[j - 1]; v[j - 1] = t; }
                for (int j = i; j > 0 && w[j] < w[j - 1]; j--) { double t = w[j]; w[j] = w[j - 1]; w[j - 1] = t; }
            }
            best[k] = v[repeat - 1];
            med[k] = repeat % 2 ? v[repeat / 2] : (v[repeat / 2 - 1] + v[repeat / 2]) / 2;
            cpu[k] = (repeat % 2 ? w[repeat / 2] : (w[repeat / 2 - 1] + w[repeat / 2]) / 2) * 1e6 / n;
        }
        printf("throughput (%d rounds, %ld records of %s): median and best records/s\n", repeat, n, topic);
        printf("  assigned every partition        median %10.0f  best %10.0f  CPU %.3f s per million records\n",
               med[0], best[0], cpu[0]);
        for (int p = 0; p < 2; p++)
            printf("  group member, %-8s protocol  median %10.0f  best %10.0f  member/assigned: median %.3fx, best "
                   "%.3fx (target >= 0.95: %s); join to first record %.3f s\n",
                   protos[p], med[p + 1], best[p + 1], med[p + 1] / med[0], best[p + 1] / best[0],
                   med[p + 1] / med[0] >= 0.95 ? "met" : "not met", join_m[p]);
        for (int p = 0; p < 2; p++)
            printf("  group member, %-8s protocol  CPU %.3f s per million records: %.3fx assigned's\n", protos[p],
                   cpu[p + 1], cpu[p + 1] / cpu[0]);
    }
    rebalance("classic", "classic range (eager)", "range");
    rebalance("classic", "classic cooperative-sticky", "cooperative-sticky");
    rebalance("consumer", "consumer (KIP-848)", NULL);
    return 0;
}
