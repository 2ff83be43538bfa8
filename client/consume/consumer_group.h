/*
 * client/consume/consumer_group.h — library-internal: the consumer's group membership driver.
 * It owns a client/group state machine and bridges it to the consumer's broker set
 * (requests submitted on client/net, the coordinator on a connection of its own) and to
 * the consumer's partition table (partitions added from their committed offsets,
 * removed when revoked or lost), runs the rebalance callbacks, commits (auto commit
 * every auto.commit.interval.ms, on revocation and on close; manual commits), all as
 * the member — generation or member epoch and member id in every OffsetCommit.
 * client/consume/consumer.c calls it from kw_consumer_poll; nothing else should.
 */
#ifndef KW_CLIENT_CONSUMER_GROUP_H
#define KW_CLIENT_CONSUMER_GROUP_H

#include "client/consume/consumer.h"
#include "client/consume/group.h"
#include "client/conn/metadata.h"
#include "client/admin/offsets.h"

typedef struct kw__cgroup kw__cgroup;

/* For a consumer with group.id (NULL with errbuf filled when the settings are wrong). */
kw__cgroup *kw__cg_new(kw_consumer *c, kw_net *net, const kw_config *cfg, char *errbuf, size_t errlen);
void kw__cg_free(kw__cgroup *cg);
int kw__cg_subscribe(kw__cgroup *cg, const char *const *topics, int n);
int kw__cg_subscribed(const kw__cgroup *cg);
kw_group *kw__cg_group(kw__cgroup *cg);
void kw__cg_set_rebalance_cb(kw__cgroup *cg, kw_rebalance_fn fn, void *ud);
/* The application polled (max.poll.interval.ms; an auto commit when due). */
void kw__cg_polled(kw__cgroup *cg);
/* Time passed / answers arrived: events, requests. A fatal group error (once). */
int kw__cg_drive(kw__cgroup *cg);
/* When the driver must run next (kw_net_now() time base), INT64_MAX: nothing due. */
int64_t kw__cg_deadline(const kw__cgroup *cg);
/* Metadata the membership needs besides the assigned topics: the subscription and the
 * leader's members' topics. */
int kw__cg_meta_topics(const kw__cgroup *cg, const char *const **names);
int kw__cg_wants_meta(const kw__cgroup *cg);
void kw__cg_meta_updated(kw__cgroup *cg);
/* Commit these positions as the member (synchronous). */
int kw__cg_commit(kw__cgroup *cg, kw_tpo_list *l, char *errbuf, size_t errlen);
/* Stable and every event handled. */
int kw__cg_settled(const kw__cgroup *cg);
/* Leave the group: commit (auto commit), revoke, LeaveGroup / a leave heartbeat; wait
 * at most timeout_ms for the answer. */
int kw__cg_close(kw__cgroup *cg, int timeout_ms);
const kw_consumer_group_stats *kw__cg_stats(const kw__cgroup *cg);

/* ---- what consumer.c offers its driver ---- */
/* Partitions given by the group: added (or taken back), waiting for a start position. */
int kw__consumer_take_parts(kw_consumer *c, const kw_tp *parts, int n);
/* Their start: the committed offset, or -1 for auto.offset.reset. */
void kw__consumer_set_start(kw_consumer *c, const char *topic, int32_t partition, int64_t offset);
/* Revoked or lost partitions stop being fetched and handed out. */
void kw__consumer_drop_parts(kw_consumer *c, const kw_tp *parts, int n);
/* Positions (next offset to hand out) of the given partitions, or of every assigned one
 * (parts NULL); partitions without a position are left out. */
int kw__consumer_positions(kw_consumer *c, const kw_tp *parts, int n, kw_tpo_list *out);
kw_meta *kw__consumer_meta(kw_consumer *c);
/* The metadata was just read in full (metadata.max.age.ms counts from now). */
void kw__consumer_meta_fresh(kw_consumer *c);
kw__cgroup *kw__consumer_cg(const kw_consumer *c);
void kw__consumer_want_meta(kw_consumer *c);
void kw__consumer_set_error(kw_consumer *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
