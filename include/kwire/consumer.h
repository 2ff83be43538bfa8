/*
 * kwire/consumer.h — a Kafka consumer: the application assigns partitions (given ones,
 * or every partition of a topic) and says where each starts, or subscribes to topics as
 * a member of group.id and the group assigns them (see "group membership" below); the
 * consumer fetches from each partition's leader and hands out records.
 *
 * Start positions: beginning, end, an absolute offset, N before the end, the first
 * offset at or after a timestamp (ListOffsets), or the group's committed offset
 * (OffsetFetch; without one, auto.offset.reset decides). OFFSET_OUT_OF_RANGE (the
 * position fell behind the log start offset, or past the end) resets the position by
 * auto.offset.reset (earliest / latest; none stops the partition with the error).
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
 *
 * Example: a group member printing what it reads (error checks shortened; see
 * examples/consumer_group.c):
 *
 *     kw_config *cfg = kw_config_new(KW_ROLE_CONSUMER);
 *     kw_config_set(cfg, "bootstrap.servers", "localhost:9092");
 *     kw_config_set(cfg, "group.id", "my-group");
 *     kw_config_set(cfg, "auto.offset.reset", "earliest");
 *     kw_config_validate(cfg);
 *     char err[256];
 *     kw_consumer *c = kw_consumer_new(cfg, NULL, err, sizeof err);
 *     const char *topics[] = { "t" };
 *     kw_consumer_subscribe(c, topics, 1);
 *     for (;;) {
 *         const kw_msg *m; int n;
 *         if (kw_consumer_poll(c, 500, &m, &n)) { fprintf(stderr, "%s\n", kw_consumer_error(c)); break; }
 *         for (int i = 0; i < n; i++)
 *             printf("%s [%d] @%lld %.*s\n", m[i].topic, m[i].partition, (long long)m[i].offset,
 *                    m[i].value_len < 0 ? 0 : (int)m[i].value_len, (const char *)m[i].value);
 *     }
 *     kw_consumer_close(c, 10000);     // commits (enable.auto.commit) and leaves the group
 *     kw_consumer_free(c);
 *     kw_config_free(cfg);
 */
#ifndef KWIRE_CONSUMER_H
#define KWIRE_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "kwire/bench.h"
#include "kwire/config.h"
#include "kwire/errors.h"
#include "kwire/types.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/* Parse "beginning", "end", "stored", "123", "-10" (10 before the end) or "@1700000000000". */
KW_API int kw_start_parse(const char *s, kw_start *out);

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
    kw_hdr *fetch_hold_us;    /* kwire/bench.h: 1 us .. 1 h, 3 significant digits */
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
KW_API kw_consumer *kw_consumer_new(const kw_config *cfg, kw_net *net, char *errbuf, size_t errlen);
KW_API void kw_consumer_free(kw_consumer *c);
KW_API kw_net *kw_consumer_net(kw_consumer *c);

/*
 * Assign a partition (partition -1: every partition of the topic) starting at *start.
 * Metadata is read (the topic must exist) and start positions are resolved now
 * (ListOffsets / OffsetFetch). 0 or an error (message in kw_consumer_error).
 */
KW_API int kw_consumer_assign(kw_consumer *c, const char *topic, int32_t partition, const kw_start *start);

/*
 * Wait up to timeout_ms for records. Returns 0 with *n records in *msgs (*n 0 when
 * none arrived in time), or an error (negative KW_ERR_*, or a positive Kafka code):
 * a partition stopped (e.g. KW_ERR_CRC, OFFSET_OUT_OF_RANGE with
 * auto.offset.reset=none; the records before it were handed out first and
 * kw_consumer_error says which partition and offset). The other partitions go on with
 * the next call. The array and every slice stay valid until the next call.
 */
KW_API int kw_consumer_poll(kw_consumer *c, int timeout_ms, const kw_msg **msgs, int *n);
/* The same with at most max records (max <= 0 or above max.poll.records: that). */
KW_API int kw_consumer_poll_n(kw_consumer *c, int timeout_ms, int max, const kw_msg **msgs, int *n);

/* 1 when every assigned partition's position has reached the log end offset last
 * reported by its leader (high watermark, or LSO under read_committed), else 0. */
KW_API int kw_consumer_at_end(const kw_consumer *c);

/* Number of partition slots; i-th one's topic, partition, position (next offset to
 * hand out) and last known high watermark. A group member keeps the slot of a partition
 * the group took away: KW_ERR_NOT_FOUND for it (until the partition comes back). */
KW_API int kw_consumer_nparts(const kw_consumer *c);
KW_API int kw_consumer_part(const kw_consumer *c, int i, const char **topic, int32_t *partition, int64_t *position,
                     int64_t *high_watermark);

/* Commit every assigned partition's position for group.id (OffsetCommit via the
 * coordinator; as the member when subscribed). */
KW_API int kw_consumer_commit(kw_consumer *c);

/* ---- group membership ----
 *
 * With group.id set, kw_consumer_subscribe joins the group (group.protocol: classic or
 * consumer: KIP-848) and the group hands out the partitions; kw_consumer_assign
 * never joins (it only uses group.id for its commits and -o stored). Assigned partitions
 * start at the group's committed offset, else by auto.offset.reset.
 *
 * Everything happens inside kw_consumer_poll (and kw_consumer_keepalive): heartbeats,
 * rebalances, the callbacks below, commits. The application must poll at least every
 * heartbeat interval, or call kw_consumer_keepalive while it works on records; going
 * max.poll.interval.ms without kw_consumer_poll leaves the group (the partitions are
 * LOST at the next poll, which joins again).
 *
 * Commits carry the member's generation (classic) or member epoch (consumer protocol)
 * and member id, so a member that has fallen out of the group cannot overwrite its
 * successors' commits. enable.auto.commit (Kafka's default true) commits, without
 * waiting, the positions of what earlier polls handed out every auto.commit.interval.ms
 * (inside kw_consumer_poll), and synchronously before partitions are revoked and in
 * kw_consumer_close. kw_consumer_commit commits synchronously at any time.
 */
enum { KW_REBALANCE_ASSIGNED = 1, KW_REBALANCE_REVOKED = 2, KW_REBALANCE_LOST = 3 };
/* Called inside kw_consumer_poll / kw_consumer_close: ASSIGNED with what the member
 * gained (possibly nothing: a rebalance ended), REVOKED before partitions are given up
 * (their positions are still valid: commit them here when not auto-committing), LOST
 * when they were taken away without a chance to commit (the member fell out of the
 * group). The array is valid during the call. The callback may call
 * kw_consumer_commit, kw_consumer_nparts / kw_consumer_part and kw_consumer_error. */
typedef void (*kw_rebalance_fn)(void *ud, kw_consumer *c, int kind, const kw_tp *parts, int n);

/* Subscribe to topics (each must exist): needs group.id. 0 or an error (message in
 * kw_consumer_error). */
KW_API int kw_consumer_subscribe(kw_consumer *c, const char *const *topics, int n);
KW_API void kw_consumer_set_rebalance_cb(kw_consumer *c, kw_rebalance_fn fn, void *ud);
/* Heartbeats, rebalances and commits for up to timeout_ms without handing out records. */
KW_API int kw_consumer_keepalive(kw_consumer *c, int timeout_ms);
/* Leave the group (commit with enable.auto.commit, REVOKED callback, LeaveGroup or a
 * leaving heartbeat; a static member keeps its place) waiting at most timeout_ms. A
 * consumer freed without it simply stops: the group notices after session.timeout.ms.
 * 0, or the commit's error. */
KW_API int kw_consumer_close(kw_consumer *c, int timeout_ms);
/* The membership (its state, member id, generation, assignor: below), NULL without
 * group.id. */
KW_API kw_group *kw_consumer_group(kw_consumer *c);
/* 1 once the member is in the group with its assignment in hand and every assigned
 * partition has a position (always 1 without a subscription). */
KW_API int kw_consumer_settled(const kw_consumer *c);

/* "unjoined", "coordinator", "joining", "syncing", "stable", "leaving", "left", "failed". */
KW_API const char *kw_group_state(const kw_group *g);
KW_API const char *kw_group_member_id(const kw_group *g);
KW_API int32_t kw_group_generation(const kw_group *g);
/* The protocol (assignor) the coordinator chose ("range", ...; "" before). */
KW_API const char *kw_group_assignor(const kw_group *g);

typedef struct kw_consumer_group_stats {
    uint64_t commits, commit_failures, auto_commits, rebalances;
    uint64_t joins, syncs, heartbeats, assigned, revoked, lost, coordinator_lookups;
    int64_t last_rebalance_us; /* JoinGroup / joining heartbeat to assignment in hand */
} kw_consumer_group_stats;
/* NULL without group.id. */
KW_API const kw_consumer_group_stats *kw_consumer_group_stats_get(const kw_consumer *c);

KW_API const kw_consumer_stats *kw_consumer_stats_get(const kw_consumer *c);
/* Text of the last error ("" if none). */
KW_API const char *kw_consumer_error(const kw_consumer *c);

#ifdef __cplusplus
}
#endif

#endif
