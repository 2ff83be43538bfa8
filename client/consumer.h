/*
 * client/consumer.h — a Kafka consumer without group membership: the application
 * assigns partitions (given ones, or every partition of a topic) and says where each
 * starts; the consumer fetches from each partition's leader and hands out records.
 *
 * Start positions: beginning, end, an absolute offset, N before the end, the first
 * offset at or after a timestamp (ListOffsets), or the group's committed offset
 * (OffsetFetch; without one, auto.offset.reset decides). OFFSET_OUT_OF_RANGE (the
 * position fell behind the log start offset, or past the end; for a start offset this
 * is found at assign time from the log's bounds) resets the position by
 * auto.offset.reset (earliest / latest; none stops the partition with the error); each
 * reset leaves a notice (kw_consumer_notice).
 *
 * Fetching: one Fetch per leader broker in flight at a time, carrying every assigned
 * partition that broker leads (fetch.min.bytes, fetch.max.bytes,
 * max.partition.fetch.bytes, fetch.max.wait.ms, isolation.level; topic ids from v13).
 * When a response arrives the next Fetch to that broker is sent at once (its offsets
 * follow the last complete batch of the response), so it is in flight while the
 * application handles the current one; at most one unread response per broker waits.
 *
 * Delivery: kw_consumer_poll hands out at most max.poll.records records. Records of
 * uncompressed batches are slices into the retained response bytes (never copied);
 * compressed batches are decompressed once into buffers kept for that poll. Every
 * slice stays valid until the next kw_consumer_poll / kw_consumer_free. Records before
 * a partition's position (the start of the batch that holds it, or data fetched twice
 * around a leader change) are skipped, so no record is handed out twice and none is
 * skipped. A partial batch at the end of a partition's data (the broker cuts at the
 * byte limits) is not corruption: it is fetched again whole. check.crcs (default on):
 * a batch whose CRC-32C does not match stops that partition with KW_ERR_CRC and an
 * error text naming topic, partition and offset. read_committed drops records of
 * aborted transactions (the response's aborted transaction list and the ABORT control
 * batches) and every control batch.
 *
 * Errors: a leader change (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, ...), an
 * unknown partition or a broker that cannot be reached makes the consumer refresh its
 * metadata and resume each partition at its position on the new leader (counted in
 * fetch_retried). An answer that cannot be used — a frame above
 * kwire.max.response.bytes, a wrong correlation id, a body that does not decode at the
 * version asked — would come again on a retry: the partitions of that fetch stop with
 * the error once the records received before it are handed out.
 *
 * Waiting: kw_consumer_poll keeps to its timeout. The Metadata refresh and the
 * ListOffsets of a reset are sent without waiting and applied inside the polls, with
 * retry.backoff.ms between failed attempts (for Metadata growing to
 * retry.backoff.max.ms); only kw_consumer_assign waits for its start positions.
 */
#ifndef KW_CLIENT_CONSUMER_H
#define KW_CLIENT_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "client/config.h"
#include "client/hdr.h"
#include "client/net.h"
#include "client/rate.h"

/* Where a partition starts. */
typedef enum kw_start_kind {
    KW_START_BEGINNING, /* log start offset */
    KW_START_END,       /* log end offset: only records produced from now on */
    KW_START_OFFSET,    /* value: an absolute offset */
    KW_START_TAIL,      /* value: N records before the end (clamped to the beginning) */
    KW_START_TIME,      /* value: Unix ms; the first offset with a timestamp >= value */
    KW_START_COMMITTED  /* the group's committed offset (group.id), else auto.offset.reset */
} kw_start_kind;

typedef struct kw_start {
    kw_start_kind kind;
    int64_t value;
} kw_start;

/* Parse "beginning", "end", "stored", "123", "-10" (10 before the end), "@1700000000000"
 * or kcat's "s@1700000000000". */
int kw_start_parse(const char *s, kw_start *out);

/* One record handed to the application: slices valid until the next poll. */
typedef struct kw_msg {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp;     /* ms */
    int ts_log_append;     /* 1: the broker's log-append time */
    const uint8_t *key; int32_t key_len;     /* -1: null */
    const uint8_t *value; int32_t value_len; /* -1: null */
    const uint8_t *hdr_data; size_t hdr_len; /* walk with kw_record_header_next */
    int32_t header_count;
} kw_msg;

/* Statistics for the bench layer. Histograms: fetch response bytes, records per fetch,
 * partitions per fetch, broker hold time (request to response, us), records per poll.
 *
 * Record-set bytes against the fetch limits, as the broker counts them (the records
 * field, a batch cut short at the end included): part_records_bytes is one partition's
 * record set in one response (bounded by max.partition.fetch.bytes), fetch_records_bytes
 * the sum over a response's partitions (bounded by fetch.max.bytes). *_over_limit counts
 * record sets (responses) above the bound; *_over_first_batch those of them that are one
 * whole first batch larger than the bound, which Kafka returns so that the consumer can
 * progress. over_limit > over_first_batch would be a broker ignoring the limit. */
typedef struct kw_consumer_stats {
    uint64_t fetches, empty_fetches, fetch_errors;
    uint64_t fetch_retried;   /* failed fetches retried (disconnects, timeouts, Kafka errors) */
    uint64_t bytes, records, batches, compressed_batches;
    uint64_t polls, empty_polls;
    uint64_t skipped_before;  /* records before the position, skipped */
    uint64_t aborted_skipped; /* read_committed: records of aborted transactions */
    uint64_t partial_batches; /* partial trailing batches seen */
    uint64_t resets, leader_changes, metadata_refreshes;
    kw_hist fetch_bytes, fetch_records, fetch_partitions, poll_records;
    kw_hdr *fetch_hold_us;    /* client/hdr.h: 1 us .. 1 h, 3 significant digits */
    kw_hist part_records_bytes, fetch_records_bytes;
    uint64_t part_over_limit, part_over_first_batch;
    uint64_t fetch_over_limit, fetch_over_first_batch;
    int32_t part_limit, fetch_limit; /* the bounds asked for (max.partition.fetch.bytes, fetch.max.bytes) */
} kw_consumer_stats;

typedef struct kw_consumer kw_consumer;

/*
 * A consumer for the settings in cfg (consumer role; bootstrap.servers must be set).
 * When net is NULL the consumer makes and owns its own broker set; else it uses net
 * (which must outlive it; the consumer may be freed first, or after kw_net_free).
 * NULL on failure, with a message in errbuf when given.
 */
kw_consumer *kw_consumer_new(const kw_config *cfg, kw_net *net, char *errbuf, size_t errlen);
void kw_consumer_free(kw_consumer *c);
kw_net *kw_consumer_net(kw_consumer *c);

/*
 * Assign a partition (partition -1: every partition of the topic) starting at *start.
 * Metadata is read (the topic must exist) and start positions are resolved now
 * (ListOffsets / OffsetFetch). 0 or an error (message in kw_consumer_error).
 */
int kw_consumer_assign(kw_consumer *c, const char *topic, int32_t partition, const kw_start *start);

/*
 * Wait up to timeout_ms for records. Returns 0 with *n records in *msgs (*n 0 when
 * none arrived in time), or an error (negative KW_ERR_*, or a positive Kafka code):
 * a partition stopped (e.g. KW_ERR_CRC, OFFSET_OUT_OF_RANGE with
 * auto.offset.reset=none; the records before it were handed out first and
 * kw_consumer_error says which partition and offset). The other partitions go on with
 * the next call. The array and every slice stay valid until the next call.
 */
int kw_consumer_poll(kw_consumer *c, int timeout_ms, const kw_msg **msgs, int *n);
/* The same with at most max records (max <= 0 or above max.poll.records: that). */
int kw_consumer_poll_n(kw_consumer *c, int timeout_ms, int max, const kw_msg **msgs, int *n);

/* 1 when every assigned partition's position has reached the log end offset last
 * reported by its leader (high watermark, or LSO under read_committed), else 0. */
int kw_consumer_at_end(const kw_consumer *c);

/* Number of assigned partitions; i-th one's topic, partition, position (next offset to
 * hand out) and last known high watermark. */
int kw_consumer_nparts(const kw_consumer *c);
int kw_consumer_part(const kw_consumer *c, int i, const char **topic, int32_t *partition, int64_t *position,
                     int64_t *high_watermark);

/* The next notice for the user, or NULL: a position that was out of range and reset
 * by auto.offset.reset ("offset 999 out of range for t1 [0] (its log holds 0..10),
 * reset to earliest (0) by auto.offset.reset"). Valid until the next call. */
const char *kw_consumer_notice(kw_consumer *c);

/* Commit every partition's position for group.id (OffsetCommit via the coordinator). */
int kw_consumer_commit(kw_consumer *c);

const kw_consumer_stats *kw_consumer_stats_get(const kw_consumer *c);
/* Text of the last error ("" if none). */
const char *kw_consumer_error(const kw_consumer *c);

#endif
