/*
 * kwire/lag.h — consumer-group lag, computed from a cluster snapshot.
 *
 * A kw_snapshot holds brokers, topics with their partitions' oldest, newest and last
 * stable offsets, and groups with their committed offsets. kw_snap_fill reads one from a
 * cluster (the builder functions below fill one by hand); everything else here (lag rows,
 * sums, the `kafka-consumer-groups.sh --describe` table, JSON, the lag watch) reads only
 * that snapshot, without I/O.
 *
 * Lag of one partition = log-end offset - committed offset, where the log-end offset is
 * the high watermark, or the last stable offset (LSO) when the snapshot was taken for a
 * read_committed consumer (transactional records past the LSO are not readable yet).
 *
 * Order of reads (what the filler must do, and why): read the group's committed offsets
 * FIRST (OffsetFetch), then the log-end offsets (ListOffsets). Log-end offsets only
 * grow, and a consumer only commits offsets it has read, so committed <= log-end holds
 * at every instant; read in this order, the log-end offset we use is at least the one
 * that held when the commit was read, and the difference is never negative. Read the
 * other way round (kafka_exporter's long-standing negative-lag reports), the consumer
 * may read and commit records produced after the log-end read, and committed > log-end.
 * A negative difference can still appear (topic deleted and re-created, log truncated
 * after an unclean leader election, offsets reset by hand, a read_uncommitted consumer
 * committing past the LSO): the lag then counts as 0 and the row is flagged
 * KW_LAG_CLAMPED, never reported negative — but not hidden: the committed offset is
 * shown as stored, the table marks the row ("0*" and a footnote) and JSON says
 * "clamped": true with "past_end": how far past.
 *
 * Lag in time: the age of the record at the committed offset — the next one the group
 * will read — when the snapshot was taken (snapshot taken_ms minus that record's
 * timestamp), 0 for a partition with no lag. The filler reads that record's timestamp
 * (a Fetch at the committed offset).
 *
 * A committed offset of -1 means "no commit": such a partition is listed ("-" in the
 * table, null in JSON) and left out of every sum — never summed as -1.
 *
 * Example: the lag of group "g" on a cluster (see examples/lag_check.c):
 *
 *     kw_net *n = kw_net_new(cfg);                      // cfg: bootstrap.servers set
 *     kw_net_add_list(n, "localhost:9092");
 *     kw_snapshot s; kw_snap_init(&s);
 *     const char *groups[] = { "g" };
 *     kw_lag_report r;
 *     if (kw_snap_fill(n, NULL, groups, 1, NULL, NULL, NULL, 0, 0, &s) == 0 &&
 *         kw_lag_compute(&s, NULL, NULL, &r) == 0) {
 *         printf("total lag %lld\n", (long long)r.total);
 *         kw_lag_report_free(&r);
 *     }
 *     kw_snap_free(&s); kw_net_free(n);
 */
#ifndef KWIRE_LAG_H
#define KWIRE_LAG_H

#include <stddef.h>
#include <stdint.h>

#include "kwire/admin.h"
#include "kwire/errors.h"
#include "kwire/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KW_OFFSET_NONE (-1) /* no commit / offset unknown */

/* ---- the snapshot ---- */

typedef struct kw_snap_part {
    int32_t id;
    int64_t oldest; /* log start offset, -1 unknown */
    int64_t newest; /* high watermark, -1 unknown */
    int64_t lso;    /* last stable offset, -1 unknown (only read under read_committed) */
} kw_snap_part;

typedef struct kw_snap_topic {
    char *name;
    kw_snap_part *parts; /* sorted by id */
    size_t nparts, cap;
} kw_snap_topic;

typedef struct kw_snap_commit {
    char *topic; /* owned copy */
    int32_t partition;
    int64_t offset; /* -1: no commit */
    int64_t ts;     /* timestamp (Unix ms) of the record at offset, -1 unknown */
    char *owner, *owner_client, *owner_host; /* the member assigned it, NULL none/unknown */
} kw_snap_commit;

typedef struct kw_snap_group {
    char *name;
    char *state; /* "Stable", "Empty", ...; NULL when not known */
    char *type;  /* "classic" or "consumer" (KIP-848); NULL when not known */
    int32_t members; /* -1 unknown */
    kw_snap_commit *commits;
    size_t ncommits, cap;
} kw_snap_group;

typedef struct kw_snapshot {
    int32_t brokers;    /* -1 unknown */
    int read_committed; /* 1: log-end offset = LSO, 0: high watermark */
    int64_t taken_ms;   /* Unix ms when the log-end offsets were read, 0 unknown */
    kw_snap_topic *topics;
    size_t ntopics, cap_topics;
    kw_snap_group *groups;
    size_t ngroups, cap_groups;
} kw_snapshot;

KW_API void kw_snap_init(kw_snapshot *s);
/* Free everything the snapshot owns and leave it empty (initialised). */
KW_API void kw_snap_free(kw_snapshot *s);
/* Exchange the contents of two snapshots (the exporter keeps the last good one this way). */
KW_API void kw_snap_swap(kw_snapshot *a, kw_snapshot *b);

/* Add a topic (no-op if present). 0, KW_ERR_INVALID_ARG (NULL/empty name) or KW_ERR_NOMEM. */
KW_API int kw_snap_add_topic(kw_snapshot *s, const char *topic);
/*
 * Set one partition's offsets (adds the topic and partition when new, overwrites when
 * present). Pass -1 for an offset not read. 0, KW_ERR_INVALID_ARG (partition < 0) or
 * KW_ERR_NOMEM.
 */
KW_API int kw_snap_set_partition(kw_snapshot *s, const char *topic, int32_t partition,
                          int64_t oldest, int64_t newest, int64_t lso);
/* Add a group (state may be NULL; a later call with a state sets it). 0 or an error. */
KW_API int kw_snap_add_group(kw_snapshot *s, const char *group, const char *state);
/*
 * Record a group's committed offset for a partition (-1 = no commit; the group is added
 * when new; a second call for the same partition overwrites). 0 or an error.
 */
KW_API int kw_snap_set_commit(kw_snapshot *s, const char *group, const char *topic,
                       int32_t partition, int64_t offset);
/* The timestamp of the record at a commit's offset (the commit must exist). 0 or
 * KW_ERR_NOT_FOUND. */
KW_API int kw_snap_set_commit_time(kw_snapshot *s, const char *group, const char *topic, int32_t partition, int64_t ts);
/* The member that has a partition (adds a commit entry of -1 when the group has none
 * there, so an assigned partition without a commit is listed). NULLs allowed. */
KW_API int kw_snap_set_owner(kw_snapshot *s, const char *group, const char *topic, int32_t partition, const char *member,
                      const char *client, const char *host);
/* A group's type ("classic" / "consumer", NULL unknown) and member count (-1 unknown). */
KW_API int kw_snap_set_group_info(kw_snapshot *s, const char *group, const char *type, int32_t members);

KW_API const kw_snap_topic *kw_snap_find_topic(const kw_snapshot *s, const char *topic);
KW_API const kw_snap_part *kw_snap_find_part(const kw_snapshot *s, const char *topic, int32_t partition);
KW_API const kw_snap_group *kw_snap_find_group(const kw_snapshot *s, const char *group);

/* ---- filling a snapshot from a cluster ---- */

/*
 * Fill a lag snapshot: the groups (names given, or every group ListGroups reports
 * when ngroups is 0; keep(ud, name) filters them when not NULL), each described (type,
 * member count, who has which partition), and their committed offsets FIRST, then the
 * log start and end offsets of every partition of the topics (topic given, else every
 * topic of the cluster when all_topics, else the topics the groups committed), the time
 * that was read, and the timestamp of the record at each committed offset behind the
 * log end (lag in time). Returns 0 or the error that prevented a complete snapshot.
 */
KW_API int kw_snap_fill(kw_net *n, const kw_offsets_opts *o, const char *const *groups, int ngroups,
                 int (*keep)(void *ud, const char *group), void *ud, const char *topic, int all_topics,
                 int read_committed, kw_snapshot *s);

/* ---- lag ---- */

enum {
    KW_LAG_NO_COMMIT = 1,   /* the group has no committed offset here */
    KW_LAG_NO_LOG_END = 2,  /* the partition's log-end offset is not in the snapshot */
    KW_LAG_CLAMPED = 4      /* log-end < committed: lag reported as 0 (see above) */
};

typedef struct kw_lag_row {
    const char *group, *topic; /* point into the snapshot */
    int32_t partition;
    int64_t committed; /* -1: no commit */
    int64_t log_end;   /* -1: unknown */
    int64_t lag;       /* >= 0, or -1 when not computable (no commit or no log-end) */
    double lag_seconds; /* age of the record at the committed offset, >= 0; -1 unknown */
    unsigned flags;    /* KW_LAG_* */
    const char *owner, *owner_client, *owner_host; /* NULL: none / unknown */
} kw_lag_row;

/* Sum over the partitions of one topic consumed by one group (rows with a lag only). */
typedef struct kw_lag_topic_sum {
    const char *group, *topic;
    int64_t lag;            /* sum of lag over rows with lag >= 0 */
    int64_t committed_sum;  /* sum of committed offsets over rows with a commit */
    size_t partitions;      /* rows for this group and topic */
    size_t with_commit;     /* rows with a committed offset */
    size_t with_lag;        /* rows that contributed to lag */
} kw_lag_topic_sum;

typedef struct kw_lag_group_sum {
    const char *group;
    const char *state;      /* may be NULL */
    const char *type;       /* may be NULL */
    int32_t members;        /* -1 unknown */
    int64_t lag;
    double lag_seconds_max; /* the oldest unread record's age over its partitions, -1 unknown */
    size_t partitions, with_lag;
} kw_lag_group_sum;

typedef struct kw_lag_report {
    kw_lag_row *rows;                /* sorted by group, topic, partition */
    size_t nrows;
    kw_lag_topic_sum *topics;        /* sorted by group, topic */
    size_t ntopics;
    kw_lag_group_sum *groups;        /* sorted by group */
    size_t ngroups;
    int64_t total;                   /* over all groups in the report */
    size_t no_commit, clamped, no_log_end; /* counts of flagged rows */
} kw_lag_report;

/* Keep a group in the report? Non-zero keeps it. */
typedef int (*kw_lag_filter_fn)(void *ud, const char *group);

/*
 * Compute lag for every group the filter keeps (filter NULL: all groups). The report
 * points into the snapshot, which must outlive it. Groups without any commit entry
 * appear in groups[] with 0 partitions. 0 or KW_ERR_NOMEM.
 */
KW_API int kw_lag_compute(const kw_snapshot *s, kw_lag_filter_fn filter, void *ud, kw_lag_report *out);
KW_API void kw_lag_report_free(kw_lag_report *r);

/*
 * The table of `kafka-consumer-groups.sh --describe`: columns GROUP TOPIC PARTITION
 * CURRENT-OFFSET LOG-END-OFFSET LAG, left-aligned, widths as Kafka's tool uses them
 * (group and topic at least 15 and as wide as the longest value, PARTITION 10, the
 * offsets at least 15), "-" for a missing commit or log-end offset; then LAG-SECONDS
 * (one decimal, "-" unknown) and, when any row's owner is known, Kafka's CONSUMER-ID
 * HOST CLIENT-ID. A clamped lag shows as "0*", explained by a closing note line.
 * Appends to out; returns out->err (0 or NOMEM).
 */
KW_API int kw_lag_format_table(const kw_lag_report *r, kw_buf *out);

/*
 * JSON: {"groups":[{"group":..,"state":..|null,"type":..|null,"member_count":N|null,"lag":N,
 * "lag_seconds_max":X|null,"topics":[{"topic":..,"lag":N,"partitions":[{"partition":N,
 * "current_offset":N|null,"log_end_offset":N|null,"lag":N|null,"lag_seconds":X|null,
 * "clamped":bool,"past_end":N (clamped rows only),"consumer_id":..,"host":..,
 * "client_id":.. (when known)}]}]}],"total_lag":N,"clamped":N} and a newline.
 */
KW_API int kw_lag_format_json(const kw_lag_report *r, kw_buf *out);
/* The same, with extra(ud, group, out) writing further members (",\"name\":value...")
 * into each group's object after its state. */
KW_API int kw_lag_format_json_ex(const kw_lag_report *r, kw_buf *out,
                          void (*extra)(void *ud, const char *group, kw_buf *out), void *ud);

/* ---- the lag watch (the labs' M6 loop), as a pure step function ---- */

#define KW_LAG_EXIT_OVER 3 /* one-shot exit status when the total is at or over the threshold */

typedef struct kw_lag_watch {
    int64_t threshold; /* warn when total >= threshold; < 0: never */
    int verbose;       /* also print one line per partition */
    int have_prev;
    int64_t prev_total;
} kw_lag_watch;

KW_API void kw_lag_watch_init(kw_lag_watch *w, int64_t threshold, int verbose);

/*
 * One tick: append the lines to print for this report taken at now_ms (Unix ms) and
 * remember its total. Lines:
 *   2026-11-22T02:10:35Z test-group total-lag 150 (+20)
 *   2026-11-22T02:10:35Z   test-topic 0 lag 50               (verbose; "-" without commit)
 *   2026-11-22T02:10:35Z WARNING test-group total-lag 150 >= threshold 100
 * The label is the group's name when the report holds one group, else "all-groups".
 * The delta is omitted on the first tick. Returns KW_LAG_EXIT_OVER when the total is
 * at or over the threshold, 0 when under, or KW_ERR_NOMEM.
 */
KW_API int kw_lag_watch_step(kw_lag_watch *w, const kw_lag_report *r, int64_t now_ms, kw_buf *out);

/* "2026-11-22T02:10:35Z" for a Unix time in ms (UTC); buf of at least 24 bytes. */
KW_API void kw_lag_timestamp(int64_t now_ms, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
