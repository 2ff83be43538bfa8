/*
 * client/consume/group_int.h — the inside of client/group's state machine, shared by its three
 * files: group.c (coordinator, events, timers, the dispatch), group_classic.c
 * (JoinGroup / SyncGroup / Heartbeat / LeaveGroup and the leader's assignment) and
 * group_consumer.c (ConsumerGroupHeartbeat, KIP-848). Not for other modules.
 */
#ifndef KW_CLIENT_GROUP_INT_H
#define KW_CLIENT_GROUP_INT_H

#include "client/consume/group.h"

/* A set of partitions with their topic ids (zero when unknown); topics owned. */
typedef struct kw__tpset {
    kw_tp *v;
    kw_uuid *ids;
    int n, cap;
} kw__tpset;

void kw__tpset_clear(kw__tpset *s);
void kw__tpset_free(kw__tpset *s);
int kw__tpset_add(kw__tpset *s, const char *topic, const kw_uuid *id, int32_t partition);
int kw__tpset_has(const kw__tpset *s, const char *topic, int32_t partition);
/* out = a - b (out cleared first). */
int kw__tpset_minus(kw__tpset *out, const kw__tpset *a, const kw__tpset *b);
int kw__tpset_copy(kw__tpset *out, const kw__tpset *a);
void kw__tpset_sort(kw__tpset *s);
int kw__tpset_equal(const kw__tpset *a, const kw__tpset *b);

/* Member states. */
enum {
    KW__GS_UNJOINED, /* no subscription yet */
    KW__GS_JOIN,     /* a join is due (waits for events, backoff, the coordinator) */
    KW__GS_JOINING,  /* JoinGroup / joining heartbeat in flight */
    KW__GS_SYNC,     /* classic: SyncGroup due (the leader may wait for metadata) */
    KW__GS_SYNCING,  /* classic: SyncGroup in flight */
    KW__GS_STABLE,   /* in the group, heartbeating */
    KW__GS_EXPIRED,  /* max.poll.interval.ms passed: out of the group until the next poll */
    KW__GS_LEAVING,  /* kw_group_leave: the leave request is due or in flight */
    KW__GS_LEFT,
    KW__GS_FAILED
};

/* Request slots: at most one request of each kind in flight. */
enum { KW__RQ_FIND, KW__RQ_JOIN, KW__RQ_SYNC, KW__RQ_HB, KW__RQ_LEAVE, KW__RQ_N };

typedef struct kw__event {
    int kind;
    kw__tpset parts;
    int32_t generation;
} kw__event;

/* The leader's view of one member (classic JoinGroup response). */
typedef struct kw__jmember {
    char *member_id, *instance_id;
    char **topics;
    int ntopics;
    kw_tp *owned;
    int nowned;
    int32_t generation;
    int16_t version; /* its subscription's version */
} kw__jmember;

struct kw_group {
    /* settings (copied) */
    char *group_id, *instance_id, *rack_id, *remote_assignor;
    int protocol;
    int32_t session_ms, hb_ms, poll_ms;
    int assignors[KW_GROUP_MAX_ASSIGNORS], nassignors;
    int cooperative; /* classic: every assignor cooperative */
    int64_t backoff_ms, backoff_max_ms;
    kw_group_meta_fns meta;
    /* subscription */
    char **topics;
    int ntopics;
    int sub_sent;    /* the subscription as last sent still holds */
    /* coordinator */
    int coord_known;
    int32_t coord_node;
    char *coord_host;
    int32_t coord_port;
    uint32_t coord_gen;
    int64_t coord_at;  /* no FindCoordinator before this */
    int coord_fail;
    int coord_lost;    /* coordinator losses since the last answer that went well */
    /* membership */
    int state;
    char *member_id;
    int mid_local;      /* consumer: member_id made here (KIP-1082), not named by the broker yet */
    int32_t generation; /* classic generation, or member epoch */
    char *protocol_name, *leader_id;
    int is_leader, skip_assignment;
    int64_t join_at;    /* no join before this */
    int join_fail;
    char join_reason[96];
    int64_t join_sent_us;
    /* in flight */
    uint32_t next_id;
    uint32_t rq[KW__RQ_N];
    int16_t rq_api[KW__RQ_N];
    int32_t rq_epoch;   /* consumer: the epoch a heartbeat was sent with */
    /* heartbeats and liveness */
    int64_t hb_at;      /* next heartbeat due */
    int64_t hb_ok_us;   /* last successful heartbeat (or join) */
    int64_t poll_us;    /* last kw_group_polled */
    int64_t op_at;      /* retry time for a request that got COORDINATOR_LOAD_IN_PROGRESS */
    /* leader (classic) */
    kw__jmember *jm;
    int njm;
    int16_t asg_version;
    int meta_wait;      /* 1: waiting for metadata; 2: updated once, go on regardless */
    char **wanted;
    int nwanted;
    char **asg_topics;  /* topics and counts the last assignment was computed from */
    int32_t *asg_counts;
    int nasg;
    kw_buf sync_body;   /* the leader's assignments, built before SyncGroup goes: member */
    size_t *sync_off;   /* i's bytes at sync_off[i], sync_len[i] */
    size_t *sync_len;
    int sync_ready;
    /* owned partitions (after the queued events) and events */
    kw__tpset owned;
    int32_t owned_gen;
    kw__event *ev;
    int nev, capev;
    int ev_out;         /* the first event was handed out, not done yet */
    kw_tp *ev_view;     /* event handed out */
    /* consumer protocol */
    kw__tpset target_ids; /* assignment with ids not yet named */
    int target_pending;   /* target_ids waits for names */
    int ack_due;          /* send owned partitions in the next heartbeat, at once */
    int full_hb;          /* send subscription and owned in full (join, after a fence) */
    /* leaving */
    int leave_sent, left;
    /* error */
    int err;
    char errtext[256];
    kw_group_stats st;
};

/* group.c */
uint32_t kw__group_slot(kw_group *g, int slot, int16_t api);
int kw__group_take(kw_group *g, uint32_t id, int *slot);
void kw__group_fail(kw_group *g, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kw__group_coord_lost(kw_group *g, int64_t now, const char *why);
int kw__group_is_coord_err(int e);
int64_t kw__group_backoff(const kw_group *g, int failures);
int kw__group_event(kw_group *g, int kind, const kw__tpset *parts);
/* Everything owned LOST (when anything is owned); generation reset. */
void kw__group_lose_all(kw_group *g, const char *why);
/* Everything owned REVOKED (when anything is owned). */
void kw__group_revoke_all(kw_group *g);
/* Replace owned with a new assignment: REVOKED for what goes, ASSIGNED for what comes
 * (ASSIGNED always, possibly empty: a rebalance ended). */
int kw__group_set_assignment(kw_group *g, const kw__tpset *now_owned);
void kw__group_rejoin(kw_group *g, int64_t now, const char *reason);
char *kw__strndup(const char *p, int32_t len);

/* group_classic.c */
int kw__classic_next(kw_group *g, int64_t now, kw_group_req *out);
int kw__classic_encode(kw_group *g, int slot, int16_t version, kw_buf *out);
void kw__classic_response(kw_group *g, int64_t now, int slot, int err, int16_t version, const uint8_t *body,
                          size_t len);
void kw__classic_metadata_updated(kw_group *g, int64_t now);
void kw__jm_free(kw_group *g);

/* group_consumer.c */
int kw__consumer_next(kw_group *g, int64_t now, kw_group_req *out);
int kw__consumer_encode(kw_group *g, int slot, int16_t version, kw_buf *out);
void kw__consumer_response(kw_group *g, int64_t now, int slot, int err, int16_t version, const uint8_t *body,
                           size_t len);
void kw__consumer_metadata_updated(kw_group *g, int64_t now);

#endif
