/*
 * client/admin/offsets.h — offsets and groups over the network (synchronous calls on a
 * kw_net): log offsets by time (ListOffsets, to each partition's leader), the group
 * coordinator (FindCoordinator), committed offsets (OffsetFetch, OffsetCommit), the
 * groups of the cluster (ListGroups on every broker, DescribeGroups), and the lag
 * snapshot (client/admin/lag.h) filled from all of those.
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
 * ConsumerGroupHeartbeat) is client/consume/group.h's; a member commits with kw_offsets_commit_as.
 */
#ifndef KW_CLIENT_OFFSETS_H
#define KW_CLIENT_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#include "client/consume/assignor.h"
#include "client/admin/lag.h"
#include "client/conn/metadata.h"
#include "client/conn/net.h"
#include "kwire/admin.h"
#include "kwire/lag.h"

/* KW_TS_*, kw_tpo, kw_tpo_list, kw_offsets_opts, kw_list_offsets: kwire/admin.h */

/* Each entry's topic_id from m's topic of that name (entries of a topic m does not
 * list, or lists without an id, keep theirs). */
void kw_tpo_set_ids(kw_tpo_list *l, const kw_meta *m);
/* The highest OffsetCommit / OffsetFetch version l's entries can be sent at, as a
 * kw_conn_req max_version: -1 (kwire's bound, v10) when every entry has a topic id,
 * else 9 (also for an empty list: OffsetFetch for every committed partition stays at
 * v9, whose answer names the topics). */
int16_t kw_offsets_max_version(const kw_tpo_list *l);

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

/* kw_offsets_fetch: kwire/admin.h */
/* One OffsetFetch in two halves, for callers that send it to a coordinator they know
 * (capped at kw_offsets_max_version(l)): the request for l's entries (all the group's
 * when l is empty), and the answer applied (0, or the group's or a partition's error; a
 * pending transactional commit is UNSTABLE_OFFSET_COMMIT: ask again). From v10 topics
 * are named by id both ways: the request fails with KW_ERR_VERSION when an entry has no
 * id or l is empty; answered topics are matched to entries by id, an id not asked about
 * is ignored. */
int kw_offsets_fetch_encode(const char *group, const kw_tpo_list *l, int16_t version, kw_buf *out);
int kw_offsets_fetch_apply(kw_tpo_list *l, int16_t version, const uint8_t *body, size_t len);
/* kw_offsets_commit: kwire/admin.h */
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
/* One OffsetCommit in two halves, for callers that send it themselves (capped at
 * kw_offsets_max_version(l)): the request for every entry of l, and the answer applied
 * to l's entries (their error): 0 or the first error. From v10 topics are named by id
 * both ways, as for OffsetFetch. */
int kw_offsets_commit_encode(const char *group, const kw_commit_id *id, const kw_tpo_list *l, int16_t version,
                             kw_buf *out);
/* The OffsetFetch and OffsetCommit requests with a zero topic id sent as it is from v10
 * (a request shown without a broker: kwire explain). */
int kw__offsets_fetch_encode_any_id(const char *group, const kw_tpo_list *l, int16_t version, kw_buf *out);
int kw__offsets_commit_encode_any_id(const char *group, const kw_commit_id *id, const kw_tpo_list *l,
                                     int16_t version, kw_buf *out);
/* The bodies of the coordinator lookup for a group, ListGroups and DescribeGroups (one
 * group) as kw_coord_find, kw_groups_list and kw_group_describe send them. */
int kw__coord_find_encode(const char *group, int16_t version, kw_buf *out);
int kw__groups_list_encode(int16_t version, kw_buf *out);
int kw__group_describe_encode(const char *group, int16_t version, kw_buf *out);
int kw_offsets_commit_apply(kw_tpo_list *l, int16_t version, const uint8_t *body, size_t len);

/* kw_group_member, kw_group_info, kw_group_list, kw_groups_list, kw_group_describe,
 * kw_group_info_free: kwire/admin.h */

/* The timestamp (Unix ms; the batch's for log-append time) of the first record at or
 * after each entry's offset, read with one small Fetch per leader: ts[i] gets it, or -1
 * (no record there yet, a leader that did not answer, legacy message sets). Returns 0 or
 * KW_ERR_NOMEM: an unreadable partition is not an error. */
int kw_record_times(kw_net *n, kw_meta *m, const kw_tpo_list *l, int64_t *ts);

/* kw_snap_fill: kwire/lag.h */

#endif
