/*
 * tests/test_proto_vectors_groups.c — byte-exact vectors for the consumer-group APIs,
 * worked out by hand from the protocol grammar (field by field, in the comments):
 *
 *   FindCoordinator 0/3/6, OffsetFetch 1/6/9, OffsetCommit 2/8/9, ListGroups 0/3/5,
 *   DescribeGroups 0/5/6 — lowest kwire version, first flexible version, highest;
 *   request and response: 30 vectors; plus 6 where a shape changes: FindCoordinator
 *   v4 (batched keys), OffsetFetch v8 (several groups), OffsetCommit v7 request (static
 *   member id, classic), DescribeGroups v4 response (instance ids, classic).
 *
 * Each is checked against the description engine in both directions (encode equals the
 * bytes, decode gives the struct back), its annotation walks every byte, its prefixes
 * fail (tests/proto_vectors.h); spot checks of decoded values are written out by hand;
 * then every version of the five APIs round-trips. The non-flexible vectors were also
 * cross-checked with an independent implementation (kafka-python 2.0.2 decodes each
 * to the same values and re-encodes it to the same bytes).
 */
#include "tests/proto_vectors.h"

#include "proto/msg_describegroups.h"
#include "proto/msg_findcoordinator.h"
#include "proto/msg_listgroups.h"
#include "proto/msg_offsetcommit.h"
#include "proto/msg_offsetfetch.h"

/* ================================================================== FindCoordinator (key 10) */

/* FindCoordinator request v0: just the key (a group id). */
static const uint8_t fc_req_v0[] = {
    0x00, 0x0a, TEST_GROUP,                         /* key: STRING "test-group" */
};

/* FindCoordinator request v3 (first flexible). */
static const uint8_t fc_req_v3[] = {
    0x0b, TEST_GROUP,                               /* key: COMPACT_STRING "test-group" */
    0x00,                                           /* key_type: INT8 0 (group) */
    0x00,                                           /* _tagged_fields */
};

/* FindCoordinator request v6 (batched keys since v4). */
static const uint8_t fc_req_v6[] = {
    0x00,                                           /* key_type: 0 (group) */
    0x03,                                           /* coordinator_keys: COMPACT_ARRAY 2 */
    0x0b, TEST_GROUP,                               /*  [0]: COMPACT_STRING "test-group" */
    0x0c, OTHER_GROUP,                              /*  [1]: COMPACT_STRING "other-group" */
    0x00,                                           /* _tagged_fields */
};

/* FindCoordinator response v0 (header v0). */
static const uint8_t fc_resp_v0[] = {
    0x00, 0x00,                                     /* error_code: 0 */
    0x00, 0x00, 0x00, 0x01,                         /* node_id: 1 */
    0x00, 0x09, LOCALHOST,                          /* host: STRING "localhost" */
    0x00, 0x00, 0x23, 0x84,                         /* port: 9092 */
};

/* FindCoordinator response v3 (first flexible; a null error message). */
static const uint8_t fc_resp_v3[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x00,                                     /* error_code: 0 */
    0x00,                                           /* error_message: COMPACT_NULLABLE_STRING null */
    0x00, 0x00, 0x00, 0x01,                         /* node_id: 1 */
    0x0a, LOCALHOST,                                /* host: COMPACT_STRING "localhost" */
    0x00, 0x00, 0x23, 0x84,                         /* port: 9092 */
    0x00,                                           /* _tagged_fields */
};

/* FindCoordinator response v6: one coordinator per key, one of them failed. */
static const uint8_t fc_resp_v6[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x03,                                           /* coordinators: COMPACT_ARRAY 2 */
    0x0b, TEST_GROUP,                               /*  [0].key: "test-group" */
    0x00, 0x00, 0x00, 0x01,                         /*  [0].node_id: 1 */
    0x0a, LOCALHOST,                                /*  [0].host: "localhost" */
    0x00, 0x00, 0x23, 0x84,                         /*  [0].port: 9092 */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x00,                                           /*  [0].error_message: null */
    0x00,                                           /*  [0]._tagged_fields */
    0x0c, OTHER_GROUP,                              /*  [1].key: "other-group" */
    0xff, 0xff, 0xff, 0xff,                         /*  [1].node_id: -1 */
    0x01,                                           /*  [1].host: COMPACT_STRING "" (len+1 = 1) */
    0xff, 0xff, 0xff, 0xff,                         /*  [1].port: -1 */
    0x00, 0x0f,                                     /*  [1].error_code: 15 COORDINATOR_NOT_AVAILABLE */
    0x0e, 'n', 'o', 't', ' ', 'a', 'v', 'a', 'i', 'l', 'a', 'b', 'l', 'e',
                                                    /*  [1].error_message: "not available" (13) */
    0x00,                                           /*  [1]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* ====================================================================== OffsetFetch (key 9) */

/* OffsetFetch request v1 (lowest kwire version). */
static const uint8_t of_req_v1[] = {
    0x00, 0x0a, TEST_GROUP,                         /* group_id: STRING "test-group" */
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x03,                         /*  [0].partition_indexes: ARRAY of INT32, 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0]: 0 */
    0x00, 0x00, 0x00, 0x01,                         /*   [1]: 1 */
    0x00, 0x00, 0x00, 0x02,                         /*   [2]: 2 */
};

/* OffsetFetch request v6 (first flexible). */
static const uint8_t of_req_v6[] = {
    0x0b, TEST_GROUP,                               /* group_id: COMPACT_STRING */
    0x02,                                           /* topics: COMPACT_NULLABLE_ARRAY 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x04,                                           /*  [0].partition_indexes: COMPACT_ARRAY 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0]: 0 */
    0x00, 0x00, 0x00, 0x01,                         /*   [1]: 1 */
    0x00, 0x00, 0x00, 0x02,                         /*   [2]: 2 */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* OffsetFetch request v9: several groups at once (v8+), member id/epoch (v9, KIP-848). */
static const uint8_t of_req_v9[] = {
    0x03,                                           /* groups: COMPACT_ARRAY 2 */
    0x0b, TEST_GROUP,                               /*  [0].group_id */
    0x09, MEMBER_1,                                 /*  [0].member_id: COMPACT_NULLABLE_STRING "member-1" */
    0x00, 0x00, 0x00, 0x07,                         /*  [0].member_epoch: 7 */
    0x02,                                           /*  [0].topics: COMPACT_NULLABLE_ARRAY 1 */
    0x0b, TEST_TOPIC,                               /*   [0].name */
    0x04,                                           /*   [0].partition_indexes: 3 */
    0x00, 0x00, 0x00, 0x00,                         /*    0 */
    0x00, 0x00, 0x00, 0x01,                         /*    1 */
    0x00, 0x00, 0x00, 0x02,                         /*    2 */
    0x00,                                           /*   [0]._tagged_fields (topic) */
    0x00,                                           /*  [0]._tagged_fields (group) */
    0x0c, OTHER_GROUP,                              /*  [1].group_id: "other-group" */
    0x00,                                           /*  [1].member_id: null */
    0xff, 0xff, 0xff, 0xff,                         /*  [1].member_epoch: -1 */
    0x00,                                           /*  [1].topics: null (all topics) */
    0x00,                                           /*  [1]._tagged_fields */
    0x01,                                           /* require_stable: BOOLEAN true */
    0x00,                                           /* _tagged_fields */
};

/* OffsetFetch response v1. */
static const uint8_t of_resp_v1[] = {
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x03,                         /*  [0].partitions: ARRAY 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*   [0].committed_offset: 42 */
    0xff, 0xff,                                     /*   [0].metadata: NULLABLE_STRING null */
    0x00, 0x00,                                     /*   [0].error_code: 0 */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /*   [1].committed_offset: 1000 */
    0x00, 0x00,                                     /*   [1].metadata: "" (empty, not null) */
    0x00, 0x00,                                     /*   [1].error_code: 0 */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [2].committed_offset: -1 (none) */
    0xff, 0xff,                                     /*   [2].metadata: null */
    0x00, 0x00,                                     /*   [2].error_code: 0 */
};

/* OffsetFetch response v6 (first flexible; leader epoch since v5, top error since v2). */
static const uint8_t of_resp_v6[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x02,                                           /* topics: COMPACT_ARRAY 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x04,                                           /*  [0].partitions: 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*   [0].committed_offset: 42 */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].committed_leader_epoch: 5 */
    0x00,                                           /*   [0].metadata: COMPACT_NULLABLE_STRING null */
    0x00, 0x00,                                     /*   [0].error_code: 0 */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /*   [1].committed_offset: 1000 */
    0x00, 0x00, 0x00, 0x05,                         /*   [1].committed_leader_epoch: 5 */
    0x01,                                           /*   [1].metadata: "" (len+1 = 1) */
    0x00, 0x00,                                     /*   [1].error_code: 0 */
    0x00,                                           /*   [1]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*   [2].committed_offset: -1 */
    0xff, 0xff, 0xff, 0xff,                         /*   [2].committed_leader_epoch: -1 */
    0x00,                                           /*   [2].metadata: null */
    0x00, 0x00,                                     /*   [2].error_code: 0 */
    0x00,                                           /*   [2]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields (topic) */
    0x00, 0x00,                                     /* error_code: 0 */
    0x00,                                           /* _tagged_fields */
};

/* OffsetFetch response v9 (one entry per group, v8+). */
static const uint8_t of_resp_v9[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x03,                                           /* groups: COMPACT_ARRAY 2 */
    0x0b, TEST_GROUP,                               /*  [0].group_id */
    0x02,                                           /*  [0].topics: 1 */
    0x0b, TEST_TOPIC,                               /*   [0].name */
    0x03,                                           /*   [0].partitions: 2 */
    0x00, 0x00, 0x00, 0x00,                         /*    [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*    [0].committed_offset: 42 */
    0x00, 0x00, 0x00, 0x05,                         /*    [0].committed_leader_epoch: 5 */
    0x05, 'm', 'e', 't', 'a',                       /*    [0].metadata: "meta" */
    0x00, 0x00,                                     /*    [0].error_code: 0 */
    0x00,                                           /*    [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x01,                         /*    [1].partition_index: 1 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /*    [1].committed_offset: -1 */
    0xff, 0xff, 0xff, 0xff,                         /*    [1].committed_leader_epoch: -1 */
    0x00,                                           /*    [1].metadata: null */
    0x00, 0x00,                                     /*    [1].error_code: 0 */
    0x00,                                           /*    [1]._tagged_fields */
    0x00,                                           /*   [0]._tagged_fields (topic) */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x00,                                           /*  [0]._tagged_fields (group) */
    0x0c, OTHER_GROUP,                              /*  [1].group_id: "other-group" */
    0x01,                                           /*  [1].topics: COMPACT_ARRAY 0 (empty) */
    0x00, 0x45,                                     /*  [1].error_code: 69 GROUP_ID_NOT_FOUND */
    0x00,                                           /*  [1]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* ===================================================================== OffsetCommit (key 8) */

/* OffsetCommit request v2 (lowest kwire version; retention_time_ms in v2-v4). */
static const uint8_t oc_req_v2[] = {
    0x00, 0x0a, TEST_GROUP,                         /* group_id */
    0x00, 0x00, 0x00, 0x03,                         /* generation_id_or_member_epoch: 3 */
    0x00, 0x08, MEMBER_1,                           /* member_id: "member-1" */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* retention_time_ms: -1 (broker default) */
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x03,                         /*  [0].partitions: 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*   [0].committed_offset: 42 */
    0x00, 0x00,                                     /*   [0].committed_metadata: "" */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /*   [1].committed_offset: 1000 */
    0xff, 0xff,                                     /*   [1].committed_metadata: null */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, /*   [2].committed_offset: 7 */
    0x00, 0x04, 'm', 'e', 't', 'a',                 /*   [2].committed_metadata: "meta" */
};

/* OffsetCommit request v8 (first flexible; leader epoch v6+, group_instance_id v7+). */
static const uint8_t oc_req_v8[] = {
    0x0b, TEST_GROUP,                               /* group_id */
    0x00, 0x00, 0x00, 0x03,                         /* generation_id_or_member_epoch: 3 */
    0x09, MEMBER_1,                                 /* member_id */
    0x00,                                           /* group_instance_id: null (dynamic member) */
    0x02,                                           /* topics: 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x04,                                           /*  [0].partitions: 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*   [0].committed_offset: 42 */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].committed_leader_epoch: 5 */
    0x01,                                           /*   [0].committed_metadata: "" */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /*   [1].committed_offset: 1000 */
    0x00, 0x00, 0x00, 0x05,                         /*   [1].committed_leader_epoch: 5 */
    0x00,                                           /*   [1].committed_metadata: null */
    0x00,                                           /*   [1]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, /*   [2].committed_offset: 7 */
    0xff, 0xff, 0xff, 0xff,                         /*   [2].committed_leader_epoch: -1 */
    0x05, 'm', 'e', 't', 'a',                       /*   [2].committed_metadata: "meta" */
    0x00,                                           /*   [2]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields (topic) */
    0x00,                                           /* _tagged_fields */
};

/* OffsetCommit request v9 (KIP-848: same layout, the int32 carries the member epoch). */
static const uint8_t oc_req_v9[] = {
    0x0b, TEST_GROUP,                               /* group_id */
    0x00, 0x00, 0x00, 0x0c,                         /* generation_id_or_member_epoch: 12 */
    0x09, MEMBER_1,                                 /* member_id */
    0x0b, 'i', 'n', 's', 't', 'a', 'n', 'c', 'e', '-', '1',
                                                    /* group_instance_id: "instance-1" */
    0x02,                                           /* topics: 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x03,                                           /*  [0].partitions: 2 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2b, /*   [0].committed_offset: 43 */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].committed_leader_epoch: 5 */
    0x00,                                           /*   [0].committed_metadata: null */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [1].partition_index: 2 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, /*   [1].committed_offset: 8 */
    0x00, 0x00, 0x00, 0x05,                         /*   [1].committed_leader_epoch: 5 */
    0x00,                                           /*   [1].committed_metadata: null */
    0x00,                                           /*   [1]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* OffsetCommit response v2 (no throttle time before v3). */
static const uint8_t oc_resp_v2[] = {
    0x00, 0x00, 0x00, 0x01,                         /* topics: ARRAY 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x03,                         /*  [0].partitions: 3 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /*   [0] partition 0, error_code 0 */
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00,             /*   [1] partition 1, error_code 0 */
    0x00, 0x00, 0x00, 0x02, 0x00, 0x0c,             /*   [2] partition 2, error_code 12 OFFSET_METADATA_TOO_LARGE */
};

/* OffsetCommit response v8 (first flexible). */
static const uint8_t oc_resp_v8[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x02,                                           /* topics: 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x04,                                           /*  [0].partitions: 3 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00,                                     /*   [0].error_code: 0 */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x01,                         /*   [1].partition_index: 1 */
    0x00, 0x00,                                     /*   [1].error_code: 0 */
    0x00,                                           /*   [1]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [2].partition_index: 2 */
    0x00, 0x0c,                                     /*   [2].error_code: 12 */
    0x00,                                           /*   [2]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* OffsetCommit response v9 (same layout as v8; new error codes). */
static const uint8_t oc_resp_v9[] = {
    0x00, 0x00, 0x00, 0x0a,                         /* throttle_time_ms: 10 */
    0x02,                                           /* topics: 1 */
    0x0b, TEST_TOPIC,                               /*  [0].name */
    0x03,                                           /*  [0].partitions: 2 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x71,                                     /*   [0].error_code: 113 STALE_MEMBER_EPOCH */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x00, 0x02,                         /*   [1].partition_index: 2 */
    0x00, 0x71,                                     /*   [1].error_code: 113 */
    0x00,                                           /*   [1]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* ======================================================================= ListGroups (key 16) */

/* ListGroups request v0 has no fields: an empty body (ls_req_v0 is NULL, length 0). */

/* ListGroups request v3 (first flexible): only the tagged field section. */
static const uint8_t lg_req_v3[] = {
    0x00,                                           /* _tagged_fields */
};

/* ListGroups request v5: filters by state (v4+) and by type (v5+). */
static const uint8_t lg_req_v5[] = {
    0x02,                                           /* states_filter: COMPACT_ARRAY 1 */
    0x07, 'S', 't', 'a', 'b', 'l', 'e',             /*  [0]: "Stable" */
    0x02,                                           /* types_filter: COMPACT_ARRAY 1 */
    0x08, 'c', 'l', 'a', 's', 's', 'i', 'c',        /*  [0]: "classic" */
    0x00,                                           /* _tagged_fields */
};

/* ListGroups response v0. */
static const uint8_t lg_resp_v0[] = {
    0x00, 0x00,                                     /* error_code: 0 */
    0x00, 0x00, 0x00, 0x01,                         /* groups: ARRAY 1 */
    0x00, 0x0a, TEST_GROUP,                         /*  [0].group_id */
    0x00, 0x08, CONSUMER,                           /*  [0].protocol_type: "consumer" */
};

/* ListGroups response v3 (first flexible). */
static const uint8_t lg_resp_v3[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x00,                                     /* error_code: 0 */
    0x03,                                           /* groups: COMPACT_ARRAY 2 */
    0x0b, TEST_GROUP,                               /*  [0].group_id */
    0x09, CONSUMER,                                 /*  [0].protocol_type: "consumer" */
    0x00,                                           /*  [0]._tagged_fields */
    0x0c, OTHER_GROUP,                              /*  [1].group_id */
    0x01,                                           /*  [1].protocol_type: "" */
    0x00,                                           /*  [1]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* ListGroups response v5 (group_state v4+, group_type v5+). */
static const uint8_t lg_resp_v5[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x00,                                     /* error_code: 0 */
    0x02,                                           /* groups: 1 */
    0x0b, TEST_GROUP,                               /*  [0].group_id */
    0x09, CONSUMER,                                 /*  [0].protocol_type: "consumer" */
    0x07, 'S', 't', 'a', 'b', 'l', 'e',             /*  [0].group_state: "Stable" */
    0x08, 'c', 'l', 'a', 's', 's', 'i', 'c',        /*  [0].group_type: "classic" */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* =================================================================== DescribeGroups (key 15) */

/* DescribeGroups request v0. */
static const uint8_t dg_req_v0[] = {
    0x00, 0x00, 0x00, 0x01,                         /* groups: ARRAY of STRING, 1 */
    0x00, 0x0a, TEST_GROUP,                         /*  [0]: "test-group" */
};

/* DescribeGroups request v5 (first flexible; include_authorized_operations v3+). */
static const uint8_t dg_req_v5[] = {
    0x02,                                           /* groups: COMPACT_ARRAY 1 */
    0x0b, TEST_GROUP,                               /*  [0] */
    0x01,                                           /* include_authorized_operations: true */
    0x00,                                           /* _tagged_fields */
};

/* DescribeGroups request v6. */
static const uint8_t dg_req_v6[] = {
    0x03,                                           /* groups: 2 */
    0x0b, TEST_GROUP,                               /*  [0] */
    0x0c, OTHER_GROUP,                              /*  [1] */
    0x00,                                           /* include_authorized_operations: false */
    0x00,                                           /* _tagged_fields */
};

/* DescribeGroups response v0: a stable group with one member. */
static const uint8_t dg_resp_v0[] = {
    0x00, 0x00, 0x00, 0x01,                         /* groups: ARRAY 1 */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x00, 0x0a, TEST_GROUP,                         /*  [0].group_id */
    0x00, 0x06, 'S', 't', 'a', 'b', 'l', 'e',       /*  [0].group_state: "Stable" */
    0x00, 0x08, CONSUMER,                           /*  [0].protocol_type: "consumer" */
    0x00, 0x05, 'r', 'a', 'n', 'g', 'e',            /*  [0].protocol_data: "range" */
    0x00, 0x00, 0x00, 0x01,                         /*  [0].members: ARRAY 1 */
    0x00, 0x08, MEMBER_1,                           /*   [0].member_id */
    0x00, 0x05, 'k', 'w', 'i', 'r', 'e',            /*   [0].client_id: "kwire" */
    0x00, 0x0a, CLIENT_HOST,                        /*   [0].client_host: "/127.0.0.1" */
    0x00, 0x00, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef, /*   [0].member_metadata: BYTES len 4 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].member_assignment: BYTES len 0 */
};

/* DescribeGroups response v5 (first flexible; authorized_operations v3+, instance id v4+). */
static const uint8_t dg_resp_v5[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x02,                                           /* groups: 1 */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x0b, TEST_GROUP,                               /*  [0].group_id */
    0x07, 'S', 't', 'a', 'b', 'l', 'e',             /*  [0].group_state */
    0x09, CONSUMER,                                 /*  [0].protocol_type */
    0x06, 'r', 'a', 'n', 'g', 'e',                  /*  [0].protocol_data */
    0x02,                                           /*  [0].members: 1 */
    0x09, MEMBER_1,                                 /*   [0].member_id */
    0x00,                                           /*   [0].group_instance_id: null */
    0x06, 'k', 'w', 'i', 'r', 'e',                  /*   [0].client_id */
    0x0b, CLIENT_HOST,                              /*   [0].client_host */
    0x05, 0xde, 0xad, 0xbe, 0xef,                   /*   [0].member_metadata: COMPACT_BYTES 4 */
    0x01,                                           /*   [0].member_assignment: COMPACT_BYTES 0 */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00, 0x01, 0x48,                         /*  [0].authorized_operations: 0x148 (READ|DELETE|DESCRIBE) */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* DescribeGroups response v6 (error_message per group, v6+). */
static const uint8_t dg_resp_v6[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x03,                                           /* groups: 2 */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x00,                                           /*  [0].error_message: null */
    0x0b, TEST_GROUP,                               /*  [0].group_id */
    0x07, 'S', 't', 'a', 'b', 'l', 'e',             /*  [0].group_state */
    0x09, CONSUMER,                                 /*  [0].protocol_type */
    0x06, 'r', 'a', 'n', 'g', 'e',                  /*  [0].protocol_data */
    0x02,                                           /*  [0].members: 1 */
    0x09, MEMBER_1,                                 /*   [0].member_id */
    0x0b, 'i', 'n', 's', 't', 'a', 'n', 'c', 'e', '-', '1',
                                                    /*   [0].group_instance_id: "instance-1" */
    0x06, 'k', 'w', 'i', 'r', 'e',                  /*   [0].client_id */
    0x0b, CLIENT_HOST,                              /*   [0].client_host */
    0x05, 0xde, 0xad, 0xbe, 0xef,                   /*   [0].member_metadata */
    0x01,                                           /*   [0].member_assignment: empty */
    0x00,                                           /*   [0]._tagged_fields */
    0x80, 0x00, 0x00, 0x00,                         /*  [0].authorized_operations: INT32_MIN (not asked) */
    0x00,                                           /*  [0]._tagged_fields */
    0x00, 0x45,                                     /*  [1].error_code: 69 GROUP_ID_NOT_FOUND */
    0x1d, 'G', 'r', 'o', 'u', 'p', ' ', OTHER_GROUP, ' ', 'n', 'o', 't', ' ', 'f', 'o', 'u', 'n', 'd', '.',
                                                    /*  [1].error_message: 28 chars */
    0x0c, OTHER_GROUP,                              /*  [1].group_id */
    0x05, 'D', 'e', 'a', 'd',                       /*  [1].group_state: "Dead" */
    0x01,                                           /*  [1].protocol_type: "" */
    0x01,                                           /*  [1].protocol_data: "" */
    0x01,                                           /*  [1].members: 0 */
    0x80, 0x00, 0x00, 0x00,                         /*  [1].authorized_operations: INT32_MIN */
    0x00,                                           /*  [1]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* ======================================== versions where a shape changes (besides the three) */

/* FindCoordinator request v4: the first batched version (KIP-699), a transactional id. */
static const uint8_t fc_req_v4[] = {
    0x01,                                           /* key_type: 1 (transaction) */
    0x02,                                           /* coordinator_keys: COMPACT_ARRAY 1 */
    0x06, 't', 'x', 'n', '-', '1',                  /*  [0]: "txn-1" */
    0x00,                                           /* _tagged_fields */
};

/* FindCoordinator response v4: one entry per key. */
static const uint8_t fc_resp_v4[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x02,                                           /* coordinators: 1 */
    0x06, 't', 'x', 'n', '-', '1',                  /*  [0].key: "txn-1" */
    0x00, 0x00, 0x00, 0x02,                         /*  [0].node_id: 2 */
    0x0a, LOCALHOST,                                /*  [0].host */
    0x00, 0x00, 0x23, 0x85,                         /*  [0].port: 9093 */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x00,                                           /*  [0].error_message: null */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* OffsetFetch request v8: the first multi-group version (no member fields until v9). */
static const uint8_t of_req_v8[] = {
    0x02,                                           /* groups: 1 */
    0x0b, TEST_GROUP,                               /*  [0].group_id */
    0x02,                                           /*  [0].topics: 1 */
    0x0b, TEST_TOPIC,                               /*   [0].name */
    0x03,                                           /*   [0].partition_indexes: 2 */
    0x00, 0x00, 0x00, 0x00,                         /*    0 */
    0x00, 0x00, 0x00, 0x01,                         /*    1 */
    0x00,                                           /*   [0]._tagged_fields */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* require_stable: false */
    0x00,                                           /* _tagged_fields */
};

/* OffsetFetch response v8. */
static const uint8_t of_resp_v8[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x02,                                           /* groups: 1 */
    0x0b, TEST_GROUP,                               /*  [0].group_id */
    0x02,                                           /*  [0].topics: 1 */
    0x0b, TEST_TOPIC,                               /*   [0].name */
    0x02,                                           /*   [0].partitions: 1 */
    0x00, 0x00, 0x00, 0x00,                         /*    [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*    [0].committed_offset: 42 */
    0x00, 0x00, 0x00, 0x05,                         /*    [0].committed_leader_epoch: 5 */
    0x00,                                           /*    [0].metadata: null */
    0x00, 0x00,                                     /*    [0].error_code: 0 */
    0x00,                                           /*    [0]._tagged_fields */
    0x00,                                           /*   [0]._tagged_fields */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x00,                                           /*  [0]._tagged_fields */
    0x00,                                           /* _tagged_fields */
};

/* OffsetCommit request v7: group_instance_id (static membership) in classic encoding;
 * retention_time_ms gone since v5, committed_leader_epoch there since v6. */
static const uint8_t oc_req_v7[] = {
    0x00, 0x0a, TEST_GROUP,                         /* group_id */
    0x00, 0x00, 0x00, 0x03,                         /* generation_id_or_member_epoch: 3 */
    0x00, 0x08, MEMBER_1,                           /* member_id */
    0x00, 0x0a, 'i', 'n', 's', 't', 'a', 'n', 'c', 'e', '-', '1',
                                                    /* group_instance_id: NULLABLE_STRING "instance-1" */
    0x00, 0x00, 0x00, 0x01,                         /* topics: 1 */
    0x00, 0x0a, TEST_TOPIC,                         /*  [0].name */
    0x00, 0x00, 0x00, 0x01,                         /*  [0].partitions: 1 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].partition_index: 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /*   [0].committed_offset: 42 */
    0x00, 0x00, 0x00, 0x05,                         /*   [0].committed_leader_epoch: 5 */
    0xff, 0xff,                                     /*   [0].committed_metadata: null */
};

/* DescribeGroups response v4: group_instance_id per member, classic encoding. */
static const uint8_t dg_resp_v4[] = {
    0x00, 0x00, 0x00, 0x00,                         /* throttle_time_ms: 0 */
    0x00, 0x00, 0x00, 0x01,                         /* groups: ARRAY 1 */
    0x00, 0x00,                                     /*  [0].error_code: 0 */
    0x00, 0x0a, TEST_GROUP,                         /*  [0].group_id */
    0x00, 0x06, 'S', 't', 'a', 'b', 'l', 'e',       /*  [0].group_state */
    0x00, 0x08, CONSUMER,                           /*  [0].protocol_type */
    0x00, 0x05, 'r', 'a', 'n', 'g', 'e',            /*  [0].protocol_data */
    0x00, 0x00, 0x00, 0x01,                         /*  [0].members: 1 */
    0x00, 0x08, MEMBER_1,                           /*   [0].member_id */
    0x00, 0x0a, 'i', 'n', 's', 't', 'a', 'n', 'c', 'e', '-', '1',
                                                    /*   [0].group_instance_id: "instance-1" */
    0x00, 0x05, 'k', 'w', 'i', 'r', 'e',            /*   [0].client_id */
    0x00, 0x0a, CLIENT_HOST,                        /*   [0].client_host */
    0x00, 0x00, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef, /*   [0].member_metadata: BYTES 4 */
    0x00, 0x00, 0x00, 0x00,                         /*   [0].member_assignment: BYTES 0 */
    0x00, 0x00, 0x01, 0x48,                         /*  [0].authorized_operations: 0x148 */
};


/* ============================================================ the structs behind the vectors */

/* Each builder fills the message struct that the vector of the same name encodes (over
 * the struct's defaults). Arrays are static: the structs only point at them. */

static const uint8_t deadbeef[4] = {0xde, 0xad, 0xbe, 0xef};

static void b_fc_req_v0(void *out)
{
    kw_findcoordinator_req *m = out;
    m->key = kw_s("test-group");
}

static void b_fc_req_v3(void *out)
{
    kw_findcoordinator_req *m = out;
    m->key = kw_s("test-group"); m->key_type = KW_COORD_GROUP;
}

static void b_fc_req_v6(void *out)
{
    static kw_str keys[2];
    kw_findcoordinator_req *m = out;
    keys[0] = kw_s("test-group"); keys[1] = kw_s("other-group");
    m->key_type = KW_COORD_GROUP; m->coordinator_keys = keys; m->n_coordinator_keys = 2;
}

static void b_fc_resp_v0(void *out)
{
    kw_findcoordinator_resp *m = out;
    m->error_code = 0; m->node_id = 1; m->host = kw_s("localhost"); m->port = 9092;
}

static void b_fc_resp_v3(void *out)
{
    kw_findcoordinator_resp *m = out;
    m->throttle_time_ms = 0; m->error_code = 0; m->error_message = KW_STR_NULL;
    m->node_id = 1; m->host = kw_s("localhost"); m->port = 9092;
}

static void b_fc_resp_v6(void *out)
{
    static kw_findcoordinator_coord c[2];
    kw_findcoordinator_resp *m = out;
    c[0] = (kw_findcoordinator_coord){kw_s("test-group"), 1, kw_s("localhost"), 9092, 0, KW_STR_NULL};
    c[1] = (kw_findcoordinator_coord){kw_s("other-group"), -1, kw_s(""), -1, 15, kw_s("not available")};
    m->throttle_time_ms = 0; m->coordinators = c; m->n_coordinators = 2;
}

static int32_t parts012[3] = {0, 1, 2};

static void b_of_req_v1(void *out)
{
    static kw_offsetfetch_req_topic t[1];
    kw_offsetfetch_req *m = out;
    t[0] = (kw_offsetfetch_req_topic){kw_s("test-topic"), parts012, 3};
    m->group_id = kw_s("test-group"); m->topics = t; m->n_topics = 1;
}

static void b_of_req_v6(void *out) { b_of_req_v1(out); }

static void b_of_req_v9(void *out)
{
    static kw_offsetfetch_req_topic t[1];
    static kw_offsetfetch_req_group g[2];
    kw_offsetfetch_req *m = out;
    t[0] = (kw_offsetfetch_req_topic){kw_s("test-topic"), parts012, 3};
    g[0] = (kw_offsetfetch_req_group){kw_s("test-group"), kw_s("member-1"), 7, t, 1};
    g[1] = (kw_offsetfetch_req_group){kw_s("other-group"), KW_STR_NULL, -1, NULL, -1};
    m->groups = g; m->n_groups = 2; m->require_stable = 1;
}

static void b_of_resp_v1(void *out)
{
    static kw_offsetfetch_resp_partition p[3];
    static kw_offsetfetch_resp_topic t[1];
    kw_offsetfetch_resp *m = out;
    p[0] = (kw_offsetfetch_resp_partition){0, 42, -1, KW_STR_NULL, 0};
    p[1] = (kw_offsetfetch_resp_partition){1, 1000, -1, kw_s(""), 0};
    p[2] = (kw_offsetfetch_resp_partition){2, -1, -1, KW_STR_NULL, 0};
    t[0] = (kw_offsetfetch_resp_topic){kw_s("test-topic"), p, 3};
    m->topics = t; m->n_topics = 1;
}

static void b_of_resp_v6(void *out)
{
    static kw_offsetfetch_resp_partition p[3];
    static kw_offsetfetch_resp_topic t[1];
    kw_offsetfetch_resp *m = out;
    p[0] = (kw_offsetfetch_resp_partition){0, 42, 5, KW_STR_NULL, 0};
    p[1] = (kw_offsetfetch_resp_partition){1, 1000, 5, kw_s(""), 0};
    p[2] = (kw_offsetfetch_resp_partition){2, -1, -1, KW_STR_NULL, 0};
    t[0] = (kw_offsetfetch_resp_topic){kw_s("test-topic"), p, 3};
    m->throttle_time_ms = 0; m->topics = t; m->n_topics = 1; m->error_code = 0;
}

static void b_of_resp_v9(void *out)
{
    static kw_offsetfetch_resp_partition p[2];
    static kw_offsetfetch_resp_topic t[1];
    static kw_offsetfetch_resp_group g[2];
    kw_offsetfetch_resp *m = out;
    p[0] = (kw_offsetfetch_resp_partition){0, 42, 5, kw_s("meta"), 0};
    p[1] = (kw_offsetfetch_resp_partition){1, -1, -1, KW_STR_NULL, 0};
    t[0] = (kw_offsetfetch_resp_topic){kw_s("test-topic"), p, 2};
    g[0] = (kw_offsetfetch_resp_group){kw_s("test-group"), t, 1, 0};
    g[1] = (kw_offsetfetch_resp_group){kw_s("other-group"), NULL, 0, 69};
    m->throttle_time_ms = 0; m->groups = g; m->n_groups = 2;
}

static void b_oc_req_v2(void *out)
{
    static kw_offsetcommit_req_partition p[3];
    static kw_offsetcommit_req_topic t[1];
    kw_offsetcommit_req *m = out;
    p[0] = (kw_offsetcommit_req_partition){0, 42, -1, kw_s("")};
    p[1] = (kw_offsetcommit_req_partition){1, 1000, -1, KW_STR_NULL};
    p[2] = (kw_offsetcommit_req_partition){2, 7, -1, kw_s("meta")};
    t[0] = (kw_offsetcommit_req_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 3};
    m->group_id = kw_s("test-group"); m->generation_id_or_member_epoch = 3;
    m->member_id = kw_s("member-1"); m->retention_time_ms = -1;
    m->topics = t; m->n_topics = 1;
}

static void b_oc_req_v8(void *out)
{
    static kw_offsetcommit_req_partition p[3];
    static kw_offsetcommit_req_topic t[1];
    kw_offsetcommit_req *m = out;
    p[0] = (kw_offsetcommit_req_partition){0, 42, 5, kw_s("")};
    p[1] = (kw_offsetcommit_req_partition){1, 1000, 5, KW_STR_NULL};
    p[2] = (kw_offsetcommit_req_partition){2, 7, -1, kw_s("meta")};
    t[0] = (kw_offsetcommit_req_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 3};
    m->group_id = kw_s("test-group"); m->generation_id_or_member_epoch = 3;
    m->member_id = kw_s("member-1"); m->group_instance_id = KW_STR_NULL;
    m->topics = t; m->n_topics = 1;
}

static void b_oc_req_v9(void *out)
{
    static kw_offsetcommit_req_partition p[2];
    static kw_offsetcommit_req_topic t[1];
    kw_offsetcommit_req *m = out;
    p[0] = (kw_offsetcommit_req_partition){0, 43, 5, KW_STR_NULL};
    p[1] = (kw_offsetcommit_req_partition){2, 8, 5, KW_STR_NULL};
    t[0] = (kw_offsetcommit_req_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 2};
    m->group_id = kw_s("test-group"); m->generation_id_or_member_epoch = 12;
    m->member_id = kw_s("member-1"); m->group_instance_id = kw_s("instance-1");
    m->topics = t; m->n_topics = 1;
}

static void b_oc_resp_v2(void *out)
{
    static kw_offsetcommit_resp_partition p[3];
    static kw_offsetcommit_resp_topic t[1];
    kw_offsetcommit_resp *m = out;
    p[0] = (kw_offsetcommit_resp_partition){0, 0};
    p[1] = (kw_offsetcommit_resp_partition){1, 0};
    p[2] = (kw_offsetcommit_resp_partition){2, 12};
    t[0] = (kw_offsetcommit_resp_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 3};
    m->topics = t; m->n_topics = 1;
}

static void b_oc_resp_v8(void *out) { b_oc_resp_v2(out); }

static void b_oc_resp_v9(void *out)
{
    static kw_offsetcommit_resp_partition p[2];
    static kw_offsetcommit_resp_topic t[1];
    kw_offsetcommit_resp *m = out;
    p[0] = (kw_offsetcommit_resp_partition){0, 113};
    p[1] = (kw_offsetcommit_resp_partition){2, 113};
    t[0] = (kw_offsetcommit_resp_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 2};
    m->throttle_time_ms = 10; m->topics = t; m->n_topics = 1;
}

static void b_lg_req_v0(void *out) { (void)out; } /* no fields */
static void b_lg_req_v3(void *out) { (void)out; }

static void b_lg_req_v5(void *out)
{
    static kw_str states[1], types[1];
    kw_listgroups_req *m = out;
    states[0] = kw_s("Stable"); types[0] = kw_s("classic");
    m->states_filter = states; m->n_states_filter = 1;
    m->types_filter = types; m->n_types_filter = 1;
}

static void b_lg_resp_v0(void *out)
{
    static kw_listgroups_group g[1];
    kw_listgroups_resp *m = out;
    g[0] = (kw_listgroups_group){kw_s("test-group"), kw_s("consumer"), kw_s(""), kw_s("")};
    m->error_code = 0; m->groups = g; m->n_groups = 1;
}

static void b_lg_resp_v3(void *out)
{
    static kw_listgroups_group g[2];
    kw_listgroups_resp *m = out;
    g[0] = (kw_listgroups_group){kw_s("test-group"), kw_s("consumer"), kw_s(""), kw_s("")};
    g[1] = (kw_listgroups_group){kw_s("other-group"), kw_s(""), kw_s(""), kw_s("")};
    m->throttle_time_ms = 0; m->error_code = 0; m->groups = g; m->n_groups = 2;
}

static void b_lg_resp_v5(void *out)
{
    static kw_listgroups_group g[1];
    kw_listgroups_resp *m = out;
    g[0] = (kw_listgroups_group){kw_s("test-group"), kw_s("consumer"), kw_s("Stable"), kw_s("classic")};
    m->throttle_time_ms = 0; m->error_code = 0; m->groups = g; m->n_groups = 1;
}

static void b_dg_req_v0(void *out)
{
    static kw_str g[1];
    kw_describegroups_req *m = out;
    g[0] = kw_s("test-group");
    m->groups = g; m->n_groups = 1;
}

static void b_dg_req_v5(void *out)
{
    b_dg_req_v0(out);
    ((kw_describegroups_req *)out)->include_authorized_operations = 1;
}

static void b_dg_req_v6(void *out)
{
    static kw_str g[2];
    kw_describegroups_req *m = out;
    g[0] = kw_s("test-group"); g[1] = kw_s("other-group");
    m->groups = g; m->n_groups = 2; m->include_authorized_operations = 0;
}

static kw_describegroups_member dg_member(kw_str instance)
{
    kw_describegroups_member mb = {kw_s("member-1"), instance, kw_s("kwire"), kw_s("/127.0.0.1"),
                                   kw_b(deadbeef, 4), kw_b(NULL, 0)};
    return mb;
}

static void b_dg_resp_v0(void *out)
{
    static kw_describegroups_member mb[1];
    static kw_describegroups_group g[1];
    kw_describegroups_resp *m = out;
    mb[0] = dg_member(KW_STR_NULL);
    g[0] = (kw_describegroups_group){0, KW_STR_NULL, kw_s("test-group"), kw_s("Stable"), kw_s("consumer"),
                                     kw_s("range"), mb, 1, INT32_MIN};
    m->groups = g; m->n_groups = 1;
}

static void b_dg_resp_v5(void *out)
{
    static kw_describegroups_member mb[1];
    static kw_describegroups_group g[1];
    kw_describegroups_resp *m = out;
    mb[0] = dg_member(KW_STR_NULL);
    g[0] = (kw_describegroups_group){0, KW_STR_NULL, kw_s("test-group"), kw_s("Stable"), kw_s("consumer"),
                                     kw_s("range"), mb, 1, 0x148};
    m->throttle_time_ms = 0; m->groups = g; m->n_groups = 1;
}

static void b_dg_resp_v6(void *out)
{
    static kw_describegroups_member mb[1];
    static kw_describegroups_group g[2];
    kw_describegroups_resp *m = out;
    mb[0] = dg_member(kw_s("instance-1"));
    g[0] = (kw_describegroups_group){0, KW_STR_NULL, kw_s("test-group"), kw_s("Stable"), kw_s("consumer"),
                                     kw_s("range"), mb, 1, INT32_MIN};
    g[1] = (kw_describegroups_group){69, kw_s("Group other-group not found."), kw_s("other-group"),
                                     kw_s("Dead"), kw_s(""), kw_s(""), NULL, 0, INT32_MIN};
    m->throttle_time_ms = 0; m->groups = g; m->n_groups = 2;
}

static void b_fc_req_v4(void *out)
{
    static kw_str keys[1];
    kw_findcoordinator_req *m = out;
    keys[0] = kw_s("txn-1");
    m->key_type = KW_COORD_TRANSACTION; m->coordinator_keys = keys; m->n_coordinator_keys = 1;
}

static void b_fc_resp_v4(void *out)
{
    static kw_findcoordinator_coord c[1];
    kw_findcoordinator_resp *m = out;
    c[0] = (kw_findcoordinator_coord){kw_s("txn-1"), 2, kw_s("localhost"), 9093, 0, KW_STR_NULL};
    m->throttle_time_ms = 0; m->coordinators = c; m->n_coordinators = 1;
}

static void b_of_req_v8(void *out)
{
    static kw_offsetfetch_req_topic t[1];
    static kw_offsetfetch_req_group g[1];
    kw_offsetfetch_req *m = out;
    t[0] = (kw_offsetfetch_req_topic){kw_s("test-topic"), parts012, 2};
    g[0] = (kw_offsetfetch_req_group){kw_s("test-group"), KW_STR_NULL, -1, t, 1};
    m->groups = g; m->n_groups = 1; m->require_stable = 0;
}

static void b_of_resp_v8(void *out)
{
    static kw_offsetfetch_resp_partition p[1];
    static kw_offsetfetch_resp_topic t[1];
    static kw_offsetfetch_resp_group g[1];
    kw_offsetfetch_resp *m = out;
    p[0] = (kw_offsetfetch_resp_partition){0, 42, 5, KW_STR_NULL, 0};
    t[0] = (kw_offsetfetch_resp_topic){kw_s("test-topic"), p, 1};
    g[0] = (kw_offsetfetch_resp_group){kw_s("test-group"), t, 1, 0};
    m->throttle_time_ms = 0; m->groups = g; m->n_groups = 1;
}

static void b_oc_req_v7(void *out)
{
    static kw_offsetcommit_req_partition p[1];
    static kw_offsetcommit_req_topic t[1];
    kw_offsetcommit_req *m = out;
    p[0] = (kw_offsetcommit_req_partition){0, 42, 5, KW_STR_NULL};
    t[0] = (kw_offsetcommit_req_topic){.name = kw_s("test-topic"), .partitions = p, .n_partitions = 1};
    m->group_id = kw_s("test-group"); m->generation_id_or_member_epoch = 3;
    m->member_id = kw_s("member-1"); m->group_instance_id = kw_s("instance-1");
    m->topics = t; m->n_topics = 1;
}

static void b_dg_resp_v4(void *out)
{
    static kw_describegroups_member mb[1];
    static kw_describegroups_group g[1];
    kw_describegroups_resp *m = out;
    mb[0] = dg_member(kw_s("instance-1"));
    g[0] = (kw_describegroups_group){0, KW_STR_NULL, kw_s("test-group"), kw_s("Stable"), kw_s("consumer"),
                                     kw_s("range"), mb, 1, 0x148};
    m->throttle_time_ms = 0; m->groups = g; m->n_groups = 1;
}

/* ============================================================================= the table */

static const vec vecs[] = {
    VEC(fc_req_v0, FindCoordinator, 0, KW_REQ), VEC(fc_req_v3, FindCoordinator, 3, KW_REQ),
    VEC(fc_req_v6, FindCoordinator, 6, KW_REQ), VEC(fc_resp_v0, FindCoordinator, 0, KW_RESP),
    VEC(fc_resp_v3, FindCoordinator, 3, KW_RESP), VEC(fc_resp_v6, FindCoordinator, 6, KW_RESP),
    VEC(of_req_v1, OffsetFetch, 1, KW_REQ), VEC(of_req_v6, OffsetFetch, 6, KW_REQ),
    VEC(of_req_v9, OffsetFetch, 9, KW_REQ), VEC(of_resp_v1, OffsetFetch, 1, KW_RESP),
    VEC(of_resp_v6, OffsetFetch, 6, KW_RESP), VEC(of_resp_v9, OffsetFetch, 9, KW_RESP),
    VEC(oc_req_v2, OffsetCommit, 2, KW_REQ), VEC(oc_req_v8, OffsetCommit, 8, KW_REQ),
    VEC(oc_req_v9, OffsetCommit, 9, KW_REQ), VEC(oc_resp_v2, OffsetCommit, 2, KW_RESP),
    VEC(oc_resp_v8, OffsetCommit, 8, KW_RESP), VEC(oc_resp_v9, OffsetCommit, 9, KW_RESP),
    {"lg_req_v0", KW_API_ListGroups, 0, KW_REQ, NULL, 0, b_lg_req_v0}, /* an empty body */
    VEC(lg_req_v3, ListGroups, 3, KW_REQ), VEC(lg_req_v5, ListGroups, 5, KW_REQ),
    VEC(lg_resp_v0, ListGroups, 0, KW_RESP), VEC(lg_resp_v3, ListGroups, 3, KW_RESP),
    VEC(lg_resp_v5, ListGroups, 5, KW_RESP),
    VEC(dg_req_v0, DescribeGroups, 0, KW_REQ), VEC(dg_req_v5, DescribeGroups, 5, KW_REQ),
    VEC(dg_req_v6, DescribeGroups, 6, KW_REQ), VEC(dg_resp_v0, DescribeGroups, 0, KW_RESP),
    VEC(dg_resp_v5, DescribeGroups, 5, KW_RESP), VEC(dg_resp_v6, DescribeGroups, 6, KW_RESP),
    /* versions where a shape changes */
    VEC(fc_req_v4, FindCoordinator, 4, KW_REQ), VEC(fc_resp_v4, FindCoordinator, 4, KW_RESP),
    VEC(of_req_v8, OffsetFetch, 8, KW_REQ), VEC(of_resp_v8, OffsetFetch, 8, KW_RESP),
    VEC(oc_req_v7, OffsetCommit, 7, KW_REQ), VEC(dg_resp_v4, DescribeGroups, 4, KW_RESP),
};
#define NVECS (sizeof vecs / sizeof vecs[0])

/* ================================================================================= tests */

static void test_vectors(void **state)
{
    (void)state;
    assert_int_equal(NVECS, 30 + 6);
    pv_check_table(vecs, NVECS);
}

/* Spot checks written out by hand, independent of the description tables. */
static void test_decoded_values(void **state)
{
    (void)state;
    kw_arena a;
    msgbuf m;

    kw_findcoordinator_resp *fc = pv_dec(vecs, NVECS, "fc_resp_v6", &a, &m);
    assert_int_equal(fc->n_coordinators, 2);
    assert_int_equal(fc->coordinators[0].port, 9092);
    assert_true(str_is(fc->coordinators[0].error_message, NULL));
    assert_int_equal(fc->coordinators[1].error_code, 15);
    assert_true(str_is(fc->coordinators[1].host, ""));
    assert_true(str_is(fc->coordinators[1].error_message, "not available"));
    kw_arena_free(&a);

    kw_findcoordinator_resp *fc0 = pv_dec(vecs, NVECS, "fc_resp_v0", &a, &m);
    assert_true(str_is(fc0->host, "localhost"));
    assert_int_equal(fc0->node_id, 1);
    assert_int_equal(fc0->n_coordinators, 0); /* absent before v4 */
    kw_arena_free(&a);

    kw_findcoordinator_req *fq = pv_dec(vecs, NVECS, "fc_req_v6", &a, &m);
    assert_true(str_is(fq->key, "")); /* absent after v3: default empty */
    assert_int_equal(fq->n_coordinator_keys, 2);
    assert_true(str_is(fq->coordinator_keys[1], "other-group"));
    kw_arena_free(&a);

    kw_offsetfetch_req *ofq = pv_dec(vecs, NVECS, "of_req_v9", &a, &m);
    assert_int_equal(ofq->n_groups, 2);
    assert_int_equal(ofq->groups[0].member_epoch, 7);
    assert_true(str_is(ofq->groups[0].member_id, "member-1"));
    assert_int_equal(ofq->groups[0].topics[0].partition_indexes[2], 2);
    assert_int_equal(ofq->groups[1].n_topics, -1);
    assert_true(str_is(ofq->groups[1].member_id, NULL));
    assert_int_equal(ofq->require_stable, 1);
    kw_arena_free(&a);

    kw_offsetfetch_resp *ofs = pv_dec(vecs, NVECS, "of_resp_v9", &a, &m);
    assert_int_equal(ofs->groups[0].topics[0].partitions[0].committed_offset, 42);
    assert_true(str_is(ofs->groups[0].topics[0].partitions[0].metadata, "meta"));
    assert_int_equal(ofs->groups[1].error_code, 69);
    assert_int_equal(ofs->groups[1].n_topics, 0);
    kw_arena_free(&a);

    kw_offsetfetch_resp *of1 = pv_dec(vecs, NVECS, "of_resp_v1", &a, &m);
    assert_true(str_is(of1->topics[0].partitions[0].metadata, NULL));
    assert_true(str_is(of1->topics[0].partitions[1].metadata, ""));
    assert_int_equal(of1->topics[0].partitions[0].committed_leader_epoch, -1); /* absent before v5 */
    kw_arena_free(&a);

    kw_offsetcommit_req *ocq = pv_dec(vecs, NVECS, "oc_req_v2", &a, &m);
    assert_int_equal(ocq->retention_time_ms, -1);
    assert_int_equal(ocq->topics[0].partitions[1].committed_offset, 1000);
    assert_true(str_is(ocq->topics[0].partitions[1].committed_metadata, NULL));
    assert_true(str_is(ocq->topics[0].partitions[2].committed_metadata, "meta"));
    kw_arena_free(&a);

    kw_offsetcommit_req *oc9 = pv_dec(vecs, NVECS, "oc_req_v9", &a, &m);
    assert_int_equal(oc9->generation_id_or_member_epoch, 12);
    assert_true(str_is(oc9->group_instance_id, "instance-1"));
    assert_int_equal(oc9->retention_time_ms, -1); /* absent after v4 */
    kw_arena_free(&a);

    kw_offsetcommit_resp *ocs = pv_dec(vecs, NVECS, "oc_resp_v9", &a, &m);
    assert_int_equal(ocs->throttle_time_ms, 10);
    assert_int_equal(ocs->topics[0].partitions[1].partition_index, 2);
    assert_int_equal(ocs->topics[0].partitions[1].error_code, 113);
    kw_arena_free(&a);

    kw_listgroups_req *lgq = pv_dec(vecs, NVECS, "lg_req_v5", &a, &m);
    assert_true(str_is(lgq->states_filter[0], "Stable"));
    assert_true(str_is(lgq->types_filter[0], "classic"));
    kw_arena_free(&a);

    kw_listgroups_resp *lgs = pv_dec(vecs, NVECS, "lg_resp_v5", &a, &m);
    assert_true(str_is(lgs->groups[0].group_state, "Stable"));
    assert_true(str_is(lgs->groups[0].group_type, "classic"));
    kw_arena_free(&a);

    kw_describegroups_resp *dgs = pv_dec(vecs, NVECS, "dg_resp_v6", &a, &m);
    assert_int_equal(dgs->n_groups, 2);
    assert_int_equal(dgs->groups[0].members[0].member_metadata.len, 4);
    assert_int_equal(dgs->groups[0].members[0].member_metadata.p[0], 0xde);
    assert_int_equal(dgs->groups[0].members[0].member_assignment.len, 0);
    assert_true(str_is(dgs->groups[0].members[0].group_instance_id, "instance-1"));
    assert_int_equal(dgs->groups[0].authorized_operations, INT32_MIN);
    assert_true(str_is(dgs->groups[1].error_message, "Group other-group not found."));
    assert_true(str_is(dgs->groups[1].group_state, "Dead"));
    kw_arena_free(&a);

    kw_describegroups_resp *dg0 = pv_dec(vecs, NVECS, "dg_resp_v0", &a, &m);
    assert_int_equal(dg0->groups[0].authorized_operations, INT32_MIN); /* absent before v3 */
    assert_true(str_is(dg0->groups[0].members[0].client_host, "/127.0.0.1"));
    kw_arena_free(&a);
}

/* First flexible version of each API here, read off protocol_messages.txt (the first
 * version whose grammar ends in _tagged_fields). */
static int first_flex(int api)
{
    switch (api) {
    case KW_API_FindCoordinator: return 3;
    case KW_API_OffsetFetch: return 6;
    case KW_API_OffsetCommit: return 8;
    case KW_API_ListGroups: return 3;
    case KW_API_DescribeGroups: return 5;
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
    static const int apis[] = {KW_API_FindCoordinator, KW_API_OffsetFetch, KW_API_OffsetCommit,
                               KW_API_ListGroups, KW_API_DescribeGroups};
    int n = pv_roundtrip_apis(vecs, NVECS, apis, sizeof apis / sizeof apis[0]);
    assert_int_equal(n, 2 * (7 + 10 + 9 + 6 + 7));
}

/* Nulls where a version has no nullable form are refused; where it has, they encode. */
static void test_nullability(void **state)
{
    (void)state;
    kw_offsetfetch_req q;
    kw_buf out;
    kw_msg_defaults(KW_API_OffsetFetch, KW_REQ, &q);
    q.group_id = kw_s("test-group");
    q.topics = NULL; q.n_topics = -1; /* "every topic": nullable from v2 */
    kw_buf_init(&out);
    assert_int_equal(kw_msg_encode(KW_API_OffsetFetch, 1, KW_REQ, &q, &out), KW_ERR_INVALID_ARG);
    assert_int_equal(out.len, 0);
    assert_int_equal(kw_msg_encode(KW_API_OffsetFetch, 2, KW_REQ, &q, &out), 0);
    static const uint8_t v2_all[] = {
        0x00, 0x0a, TEST_GROUP,                     /* group_id */
        0xff, 0xff, 0xff, 0xff,                     /* topics: ARRAY -1 (null: every topic) */
    };
    assert_int_equal(out.len, sizeof v2_all);
    assert_memory_equal(out.data, v2_all, sizeof v2_all);
    kw_buf_free(&out);

    kw_offsetcommit_req c;
    kw_msg_defaults(KW_API_OffsetCommit, KW_REQ, &c);
    c.group_id = kw_s("g");
    c.member_id = KW_STR_NULL; /* member_id is never nullable */
    kw_buf_init(&out);
    assert_int_equal(kw_msg_encode(KW_API_OffsetCommit, 8, KW_REQ, &c, &out), KW_ERR_INVALID_ARG);
    kw_buf_free(&out);
}

/* An unknown tagged field is skipped on decode and walked by annotate. */
static void test_unknown_tag(void **state)
{
    (void)state;
    static const uint8_t lg_v3_tagged[] = {
        0x01,                                       /* _tagged_fields: 1 */
        0x05, 0x02, 0xab, 0xcd,                     /*  tag 5, size 2, two unknown bytes */
    };
    kw_listgroups_req q;
    kw_arena a;
    kw_arena_init(&a);
    assert_int_equal(kw_msg_decode(KW_API_ListGroups, 3, KW_REQ, lg_v3_tagged, sizeof lg_v3_tagged, &q, &a, NULL),
                     0);
    kw_arena_free(&a);
    annck k = {0};
    assert_int_equal(kw_msg_annotate(KW_API_ListGroups, 3, KW_REQ, lg_v3_tagged, sizeof lg_v3_tagged, 0, pv_ann_cb, &k),
                     0);
    assert_int_equal(k.errors, 0);
    assert_int_equal(k.out_of_order, 0);
    assert_int_equal(k.cursor, sizeof lg_v3_tagged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_decoded_values),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_all_versions_roundtrip),
        cmocka_unit_test(test_nullability),
        cmocka_unit_test(test_unknown_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
