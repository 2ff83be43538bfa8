/*
 * kwire/admin.h — a connection set to a cluster (kw_net) and what can be asked of it
 * directly: metadata (brokers, topics, partition leaders), topic creation, log offsets
 * by time, a group's committed offsets (read and commit), the groups of the cluster and
 * their members. Consumer lag is kwire/lag.h.
 *
 * Every call here is synchronous: it sends its requests on the kw_net and waits for the
 * answers (bounded by request.timeout.ms, and for the offset and group calls by
 * kw_offsets_opts: retry.backoff.ms doubling to retry.backoff.max.ms, at most
 * default.api.timeout.ms, riding out a leader or coordinator failover). A broker that
 * cannot be reached fails its request at the first failed connect attempt.
 *
 * Example: create a topic, then read its partitions' log end offsets.
 *
 *     kw_config *cfg = kw_config_new(KW_ROLE_ANY);
 *     kw_config_set(cfg, "bootstrap.servers", "localhost:9092");
 *     kw_net *n = kw_net_new(cfg);
 *     kw_net_add_list(n, "localhost:9092");
 *     kw_topic_spec t = { .name = "t", .partitions = 3, .replication_factor = -1 };
 *     kw_topic_result r;
 *     if (kw_create_topics(n, &t, 1, 30000, 0, &r) == 0 && r.error == 0) ...
 *     kw_meta m = {0};
 *     const char *names[] = { "t" };
 *     kw_meta_fetch(n, names, 1, 0, &m);
 *     kw_tpo_list l; kw_tpo_init(&l);
 *     for (int i = 0; i < 3; i++) kw_tpo_add(&l, "t", i, -1);
 *     if (kw_list_offsets(n, &m, &l, KW_TS_LATEST, 0, NULL) == 0)
 *         for (size_t i = 0; i < l.n; i++) printf("%d: %lld\n", l.v[i].partition, (long long)l.v[i].offset);
 *     kw_tpo_free(&l); kw_meta_free(&m); kw_net_free(n); kw_config_free(cfg);
 */
#ifndef KWIRE_ADMIN_H
#define KWIRE_ADMIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kwire/config.h"
#include "kwire/errors.h"
#include "kwire/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the connection set ---- */

/* A broker set using the config's connection settings (read now; cfg may go away),
 * security.protocol included: the TLS context (CA, client certificate) and the SASL
 * credentials are loaded here. */
KW_API kw_net *kw_net_new(const kw_config *cfg);
/* Why the security settings could not be loaded (an unreadable CA file, a wrong key
 * password, no OAUTHBEARER token source), or "". Every broker of such a set fails its
 * first connection with this text (KW_ERR_CONFIG); commands check it up front. */
KW_API const char *kw_net_setup_error(const kw_net *n);
/* Closes every conn (outstanding requests fail with KW_ERR_DESTROYED) and frees. */
KW_API void kw_net_free(kw_net *n);

KW_API int kw_net_count(const kw_net *n);
/* "host:port" of a broker. */
KW_API const char *kw_net_name(const kw_net *n, int idx);
/* Per broker and per (API, version): requests, errors, bytes out/in, RTT min / p50 /
 * p99 / max in microseconds, and the deepest pipeline; brokers never used are skipped. */
KW_API void kw_net_stats_print(const kw_net *n, FILE *out);

/* When every broker of the set is FAILED (a TLS or authentication failure,
 * settings that could not be loaded, ...), the first one's error (and its index in
 * *idx, may be NULL); else 0. Nothing will come of waiting then. */
KW_API int kw_net_fatal(const kw_net *n, int *idx);

/* Reason for the last failure on broker idx (the conn's, or the socket layer's). */
KW_API const char *kw_net_last_error(const kw_net *n, int idx);

/* Add every host:port of a comma-separated list ([v6addr]:port allowed) as bootstrap
 * entries. Returns how many, or KW_ERR_CONFIG for a malformed entry. */
KW_API int kw_net_add_list(kw_net *n, const char *list);

/* Print every request and response frame of every broker added after this call field by
 * field (as kwire/decode.h prints them, what `kwire --dump` shows) to out: text, or one
 * JSON document with KW_NET_DUMP_JSON (closed by kw_net_free); SASL secrets are redacted
 * unless KW_NET_DUMP_SECRETS. */
#define KW_NET_DUMP_JSON 1
#define KW_NET_DUMP_SECRETS 2
KW_API int kw_net_set_dump(kw_net *n, FILE *out, int flags);

/* ---- metadata ---- */

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

KW_API void kw_meta_free(kw_meta *m);

KW_API const kw_meta_topic *kw_meta_topic_find(const kw_meta *m, const char *name);
KW_API const kw_meta_broker *kw_meta_broker_find(const kw_meta *m, int32_t node_id);
/* Leader of a partition: 0 and *node, KW_ERR_NOT_FOUND (no such topic/partition, or the
 * topic's own error code when it has one), or KW_KAFKA_LEADER_NOT_AVAILABLE. */
KW_API int kw_meta_leader(const kw_meta *m, const char *topic, int32_t partition, int32_t *node);

/*
 * Send Metadata (highest version both sides support) for the given topics (ntopics 0:
 * every topic) to the first reachable broker of n, decode it into *out (replacing its
 * contents) and add every listed broker to n with its node id. 0 or the error.
 */
KW_API int kw_meta_fetch(kw_net *n, const char *const *topics, int ntopics, int allow_auto_create, kw_meta *out);
/* The same; on failure why (whylen bytes, may be NULL) says what went wrong and with
 * which broker: its connection's last error, or where the Metadata response did not
 * decode at the version asked. */
KW_API int kw_meta_fetch_why(kw_net *n, const char *const *topics, int ntopics, int allow_auto_create, kw_meta *out,
                      char *why, size_t whylen);

/* ---- topics ---- */

/* A topic to create: partitions and replication factor -1 take the broker's defaults
 * (num.partitions, default.replication.factor); configs are "name=value" strings. */
typedef struct kw_topic_spec {
    const char *name;
    int32_t partitions;
    int16_t replication_factor;
    const char *const *configs;
    int nconfigs;
} kw_topic_spec;

/* The broker's answer for one topic: 0 or a Kafka error code, and its message (may be
 * empty); partitions and replication factor as created (-1 when the version does not
 * say). */
typedef struct kw_topic_result {
    int error;
    char message[256];
    int32_t partitions;
    int16_t replication_factor;
} kw_topic_result;

/*
 * Create nt topics with one CreateTopics request (highest version both sides support)
 * to the first reachable broker of n, waiting up to timeout_ms on the controller.
 * validate_only asks the broker to check without creating. res[i] gets topic i's
 * outcome (error: 0 or a positive Kafka code). Returns 0 when the broker answered (each topic's error is in res), else the
 * request's error (KW_ERR_CONFIG for a config entry without '=').
 */
KW_API int kw_create_topics(kw_net *n, const kw_topic_spec *topics, int nt, int32_t timeout_ms, int validate_only,
                     kw_topic_result *res);


/* ---- offsets and groups ---- */

/* ListOffsets special timestamps. */
#define KW_TS_LATEST (-1)
#define KW_TS_EARLIEST (-2)

/* A (topic, partition, offset) list: the input and output of the calls below. */
typedef struct kw_tpo {
    char *topic;
    kw_uuid topic_id;   /* the topic's id (Metadata v10+), zero when unknown: OffsetCommit
                           and OffsetFetch v10+ name topics by id, so a list with an
                           entry without one is sent at v9 at most */
    int32_t partition;
    int64_t offset;     /* -1: none / unknown */
    int32_t leader_epoch;
    int16_t error;      /* per-partition Kafka error of the last call, 0 when none */
} kw_tpo;

typedef struct kw_tpo_list {
    kw_tpo *v;
    size_t n, cap;
} kw_tpo_list;

KW_API void kw_tpo_init(kw_tpo_list *l);
KW_API void kw_tpo_free(kw_tpo_list *l);
/* Append (topic copied). 0 or KW_ERR_NOMEM. */
KW_API int kw_tpo_add(kw_tpo_list *l, const char *topic, int32_t partition, int64_t offset);
/* The entry for (topic, partition) or NULL. */
KW_API kw_tpo *kw_tpo_find(const kw_tpo_list *l, const char *topic, int32_t partition);

/* Retry pacing for coordinator and ListOffsets calls (retry.backoff.ms,
 * retry.backoff.max.ms, default.api.timeout.ms); attempts > 0 also caps the tries (the
 * exporter keeps a scrape short). */
typedef struct kw_offsets_opts {
    int64_t backoff_ms, backoff_max_ms;
    int64_t timeout_ms;
    int attempts;
} kw_offsets_opts;
KW_API void kw_offsets_opts_default(kw_offsets_opts *o);
KW_API void kw_offsets_opts_from_config(kw_offsets_opts *o, const kw_config *c);

/*
 * For every entry, the offset of the first record with a timestamp >= ts (or
 * KW_TS_LATEST / KW_TS_EARLIEST) from the partition's leader; isolation 1 =
 * read_committed (latest is then the LSO). Entries get offset (-1 when none) and
 * error. Leader errors refresh the metadata and retry as o says (NULL: the defaults).
 * Returns 0 when every entry has an offset, else the first per-partition error (or a
 * request error).
 */
KW_API int kw_list_offsets(kw_net *n, kw_meta *m, kw_tpo_list *l, int64_t ts, int isolation, const kw_offsets_opts *o);

/*
 * The group's committed offsets. l->n == 0 on entry: every partition the group has
 * committed (appended); else the listed entries get offset (-1: none) and error.
 * Sent at v10 (topics by id) when every entry has its topic_id, else at v9 at most; the
 * same for the commits below.
 */
KW_API int kw_offsets_fetch(kw_net *n, const kw_offsets_opts *o, const char *group, kw_tpo_list *l);
/* Commit each entry's offset for the group (generation -1, no member: a simple
 * consumer's commit). Entries get their error; returns 0 or the first error. */
KW_API int kw_offsets_commit(kw_net *n, const kw_offsets_opts *o, const char *group, kw_tpo_list *l);
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

KW_API void kw_group_list_free(kw_group_list *l);
/* ListGroups on every broker of the metadata; groups sorted by name, each once. Returns
 * 0 when every broker answered, else the last error (groups from the others kept; every
 * failed broker and its reason in out->nfailed / out->failed). */
KW_API int kw_groups_list(kw_net *n, const kw_meta *m, kw_group_list *out);
/* The group as its coordinator describes it: DescribeGroups (state, protocol type and
 * assignor, members with their decoded assignments); for a consumer-protocol group
 * (DescribeGroups answers GROUP_ID_NOT_FOUND: "not a classic group") ConsumerGroupDescribe
 * (state, group epoch, server assignor, members with epochs and assignments). */
KW_API int kw_group_describe(kw_net *n, const kw_offsets_opts *o, const char *group, kw_group_info *out);

KW_API void kw_group_info_free(kw_group_info *g);

#ifdef __cplusplus
}
#endif

#endif
