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
#include "kwire/admin.h"

/* kw_meta and its parts: kwire/admin.h */

/* Deep copy of a decoded response. 0 or KW_ERR_NOMEM (m is then empty). */
int kw_meta_from_resp(kw_meta *m, const kw_metadata_resp *r, int16_t version);
/* kw_meta_free, kw_meta_topic_find, kw_meta_broker_find, kw_meta_leader, kw_meta_fetch,
 * kw_meta_fetch_why: kwire/admin.h */

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
/* kw_net index of the partition leader's broker (added to n when missing), or an error as
 * kw_meta_leader gives. */
int kw_meta_route(kw_net *n, const kw_meta *m, const char *topic, int32_t partition);

#endif
