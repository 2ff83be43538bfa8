/*
 * proto/consumer_protocol.h — the consumer protocol's embedded messages (Kafka's
 * ConsumerProtocol): what a member of a classic group of protocol type "consumer" puts
 * in JoinGroup's protocol metadata (its subscription: topics, user data, the partitions
 * it owns, its generation, its rack) and what the leader hands each member through
 * SyncGroup (its assignment: topics and partitions, user data). DescribeGroups returns
 * both per member.
 *
 * Wire form: int16 version, then the struct of proto/msg_consumerprotocol.h at that
 * version (never flexible). A version newer than kwire knows is read at the newest it
 * knows and the bytes after it are ignored (newer versions only append fields), as
 * Kafka's consumer does; bytes after a known version's struct are corrupt.
 */
#ifndef KW_PROTO_CONSUMER_PROTOCOL_H
#define KW_PROTO_CONSUMER_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "proto/msg_consumerprotocol.h"

#define KW_CP_VERSION_MAX 3 /* the newest version described (both messages) */
#define KW_CP_PROTOCOL_TYPE "consumer"

enum kw_cp_kind { KW_CP_SUBSCRIPTION = 1, KW_CP_ASSIGNMENT = 2 };

/* Append int16 version + the message at version (0..KW_CP_VERSION_MAX). 0,
 * KW_ERR_UNSUPPORTED (version), KW_ERR_INVALID_ARG (a null where not allowed) or
 * KW_ERR_NOMEM; out unchanged on error. */
int kw_cp_subscription_encode(const kw_consumerprotocol_subscription *s, int16_t version, kw_buf *out);
int kw_cp_assignment_encode(const kw_consumerprotocol_assignment *a, int16_t version, kw_buf *out);

/* Decode (arrays in the arena, strings and bytes slices of p). *version (may be NULL)
 * gets the version on the wire. 0, or KW_ERR_TRUNCATED / KW_ERR_CORRUPT /
 * KW_ERR_UNSUPPORTED (a negative version) / KW_ERR_NOMEM with err (may be NULL) saying
 * where. An empty assignment (0 bytes: a member the leader gave nothing, as some
 * clients send it) decodes as version 0 with no partitions. */
int kw_cp_subscription_decode(const uint8_t *p, size_t len, kw_consumerprotocol_subscription *out,
                              int16_t *version, kw_arena *a, kw_proto_err *err);
int kw_cp_assignment_decode(const uint8_t *p, size_t len, kw_consumerprotocol_assignment *out, int16_t *version,
                            kw_arena *a, kw_proto_err *err);

/* Annotate (codec/annot.h events) one embedded message: FIELD "version", then its
 * fields (and NOTE "newer_fields" over bytes a newer version appended). Offsets are
 * reported relative to base. 0, the callback's non-zero value, or a negative error. */
int kw_cp_annotate(int kind, const uint8_t *p, size_t len, size_t base, int depth, kw_ann_cb cb, void *ud);

/* Library-internal, for the annotation walk of proto/desc.c: which embedded message a
 * BYTES field carries — KW_CP_SUBSCRIPTION for JoinGroup's protocols[].metadata and
 * members[].metadata and DescribeGroups' member_metadata, KW_CP_ASSIGNMENT for
 * SyncGroup's assignment(s) and DescribeGroups' member_assignment — when the protocol
 * type last seen in the walk is "consumer" or was not sent (ptype NULL); else 0. */
int kw__cp_embedded(int api_key, int dir, const char *field, const char *ptype, int32_t ptype_len);
/* 1 when p[0..len) decodes in full as that kind (and is not empty), else 0. */
int kw__cp_valid(int kind, const uint8_t *p, size_t len);

#endif
