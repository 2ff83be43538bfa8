/*
 * tests/test_proto_vectors_topics.c — byte-exact vectors for ListOffsets, InitProducerId
 * and CreateTopics, worked out by hand from the protocol grammar (field by field, in the
 * comments):
 *
 *   ListOffsets 1/6/10, InitProducerId 0/2/5, CreateTopics 2/5/7 — lowest kwire version,
 *   first flexible version, highest; request and response: 18 vectors; plus 3 where a
 *   shape changes: ListOffsets v4 (leader epochs, classic), InitProducerId v3 request.
 *
 * Each is checked against the description engine in both directions (encode equals the
 * bytes, decode gives the struct back), its annotation walks every byte, its prefixes
 * fail (tests/proto_vectors.h); spot checks of decoded values are written out by hand;
 * then every version of the three APIs round-trips. The non-flexible ListOffsets and
 * CreateTopics vectors were also cross-checked with kafka-python 2.0.2 (same values,
 * same bytes on re-encode).
 */
#include "tests/proto_vectors.h"

#include "proto/msg_createtopics.h"
#include "proto/msg_initproducerid.h"
#include "proto/msg_listoffsets.h"

/* ======================================================================= ListOffsets (key 2) */

/* ListOffsets request v1 (lowest kwire version; header v1, classic encoding). */
static const uint8_t lo_req_v1[] = {
    0xff, 0xff, 0xff, 0xff,                         /* replica_id: INT32 -1 (a consumer) */
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY len 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name: STRING len 10 "test-topic" */
    0x00, 0x00, 0x00, 0x03,                         /*  [0].partitions: ARRAY len 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [0].timestamp: -1 (latest) */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, /*   [1].timestamp: -2 (earliest) */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, /*   [2].timestamp: 1700000000000 ms */
};

/* ListOffsets request v6 (first flexible: compact strings/arrays, tagged fields). */
static const uint8_t lo_req_v6[] = {
    0xff, 0xff, 0xff, 0xff,                         /* replica_id: -1 */
    0x01,                                           /* isolation_level: INT8 1 (read_committed) */
    0x02,                                           /* topics: COMPACT_ARRAY len+1 = 2 -> 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name: COMPACT_STRING len+1 = 11 */
    0x04,                                           /*  [0].partitions: COMPACT_ARRAY 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].current_leader_epoch: 5 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [0].timestamp: -1 */
    0x00,                                           /*   [0]._tagged_fields: none */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00, 0x00, 0x05,                         /*   [1].current_leader_epoch: 5 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, /*   [1].timestamp: -2 */
    0x00,                                           /*   [1]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0xff, 0xff, 0xff, 0xff,                         /*   [2].current_leader_epoch: -1 (unknown) */
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, /*   [2].timestamp: 1700000000000 */
    0x00,                                           /*   [2]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields (topic) */
    0x00,                                           /* _tagged_fields (top level) */
};

/* ListOffsets request v10 (highest: adds timeout_ms after topics). */
static const uint8_t lo_req_v10[] = {
    0xff, 0xff, 0xff, 0xff,                         /* replica_id: -1 */
    0x00,                                           /* isolation_level: 0 (read_uncommitted) */
    0x02,                                           /* topics: COMPACT_ARRAY 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name: "test-topic" */
    0x04,                                           /*  [0].partitions: COMPACT_ARRAY 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x07,                         /*   [0].current_leader_epoch: 7 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [0].timestamp: -1 (latest) */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00, 0x00, 0x07,                         /*   [1].current_leader_epoch: 7 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, /*   [1].timestamp: -2 (earliest) */
    0x00,                                           /*   [1]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0x00, 0x00, 0x00, 0x07,                         /*   [2].current_leader_epoch: 7 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd, /*   [2].timestamp: -3 (max timestamp, v7+) */
    0x00,                                           /*   [2]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields (topic) */
    0x00, 0x00, 0x75, 0x30,                         /* timeout_ms: 30000 */
    0x00,                                           /* _tagged_fields */
};

/* ListOffsets response v1 (header v0; no throttle time before v2). */
static const uint8_t lo_resp_v1[] = {
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x03,                         /*  [0].partitions: ARRAY 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00,                                     /*   [0].error_code: 0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [0].timestamp: -1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*   [0].offset: 42 */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00,                                     /*   [1].error_code: 0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [1].timestamp: -1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /*   [1].offset: 0 */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0x00, 0x06,                                     /*   [2].error_code: 6 NOT_LEADER_OR_FOLLOWER */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [2].timestamp: -1 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [2].offset: -1 */
};

/* ListOffsets response v6 (first flexible; header v1; leader_epoch since v4). */
static const uint8_t lo_resp_v6[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x02,                                           /* topics: COMPACT_ARRAY 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x04,                                           /*  [0].partitions: COMPACT_ARRAY 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00,                                     /*   [0].error_code: 0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [0].timestamp: -1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*   [0].offset: 42 */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].leader_epoch: 5 */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00,                                     /*   [1].error_code: 0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [1].timestamp: -1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /*   [1].offset: 0 */
    0x00, 0x00, 0x00, 0x05,                         /*   [1].leader_epoch: 5 */
    0x00,                                           /*   [1]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0x00, 0x06,                                     /*   [2].error_code: 6 NOT_LEADER_OR_FOLLOWER */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [2].timestamp: -1 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [2].offset: -1 */
    0xff, 0xff, 0xff, 0xff,                         /*   [2].leader_epoch: -1 */
    0x00,                                           /*   [2]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields (topic) */
    0x00,                                           /* _tagged_fields */
};

/* ListOffsets response v10 (same layout as v6..v9). */
static const uint8_t lo_resp_v10[] = {
    0x00, 0x00, 0x00, 0x64,                         /* throttle_time_ms: 100 */
    0x02,                                           /* topics: COMPACT_ARRAY 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x04,                                           /*  [0].partitions: COMPACT_ARRAY 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00,                                     /*   [0].error_code: 0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [0].timestamp: -1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /*   [0].offset: 1000 */
    0x00, 0x00, 0x00, 0x07,                         /*   [0].leader_epoch: 7 */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00,                                     /*   [1].error_code: 0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [1].timestamp: -1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /*   [1].offset: 0 */
    0x00, 0x00, 0x00, 0x07,                         /*   [1].leader_epoch: 7 */
    0x00,                                           /*   [1]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0x00, 0x00,                                     /*   [2].error_code: 0 */
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, /*   [2].timestamp: 1700000000000 (max) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe7, /*   [2].offset: 999 */
    0x00, 0x00, 0x00, 0x07,                         /*   [2].leader_epoch: 7 */
    0x00,                                           /*   [2]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields (topic) */
    0x00,                                           /* _tagged_fields */
};

/* =================================================================== InitProducerId (key 22) */

/* InitProducerId request v0: an idempotent (non-transactional) producer. */
static const uint8_t ip_req_v0[] = {
    0xff, 0xff,                                     /* transactional_id: NULLABLE_STRING null */
    0x00, 0x00, 0xea, 0x60,                         /* transaction_timeout_ms: 60000 */
};

/* InitProducerId request v2 (first flexible): a transactional producer. */
static const uint8_t ip_req_v2[] = {
    0x06, 't', 'x', 'n', '-', '1',                  /* transactional_id: COMPACT_NULLABLE_STRING "txn-1" */
    0x00, 0x00, 0xea, 0x60,                         /* transaction_timeout_ms: 60000 */
    0x00,                                           /* _tagged_fields */
};

/* InitProducerId request v5 (producer id/epoch since v3: resume after an epoch error). */
static const uint8_t ip_req_v5[] = {
    0x06, 't', 'x', 'n', '-', '1',                  /* transactional_id: "txn-1" */
    0x00, 0x00, 0xea, 0x60,                         /* transaction_timeout_ms: 60000 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0xa0, /* producer_id: 4000 */
    0x00, 0x02,                                     /* producer_epoch: 2 */
    0x00,                                           /* _tagged_fields */
};

/* InitProducerId response v0. */
static const uint8_t ip_resp_v0[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x00,                                     /* error_code: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0xa0, /* producer_id: 4000 */
    0x00, 0x00,                                     /* producer_epoch: 0 */
};

/* InitProducerId response v2 (first flexible). */
static const uint8_t ip_resp_v2[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x00,                                     /* error_code: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0xa0, /* producer_id: 4000 */
    0x00, 0x03,                                     /* producer_epoch: 3 */
    0x00,                                           /* _tagged_fields */
};

/* InitProducerId response v5: fenced by a newer instance. */
static const uint8_t ip_resp_v5[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x5a,                                     /* error_code: 90 PRODUCER_FENCED */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* producer_id: -1 */
    0xff, 0xff,                                     /* producer_epoch: -1 */
    0x00,                                           /* _tagged_fields */
};

/* ===================================================================== CreateTopics (key 19) */

/* CreateTopics request v2 (lowest kwire version). */
static const uint8_t ct_req_v2[] = {
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x03,                         /*  [0].num_partitions: 3 */
    0x00, 0x01,                                     /*  [0].replication_factor: 1 */
    0x00, 0x00, 0x00, 0x00,                         /*  [0].assignments: ARRAY 0 */
    0x00, 0x00, 0x00, 0x01,                         /*  [0].configs: ARRAY 1 */
    0x00, 0x0e, CLEANUP_POLICY,                     /*   [0].name: "cleanup.policy" */
    0x00, 0x07, 'c', 'o', 'm', 'p', 'a', 'c', 't',  /*   [0].value: NULLABLE_STRING "compact" */
    0x00, 0x00, 0x75, 0x30,                         /* timeout_ms: 30000 */
    0x00,                                           /* validate_only: false */
};

/* CreateTopics request v5 (first flexible): a manual assignment and a null config value. */
static const uint8_t ct_req_v5[] = {
    0x02,                                           /* topics: 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0xff, 0xff, 0xff, 0xff,                         /*  [0].num_partitions: -1 (from assignments) */
    0xff, 0xff,                                     /*  [0].replication_factor: -1 */
    0x04,                                           /*  [0].assignments: 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x02, 0x00, 0x00, 0x00, 0x01,                   /*   [0].broker_ids: COMPACT_ARRAY [1] */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x02, 0x00, 0x00, 0x00, 0x02,                   /*   [1].broker_ids: [2] */
    0x00,                                           /*   [1]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0x02, 0x00, 0x00, 0x00, 0x03,                   /*   [2].broker_ids: [3] */
    0x00,                                           /*   [2]._tagged_fields */
    0x03,                                           /*  [0].configs: 2 */
    0x0f, CLEANUP_POLICY,                           /*   [0].name: "cleanup.policy" */
    0x08, 'c', 'o', 'm', 'p', 'a', 'c', 't',        /*   [0].value: "compact" */
    0x00,                                           /*   [0]._tagged_fields */
    0x0d, RETENTION_MS,                             /*   [1].name: "retention.ms" */
    0x00,                                           /*   [1].value: null (broker default) */
    0x00,                                           /*   [1]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields (topic) */
    0x00, 0x00, 0x75, 0x30,                         /* timeout_ms: 30000 */
    0x01,                                           /* validate_only: true */
    0x00,                                           /* _tagged_fields */
};

/* CreateTopics request v7 (same layout as v5). */
static const uint8_t ct_req_v7[] = {
    0x02,                                           /* topics: 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x00, 0x00, 0x00, 0x03,                         /*  [0].num_partitions: 3 */
    0x00, 0x01,                                     /*  [0].replication_factor: 1 */
    0x01,                                           /*  [0].assignments: 0 */
    0x01,                                           /*  [0].configs: 0 */
    0x00,                                           /*  [0]._tagged_fields */
    0x00, 0x00, 0xea, 0x60,                         /* timeout_ms: 60000 */
    0x00,                                           /* validate_only: false */
    0x00,                                           /* _tagged_fields */
};

/* CreateTopics response v2 (throttle time since v2; error_message v1+). */
static const uint8_t ct_resp_v2[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0xff, 0xff,                                     /*  [0].error_message: null */
};

/* CreateTopics response v5 (first flexible). Not authorized to describe the configs: the
 * counts are -1, the config list empty, and tagged field 0 (topic_config_error_code)
 * carries the reason. */
static const uint8_t ct_resp_v5[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x02,                                           /* topics: 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x00,                                           /*  [0].error_message: null */
    0xff, 0xff, 0xff, 0xff,                         /*  [0].num_partitions: -1 */
    0xff, 0xff,                                     /*  [0].replication_factor: -1 */
    0x01,                                           /*  [0].configs: COMPACT_NULLABLE_ARRAY 0 */
    0x01,                                           /*  [0]._tagged_fields: 1 field */
    0x00,                                           /*   tag 0 (topic_config_error_code) */
    0x02,                                           /*   size 2 */
    0x00, 0x1d,                                     /*   INT16 29 TOPIC_AUTHORIZATION_FAILED */
    0x00,                                           /* _tagged_fields */
};

/* CreateTopics response v7 (topic_id after name, v7+). */
static const uint8_t ct_resp_v7[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x02,                                           /* topics: 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
    0x80, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, /*  [0].topic_id: UUID (16 bytes) */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x00,                                           /*  [0].error_message: null */
    0x00, 0x00, 0x00, 0x03,                         /*  [0].num_partitions: 3 */
    0x00, 0x01,                                     /*  [0].replication_factor: 1 */
    0x03,                                           /*  [0].configs: 2 */
    0x0f, CLEANUP_POLICY,                           /*   [0].name */
    0x08, 'c', 'o', 'm', 'p', 'a', 'c', 't',        /*   [0].value: "compact" */
    0x00,                                           /*   [0].read_only: false */
    0x01,                                           /*   [0].config_source: 1 (DYNAMIC_TOPIC_CONFIG) */
    0x00,                                           /*   [0].is_sensitive: false */
    0x00,                                           /*   [0]._tagged_fields */
    0x0d, RETENTION_MS,                             /*   [1].name */
    0x0a, '6', '0', '4', '8', '0', '0', '0', '0', '0',
                                                    /*   [1].value: "604800000" */
    0x00,                                           /*   [1].read_only: false */
    0x05,                                           /*   [1].config_source: 5 (DEFAULT_CONFIG) */
    0x00,                                           /*   [1].is_sensitive: false */
    0x00,                                           /*   [1]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* ======================================== versions where a shape changes (besides the three) */

/* ListOffsets request v4: current_leader_epoch appears (fencing), classic encoding. */
static const uint8_t lo_req_v4[] = {
    0xff, 0xff, 0xff, 0xff,                         /* replica_id: -1 */
    0x00,                                           /* isolation_level: 0 */
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x02,                         /*  [0].partitions: 2 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].current_leader_epoch: 5 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [0].timestamp: -1 */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00, 0x00, 0x05,                         /*   [1].current_leader_epoch: 5 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, /*   [1].timestamp: -2 */
};

/* ListOffsets response v4: leader_epoch appears. */
static const uint8_t lo_resp_v4[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x02,                         /*  [0].partitions: 2 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00,                                     /*   [0].error_code: 0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [0].timestamp: -1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*   [0].offset: 42 */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].leader_epoch: 5 */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00,                                     /*   [1].error_code: 0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [1].timestamp: -1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /*   [1].offset: 0 */
    0x00, 0x00, 0x00, 0x05,                         /*   [1].leader_epoch: 5 */
};

/* InitProducerId request v3: producer_id and producer_epoch appear (first flexible was v2). */
static const uint8_t ip_req_v3[] = {
    0x00,                                           /* transactional_id: null (idempotent) */
    0x00, 0x00, 0xea, 0x60,                         /* transaction_timeout_ms: 60000 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* producer_id: -1 (none yet) */
    0xff, 0xff,                                     /* producer_epoch: -1 */
    0x00,                                           /* _tagged_fields */
};


/* ============================================================ the structs behind the vectors */

/* Each builder fills the message struct that the vector of the same name encodes (over
 * the struct's defaults). Arrays are static: the structs only point at them. */

static const kw_uuid topic_uuid = {{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
                                    0x80, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}};

static void b_lo_req_v1(void *out)
{
    static kw_listoffsets_req_partition p[3];
    static kw_listoffsets_req_topic t[1];
    kw_listoffsets_req *m = out;
    p[0] = (kw_listoffsets_req_partition){0, -1, -1};
    p[1] = (kw_listoffsets_req_partition){1, -1, -2};
    p[2] = (kw_listoffsets_req_partition){2, -1, 1700000000000LL};
    t[0] = (kw_listoffsets_req_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 3};
    m->replica_id = -1; m->topics = t; m->n_topics = 1;
}

static void b_lo_req_v6(void *out)
{
    static kw_listoffsets_req_partition p[3];
    static kw_listoffsets_req_topic t[1];
    kw_listoffsets_req *m = out;
    p[0] = (kw_listoffsets_req_partition){0, 5, -1};
    p[1] = (kw_listoffsets_req_partition){1, 5, -2};
    p[2] = (kw_listoffsets_req_partition){2, -1, 1700000000000LL};
    t[0] = (kw_listoffsets_req_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 3};
    m->replica_id = -1; m->isolation_level = 1; m->topics = t; m->n_topics = 1;
}

static void b_lo_req_v10(void *out)
{
    static kw_listoffsets_req_partition p[3];
    static kw_listoffsets_req_topic t[1];
    kw_listoffsets_req *m = out;
    p[0] = (kw_listoffsets_req_partition){0, 7, -1};
    p[1] = (kw_listoffsets_req_partition){1, 7, -2};
    p[2] = (kw_listoffsets_req_partition){2, 7, -3};
    t[0] = (kw_listoffsets_req_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 3};
    m->replica_id = -1; m->isolation_level = 0; m->topics = t; m->n_topics = 1;
    m->timeout_ms = 30000;
}

static void b_lo_resp_v1(void *out)
{
    static kw_listoffsets_resp_partition p[3];
    static kw_listoffsets_resp_topic t[1];
    kw_listoffsets_resp *m = out;
    p[0] = (kw_listoffsets_resp_partition){0, 0, -1, 42, -1};
    p[1] = (kw_listoffsets_resp_partition){1, 0, -1, 0, -1};
    p[2] = (kw_listoffsets_resp_partition){2, 6, -1, -1, -1};
    t[0] = (kw_listoffsets_resp_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 3};
    m->topics = t; m->n_topics = 1;
}

static void b_lo_resp_v6(void *out)
{
    static kw_listoffsets_resp_partition p[3];
    static kw_listoffsets_resp_topic t[1];
    kw_listoffsets_resp *m = out;
    p[0] = (kw_listoffsets_resp_partition){0, 0, -1, 42, 5};
    p[1] = (kw_listoffsets_resp_partition){1, 0, -1, 0, 5};
    p[2] = (kw_listoffsets_resp_partition){2, 6, -1, -1, -1};
    t[0] = (kw_listoffsets_resp_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 3};
    m->throttle_time_ms = 0; m->topics = t; m->n_topics = 1;
}

static void b_lo_resp_v10(void *out)
{
    static kw_listoffsets_resp_partition p[3];
    static kw_listoffsets_resp_topic t[1];
    kw_listoffsets_resp *m = out;
    p[0] = (kw_listoffsets_resp_partition){0, 0, -1, 1000, 7};
    p[1] = (kw_listoffsets_resp_partition){1, 0, -1, 0, 7};
    p[2] = (kw_listoffsets_resp_partition){2, 0, 1700000000000LL, 999, 7};
    t[0] = (kw_listoffsets_resp_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 3};
    m->throttle_time_ms = 100; m->topics = t; m->n_topics = 1;
}

static void b_ip_req_v0(void *out)
{
    kw_initproducerid_req *m = out;
    m->transactional_id = KW_STR_NULL; m->transaction_timeout_ms = 60000;
}

static void b_ip_req_v2(void *out)
{
    kw_initproducerid_req *m = out;
    m->transactional_id = kw_s("txn-1"); m->transaction_timeout_ms = 60000;
}

static void b_ip_req_v5(void *out)
{
    kw_initproducerid_req *m = out;
    m->transactional_id = kw_s("txn-1"); m->transaction_timeout_ms = 60000;
    m->producer_id = 4000; m->producer_epoch = 2;
}

static void b_ip_resp_v0(void *out)
{
    kw_initproducerid_resp *m = out;
    m->throttle_time_ms = 0; m->error_code = 0; m->producer_id = 4000; m->producer_epoch = 0;
}

static void b_ip_resp_v2(void *out)
{
    kw_initproducerid_resp *m = out;
    m->throttle_time_ms = 0; m->error_code = 0; m->producer_id = 4000; m->producer_epoch = 3;
}

static void b_ip_resp_v5(void *out)
{
    kw_initproducerid_resp *m = out;
    m->throttle_time_ms = 0; m->error_code = 90; m->producer_id = -1; m->producer_epoch = -1;
}

static void b_ct_req_v2(void *out)
{
    static kw_createtopics_config c[1];
    static kw_createtopics_topic t[1];
    kw_createtopics_req *m = out;
    c[0] = (kw_createtopics_config){kw_s("cleanup.policy"), kw_s("compact")};
    t[0] = (kw_createtopics_topic){kw_s("test-topic"), 3, 1, NULL, 0, c, 1};
    m->topics = t; m->n_topics = 1; m->timeout_ms = 30000; m->validate_only = 0;
}

static void b_ct_req_v5(void *out)
{
    static int32_t b1[1] = {1}, b2[1] = {2}, b3[1] = {3};
    static kw_createtopics_assignment a[3];
    static kw_createtopics_config c[2];
    static kw_createtopics_topic t[1];
    kw_createtopics_req *m = out;
    a[0] = (kw_createtopics_assignment){0, b1, 1};
    a[1] = (kw_createtopics_assignment){1, b2, 1};
    a[2] = (kw_createtopics_assignment){2, b3, 1};
    c[0] = (kw_createtopics_config){kw_s("cleanup.policy"), kw_s("compact")};
    c[1] = (kw_createtopics_config){kw_s("retention.ms"), KW_STR_NULL};
    t[0] = (kw_createtopics_topic){kw_s("test-topic"), -1, -1, a, 3, c, 2};
    m->topics = t; m->n_topics = 1; m->timeout_ms = 30000; m->validate_only = 1;
}

static void b_ct_req_v7(void *out)
{
    static kw_createtopics_topic t[1];
    kw_createtopics_req *m = out;
    t[0] = (kw_createtopics_topic){kw_s("test-topic"), 3, 1, NULL, 0, NULL, 0};
    m->topics = t; m->n_topics = 1; m->timeout_ms = 60000; m->validate_only = 0;
}

static void b_ct_resp_v2(void *out)
{
    static kw_createtopics_result r[1];
    kw_createtopics_resp *m = out;
    memset(r, 0, sizeof r);
    r[0].name = kw_s("test-topic"); r[0].error_code = 0; r[0].error_message = KW_STR_NULL;
    r[0].num_partitions = -1; r[0].replication_factor = -1;
    m->throttle_time_ms = 0; m->topics = r; m->n_topics = 1;
}

static void b_ct_resp_v5(void *out)
{
    static kw_createtopics_result r[1];
    kw_createtopics_resp *m = out;
    memset(r, 0, sizeof r);
    r[0].name = kw_s("test-topic"); r[0].error_code = 0; r[0].error_message = KW_STR_NULL;
    r[0].num_partitions = -1; r[0].replication_factor = -1;
    r[0].configs = NULL; r[0].n_configs = 0;
    r[0].topic_config_error_code = 29;
    m->throttle_time_ms = 0; m->topics = r; m->n_topics = 1;
}

static void b_ct_resp_v7(void *out)
{
    static kw_createtopics_result_config c[2];
    static kw_createtopics_result r[1];
    kw_createtopics_resp *m = out;
    c[0] = (kw_createtopics_result_config){kw_s("cleanup.policy"), kw_s("compact"), 0, 1, 0};
    c[1] = (kw_createtopics_result_config){kw_s("retention.ms"), kw_s("604800000"), 0, 5, 0};
    memset(r, 0, sizeof r);
    r[0].name = kw_s("test-topic"); r[0].topic_id = topic_uuid; r[0].error_code = 0;
    r[0].error_message = KW_STR_NULL; r[0].num_partitions = 3; r[0].replication_factor = 1;
    r[0].configs = c; r[0].n_configs = 2; r[0].topic_config_error_code = 0;
    m->throttle_time_ms = 0; m->topics = r; m->n_topics = 1;
}

static void b_lo_req_v4(void *out)
{
    static kw_listoffsets_req_partition p[2];
    static kw_listoffsets_req_topic t[1];
    kw_listoffsets_req *m = out;
    p[0] = (kw_listoffsets_req_partition){0, 5, -1};
    p[1] = (kw_listoffsets_req_partition){1, 5, -2};
    t[0] = (kw_listoffsets_req_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 2};
    m->replica_id = -1; m->isolation_level = 0; m->topics = t; m->n_topics = 1;
}

static void b_lo_resp_v4(void *out)
{
    static kw_listoffsets_resp_partition p[2];
    static kw_listoffsets_resp_topic t[1];
    kw_listoffsets_resp *m = out;
    p[0] = (kw_listoffsets_resp_partition){0, 0, -1, 42, 5};
    p[1] = (kw_listoffsets_resp_partition){1, 0, -1, 0, 5};
    t[0] = (kw_listoffsets_resp_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 2};
    m->throttle_time_ms = 0; m->topics = t; m->n_topics = 1;
}

static void b_ip_req_v3(void *out)
{
    kw_initproducerid_req *m = out;
    m->transactional_id = KW_STR_NULL; m->transaction_timeout_ms = 60000;
    m->producer_id = -1; m->producer_epoch = -1;
}

/* ============================================================================= the table */

static const vec vecs[] = {
    VEC(lo_req_v1, ListOffsets, 1, KW_REQ), VEC(lo_req_v6, ListOffsets, 6, KW_REQ),
    VEC(lo_req_v10, ListOffsets, 10, KW_REQ), VEC(lo_resp_v1, ListOffsets, 1, KW_RESP),
    VEC(lo_resp_v6, ListOffsets, 6, KW_RESP), VEC(lo_resp_v10, ListOffsets, 10, KW_RESP),
    VEC(ip_req_v0, InitProducerId, 0, KW_REQ), VEC(ip_req_v2, InitProducerId, 2, KW_REQ),
    VEC(ip_req_v5, InitProducerId, 5, KW_REQ), VEC(ip_resp_v0, InitProducerId, 0, KW_RESP),
    VEC(ip_resp_v2, InitProducerId, 2, KW_RESP), VEC(ip_resp_v5, InitProducerId, 5, KW_RESP),
    VEC(ct_req_v2, CreateTopics, 2, KW_REQ), VEC(ct_req_v5, CreateTopics, 5, KW_REQ),
    VEC(ct_req_v7, CreateTopics, 7, KW_REQ), VEC(ct_resp_v2, CreateTopics, 2, KW_RESP),
    VEC(ct_resp_v5, CreateTopics, 5, KW_RESP), VEC(ct_resp_v7, CreateTopics, 7, KW_RESP),
    /* versions where a shape changes */
    VEC(lo_req_v4, ListOffsets, 4, KW_REQ), VEC(lo_resp_v4, ListOffsets, 4, KW_RESP),
    VEC(ip_req_v3, InitProducerId, 3, KW_REQ),
};
#define NVECS (sizeof vecs / sizeof vecs[0])

/* ================================================================================= tests */

static void test_vectors(void **state)
{
    (void)state;
    assert_int_equal(NVECS, 18 + 3);
    pv_check_table(vecs, NVECS);
}

/* Spot checks written out by hand, independent of the description tables. */
static void test_decoded_values(void **state)
{
    (void)state;
    kw_arena a;
    msgbuf m;

    kw_listoffsets_req *lrq = pv_dec(vecs, NVECS, "lo_req_v10", &a, &m);
    assert_int_equal(lrq->replica_id, -1);
    assert_int_equal(lrq->timeout_ms, 30000);
    assert_true(str_is(lrq->topics[0].name, "test-topic"));
    assert_int_equal(lrq->topics[0].n_partitions, 3);
    assert_int_equal(lrq->topics[0].partitions[1].current_leader_epoch, 7);
    assert_int_equal(lrq->topics[0].partitions[2].timestamp, -3);
    kw_arena_free(&a);

    kw_listoffsets_req *lr1 = pv_dec(vecs, NVECS, "lo_req_v1", &a, &m);
    assert_int_equal(lr1->topics[0].partitions[2].timestamp, 1700000000000LL);
    assert_int_equal(lr1->topics[0].partitions[2].current_leader_epoch, -1); /* absent before v4 */
    kw_arena_free(&a);

    kw_listoffsets_resp *lrs = pv_dec(vecs, NVECS, "lo_resp_v1", &a, &m);
    assert_int_equal(lrs->topics[0].partitions[0].offset, 42);
    assert_int_equal(lrs->topics[0].partitions[2].error_code, 6);
    assert_int_equal(lrs->topics[0].partitions[0].leader_epoch, -1); /* absent before v4 */
    kw_arena_free(&a);

    kw_listoffsets_resp *lr10 = pv_dec(vecs, NVECS, "lo_resp_v10", &a, &m);
    assert_int_equal(lr10->throttle_time_ms, 100);
    assert_int_equal(lr10->topics[0].partitions[2].offset, 999);
    assert_int_equal(lr10->topics[0].partitions[2].leader_epoch, 7);
    kw_arena_free(&a);

    kw_initproducerid_req *ipq = pv_dec(vecs, NVECS, "ip_req_v0", &a, &m);
    assert_true(str_is(ipq->transactional_id, NULL));
    assert_int_equal(ipq->transaction_timeout_ms, 60000);
    assert_int_equal(ipq->producer_id, -1); /* absent before v3 */
    kw_arena_free(&a);

    kw_initproducerid_req *ip5 = pv_dec(vecs, NVECS, "ip_req_v5", &a, &m);
    assert_true(str_is(ip5->transactional_id, "txn-1"));
    assert_int_equal(ip5->producer_id, 4000);
    assert_int_equal(ip5->producer_epoch, 2);
    kw_arena_free(&a);

    kw_initproducerid_resp *ips = pv_dec(vecs, NVECS, "ip_resp_v5", &a, &m);
    assert_int_equal(ips->error_code, 90);
    assert_int_equal(ips->producer_id, -1);
    assert_int_equal(ips->producer_epoch, -1);
    kw_arena_free(&a);

    kw_createtopics_req *ctq = pv_dec(vecs, NVECS, "ct_req_v5", &a, &m);
    assert_int_equal(ctq->topics[0].num_partitions, -1);
    assert_int_equal(ctq->topics[0].n_assignments, 3);
    assert_int_equal(ctq->topics[0].assignments[2].broker_ids[0], 3);
    assert_true(str_is(ctq->topics[0].configs[1].value, NULL));
    assert_int_equal(ctq->validate_only, 1);
    kw_arena_free(&a);

    kw_createtopics_resp *ct5 = pv_dec(vecs, NVECS, "ct_resp_v5", &a, &m);
    assert_int_equal(ct5->topics[0].topic_config_error_code, 29);
    assert_int_equal(ct5->topics[0].n_configs, 0);
    assert_int_equal(ct5->topics[0].replication_factor, -1);
    kw_arena_free(&a);

    kw_createtopics_resp *ct7 = pv_dec(vecs, NVECS, "ct_resp_v7", &a, &m);
    assert_memory_equal(ct7->topics[0].topic_id.b, topic_uuid.b, 16);
    assert_int_equal(ct7->topics[0].configs[1].config_source, 5);
    assert_true(str_is(ct7->topics[0].configs[1].value, "604800000"));
    assert_int_equal(ct7->topics[0].topic_config_error_code, 0); /* tag not sent */
    kw_arena_free(&a);

    kw_createtopics_resp *ct2 = pv_dec(vecs, NVECS, "ct_resp_v2", &a, &m);
    assert_int_equal(ct2->topics[0].num_partitions, -1); /* absent before v5 */
    assert_true(str_is(ct2->topics[0].error_message, NULL));
    kw_arena_free(&a);
}

/* First flexible version of each API here, read off protocol_messages.txt (the first
 * version whose grammar ends in _tagged_fields). */
static int first_flex(int api)
{
    switch (api) {
    case KW_API_ListOffsets: return 6;
    case KW_API_InitProducerId: return 2;
    case KW_API_CreateTopics: return 5;
    default: return -1;
    }
}

/* Every vector inside a whole request/response frame: header version by the grammar. */
static void test_frames(void **state)
{
    (void)state;
    pv_check_frames(vecs, NVECS, first_flex);
}

static void test_all_versions_roundtrip(void **state)
{
    (void)state;
    static const int apis[] = {KW_API_ListOffsets, KW_API_InitProducerId, KW_API_CreateTopics};
    int n = pv_roundtrip_apis(vecs, NVECS, apis, sizeof apis / sizeof apis[0]);
    assert_int_equal(n, 2 * (11 + 7 + 6));
}

/* CreateTopics v5: the known tag 0 with an unknown tag 3 after it, and null configs. */
static void test_tags_and_null_configs(void **state)
{
    (void)state;
    static const uint8_t ct_v5_tags[] = {
        0x00, 0x00, 0x00, 0x00,                     /* throttle_time_ms: 0 */
        0x02, 0x0b, TEST_TOPIC,                     /* topics: 1; [0].name */
        0x00, 0x00,                                 /*  error_code: 0 */
        0x00,                                       /*  error_message: null */
        0x00, 0x00, 0x00, 0x03,                     /*  num_partitions: 3 */
        0x00, 0x01,                                 /*  replication_factor: 1 */
        0x00,                                       /*  configs: COMPACT_NULLABLE_ARRAY null */
        0x02,                                       /*  _tagged_fields: 2 */
        0x00, 0x02, 0x00, 0x1d,                     /*   tag 0, size 2: topic_config_error_code 29 */
        0x03, 0x01, 0x7f,                           /*   tag 3, size 1: unknown to kwire */
        0x00,                                       /* _tagged_fields */
    };
    kw_createtopics_resp r;
    kw_arena a;
    kw_arena_init(&a);
    assert_int_equal(kw_msg_decode(KW_API_CreateTopics, 5, KW_RESP, ct_v5_tags, sizeof ct_v5_tags, &r, &a, NULL), 0);
    assert_int_equal(r.topics[0].topic_config_error_code, 29);
    assert_int_equal(r.topics[0].n_configs, -1);
    assert_int_equal(r.topics[0].num_partitions, 3);

    /* re-encoding drops the unknown tag: 3 bytes fewer, the count byte now 1 */
    kw_buf out;
    kw_buf_init(&out);
    assert_int_equal(kw_msg_encode(KW_API_CreateTopics, 5, KW_RESP, &r, &out), 0);
    assert_int_equal(out.len, sizeof ct_v5_tags - 3);
    assert_int_equal(out.data[26], 0x01); /* after 26 bytes of fixed fields */
    assert_memory_equal(out.data, ct_v5_tags, 26);
    kw_buf_free(&out);
    kw_arena_free(&a);

    annck k = {0};
    assert_int_equal(kw_msg_annotate(KW_API_CreateTopics, 5, KW_RESP, ct_v5_tags, sizeof ct_v5_tags, 0, pv_ann_cb, &k),
                     0);
    assert_int_equal(k.errors, 0);
    assert_int_equal(k.out_of_order, 0);
    assert_int_equal(k.cursor, sizeof ct_v5_tags);

    /* the request's config list is never nullable */
    kw_createtopics_req q;
    kw_msg_defaults(KW_API_CreateTopics, KW_REQ, &q);
    kw_createtopics_topic t = {kw_s("t"), 1, 1, NULL, 0, NULL, -1};
    q.topics = &t; q.n_topics = 1;
    kw_buf_init(&out);
    assert_int_equal(kw_msg_encode(KW_API_CreateTopics, 7, KW_REQ, &q, &out), KW_ERR_INVALID_ARG);
    kw_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_decoded_values),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_all_versions_roundtrip),
        cmocka_unit_test(test_tags_and_null_configs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
