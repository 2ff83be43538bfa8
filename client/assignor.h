/*
 * client/assignor.h — the client-side partition assignors of the classic group protocol,
 * run by the group's leader (pure: members and topics in, assignment out):
 *
 *   range               per topic, the members subscribed to it in order, each a
 *                       contiguous range (partitions / members, the first
 *                       partitions % members members one more): Kafka's RangeAssignor
 *   roundrobin          every subscribed partition, sorted by topic and partition, dealt
 *                       to the members in order, skipping members not subscribed to its
 *                       topic: Kafka's RoundRobinAssignor
 *   cooperative-sticky  balanced (counts differ by at most one where subscriptions
 *                       allow), keeping each member's owned partitions where it can;
 *                       a partition that changes owner is left out of this round's
 *                       assignment, so its owner revokes it first and the follow-up
 *                       rebalance hands it over (incremental cooperative rebalancing,
 *                       KIP-429): Kafka's CooperativeStickyAssignor's contract
 *
 * Member order: by group.instance.id when both members have one, else by member id
 * (as Kafka's assignors order members), so every client computes the same assignment.
 */
#ifndef KW_CLIENT_ASSIGNOR_H
#define KW_CLIENT_ASSIGNOR_H

#include <stddef.h>
#include <stdint.h>

#include "kwire/types.h"

/* kw_tp: kwire/types.h */

typedef struct kw_asg_member {
    const char *member_id;
    const char *instance_id;   /* group.instance.id, or NULL */
    const char *const *topics; /* its subscription */
    int ntopics;
    const kw_tp *owned;        /* what it owns now (cooperative-sticky) */
    int nowned;
    int32_t generation;        /* generation of owned, -1 unknown */
} kw_asg_member;

typedef struct kw_asg_topic {
    const char *name;
    int32_t partitions; /* count; <= 0: the topic is unknown / has none */
} kw_asg_topic;

/* The result: per member (in the order given to kw_assign), its partitions sorted by
 * topic then partition; topic pointers point to the kw_asg_topic names. */
typedef struct kw_asg_result {
    kw_tp **parts;
    int *nparts;
    int nmembers;
} kw_asg_result;

enum { KW_ASG_RANGE, KW_ASG_ROUNDROBIN, KW_ASG_COOP_STICKY };

/* "range", "roundrobin", "cooperative-sticky" (or Kafka's class names for them:
 * org.apache.kafka.clients.consumer.RangeAssignor, ...) to KW_ASG_*; -1 unknown. */
int kw_assignor_parse(const char *name);
/* The protocol name JoinGroup carries for KW_ASG_*. */
const char *kw_assignor_name(int assignor);
/* 1 for assignors that support incremental cooperative rebalancing. */
int kw_assignor_cooperative(int assignor);

/* Assign every partition of every topic some member subscribes to. 0 or KW_ERR_NOMEM /
 * KW_ERR_INVALID_ARG. */
int kw_assign(int assignor, const kw_asg_member *members, int nmembers, const kw_asg_topic *topics, int ntopics,
              kw_asg_result *out);
void kw_asg_result_free(kw_asg_result *r);

#endif
