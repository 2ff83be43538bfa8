/*
 * client/cli/explain.h — the requests `kwire explain` shows, built without a broker: the
 * client's own requests as the client builds them (settings by their Kafka names, -X
 * name=value, the last one given winning), any other API from its description's
 * defaults, the settings naming one of its top-level fields and NAME=VALUE fields.
 * Produce, Metadata, OffsetFetch, OffsetCommit, FindCoordinator, ListGroups and
 * DescribeGroups bodies come from the clients' own encoders (a zero topic id, all
 * there is without a broker, is shown where the clients would refuse it); ApiVersions,
 * SASL, Fetch, ListOffsets, InitProducerId and CreateTopics are still filled here.
 * Pure: bytes out, messages into x->err; nothing printed.
 */
#ifndef KW_CLIENT_EXPLAIN_H
#define KW_CLIENT_EXPLAIN_H

#include <stddef.h>

#include "codec/buf.h"
#include "proto/desc.h"

#define KW_EXPLAIN_MAX_TOPICS 64
#define KW_EXPLAIN_MAX_FIELDS 32
/* The labs' topic, when none is given. */
#define KW_EXPLAIN_DEFAULT_TOPIC "test-topic"

typedef struct kw_explain {
    int api, version;             /* KW_API_*, a version kwire describes */
    long long records;            /* Produce: records of the labs' 92-byte payload */
    long long partition, offset;  /* Fetch offset, OffsetCommit's committed offset */
    const char *topics[KW_EXPLAIN_MAX_TOPICS];
    int ntopics;                  /* 0: KW_EXPLAIN_DEFAULT_TOPIC (Metadata: every topic) */
    kw_uuid topic_id;             /* Fetch/Produce v13+, OffsetFetch/Commit v10+ */
    const char *group;            /* NULL: -X group.id, else "kwire" */
    long long timestamp;          /* ListOffsets: -1 latest, -2 earliest, or ms */
    long long partitions, replication; /* CreateTopics (-1: the broker's) */
    const char *fields[KW_EXPLAIN_MAX_FIELDS]; /* NAME=VALUE, APIs the client does not send */
    int nfields;
    const char *const *settings;  /* name=value */
    int nsettings;
    char err[512];                /* why the last call failed with KW_ERR_CONFIG */
} kw_explain;

/* Defaults: 1 record, latest, partitions and replication -1, version -1, api -1. */
void kw__explain_init(kw_explain *x);
/* The last value given for setting name, or NULL. */
const char *kw__explain_setting(const kw_explain *x, const char *name);
/* Every setting checked as every command checks them (kw_config), except those only
 * explain reads (no kwire client sets those fields): 0, or KW_ERR_CONFIG with x->err. */
int kw__explain_check_settings(kw_explain *x);
/* The whole request frame (size, header with correlation id 1 and client.id, body) into
 * out: 0, KW_ERR_CONFIG with x->err (a bad setting or field), or the encoder's error. */
int kw__explain_build(kw_explain *x, kw_buf *out);

/* ---- pure parts, exposed for tests ---- */
/* 32 hex digits, dashes anywhere ignored: 0, or -1. */
int kw__explain_parse_uuid(const char *s, kw_uuid *u);
/* The top-level field of s named name[0..nlen) present at version v, or NULL. */
const kw_field *kw__explain_top_field(const kw_struct *s, int v, const char *name, size_t nlen);
/* Field f of the message struct msg from text (numbers in range, true/false, strings,
 * "null" for a null string): 0, or KW_ERR_CONFIG with x->err naming `what`. */
int kw__explain_set_field(kw_explain *x, const kw_field *f, void *msg, const char *val, const char *what);

#endif
