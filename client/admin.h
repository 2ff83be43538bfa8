/*
 * client/admin.h — cluster administration a client needs before it produces or consumes:
 * creating topics (CreateTopics). Any broker accepts the request (a KRaft broker forwards
 * it to the active controller).
 */
#ifndef KW_CLIENT_ADMIN_H
#define KW_CLIENT_ADMIN_H

#include <stdint.h>

#include "client/net.h"

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
int kw_create_topics(kw_net *n, const kw_topic_spec *topics, int nt, int32_t timeout_ms, int validate_only,
                     kw_topic_result *res);

#endif
