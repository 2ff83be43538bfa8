/*
 * kwire/producer.h — the Kafka producer: a single-threaded event loop (no threads of
 * its own) that runs inside kw_producer_send / poll / flush / close.
 *
 * kw_producer_send() appends a record to its partition's open batch:
 * an explicit partition, else murmur2 of the key, else the sticky partition (which moves
 * on when its batch is sealed). Ready batches (full, lingered, flushed) are drained per
 * leader into one Produce request per broker carrying at most one batch per partition, up
 * to max.request.size, pipelined up to max.in.flight.requests.per.connection. A request
 * refers to its batches (written from the batch's own buffer, never copied);
 * a batch's memory is given back once its records are reported. kw_producer_send runs
 * the loop without waiting every 256 KiB accepted, so batches go out, and responses
 * free them, while the caller is still sending.
 *
 * Idempotence (enable.idempotence, default on unless conflicting settings were given):
 * InitProducerId first; each batch gets the partition's next sequence number when it is
 * first drained and keeps it on retries. A partition has at most one batch in flight
 * (requests still pipeline across partitions up to max.in.flight per connection), so a
 * retried batch can never land behind a later one, even on a broker that does not
 * check sequence numbers; requeued batches are kept in sequence order. A batch that finally fails makes the producer take a new producer id
 * (sequences restart), as Kafka's epoch bump does.
 *
 * Errors per partition: retriable ones (kw_err_retriable, plus disconnects, timeouts and
 * OUT_OF_ORDER_SEQUENCE_NUMBER) refresh metadata and put the batch back at the front of its
 * partition's queue, retried after retry.backoff.ms (doubling to retry.backoff.max.ms)
 * while retries and delivery.timeout.ms allow; otherwise every record of the batch gets
 * the error. DUPLICATE_SEQUENCE_NUMBER means an earlier attempt was written: success.
 *
 * Every accepted record gets exactly one delivery report (the callback given to
 * kw_producer_new), from inside kw_producer_poll / flush / close / send. Callbacks must
 * not call back into the producer.
 *
 * Example (error checks shortened):
 *
 *     static void on_delivery(void *ud, const kw_delivery *d)
 *     {
 *         if (d->err) fprintf(stderr, "%s: %s\n", d->topic, kw_strerror(d->err));
 *         else printf("%s [%d] @%lld\n", d->topic, d->partition, (long long)d->offset);
 *     }
 *     ...
 *     kw_config *cfg = kw_config_new(KW_ROLE_PRODUCER);
 *     kw_config_set(cfg, "bootstrap.servers", "localhost:9092");
 *     kw_config_validate(cfg);
 *     char err[256];
 *     kw_producer *p = kw_producer_new(cfg, on_delivery, NULL, err, sizeof err);
 *     kw_producer_record r = { .topic = "t", .partition = -1, .key = NULL, .key_len = -1,
 *                              .value = "hello", .value_len = 5 };
 *     kw_producer_send(p, &r);          // 0: exactly one on_delivery call follows
 *     kw_producer_flush(p, 10000);      // reports arrive here
 *     kw_producer_close(p);
 *     kw_config_free(cfg);
 */
#ifndef KWIRE_PRODUCER_H
#define KWIRE_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

#include "kwire/bench.h"
#include "kwire/config.h"
#include "kwire/errors.h"
#include "kwire/types.h"

#ifdef __cplusplus
extern "C" {
#endif


typedef struct kw_producer kw_producer;

/* One delivery report. */
typedef struct kw_delivery {
    const char *topic;
    int32_t partition;
    int64_t offset;     /* the record's offset; -1 with acks=0 or on error or duplicate */
    int err;            /* 0, a Kafka error code, or a KW_ERR_* (KW_ERR_MSG_TIMED_OUT ...) */
    int cause;          /* with KW_ERR_MSG_TIMED_OUT: the error of the last failed attempt
                           (0 when no attempt had failed: the record waited in the queue) */
    void *opaque;       /* as given to kw_producer_send */
    int64_t latency_ms; /* send -> report, whole ms (latency_us / 1000) */
    int64_t send_us;    /* when kw_producer_send was called for it, us on kw_net_now()'s clock */
    int64_t latency_us; /* send -> report, us: the call to kw_producer_send (blocking included,
                           as kafka-producer-perf-test counts) to this report */
} kw_delivery;

typedef void (*kw_delivery_cb)(void *ud, const kw_delivery *d);

/* A record to send. key/value NULL with len -1 for null. timestamp <= 0: now. */
typedef struct kw_producer_record {
    const char *topic;
    int32_t partition;  /* -1: chosen by the partitioner */
    const void *key; int32_t key_len;
    const void *value; int32_t value_len;
    const kw_header *headers; int32_t header_count;
    int64_t timestamp;
    void *opaque;
} kw_producer_record;

typedef struct kw_producer_stats {
    uint64_t records_sent, records_acked, records_failed, record_retries;
    uint64_t batches, batch_records, batch_raw_bytes, batch_wire_bytes; /* before/after compression */
    double batch_fill_sum;  /* sum over batches of raw bytes / batch.size */
    uint64_t sealed[4];     /* batches by why they were sealed: [1] full, [2] linger.ms, [3] flush */
    uint64_t requests, request_batches, request_bytes, request_errors;
    uint64_t rtt_sum_us, rtt_max_us;
    uint64_t metadata_requests, pid_requests;
    uint64_t loop_polls;    /* rounds of the loop (each one poll() at most): a spinning loop shows here */
    uint64_t mem_peak;      /* most bytes held against buffer.memory at once */
    kw_hdr *latency_us;     /* every report's latency_us (kwire/bench.h: 1 us .. 1 h, 3 digits) */
    int64_t lat_max_ms;
    kw_hist batch_records_hist; /* records per batch, one sample per batch at its first send */
} kw_producer_stats;

/*
 * A producer for a validated config (kw_config_validate; the producer keeps a copy).
 * NULL on failure with a message in err (size errlen) naming the setting or cause.
 */
KW_API kw_producer *kw_producer_new(const kw_config *cfg, kw_delivery_cb cb, void *cb_ud, char *err, size_t errlen);
/* --dump: every request and response printed field by field (kwire/decode.h,
 * via kw_net_set_dump: flags KW_NET_DUMP_*). Call before the first send. */
KW_API int kw_producer_set_dump(kw_producer *p, FILE *out, int flags);
/* The producer's broker set (kwire/admin.h: kw_net_last_error); owned by the producer. */
KW_API kw_net *kw_producer_net(kw_producer *p);

/*
 * Accept a record (copied into its batch). Blocks, running the loop, while the topic's
 * metadata is unknown or buffer.memory is full, at most max.block.ms; then returns
 * KW_ERR_QUEUE_FULL, or for metadata the topic's error, the last Metadata request's
 * error (e.g. KW_ERR_CONNECT) or KW_ERR_TIMEOUT, and no report follows; at once, without
 * waiting, when every broker has failed for good (kw_net_fatal: KW_ERR_TLS, KW_ERR_AUTH,
 * ...: kw_net_last_error of the producer's net says why). Other failures:
 * KW_ERR_INVALID_ARG (no topic, partition out of range), KW_ERR_TOO_LARGE (record above
 * max.request.size), the topic's metadata error. 0: exactly one report will follow.
 */
KW_API int kw_producer_send(kw_producer *p, const kw_producer_record *rec);
/* Run the loop once for at most timeout_ms. Returns the number of reports delivered. */
KW_API int kw_producer_poll(kw_producer *p, int timeout_ms);
/* Send everything accepted and wait for every report, at most timeout_ms (-1: no
 * bound). 0, or KW_ERR_TIMEOUT with records still outstanding. */
KW_API int kw_producer_flush(kw_producer *p, int64_t timeout_ms);
/* Records accepted and not yet reported. */
KW_API uint64_t kw_producer_outstanding(const kw_producer *p);
/* Bytes of sealed batches waiting for a send slot (all topics): what a caller reading its
 * input ahead can hold back on, well before buffer.memory blocks kw_producer_send. */
KW_API size_t kw_producer_queued_bytes(const kw_producer *p);
/* Flush (bounded by delivery.timeout.ms), fail what is left with KW_ERR_DESTROYED, free. */
KW_API void kw_producer_close(kw_producer *p);

KW_API const kw_producer_stats *kw_producer_stats_get(const kw_producer *p);
/* Why the last Produce request that failed as a whole failed, as its connection saw it
 * ("BROKER: reason"; e.g. a response frame over kwire.max.response.bytes, a connection
 * lost mid-frame, a wrong correlation id); "" when none failed. */
KW_API const char *kw_producer_last_error(const kw_producer *p);
/* Delivery latency at quantile q (0..1) in whole ms, from the histogram (latency_us). */
KW_API int64_t kw_producer_latency_quantile(const kw_producer_stats *s, double q);
/* The negotiated producer id (-1 when not idempotent or not yet known). */
KW_API int64_t kw_producer_id(const kw_producer *p);

#ifdef __cplusplus
}
#endif

#endif
