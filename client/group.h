/*
 * client/group.h — consumer-group membership as a sans-I/O state machine: the group
 * never touches a socket or a clock. Its driver (client/consumer.c, on client/net.c)
 * asks it for the next request to send and where (any broker, or the group's
 * coordinator), encodes it through kw_group_encode when the connection writes it, hands
 * every answer (or transport error) back with kw_group_response, tells it when time
 * passed (kw_group_tick) and when the application polled (kw_group_polled), and takes
 * the assignment changes it produces as events. Tests drive it with scripted answers
 * and a fake clock (tests/test_group.c).
 *
 * Two protocols, chosen by group.protocol:
 *
 * classic — FindCoordinator, then JoinGroup (the first one without a member id; the
 *   coordinator answers MEMBER_ID_REQUIRED with one and the member joins again with it),
 *   SyncGroup (the leader runs the assignor chosen by the coordinator among
 *   partition.assignment.strategy, client/assignor.h, over every member's
 *   subscription: the consumer protocol's bytes, proto/consumer_protocol.h), Heartbeat
 *   every heartbeat.interval.ms, LeaveGroup on close (not for a static member, whose
 *   group.instance.id keeps its place for session.timeout.ms). Rebalance protocol:
 *   eager (every partition revoked before JoinGroup) unless every configured assignor is
 *   cooperative (cooperative-sticky): then a member keeps its partitions through the
 *   rebalance, revokes only those the new assignment takes away, and joins again after
 *   revoking so they can move (KIP-429).
 *
 * consumer (KIP-848) — FindCoordinator, then ConsumerGroupHeartbeat: member epoch 0 to
 *   join (with the subscription, group.remote.assignor, rebalance timeout and owned
 *   partitions), then every heartbeat interval the broker gives; the answer carries the
 *   member's assignment (topic ids) whenever it changes. The member revokes what is no
 *   longer in it (event REVOKED, acknowledged by the driver) before it takes the new
 *   partitions and acknowledges the new assignment by sending its owned partitions in
 *   the next heartbeat, at once. Epoch -1 leaves; -2 leaves temporarily (a static
 *   member closing).
 *
 * Errors (both protocols): NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a disconnect or
 *   a timeout of a coordinator request: find the coordinator again.
 *   COORDINATOR_LOAD_IN_PROGRESS: the same request again after retry.backoff.ms.
 *   REBALANCE_IN_PROGRESS (heartbeat, SyncGroup): join again. UNKNOWN_MEMBER_ID,
 *   ILLEGAL_GENERATION, FENCED_MEMBER_EPOCH: the member's partitions are LOST (another
 *   member may own them already: nothing is committed for them) and it joins again
 *   (UNKNOWN_MEMBER_ID also forgets the member id of the classic protocol). Fatal (the
 *   group stops with kw_group_error): FENCED_INSTANCE_ID, UNRELEASED_INSTANCE_ID,
 *   GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED, INVALID_GROUP_ID,
 *   INCONSISTENT_GROUP_PROTOCOL, INVALID_SESSION_TIMEOUT, GROUP_MAX_SIZE_REACHED,
 *   UNSUPPORTED_ASSIGNOR, UNSUPPORTED_VERSION, INVALID_REQUEST, and any code not named
 *   here.
 *
 * Liveness: no successful heartbeat for session.timeout.ms (classic) makes the member
 *   look the coordinator up again; no kw_group_polled for max.poll.interval.ms makes it
 *   leave the group (LeaveGroup / epoch -1) — its partitions are LOST at the next poll,
 *   which joins again. Heartbeats are the driver's to send on time: the driver keeps the
 *   coordinator on a connection of its own (fetches wait there for fetch.max.wait.ms)
 *   and wakes for kw_group_deadline.
 */
#ifndef KW_CLIENT_GROUP_H
#define KW_CLIENT_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "client/assignor.h"
#include "client/config.h"
#include "codec/buf.h"
#include "proto/desc.h"
#include "kwire/consumer.h"

enum { KW_GROUP_CLASSIC = 0, KW_GROUP_CONSUMER = 1 };

/* Where a request goes. */
enum { KW_GROUP_TO_ANY = 0, KW_GROUP_TO_COORD = 1 };

/* What the group asks of its driver's metadata (pure lookups of what it holds). */
typedef struct kw_group_meta_fns {
    /* partitions of a topic, -1 when the metadata does not know it */
    int32_t (*partitions)(void *ud, const char *topic);
    /* the name of a topic id, NULL when not known */
    const char *(*topic_name)(void *ud, const kw_uuid *id);
    /* the id of a topic: 0, or -1 when not known */
    int (*topic_id)(void *ud, const char *topic, kw_uuid *id);
    void *ud;
} kw_group_meta_fns;

#define KW_GROUP_MAX_ASSIGNORS 4

typedef struct kw_group_opts {
    const char *group_id;
    int protocol;                   /* KW_GROUP_CLASSIC / KW_GROUP_CONSUMER */
    const char *instance_id;        /* group.instance.id, NULL: dynamic member */
    const char *rack_id;            /* client.rack, NULL */
    int32_t session_timeout_ms;     /* classic */
    int32_t heartbeat_interval_ms;  /* classic (the consumer protocol: the broker's) */
    int32_t max_poll_interval_ms;   /* also the rebalance timeout */
    int assignors[KW_GROUP_MAX_ASSIGNORS]; /* classic, KW_ASG_*, preferred first */
    int nassignors;
    const char *remote_assignor;    /* consumer: group.remote.assignor, NULL: the broker's */
    int64_t retry_backoff_ms, retry_backoff_max_ms;
    kw_group_meta_fns meta;
} kw_group_opts;

/* From a config: group.id, group.protocol, group.instance.id, client.rack,
 * session.timeout.ms, heartbeat.interval.ms, max.poll.interval.ms,
 * partition.assignment.strategy, group.remote.assignor, retry.backoff(.max).ms. The
 * strings point into cfg. 0 or KW_ERR_CONFIG (message in errbuf). */
int kw_group_opts_from_config(kw_group_opts *o, const kw_config *cfg, char *errbuf, size_t errlen);

/* typedef kw_group: kwire/types.h */

/* NULL when out of memory or opts are unusable (no group id). Strings are copied. */
kw_group *kw_group_new(const kw_group_opts *o);
void kw_group_free(kw_group *g);

/* The topics to subscribe to (copied). A change while joined makes the member join
 * again. 0 or KW_ERR_NOMEM / KW_ERR_INVALID_ARG (no topics). */
int kw_group_subscribe(kw_group *g, const char *const *topics, int n);

/* The subscription (as given). */
int kw_group_subscription(const kw_group *g, const char *const **topics);

/* ---- requests ---- */
typedef struct kw_group_req {
    int16_t api_key; /* KW_API_FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
                        ConsumerGroupHeartbeat */
    int to;          /* KW_GROUP_TO_ANY / KW_GROUP_TO_COORD */
    uint32_t id;     /* hand it back with kw_group_encode and kw_group_response */
} kw_group_req;

/* The next request to send now: 1 with *out, 0 when none is due. */
int kw_group_next_request(kw_group *g, int64_t now_us, kw_group_req *out);
/* Encode request id's body at version (from the group's state now). 0 or an error. */
int kw_group_encode(kw_group *g, uint32_t id, int16_t version, kw_buf *out);
/* The outcome of request id: err 0 with the response body, or the transport error
 * (KW_ERR_DISCONNECTED, KW_ERR_TIMEOUT, KW_ERR_CONNECT, KW_ERR_VERSION, ...). An
 * answer to a request the group no longer waits for is ignored. */
void kw_group_response(kw_group *g, int64_t now_us, uint32_t id, int err, int16_t version, const uint8_t *body,
                       size_t len);

/* The coordinator the last FindCoordinator named: 1 with node id, host (valid until the
 * next response) and port; 0 while unknown. kw_group_coord_gen changes whenever it is
 * looked up anew (the driver then connects to the new one). */
int kw_group_coordinator(const kw_group *g, int32_t *node_id, const char **host, int32_t *port);
uint32_t kw_group_coord_gen(const kw_group *g);

/* ---- time ---- */
void kw_group_tick(kw_group *g, int64_t now_us);
/* The application called poll (max.poll.interval.ms counts from here). */
void kw_group_polled(kw_group *g, int64_t now_us);
/* When kw_group_tick / kw_group_next_request next has something to do, INT64_MAX none. */
int64_t kw_group_deadline(const kw_group *g);

/* ---- metadata ---- */
/* 1 while the group waits for metadata it could not find through the lookups (the
 * leader's topics, or assigned topic ids): the driver refreshes it for the subscription
 * plus kw_group_wanted_topics and calls kw_group_metadata_updated. */
int kw_group_wants_metadata(const kw_group *g);
/* Topics beyond the member's own subscription the leader needs (its members' topics). */
int kw_group_wanted_topics(const kw_group *g, const char *const **topics);
/* The driver's metadata changed: go on with what waited for it; a leader whose
 * members' topics changed partition counts makes the group rebalance. */
void kw_group_metadata_updated(kw_group *g, int64_t now_us);

/* ---- assignment events ---- */
enum { KW_GROUP_EV_ASSIGNED = 1, KW_GROUP_EV_REVOKED, KW_GROUP_EV_LOST };
typedef struct kw_group_event {
    int kind;
    const kw_tp *parts; /* topic pointers valid until kw_group_event_done */
    int n;
    int32_t generation; /* classic generation / member epoch when it happened */
} kw_group_event;

/* The next event: 1 with *ev, 0 none. The driver acts on it (positions for ASSIGNED;
 * a commit and stopping the partitions for REVOKED; dropping them for LOST) and then
 * calls kw_group_event_done before asking for the next. */
int kw_group_next_event(kw_group *g, kw_group_event *ev);
void kw_group_event_done(kw_group *g, int64_t now_us);

/* What the member owns now (after the events done). */
int kw_group_owned(const kw_group *g, const kw_tp **parts);

/* ---- commits ---- */
/* Member id, generation (classic) or member epoch (consumer), instance id (NULL) for
 * OffsetCommit: -1 / "" while not in the group (a commit then fails on the broker if
 * the group is active, as it must). */
void kw_group_commit_identity(const kw_group *g, int32_t *generation, const char **member_id,
                              const char **instance_id);
/* An OffsetCommit failed with err: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
 * FENCED_INSTANCE_ID, STALE_MEMBER_EPOCH... mean the member is behind; the group acts as
 * if a heartbeat had said so (rejoin, partitions lost). */
void kw_group_commit_failed(kw_group *g, int64_t now_us, int err);

/* ---- leaving ---- */
/* Leave the group: REVOKED for what is owned (unless the member is already out of the
 * group: LOST), then LeaveGroup / a leave heartbeat (static members: none in classic,
 * epoch -2 in consumer). kw_group_left is 1 once that request is answered (or failed,
 * or none was needed). */
void kw_group_leave(kw_group *g, int64_t now_us);
int kw_group_left(const kw_group *g);

/* ---- state ---- */
/* Fatal error (see above), 0 none; kw_group_error_text says more. */
int kw_group_error(const kw_group *g);
const char *kw_group_error_text(const kw_group *g);
/* kw_group_state, kw_group_member_id, kw_group_generation, kw_group_assignor:
 * kwire/consumer.h */
int kw_group_stable(const kw_group *g);
int kw_group_is_leader(const kw_group *g);
int kw_group_cooperative(const kw_group *g);

/* Counters for the stats line and tests. */
typedef struct kw_group_stats {
    uint64_t joins, syncs, heartbeats, rebalances, assigned, revoked, lost, coordinator_lookups;
    int64_t last_rebalance_us; /* join sent -> assignment received, last time */
} kw_group_stats;
const kw_group_stats *kw_group_stats_get(const kw_group *g);

#endif
