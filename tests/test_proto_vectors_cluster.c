/*
 * tests/test_proto_vectors_cluster.c — hand-worked byte vectors for APIs the client does
 * not send, whose descriptions exist only as generated ones: the classic group protocol
 * (JoinGroup, SyncGroup, Heartbeat), the KIP-848 consumer group heartbeat, SASL
 * authentication, the KRaft Vote and transactions (AddPartitionsToTxn), each at its
 * lowest, first flexible and highest version, request and response.
 *
 * The bytes are worked out from the protocol grammar (protocol_messages.txt of Kafka 4.0
 * and, for versions it lacks — JoinGroup v0, Vote — the message specifications of 4.4),
 * not produced by kwire's encoder. A nullable struct (ConsumerGroupHeartbeat's
 * assignment) is an int8 -1 (null) or 1 followed by the struct. Checks per vector: see
 * tests/proto_vectors.h (encode, size, decode field by field, annotate, prefixes,
 * trailing byte, the whole frame with its header).
 */
#include "proto_vectors.h"

#include "proto/msg_addpartitionstotxn.h"
#include "proto/msg_consumergroupheartbeat.h"
#include "proto/msg_heartbeat.h"
#include "proto/msg_joingroup.h"
#include "proto/msg_saslauthenticate.h"
#include "proto/msg_syncgroup.h"
#include "proto/msg_vote.h"

#define RANGE 'r', 'a', 'n', 'g', 'e'                                                 /* 5 */
#define INST_1 'i', '-', '1'                                                          /* 3 */
#define TXN_1 't', 'x', 'n', '-', '1'                                                 /* 5 */
#define META_TOPIC '_', '_', 'c', 'l', 'u', 's', 't', 'e', 'r', '_', 'm', 'e', 't', 'a', 'd', 'a', 't', 'a' /* 18 */
#define PLAIN_AUTH 0x00, 'u', 's', 'e', 'r', 0x00, 'p', 'a', 's', 's'                 /* 10 */
#define UUID_A 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10
#define UUID_B 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f

static const uint8_t uuid_a[16] = {UUID_A}, uuid_b[16] = {UUID_B};
static const uint8_t meta123[] = {0x01, 0x02, 0x03}, assign_ab[] = {0xaa, 0xbb};
static const uint8_t plain_auth[] = {PLAIN_AUTH};

/* ======================================================================== JoinGroup (key 11) */

/* JoinGroup request v0 (lowest): no rebalance timeout, classic strings and arrays. */
static const uint8_t jg_req_v0[] = {
    0x00, 0x0a, TEST_GROUP,                         /* group_id: STRING "test-group" */
    0x00, 0x00, 0x75, 0x30,                         /* session_timeout_ms: 30000 */
    0x00, 0x00,                                     /* member_id: STRING "" (first join) */
    0x00, 0x08, CONSUMER,                           /* protocol_type: "consumer" */
    0x00, 0x00, 0x00, 0x01,                         /* protocols: ARRAY 1 */
    0x00, 0x05, RANGE,                              /*  [0].name: "range" */
    0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03,       /*  [0].metadata: BYTES 3 */
};

/* JoinGroup request v6 (first flexible): rebalance timeout (v1+), instance id (v5+). */
static const uint8_t jg_req_v6[] = {
    0x0b, TEST_GROUP,                               /* group_id: COMPACT_STRING */
    0x00, 0x00, 0x75, 0x30,                         /* session_timeout_ms: 30000 */
    0x00, 0x04, 0x93, 0xe0,                         /* rebalance_timeout_ms: 300000 */
    0x09, MEMBER_1,                                 /* member_id: "member-1" */
    0x00,                                           /* group_instance_id: COMPACT_NULLABLE_STRING null */
    0x09, CONSUMER,                                 /* protocol_type */
    0x02,                                           /* protocols: COMPACT_ARRAY 1 */
    0x06, RANGE,                                    /*  [0].name */
    0x04, 0x01, 0x02, 0x03,                         /*  [0].metadata: COMPACT_BYTES 3 */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* JoinGroup request v9 (highest): reason (v8+). */
static const uint8_t jg_req_v9[] = {
    0x0b, TEST_GROUP,                               /* group_id */
    0x00, 0x00, 0x75, 0x30,                         /* session_timeout_ms: 30000 */
    0x00, 0x04, 0x93, 0xe0,                         /* rebalance_timeout_ms: 300000 */
    0x09, MEMBER_1,                                 /* member_id */
    0x04, INST_1,                                   /* group_instance_id: "i-1" */
    0x09, CONSUMER,                                 /* protocol_type */
    0x02,                                           /* protocols: 1 */
    0x06, RANGE,                                    /*  [0].name */
    0x04, 0x01, 0x02, 0x03,                         /*  [0].metadata */
    0x00,                                           /*  [0]._tagged_fields */
    0x07, 'r', 'e', 'j', 'o', 'i', 'n',             /* reason: COMPACT_NULLABLE_STRING "rejoin" */
    0x00,                                           /* _tagged_fields */
};

static void jg_protocol(kw_joingroup_req *m)
{
    static kw_joingroup_req_protocol p[1];
    p[0].name = kw_s("range");
    p[0].metadata = kw_b(meta123, 3);
    m->group_id = kw_s("test-group");
    m->session_timeout_ms = 30000;
    m->protocol_type = kw_s("consumer");
    m->protocols = p;
    m->n_protocols = 1;
}
static void b_jg_req_v0(void *out) { kw_joingroup_req *m = out; jg_protocol(m); m->member_id = kw_s(""); }
static void b_jg_req_v6(void *out)
{
    kw_joingroup_req *m = out;
    jg_protocol(m);
    m->rebalance_timeout_ms = 300000;
    m->member_id = kw_s("member-1");
}
static void b_jg_req_v9(void *out)
{
    kw_joingroup_req *m = out;
    b_jg_req_v6(out);
    m->group_instance_id = kw_s("i-1");
    m->reason = kw_s("rejoin");
}

/* JoinGroup response v0: the leader gets the members' metadata. */
static const uint8_t jg_resp_v0[] = {
    0x00, 0x00,                                     /* error_code: 0 */
    0x00, 0x00, 0x00, 0x01,                         /* generation_id: 1 */
    0x00, 0x05, RANGE,                              /* protocol_name: STRING "range" */
    0x00, 0x08, MEMBER_1,                           /* leader */
    0x00, 0x08, MEMBER_1,                           /* member_id */
    0x00, 0x00, 0x00, 0x01,                         /* members: ARRAY 1 */
    0x00, 0x08, MEMBER_1,                           /*  [0].member_id */
    0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03,       /*  [0].metadata: BYTES 3 */
};

/* JoinGroup response v6: throttle (v2+), member instance id (v5+). */
static const uint8_t jg_resp_v6[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x00,                                     /* error_code */
    0x00, 0x00, 0x00, 0x01,                         /* generation_id: 1 */
    0x06, RANGE,                                    /* protocol_name: COMPACT_STRING (nullable from v7) */
    0x09, MEMBER_1,                                 /* leader */
    0x09, MEMBER_1,                                 /* member_id */
    0x02,                                           /* members: COMPACT_ARRAY 1 */
    0x09, MEMBER_1,                                 /*  [0].member_id */
    0x00,                                           /*  [0].group_instance_id: null */
    0x04, 0x01, 0x02, 0x03,                         /*  [0].metadata: COMPACT_BYTES 3 */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* JoinGroup response v9: protocol_type (v7+), skip_assignment (v9). */
static const uint8_t jg_resp_v9[] = {
    0x00, 0x00, 0x00, 0x0a,                         /* throttle_time_ms: 10 */
    0x00, 0x00,                                     /* error_code */
    0x00, 0x00, 0x00, 0x02,                         /* generation_id: 2 */
    0x09, CONSUMER,                                 /* protocol_type: COMPACT_NULLABLE_STRING */
    0x06, RANGE,                                    /* protocol_name: COMPACT_NULLABLE_STRING */
    0x09, MEMBER_1,                                 /* leader */
    0x00,                                           /* skip_assignment: false */
    0x09, MEMBER_1,                                 /* member_id */
    0x02,                                           /* members: 1 */
    0x09, MEMBER_1,                                 /*  [0].member_id */
    0x04, INST_1,                                   /*  [0].group_instance_id: "i-1" */
    0x04, 0x01, 0x02, 0x03,                         /*  [0].metadata */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

static void jg_members(kw_joingroup_resp *m, const char *instance)
{
    static kw_joingroup_resp_member mb[1];
    mb[0].member_id = kw_s("member-1");
    mb[0].group_instance_id = instance ? kw_s(instance) : KW_STR_NULL;
    mb[0].metadata = kw_b(meta123, 3);
    m->generation_id = 1;
    m->protocol_name = kw_s("range");
    m->leader = kw_s("member-1");
    m->member_id = kw_s("member-1");
    m->members = mb;
    m->n_members = 1;
}
static void b_jg_resp_v0(void *out) { jg_members(out, NULL); }
static void b_jg_resp_v6(void *out) { jg_members(out, NULL); }
static void b_jg_resp_v9(void *out)
{
    kw_joingroup_resp *m = out;
    jg_members(m, "i-1");
    m->throttle_time_ms = 10;
    m->generation_id = 2;
    m->protocol_type = kw_s("consumer");
}

/* ======================================================================== SyncGroup (key 14) */

/* SyncGroup request v0: the leader hands out one assignment. */
static const uint8_t sg_req_v0[] = {
    0x00, 0x0a, TEST_GROUP,                         /* group_id */
    0x00, 0x00, 0x00, 0x01,                         /* generation_id: 1 */
    0x00, 0x08, MEMBER_1,                           /* member_id */
    0x00, 0x00, 0x00, 0x01,                         /* assignments: ARRAY 1 */
    0x00, 0x08, MEMBER_1,                           /*  [0].member_id */
    0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb,             /*  [0].assignment: BYTES 2 */
};

/* SyncGroup request v4 (first flexible): group_instance_id (v3+). */
static const uint8_t sg_req_v4[] = {
    0x0b, TEST_GROUP,                               /* group_id */
    0x00, 0x00, 0x00, 0x01,                         /* generation_id */
    0x09, MEMBER_1,                                 /* member_id */
    0x00,                                           /* group_instance_id: null */
    0x02,                                           /* assignments: COMPACT_ARRAY 1 */
    0x09, MEMBER_1,                                 /*  [0].member_id */
    0x03, 0xaa, 0xbb,                               /*  [0].assignment: COMPACT_BYTES 2 */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* SyncGroup request v5 (highest): protocol type and name (v5); a follower, no assignments. */
static const uint8_t sg_req_v5[] = {
    0x0b, TEST_GROUP,                               /* group_id */
    0x00, 0x00, 0x00, 0x01,                         /* generation_id */
    0x09, MEMBER_1,                                 /* member_id */
    0x04, INST_1,                                   /* group_instance_id: "i-1" */
    0x09, CONSUMER,                                 /* protocol_type: COMPACT_NULLABLE_STRING */
    0x06, RANGE,                                    /* protocol_name */
    0x01,                                           /* assignments: COMPACT_ARRAY 0 */
    0x00,                                           /* _tagged_fields */
};

static void sg_base(kw_syncgroup_req *m, int with_assignment)
{
    static kw_syncgroup_req_assignment as[1];
    as[0].member_id = kw_s("member-1");
    as[0].assignment = kw_b(assign_ab, 2);
    m->group_id = kw_s("test-group");
    m->generation_id = 1;
    m->member_id = kw_s("member-1");
    m->assignments = with_assignment ? as : NULL;
    m->n_assignments = with_assignment ? 1 : 0;
}
static void b_sg_req_v0(void *out) { sg_base(out, 1); }
static void b_sg_req_v4(void *out) { sg_base(out, 1); }
static void b_sg_req_v5(void *out)
{
    kw_syncgroup_req *m = out;
    sg_base(m, 0);
    m->group_instance_id = kw_s("i-1");
    m->protocol_type = kw_s("consumer");
    m->protocol_name = kw_s("range");
}

static const uint8_t sg_resp_v0[] = {
    0x00, 0x00,                                     /* error_code */
    0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb,             /* assignment: BYTES 2 */
};
static const uint8_t sg_resp_v4[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms (v1+) */
    0x00, 0x00,                                     /* error_code */
    0x03, 0xaa, 0xbb,                               /* assignment: COMPACT_BYTES 2 */
    0x00,                                           /* _tagged_fields */
};
/* SyncGroup response v5: a rebalance started; protocol type and name null. */
static const uint8_t sg_resp_v5[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms */
    0x00, 0x1b,                                     /* error_code: 27 REBALANCE_IN_PROGRESS */
    0x00,                                           /* protocol_type: null */
    0x00,                                           /* protocol_name: null */
    0x01,                                           /* assignment: COMPACT_BYTES 0 */
    0x00,                                           /* _tagged_fields */
};
static void b_sg_resp_v0(void *out) { ((kw_syncgroup_resp *)out)->assignment = kw_b(assign_ab, 2); }
static void b_sg_resp_v4(void *out) { ((kw_syncgroup_resp *)out)->assignment = kw_b(assign_ab, 2); }
static void b_sg_resp_v5(void *out)
{
    kw_syncgroup_resp *m = out;
    m->error_code = KW_KAFKA_REBALANCE_IN_PROGRESS;
    m->assignment = kw_b("", 0);
}

/* ======================================================================== Heartbeat (key 12) */

static const uint8_t hb_req_v0[] = {
    0x00, 0x0a, TEST_GROUP,                         /* group_id */
    0x00, 0x00, 0x00, 0x01,                         /* generation_id: 1 */
    0x00, 0x08, MEMBER_1,                           /* member_id */
};
/* Heartbeat request v4: first flexible and highest; group_instance_id (v3+). */
static const uint8_t hb_req_v4[] = {
    0x0b, TEST_GROUP,                               /* group_id */
    0x00, 0x00, 0x00, 0x01,                         /* generation_id */
    0x09, MEMBER_1,                                 /* member_id */
    0x04, INST_1,                                   /* group_instance_id: "i-1" */
    0x00,                                           /* _tagged_fields */
};
static void hb_base(kw_heartbeat_req *m)
{
    m->group_id = kw_s("test-group");
    m->generation_id = 1;
    m->member_id = kw_s("member-1");
}
static void b_hb_req_v0(void *out) { hb_base(out); }
static void b_hb_req_v4(void *out) { hb_base(out); ((kw_heartbeat_req *)out)->group_instance_id = kw_s("i-1"); }

static const uint8_t hb_resp_v0[] = {
    0x00, 0x1b,                                     /* error_code: 27 REBALANCE_IN_PROGRESS */
};
static const uint8_t hb_resp_v4[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms */
    0x00, 0x00,                                     /* error_code */
    0x00,                                           /* _tagged_fields */
};
static void b_hb_resp_v0(void *out) { ((kw_heartbeat_resp *)out)->error_code = KW_KAFKA_REBALANCE_IN_PROGRESS; }
static void b_hb_resp_v4(void *out) { (void)out; }

/* ============================================================ ConsumerGroupHeartbeat (key 68) */

/* v0 (lowest, flexible from v0): a member joins (epoch 0) subscribing to one topic. */
static const uint8_t cgh_req_v0[] = {
    0x0b, TEST_GROUP,                               /* group_id */
    0x09, MEMBER_1,                                 /* member_id */
    0x00, 0x00, 0x00, 0x00,                         /* member_epoch: 0 (join) */
    0x00,                                           /* instance_id: null */
    0x00,                                           /* rack_id: null */
    0x00, 0x04, 0x93, 0xe0,                         /* rebalance_timeout_ms: 300000 */
    0x02,                                           /* subscribed_topic_names: COMPACT_NULLABLE_ARRAY 1 */
    0x0b, TEST_TOPIC,                               /*  [0] */
    0x08, 'u', 'n', 'i', 'f', 'o', 'r', 'm',        /* server_assignor: "uniform" */
    0x01,                                           /* topic_partitions: COMPACT_NULLABLE_ARRAY 0 */
    0x00,                                           /* _tagged_fields */
};

/* v1 (highest): a steady heartbeat; unchanged fields null, owned partitions listed. */
static const uint8_t cgh_req_v1[] = {
    0x0b, TEST_GROUP,                               /* group_id */
    0x09, MEMBER_1,                                 /* member_id */
    0x00, 0x00, 0x00, 0x05,                         /* member_epoch: 5 */
    0x00,                                           /* instance_id: null */
    0x00,                                           /* rack_id: null */
    0xff, 0xff, 0xff, 0xff,                         /* rebalance_timeout_ms: -1 (unchanged) */
    0x00,                                           /* subscribed_topic_names: null */
    0x00,                                           /* subscribed_topic_regex (v1): null */
    0x00,                                           /* server_assignor: null */
    0x02,                                           /* topic_partitions: 1 */
    UUID_A,                                         /*  [0].topic_id */
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /*  [0].partitions: COMPACT_ARRAY [0, 1] */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

static void b_cgh_req_v0(void *out)
{
    static kw_str topics[1];
    kw_consumergroupheartbeat_req *m = out;
    topics[0] = kw_s("test-topic");
    m->group_id = kw_s("test-group");
    m->member_id = kw_s("member-1");
    m->rebalance_timeout_ms = 300000;
    m->subscribed_topic_names = topics;
    m->n_subscribed_topic_names = 1;
    m->server_assignor = kw_s("uniform");
    m->topic_partitions = NULL;
    m->n_topic_partitions = 0;
}
static void b_cgh_req_v1(void *out)
{
    static int32_t parts[2] = {0, 1};
    static kw_consumergroupheartbeat_req_topic_partitions tp[1];
    kw_consumergroupheartbeat_req *m = out;
    memcpy(tp[0].topic_id.b, uuid_a, 16);
    tp[0].partitions = parts;
    tp[0].n_partitions = 2;
    m->group_id = kw_s("test-group");
    m->member_id = kw_s("member-1");
    m->member_epoch = 5;
    m->topic_partitions = tp;
    m->n_topic_partitions = 1;
}

/* v0 response: an assignment (a nullable struct: int8 1, then its fields). */
static const uint8_t cgh_resp_v0[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms */
    0x00, 0x00,                                     /* error_code */
    0x00,                                           /* error_message: null */
    0x09, MEMBER_1,                                 /* member_id: COMPACT_NULLABLE_STRING */
    0x00, 0x00, 0x00, 0x01,                         /* member_epoch: 1 */
    0x00, 0x00, 0x13, 0x88,                         /* heartbeat_interval_ms: 5000 */
    0x01,                                           /* assignment: present */
    0x02,                                           /*  topic_partitions: COMPACT_ARRAY 1 */
    UUID_B,                                         /*   [0].topic_id */
    0x02, 0x00, 0x00, 0x00, 0x00,                   /*   [0].partitions: [0] */
    0x00,                                           /*   [0]._tagged_fields */
    0x00,                                           /*  assignment._tagged_fields */
    0x00,                                           /* _tagged_fields */
};
/* v1 response: the member was fenced; no assignment (int8 -1). */
static const uint8_t cgh_resp_v1[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms */
    0x00, 0x6e,                                     /* error_code: 110 FENCED_MEMBER_EPOCH */
    0x07, 'f', 'e', 'n', 'c', 'e', 'd',             /* error_message: "fenced" */
    0x00,                                           /* member_id: null */
    0xff, 0xff, 0xff, 0xff,                         /* member_epoch: -1 */
    0x00, 0x00, 0x00, 0x00,                         /* heartbeat_interval_ms: 0 */
    0xff,                                           /* assignment: null */
    0x00,                                           /* _tagged_fields */
};
static void b_cgh_resp_v0(void *out)
{
    static int32_t parts[1] = {0};
    static kw_consumergroupheartbeat_resp_topic_partitions tp[1];
    static kw_consumergroupheartbeat_assignment as;
    kw_consumergroupheartbeat_resp *m = out;
    memcpy(tp[0].topic_id.b, uuid_b, 16);
    tp[0].partitions = parts;
    tp[0].n_partitions = 1;
    as.topic_partitions = tp;
    as.n_topic_partitions = 1;
    m->member_id = kw_s("member-1");
    m->member_epoch = 1;
    m->heartbeat_interval_ms = 5000;
    m->assignment = &as;
}
static void b_cgh_resp_v1(void *out)
{
    kw_consumergroupheartbeat_resp *m = out;
    m->error_code = KW_KAFKA_FENCED_MEMBER_EPOCH;
    m->error_message = kw_s("fenced");
    m->member_epoch = -1;
    m->assignment = NULL;
}

/* ======================================================================= SaslAuthenticate (36) */

static const uint8_t sa_req_v0[] = {
    0x00, 0x00, 0x00, 0x0a, PLAIN_AUTH,             /* auth_bytes: BYTES, PLAIN "\0user\0pass" */
};
static const uint8_t sa_req_v2[] = {
    0x0b, PLAIN_AUTH,                               /* auth_bytes: COMPACT_BYTES 10 */
    0x00,                                           /* _tagged_fields */
};
static void b_sa_req(void *out) { ((kw_saslauthenticate_req *)out)->auth_bytes = kw_b(plain_auth, sizeof plain_auth); }
#define b_sa_req_v0 b_sa_req
#define b_sa_req_v2 b_sa_req

static const uint8_t sa_resp_v0[] = {
    0x00, 0x00,                                     /* error_code */
    0xff, 0xff,                                     /* error_message: NULLABLE_STRING null */
    0x00, 0x00, 0x00, 0x00,                         /* auth_bytes: BYTES 0 */
};
/* v2: authentication failed; session_lifetime_ms (v1+) 0. */
static const uint8_t sa_resp_v2[] = {
    0x00, 0x3a,                                     /* error_code: 58 SASL_AUTHENTICATION_FAILED */
    0x04, 'b', 'a', 'd',                            /* error_message: "bad" */
    0x01,                                           /* auth_bytes: COMPACT_BYTES 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* session_lifetime_ms: 0 */
    0x00,                                           /* _tagged_fields */
};
static void b_sa_resp_v0(void *out)
{
    kw_saslauthenticate_resp *m = out;
    m->error_message = KW_STR_NULL;
    m->auth_bytes = kw_b("", 0);
}
static void b_sa_resp_v2(void *out)
{
    kw_saslauthenticate_resp *m = out;
    m->error_code = KW_KAFKA_SASL_AUTHENTICATION_FAILED;
    m->error_message = kw_s("bad");
    m->auth_bytes = kw_b("", 0);
}

/* ================================================================================ Vote (52) */

/* Vote request v0 (lowest, flexible from v0): candidate 2 asks for votes in epoch 5. */
static const uint8_t vote_req_v0[] = {
    0x03, 'c', '1',                                 /* cluster_id: COMPACT_NULLABLE_STRING "c1" */
    0x02,                                           /* topics: 1 */
    0x13, META_TOPIC,                               /*  [0].topic_name: "__cluster_metadata" */
    0x02,                                           /*  [0].partitions: 1 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].replica_epoch: 5 */
    0x00, 0x00, 0x00, 0x02,                         /*   [0].replica_id: 2 */
    0x00, 0x00, 0x00, 0x04,                         /*   [0].last_offset_epoch: 4 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, /*   [0].last_offset: 100 */
    0x00,                                           /*   [0]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};
/* Vote request v2 (highest): voter id and directory ids (v1+), pre-vote (v2, KIP-996). */
static const uint8_t vote_req_v2[] = {
    0x03, 'c', '1',                                 /* cluster_id */
    0x00, 0x00, 0x00, 0x01,                         /* voter_id: 1 */
    0x02,                                           /* topics: 1 */
    0x13, META_TOPIC,                               /*  [0].topic_name */
    0x02,                                           /*  [0].partitions: 1 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].replica_epoch */
    0x00, 0x00, 0x00, 0x02,                         /*   [0].replica_id */
    UUID_A,                                         /*   [0].replica_directory_id */
    UUID_B,                                         /*   [0].voter_directory_id */
    0x00, 0x00, 0x00, 0x04,                         /*   [0].last_offset_epoch */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, /*   [0].last_offset */
    0x01,                                           /*   [0].pre_vote: true */
    0x00,                                           /*   [0]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};
static void vote_base(kw_vote_req *m, int v2)
{
    static kw_vote_req_partition_data p[1];
    static kw_vote_req_topic_data t[1];
    memset(p, 0, sizeof p);
    p[0].replica_epoch = 5;
    p[0].replica_id = 2;
    p[0].last_offset_epoch = 4;
    p[0].last_offset = 100;
    if (v2) {
        memcpy(p[0].replica_directory_id.b, uuid_a, 16);
        memcpy(p[0].voter_directory_id.b, uuid_b, 16);
        p[0].pre_vote = 1;
    }
    t[0].topic_name = kw_s("__cluster_metadata");
    t[0].partitions = p;
    t[0].n_partitions = 1;
    m->cluster_id = kw_s("c1");
    m->topics = t;
    m->n_topics = 1;
}
static void b_vote_req_v0(void *out) { vote_base(out, 0); }
static void b_vote_req_v2(void *out) { vote_base(out, 1); ((kw_vote_req *)out)->voter_id = 1; }

static const uint8_t vote_resp_v0[] = {
    0x00, 0x00,                                     /* error_code */
    0x02,                                           /* topics: 1 */
    0x13, META_TOPIC,                               /*  [0].topic_name */
    0x02,                                           /*  [0].partitions: 1 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index */
    0x00, 0x00,                                     /*   [0].error_code */
    0xff, 0xff, 0xff, 0xff,                         /*   [0].leader_id: -1 (none yet) */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].leader_epoch: 5 */
    0x01,                                           /*   [0].vote_granted: true */
    0x00,                                           /*   [0]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};
/* Vote response v2: the leader's endpoint in tagged field 0 (node_endpoints, v1+). */
static const uint8_t vote_resp_v2[] = {
    0x00, 0x00,                                     /* error_code */
    0x02,                                           /* topics: 1 */
    0x13, META_TOPIC,                               /*  [0].topic_name */
    0x02,                                           /*  [0].partitions: 1 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index */
    0x00, 0x00,                                     /*   [0].error_code */
    0x00, 0x00, 0x00, 0x01,                         /*   [0].leader_id: 1 */
    0x00, 0x00, 0x00, 0x06,                         /*   [0].leader_epoch: 6 */
    0x00,                                           /*   [0].vote_granted: false */
    0x00,                                           /*   [0]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x01,                                           /* _tagged_fields: 1 */
    0x00, 0x12,                                     /*  tag 0 (node_endpoints), 18 bytes: */
    0x02,                                           /*   COMPACT_ARRAY 1 */
    0x00, 0x00, 0x00, 0x01,                         /*   [0].node_id: 1 */
    0x0a, LOCALHOST,                                /*   [0].host: "localhost" */
    0x23, 0x84,                                     /*   [0].port: UINT16 9092 */
    0x00,                                           /*   [0]._tagged_fields */
};
static void vote_resp_base(kw_vote_resp *m, int32_t leader, int32_t epoch, uint8_t granted)
{
    static kw_vote_resp_partition_data p[1];
    static kw_vote_resp_topic_data t[1];
    memset(p, 0, sizeof p);
    p[0].leader_id = leader;
    p[0].leader_epoch = epoch;
    p[0].vote_granted = granted;
    t[0].topic_name = kw_s("__cluster_metadata");
    t[0].partitions = p;
    t[0].n_partitions = 1;
    m->topics = t;
    m->n_topics = 1;
}
static void b_vote_resp_v0(void *out) { vote_resp_base(out, -1, 5, 1); }
static void b_vote_resp_v2(void *out)
{
    static kw_vote_node_endpoint ep[1];
    kw_vote_resp *m = out;
    vote_resp_base(m, 1, 6, 0);
    ep[0].node_id = 1;
    ep[0].host = kw_s("localhost");
    ep[0].port = 9092;
    m->node_endpoints = ep;
    m->n_node_endpoints = 1;
}

/* ==================================================================== AddPartitionsToTxn (24) */

static const uint8_t apt_req_v0[] = {
    0x00, 0x05, TXN_1,                              /* v3_and_below_transactional_id: "txn-1" */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* v3_and_below_producer_id: 1000 */
    0x00, 0x00,                                     /* v3_and_below_producer_epoch: 0 */
    0x00, 0x00, 0x00, 0x01,                         /* v3_and_below_topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x02,                         /*  [0].partitions: ARRAY of INT32, 2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /*   0, 1 */
};
static const uint8_t apt_req_v3[] = {
    0x06, TXN_1,                                    /* v3_and_below_transactional_id: COMPACT_STRING */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* v3_and_below_producer_id */
    0x00, 0x00,                                     /* v3_and_below_producer_epoch */
    0x02,                                           /* v3_and_below_topics: COMPACT_ARRAY 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /*  [0].partitions: [0, 1] */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};
/* v5 (highest): batched transactions (v4+, brokers verifying for KIP-890). */
static const uint8_t apt_req_v5[] = {
    0x02,                                           /* transactions: COMPACT_ARRAY 1 */
    0x06, TXN_1,                                    /*  [0].transactional_id */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /*  [0].producer_id: 1000 */
    0x00, 0x01,                                     /*  [0].producer_epoch: 1 */
    0x01,                                           /*  [0].verify_only: true */
    0x02,                                           /*  [0].topics: 1 */
    0x0b, TEST_TOPIC,                               /*   [0].name */
    0x02, 0x00, 0x00, 0x00, 0x00,                   /*   [0].partitions: [0] */
    0x00,                                           /*   [0]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};
static void apt_old(kw_addpartitionstotxn_req *m)
{
    static int32_t parts[2] = {0, 1};
    static kw_addpartitionstotxn_topic t[1];
    t[0].name = kw_s("test-topic");
    t[0].partitions = parts;
    t[0].n_partitions = 2;
    m->v3_and_below_transactional_id = kw_s("txn-1");
    m->v3_and_below_producer_id = 1000;
    m->v3_and_below_producer_epoch = 0;
    m->v3_and_below_topics = t;
    m->n_v3_and_below_topics = 1;
}
static void b_apt_req_v0(void *out) { apt_old(out); }
static void b_apt_req_v3(void *out) { apt_old(out); }
static void b_apt_req_v5(void *out)
{
    static int32_t parts[1] = {0};
    static kw_addpartitionstotxn_topic t[1];
    static kw_addpartitionstotxn_transaction x[1];
    kw_addpartitionstotxn_req *m = out;
    t[0].name = kw_s("test-topic");
    t[0].partitions = parts;
    t[0].n_partitions = 1;
    x[0].transactional_id = kw_s("txn-1");
    x[0].producer_id = 1000;
    x[0].producer_epoch = 1;
    x[0].verify_only = 1;
    x[0].topics = t;
    x[0].n_topics = 1;
    m->transactions = x;
    m->n_transactions = 1;
}

static const uint8_t apt_resp_v0[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms */
    0x00, 0x00, 0x00, 0x01,                         /* results_by_topic_v3_and_below: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x02,                         /*  [0].results_by_partition: 2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /*   [0] partition 0: error 0 */
    0x00, 0x00, 0x00, 0x01, 0x00, 0x33,             /*   [1] partition 1: error 51 CONCURRENT_TRANSACTIONS */
};
static const uint8_t apt_resp_v3[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms */
    0x02,                                           /* results_by_topic_v3_and_below: 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x03,                                           /*  [0].results_by_partition: 2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,       /*   [0]: 0, error 0, _tagged_fields */
    0x00, 0x00, 0x00, 0x01, 0x00, 0x33, 0x00,       /*   [1]: 1, error 51, _tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};
static const uint8_t apt_resp_v5[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms */
    0x00, 0x00,                                     /* error_code (v4+) */
    0x02,                                           /* results_by_transaction: 1 */
    0x06, TXN_1,                                    /*  [0].transactional_id */
    0x02,                                           /*  [0].topic_results: 1 */
    0x0b, TEST_TOPIC,                               /*   [0].name */
    0x02,                                           /*   [0].results_by_partition: 1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,       /*    [0]: 0, error 0, _tagged_fields */
    0x00,                                           /*   [0]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};
static kw_addpartitionstotxn_partition_result apt_pr[2];
static kw_addpartitionstotxn_topic_result apt_tr[1];
static void apt_results(int n)
{
    memset(apt_pr, 0, sizeof apt_pr);
    apt_pr[1].partition_index = 1;
    apt_pr[1].partition_error_code = KW_KAFKA_CONCURRENT_TRANSACTIONS;
    apt_tr[0].name = kw_s("test-topic");
    apt_tr[0].results_by_partition = apt_pr;
    apt_tr[0].n_results_by_partition = n;
}
static void b_apt_resp_v0(void *out)
{
    kw_addpartitionstotxn_resp *m = out;
    apt_results(2);
    m->results_by_topic_v3_and_below = apt_tr;
    m->n_results_by_topic_v3_and_below = 1;
}
#define b_apt_resp_v3 b_apt_resp_v0
static void b_apt_resp_v5(void *out)
{
    static kw_addpartitionstotxn_result r[1];
    kw_addpartitionstotxn_resp *m = out;
    apt_results(1);
    r[0].transactional_id = kw_s("txn-1");
    r[0].topic_results = apt_tr;
    r[0].n_topic_results = 1;
    m->results_by_transaction = r;
    m->n_results_by_transaction = 1;
}

/* ==================================================================================== table */

static const vec vecs[] = {
    VEC(jg_req_v0, JoinGroup, 0, KW_REQ), VEC(jg_req_v6, JoinGroup, 6, KW_REQ), VEC(jg_req_v9, JoinGroup, 9, KW_REQ),
    VEC(jg_resp_v0, JoinGroup, 0, KW_RESP), VEC(jg_resp_v6, JoinGroup, 6, KW_RESP),
    VEC(jg_resp_v9, JoinGroup, 9, KW_RESP),
    VEC(sg_req_v0, SyncGroup, 0, KW_REQ), VEC(sg_req_v4, SyncGroup, 4, KW_REQ), VEC(sg_req_v5, SyncGroup, 5, KW_REQ),
    VEC(sg_resp_v0, SyncGroup, 0, KW_RESP), VEC(sg_resp_v4, SyncGroup, 4, KW_RESP),
    VEC(sg_resp_v5, SyncGroup, 5, KW_RESP),
    VEC(hb_req_v0, Heartbeat, 0, KW_REQ), VEC(hb_req_v4, Heartbeat, 4, KW_REQ),
    VEC(hb_resp_v0, Heartbeat, 0, KW_RESP), VEC(hb_resp_v4, Heartbeat, 4, KW_RESP),
    VEC(cgh_req_v0, ConsumerGroupHeartbeat, 0, KW_REQ), VEC(cgh_req_v1, ConsumerGroupHeartbeat, 1, KW_REQ),
    VEC(cgh_resp_v0, ConsumerGroupHeartbeat, 0, KW_RESP), VEC(cgh_resp_v1, ConsumerGroupHeartbeat, 1, KW_RESP),
    VEC(sa_req_v0, SaslAuthenticate, 0, KW_REQ), VEC(sa_req_v2, SaslAuthenticate, 2, KW_REQ),
    VEC(sa_resp_v0, SaslAuthenticate, 0, KW_RESP), VEC(sa_resp_v2, SaslAuthenticate, 2, KW_RESP),
    VEC(vote_req_v0, Vote, 0, KW_REQ), VEC(vote_req_v2, Vote, 2, KW_REQ),
    VEC(vote_resp_v0, Vote, 0, KW_RESP), VEC(vote_resp_v2, Vote, 2, KW_RESP),
    VEC(apt_req_v0, AddPartitionsToTxn, 0, KW_REQ), VEC(apt_req_v3, AddPartitionsToTxn, 3, KW_REQ),
    VEC(apt_req_v5, AddPartitionsToTxn, 5, KW_REQ), VEC(apt_resp_v0, AddPartitionsToTxn, 0, KW_RESP),
    VEC(apt_resp_v3, AddPartitionsToTxn, 3, KW_RESP), VEC(apt_resp_v5, AddPartitionsToTxn, 5, KW_RESP),
};
#define NVECS (sizeof vecs / sizeof vecs[0])

/* First flexible version of each API here, read off the grammar (the first version
 * whose grammar ends in _tagged_fields). */
static int first_flex(int api)
{
    switch (api) {
    case KW_API_JoinGroup: return 6;
    case KW_API_SyncGroup: return 4;
    case KW_API_Heartbeat: return 4;
    case KW_API_ConsumerGroupHeartbeat: return 0;
    case KW_API_SaslAuthenticate: return 2;
    case KW_API_Vote: return 0;
    case KW_API_AddPartitionsToTxn: return 3;
    default: return 1000;
    }
}

static void test_vectors(void **state)
{
    (void)state;
    assert_int_equal(NVECS, 34);
    pv_check_table(vecs, NVECS);
}

static void test_frames(void **state)
{
    (void)state;
    pv_check_frames(vecs, NVECS, first_flex);
}

static void test_all_versions_roundtrip(void **state)
{
    (void)state;
    static const int apis[] = {KW_API_JoinGroup, KW_API_SyncGroup, KW_API_Heartbeat, KW_API_ConsumerGroupHeartbeat,
                               KW_API_SaslAuthenticate, KW_API_Vote, KW_API_AddPartitionsToTxn};
    int n = pv_roundtrip_apis(vecs, NVECS, apis, sizeof apis / sizeof apis[0]);
    assert_int_equal(n, 2 * (10 + 6 + 5 + 2 + 3 + 3 + 6));
}

/* Spot checks written out by hand, independent of the description tables. */
static void test_decoded_values(void **state)
{
    (void)state;
    kw_arena a;
    msgbuf m;
    kw_consumergroupheartbeat_resp *c0 = pv_dec(vecs, NVECS, "cgh_resp_v0", &a, &m);
    assert_non_null(c0->assignment);
    assert_int_equal(c0->assignment->n_topic_partitions, 1);
    assert_memory_equal(c0->assignment->topic_partitions[0].topic_id.b, uuid_b, 16);
    assert_int_equal(c0->heartbeat_interval_ms, 5000);
    kw_arena_free(&a);
    kw_consumergroupheartbeat_resp *c1 = pv_dec(vecs, NVECS, "cgh_resp_v1", &a, &m);
    assert_null(c1->assignment);
    assert_int_equal(c1->error_code, 110);
    kw_arena_free(&a);
    kw_consumergroupheartbeat_req *q0 = pv_dec(vecs, NVECS, "cgh_req_v0", &a, &m);
    assert_int_equal(q0->n_subscribed_topic_names, 1);
    assert_true(str_is(q0->subscribed_topic_regex, NULL)); /* v1+: default null */
    assert_true(str_is(q0->subscribed_topic_names[0], "test-topic"));
    kw_arena_free(&a);
    kw_vote_resp *v2 = pv_dec(vecs, NVECS, "vote_resp_v2", &a, &m);
    assert_int_equal(v2->n_node_endpoints, 1);
    assert_int_equal(v2->node_endpoints[0].port, 9092);
    kw_arena_free(&a);
    kw_vote_req *v0 = pv_dec(vecs, NVECS, "vote_req_v0", &a, &m);
    assert_int_equal(v0->voter_id, -1); /* v1+: default -1 */
    assert_int_equal(v0->topics[0].partitions[0].last_offset, 100);
    kw_arena_free(&a);
    kw_joingroup_req *j0 = pv_dec(vecs, NVECS, "jg_req_v0", &a, &m);
    assert_int_equal(j0->rebalance_timeout_ms, -1); /* v1+: default -1 */
    assert_int_equal(j0->group_instance_id.len, -1);
    kw_arena_free(&a);
    kw_addpartitionstotxn_resp *r0 = pv_dec(vecs, NVECS, "apt_resp_v0", &a, &m);
    assert_int_equal(r0->results_by_topic_v3_and_below[0].results_by_partition[1].partition_error_code, 51);
    assert_int_equal(r0->n_results_by_transaction, 0);
    kw_arena_free(&a);
}

/* A nullable struct's marker is -1 or 1: anything else is corrupt, and annotate says where. */
static void test_nullable_struct_marker(void **state)
{
    (void)state;
    uint8_t bad[sizeof cgh_resp_v1];
    memcpy(bad, cgh_resp_v1, sizeof bad);
    bad[sizeof bad - 2] = 0x00; /* assignment marker 0 */
    kw_arena a;
    kw_arena_init(&a);
    msgbuf m;
    kw_proto_err e;
    assert_int_equal(kw_msg_decode(KW_API_ConsumerGroupHeartbeat, 1, KW_RESP, bad, sizeof bad, m.b, &a, &e),
                     KW_ERR_CORRUPT);
    assert_int_equal(e.off, sizeof bad - 2);
    assert_string_equal(e.path, "assignment");
    kw_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_all_versions_roundtrip),
        cmocka_unit_test(test_decoded_values),
        cmocka_unit_test(test_nullable_struct_marker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
