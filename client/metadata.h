/*
 * client/metadata.h — cluster metadata as the client keeps it, and routing by it.
 *
 * A kw_meta is an owned copy of one Metadata response (brokers, controller, cluster id,
 * topics with partition leaders, replicas and ISR), independent of the response bytes.
 * kw_meta_from_resp() builds it (pure); kw_meta_fetch() asks any known broker, builds
 * it and registers every broker it lists in the kw_net under its node id, so that
 * kw_meta_route() can send a partition's requests to its leader.
 */
#ifndef KW_CLIENT_METADATA_H
#define KW_CLIENT_METADATA_H

#include <stdint.h>

#include "client/net.h"
#include "proto/msg_metadata.h"

typedef struct kw_meta_broker {
    int32_t node_id;
    char *host;
    int32_t port;
    char *rack; /* NULL when none */
} kw_meta_broker;

typedef struct kw_meta_part {
    int32_t partition, leader, leader_epoch; /* leader -1: none */
    int16_t error;
    int32_t *replicas, *isr, *offline;
    int32_t nreplicas, nisr, noffline;
} kw_meta_part;

typedef struct kw_meta_topic {
    char *name;
    int16_t error;
    uint8_t internal;
    kw_uuid id;
    kw_meta_part *parts; /* sorted by partition */
    int32_t nparts;
} kw_meta_topic;

typedef struct kw_meta {
    kw_meta_broker *brokers;
    int32_t nbrokers;
    char *cluster_id; /* NULL when none */
    int32_t controller;
    kw_meta_topic *topics;
    int32_t ntopics;
    int16_t version;  /* of the Metadata response */
} kw_meta;

/* Deep copy of a decoded response. 0 or KW_ERR_NOMEM (m is then empty). */
int kw_meta_from_resp(kw_meta *m, const kw_metadata_resp *r, int16_t version);
void kw_meta_free(kw_meta *m);

const kw_meta_topic *kw_meta_topic_find(const kw_meta *m, const char *name);
const kw_meta_broker *kw_meta_broker_find(const kw_meta *m, int32_t node_id);
/* Leader of a partition: 0 and *node, KW_ERR_NOT_FOUND (no such topic/partition, or the
 * topic's own error code when it has one), or KW_KAFKA_LEADER_NOT_AVAILABLE. */
int kw_meta_leader(const kw_meta *m, const char *topic, int32_t partition, int32_t *node);

/*
 * Send Metadata (highest version both sides support) for the given topics (ntopics 0:
 * every topic; none is created unless allow_auto_create, see above) to the first
 * reachable broker of n, decode it into *out (replacing its
 * contents) and add every listed broker to n with its node id. 0 or the error.
 */
int kw_meta_fetch(kw_net *n, const char *const *topics, int ntopics, int allow_auto_create, kw_meta *out);
/* The same; on failure why (whylen bytes, may be NULL) says what went wrong and with
 * which broker: its connection's last error, or where the Metadata response did not
 * decode at the version asked. */
int kw_meta_fetch_why(kw_net *n, const char *const *topics, int ntopics, int allow_auto_create, kw_meta *out,
                      char *why, size_t whylen);
/* The two halves of kw_meta_fetch, for callers that send the request themselves (on a
 * callback, without waiting): the Metadata request body at `version`, and the answer
 * (from: the broker's name, for why) decoded into *out (replaced) with every listed
 * broker added to n. 0 or the error; out is untouched on error. */
int kw_meta_encode(const char *const *topics, int ntopics, int allow_auto_create, int16_t version, kw_buf *out);
/* ntopics KW_META_NO_TOPICS: a request for no topic at all (brokers and controller only;
 * v1+, every topic in v0). */
#define KW_META_NO_TOPICS (-1)
int kw_meta_apply(kw_net *n, const char *from, int16_t version, const uint8_t *body, size_t len, kw_meta *out,
                  char *why, size_t whylen);
/*
 * Topics are never created by asking for them unless allow_auto_create is set: from
 * Metadata v4 the request says so (allow_auto_topic_creation); below v4 a broker with
 * auto.create.topics.enable=true creates every topic a request names, so kw_meta_encode
 * then asks for every topic instead and kw_meta_fetch keeps the named ones
 * (kw_meta_keep). kw_meta_names_all says when that happens.
 */
#define KW_META_NO_CREATE_VERSION 4
int kw_meta_names_all(int allow_auto_create, int16_t version, int ntopics);
/* Keep only the named topics in m, in that order (duplicates once); a name m does not
 * hold is added with UNKNOWN_TOPIC_OR_PARTITION and no partitions. 0 or KW_ERR_NOMEM
 * (m unchanged). Pure. */
int kw_meta_keep(kw_meta *m, const char *const *topics, int ntopics);

/* kw_net index of the partition leader's broker (added to n when missing), or an error as
 * kw_meta_leader gives. */
int kw_meta_route(kw_net *n, const kw_meta *m, const char *topic, int32_t partition);

#endif
