/*
 * examples/producer.c — send COUNT records to a topic and wait for every delivery report.
 *
 *   producer BOOTSTRAP TOPIC COUNT [name=value ...]
 *
 * Record i has the key "key-i" and the value "record-i". Each delivery report says where
 * the record landed (partition and offset) or why it failed. Settings use Kafka's names
 * (e.g. linger.ms=20 compression.type=zstd). Exit status: 0 when every record was
 * acknowledged, 1 otherwise.
 *
 * Build: cc producer.c $(pkg-config --cflags --libs kwire)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kwire.h>

static long acked, failed;

/* Called from inside kw_producer_send / poll / flush / close, once per accepted record. */
static void on_delivery(void *ud, const kw_delivery *d)
{
    (void)ud;
    if (d->err) {
        failed++;
        fprintf(stderr, "record %ld to %s failed: %s\n", (long)(intptr_t)d->opaque, d->topic, kw_strerror(d->err));
    } else {
        acked++;
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC COUNT [name=value ...]\n", argv[0]);
        return 2;
    }
    const char *topic = argv[2];
    long count = atol(argv[3]);

    /* Settings: defaults for a producer, the bootstrap list, then the caller's. */
    kw_config *cfg = kw_config_new(KW_ROLE_PRODUCER);
    if (!cfg) return 1;
    int err = kw_config_set(cfg, "bootstrap.servers", argv[1]);
    for (int i = 4; i < argc && !err; i++) err = kw_config_set_kv(cfg, argv[i]);
    if (!err) err = kw_config_validate(cfg);
    if (err) {
        fprintf(stderr, "settings: %s\n", kw_config_error(cfg)); /* names the setting */
        kw_config_free(cfg);
        return 2;
    }

    char why[256];
    kw_producer *p = kw_producer_new(cfg, on_delivery, NULL, why, sizeof why);
    kw_config_free(cfg); /* the producer keeps its own copy */
    if (!p) {
        fprintf(stderr, "producer: %s\n", why);
        return 1;
    }

    for (long i = 0; i < count; i++) {
        char key[32], value[32];
        snprintf(key, sizeof key, "key-%ld", i);
        snprintf(value, sizeof value, "record-%ld", i);
        kw_producer_record rec = {
            .topic = topic,
            .partition = -1, /* the partitioner chooses: murmur2 of the key */
            .key = key, .key_len = (int32_t)strlen(key),
            .value = value, .value_len = (int32_t)strlen(value),
            .opaque = (void *)(intptr_t)i, /* comes back in the delivery report */
        };
        /* Copies the record into its partition's batch; may block while buffer.memory
         * is full. 0 means exactly one delivery report will follow. */
        err = kw_producer_send(p, &rec);
        if (err) {
            fprintf(stderr, "send %ld: %s (%s)\n", i, kw_strerror(err), kw_producer_last_error(p));
            break;
        }
    }

    /* Send what is still batched and wait for every report (at most 30 s). */
    if (kw_producer_flush(p, 30000)) fprintf(stderr, "flush: records still outstanding\n");
    const kw_producer_stats *st = kw_producer_stats_get(p);
    printf("produced %ld acked %ld failed %ld in %llu batches, p99 latency %lld ms\n", count, acked, failed,
           (unsigned long long)st->batches, (long long)kw_producer_latency_quantile(st, 0.99));
    kw_producer_close(p);
    return (acked == count && failed == 0) ? 0 : 1;
}
