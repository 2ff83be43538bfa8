/*
 * bench/e2e.h — end-to-end latency, produce -> fetch, in one process, measured as
 * Kafka's kafka-e2e-latency (EndToEndLatency) measures it: one record at a time to one
 * partition, sent and acknowledged (send, then flush), then fetched by a consumer that
 * started at the log end; the next record goes when this one has been read back.
 *
 * Each record carries its sequence number and its send time (the monotonic clock of
 * kw_net_now(), microseconds) in its first 16 bytes, big-endian, then upper-case
 * letters up to record_size. The latency is the time it is read back minus the time in
 * its payload; a record read back out of order (another sequence number) stops the run,
 * as the Kafka tool's check does.
 */
#ifndef KW_BENCH_E2E_H
#define KW_BENCH_E2E_H

#include <stdint.h>

#include "bench/latency.h"
#include "client/core/config.h"

#define KW_E2E_HEADER 16 /* bytes: sequence number (8), send time in us (8) */

typedef struct kw_e2e {
    /* in */
    const char *topic;
    int32_t partition;         /* written and read (the Kafka tool: a 1-partition topic) */
    long records;
    int record_size;           /* >= KW_E2E_HEADER */
    int timeout_ms;            /* per record, ack and read back (the Kafka tool's 60 s) */
    kw_lat *lat;               /* latency recorded in series 0 (us) */
    int32_t *whole_ms;         /* NULL, or records entries: each latency in whole ms */
    /* called after each record: i, its latency (us), now (kw_net_now) */
    void (*progress)(void *ud, long i, int64_t latency_us, int64_t now_us);
    void *ud;
    /* out */
    long done;                 /* records read back */
    double total_ms;           /* sum of their latencies */
    char err[256];             /* why the run stopped early */
} kw_e2e;

/*
 * Run it: a producer for pcfg and a consumer for ccfg (both validated; the caller sets
 * linger.ms and fetch.max.wait.ms as it wants them — the Kafka tool uses 0 for both).
 * 0 when every record was read back, else -1 with e->err saying why.
 */
int kw_e2e_run(kw_e2e *e, const kw_config *pcfg, const kw_config *ccfg);

#endif
