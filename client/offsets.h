/*
 * client/offsets.h — offsets and groups over the network (synchronous calls on a
 * kw_net): log offsets by time (ListOffsets, to each partition's leader), the group
 * coordinator (FindCoordinator), committed offsets (OffsetFetch, OffsetCommit), the
 * groups of the cluster (ListGroups on every broker, DescribeGroups), and the lag
 * snapshot (client/lag.h) filled from all of those.
 *
 * A request to a broker that cannot be reached fails at the first failed connect
 * attempt (it does not wait out request.timeout.ms in that broker's queue).
 * Coordinator errors (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * COORDINATOR_LOAD_IN_PROGRESS, whole-response or per-partition) and an unreachable
 * coordinator make the call look the coordinator up again and retry; leader errors make
 * ListOffsets refresh the metadata and retry. Both wait retry.backoff.ms doubled per
 * attempt up to retry.backoff.max.ms, for at most default.api.timeout.ms (60 s: as Kafka's
 * consumer and admin client, so a call rides out a leader or coordinator failover, which
 * takes a killed broker's session timeout, 9 s by default). Group membership (JoinGroup,
 * ConsumerGroupHeartbeat) is client/group.h's; a member commits with kw_offsets_commit_as.
 */
#ifndef KW_CLIENT_OFFSETS_H
#define KW_CLIENT_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#include "client/assignor.h"
#include "client/lag.h"
#include "client/metadata.h"
#include "client/net.h"

/* ListOffsets special timestamps. */
#define KW_TS_LATEST (-1)
#define KW_TS_EARLIEST (-2)

/* A (topic, partition, offset) list: the input and output of the calls below. */
typedef struct kw_tpo {
    char *topic;
    int32_t partition;
    int64_t offset;     /* -1: none / unknown */
    int32_t leader_epoch;
    int16_t error;      /* per-partition Kafka error of the last call, 0 when none */
} kw_tpo;

typedef struct kw_tpo_list {
    kw_tpo *v;
    size_t n, cap;
} kw_tpo_list;

void kw_tpo_init(kw_tpo_list *l);
void kw_tpo_free(kw_tpo_list *l);
/* Append (topic copied). 0 or KW_ERR_NOMEM. */
int kw_tpo_add(kw_tpo_list *l, const char *topic, int32_t partition, int64_t offset);
/* The entry for (topic, partition) or NULL. */
kw_tpo *kw_tpo_find(const kw_tpo_list *l, const char *topic, int32_t partition);

/* Retry pacing for coordinator and ListOffsets calls (retry.backoff.ms,
 * retry.backoff.max.ms, default.api.timeout.ms); attempts > 0 also caps the tries (the
 * exporter keeps a scrape short). */
typedef struct kw_offsets_opts {
    int64_t backoff_ms, backoff_max_ms;
    int64_t timeout_ms;
    int attempts;
} kw_offsets_opts;
void kw_offsets_opts_default(kw_offsets_opts *o);
void kw_offsets_opts_from_config(kw_offsets_opts *o, const kw_config *c);

/*
 * For every entry, the offset of the first record with a timestamp >= ts (or
 * KW_TS_LATEST / KW_TS_EARLIEST) from the partition's leader; isolation 1 =
 * read_committed (latest is then the LSO). Entries get offset (-1 when none) and
 * error. Leader errors refresh the metadata and retry as o says (NULL: the defaults).
 * Returns 0 when every entry has an offset, else the first per-partition error (or a
 * request error).
 */
int kw_list_offsets(kw_net *n, kw_meta *m, kw_tpo_list *l, int64_t ts, int isolation, const kw_offsets_opts *o);

/* One ListOffsets call to one leader in two halves, for callers that send it themselves
 * without waiting: the request for every entry of l (all led by that broker), and the
 * answer applied to l's entries (offset and leader_epoch when the partition has no
 * error; error). 0 or the error; KW_ERR_CORRUPT from v4+ may be librdkafka 2.0.2's
 * mock (4 extra bytes per partition): ask again at v3. */
int kw_list_offsets_encode(const kw_tpo_list *l, int64_t ts, int isolation, int16_t version, kw_buf *out);
int kw_list_offsets_apply(kw_tpo_list *l, int16_t version, const uint8_t *body, size_t len);
/* 1 for the errors a fresh leader lookup may cure (Kafka's leader errors, a broker that
 * could not be reached or timed out). */
int kw_offsets_retriable(int e);

/* The coordinator of a group: its kw_net index (added when new). */
int kw_coord_find(kw_net *n, const char *group, int *idx);

/*
 * The group's committed offsets. l->n == 0 on entry: every partition the group has
 * committed (appended); else the listed entries get offset (-1: none) and error.
 */
int kw_offsets_fetch(kw_net *n, const kw_offsets_opts *o, const char *group, kw_tpo_list *l);
/* One OffsetFetch in two halves, for callers that send it to a coordinator they know:
 * the request for l's entries (all the group's when l is empty), and the answer applied
 * (0, or the group's or a partition's error; a pending transactional commit is
 * UNSTABLE_OFFSET_COMMIT: ask again). */
int kw_offsets_fetch_encode(const char *group, const kw_tpo_list *l, int16_t version, kw_buf *out);
int kw_offsets_fetch_apply(kw_tpo_list *l, int16_t version, const uint8_t *body, size_t len);
/* Commit each entry's offset for the group (generation -1, no member: a simple
 * consumer's commit). Entries get their error; returns 0 or the first error. */
int kw_offsets_commit(kw_net *n, const kw_offsets_opts *o, const char *group, kw_tpo_list *l);
/* A group member's identity for its commits: generation (classic) or member epoch
 * (consumer protocol), member id, group.instance.id (NULL). */
typedef struct kw_commit_id {
    int32_t generation;
    const char *member_id;
    const char *instance_id;
} kw_commit_id;
/* The same as a member (id NULL: as kw_offsets_commit): the coordinator refuses the
 * commit of a member whose generation is not current (ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH, FENCED_MEMBER_EPOCH), so a member that fell
 * out of the group cannot overwrite what the partitions' new owners commit. */
int kw_offsets_commit_as(kw_net *n, const kw_offsets_opts *o, const char *group, const kw_commit_id *id,
                         kw_tpo_list *l);
/* One OffsetCommit in two halves, for callers that send it themselves: the request for
 * every entry of l, and the answer applied to l's entries (their error): 0 or the first
 * error. */
int kw_offsets_commit_encode(const char *group, const kw_commit_id *id, const kw_tpo_list *l, int16_t version,
                             kw_buf *out);
int kw_offsets_commit_apply(kw_tpo_list *l, int16_t version, const uint8_t *body, size_t len);

/* One group as ListGroups / DescribeGroups / ConsumerGroupDescribe report it. */
typedef struct kw_group_member {
    char *member_id, *client_id, *client_host;
    char *instance_id;   /* group.instance.id, NULL: dynamic */
    int32_t member_epoch; /* consumer protocol; -1 classic */
    kw_tp *assigned;     /* its partitions (topics owned): the consumer protocol's
                            assignment, or a classic member's decoded from its bytes */
    int32_t nassigned;   /* -1: not known (not the consumer protocol's bytes) */
} kw_group_member;

typedef struct kw_group_info {
    char *group;
    char *protocol_type; /* "consumer", "" for simple-consumer groups */
    char *state;         /* NULL when not known */
    char *type;          /* "classic" or "consumer" (KIP-848), NULL when not known */
    char *assignor;      /* classic: the protocol (range, ...); consumer: the server assignor */
    int32_t epoch;       /* consumer protocol: the group epoch; -1 classic / unknown */
    int32_t coordinator; /* node id of the broker that listed it, -1 unknown */
    kw_group_member *members;
    int32_t nmembers;
} kw_group_info;

typedef struct kw_group_list {
    kw_group_info *v;
    size_t n, cap;
    int nfailed;          /* brokers whose ListGroups failed */
    char failed[512];     /* each as "node N (host:port): reason", "; "-separated */
} kw_group_list;

void kw_group_list_free(kw_group_list *l);
/* ListGroups on every broker of the metadata; groups sorted by name, each once. Returns
 * 0 when every broker answered, else the last error (groups from the others kept; every
 * failed broker and its reason in out->nfailed / out->failed). */
int kw_groups_list(kw_net *n, const kw_meta *m, kw_group_list *out);
/* The group as its coordinator describes it: DescribeGroups (state, protocol type and
 * assignor, members with their decoded assignments); for a consumer-protocol group
 * (DescribeGroups answers GROUP_ID_NOT_FOUND: "not a classic group") ConsumerGroupDescribe
 * (state, group epoch, server assignor, members with epochs and assignments). */
int kw_group_describe(kw_net *n, const kw_offsets_opts *o, const char *group, kw_group_info *out);

/* The timestamp (Unix ms; the batch's for log-append time) of the first record at or
 * after each entry's offset, read with one small Fetch per leader: ts[i] gets it, or -1
 * (no record there yet, a leader that did not answer, legacy message sets). Returns 0 or
 * KW_ERR_NOMEM: an unreadable partition is not an error. */
int kw_record_times(kw_net *n, kw_meta *m, const kw_tpo_list *l, int64_t *ts);
void kw_group_info_free(kw_group_info *g);

/*
 * Fill a lag snapshot: the groups (names given, or every group ListGroups reports
 * when ngroups is 0; keep(ud, name) filters them when not NULL), each described (type,
 * member count, who has which partition), and their committed offsets FIRST, then the
 * log start and end offsets of every partition of the topics (topic given, else every
 * topic of the cluster when all_topics, else the topics the groups committed), the time
 * that was read, and the timestamp of the record at each committed offset behind the
 * log end (lag in time). Returns 0 or the error that prevented a complete snapshot.
 */
int kw_snap_fill(kw_net *n, const kw_offsets_opts *o, const char *const *groups, int ngroups,
                 int (*keep)(void *ud, const char *group), void *ud, const char *topic, int all_topics,
                 int read_committed, kw_snapshot *s);

#endif
