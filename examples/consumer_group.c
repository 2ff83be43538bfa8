/*
 * examples/consumer_group.c — read a topic as a member of a consumer group.
 *
 *   consumer_group BOOTSTRAP TOPIC GROUP COUNT [name=value ...]
 *
 * Joins GROUP (kw_consumer_subscribe), prints every record it is handed ("partition
 * offset value") until COUNT records have arrived or 30 s pass without a record, then
 * leaves the group: kw_consumer_close commits the positions it reached
 * (enable.auto.commit, Kafka's default), so a later member, or a lag check, starts
 * after what was read here. A group without a committed offset starts at the beginning
 * (auto.offset.reset=earliest, set below). Exit status: 0 when COUNT records were read.
 *
 * Build: cc consumer_group.c $(pkg-config --cflags --libs kwire)
 */
#include <stdio.h>
#include <stdlib.h>

#include <kwire.h>

/* The group assigns partitions to its members; this runs inside kw_consumer_poll when
 * this member gains (ASSIGNED) or gives up (REVOKED, LOST) some. */
static void on_rebalance(void *ud, kw_consumer *c, int kind, const kw_tp *parts, int n)
{
    (void)ud;
    (void)c;
    const char *what = kind == KW_REBALANCE_ASSIGNED ? "assigned" : kind == KW_REBALANCE_REVOKED ? "revoked" : "lost";
    fprintf(stderr, "%s %d partition(s):", what, n);
    for (int i = 0; i < n; i++) fprintf(stderr, " %s[%d]", parts[i].topic, (int)parts[i].partition);
    fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC GROUP COUNT [name=value ...]\n", argv[0]);
        return 2;
    }
    long want = atol(argv[4]);

    kw_config *cfg = kw_config_new(KW_ROLE_CONSUMER);
    if (!cfg) return 1;
    int err = kw_config_set(cfg, "bootstrap.servers", argv[1]);
    if (!err) err = kw_config_set(cfg, "group.id", argv[3]);
    if (!err) err = kw_config_set(cfg, "auto.offset.reset", "earliest");
    for (int i = 5; i < argc && !err; i++) err = kw_config_set_kv(cfg, argv[i]);
    if (!err) err = kw_config_validate(cfg);
    if (err) {
        fprintf(stderr, "settings: %s\n", kw_config_error(cfg));
        kw_config_free(cfg);
        return 2;
    }

    char why[256];
    kw_consumer *c = kw_consumer_new(cfg, NULL, why, sizeof why); /* NULL: its own connections */
    kw_config_free(cfg);
    if (!c) {
        fprintf(stderr, "consumer: %s\n", why);
        return 1;
    }
    kw_consumer_set_rebalance_cb(c, on_rebalance, NULL);
    const char *topics[] = {argv[2]};
    if (kw_consumer_subscribe(c, topics, 1)) {
        fprintf(stderr, "subscribe: %s\n", kw_consumer_error(c));
        kw_consumer_free(c);
        return 1;
    }

    long got = 0;
    int idle_ms = 0;
    while (got < want && idle_ms < 30000) {
        const kw_msg *m;
        int n;
        /* Heartbeats, rebalances, auto commits and fetching all happen in here. */
        err = kw_consumer_poll(c, 500, &m, &n);
        if (err) {
            fprintf(stderr, "poll: %s\n", kw_consumer_error(c));
            break;
        }
        idle_ms = n ? 0 : idle_ms + 500;
        /* The records' keys and values are slices valid until the next poll. */
        for (int i = 0; i < n; i++)
            printf("%d %lld %.*s\n", (int)m[i].partition, (long long)m[i].offset,
                   m[i].value_len < 0 ? 0 : (int)m[i].value_len, (const char *)m[i].value);
        got += n;
    }
    const kw_group *g = kw_consumer_group(c);
    fprintf(stderr, "read %ld records as member %s (generation %d)\n", got, kw_group_member_id(g),
            (int)kw_group_generation(g));

    /* Commit what was read, hand the partitions back and leave (at most 10 s). */
    if (kw_consumer_close(c, 10000)) fprintf(stderr, "close: %s\n", kw_consumer_error(c));
    kw_consumer_free(c);
    return got == want ? 0 : 1;
}
