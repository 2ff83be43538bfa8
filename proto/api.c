/*
 * proto/api.c — the API table: names, kwire's version ranges, first flexible versions,
 * header versions, and the registry of message descriptions; the typed entry points
 * kw_msg_decode / kw_msg_encode / kw_msg_size / kw_msg_annotate over it.
 */
#include <stdlib.h>
#include <strings.h>

#include "proto/desc.h"

/* First flexible version of each API (protocol_messages.txt: first version whose
 * grammar ends in _tagged_fields; the same for requests and responses). */
static int16_t first_flexible(int api_key)
{
    switch (api_key) {
    case KW_API_Produce: return 9;
    case KW_API_Fetch: return 12;
    case KW_API_ListOffsets: return 6;
    case KW_API_Metadata: return 9;
    case KW_API_OffsetCommit: return 8;
    case KW_API_OffsetFetch: return 6;
    case KW_API_FindCoordinator: return 3;
    case KW_API_DescribeGroups: return 5;
    case KW_API_ListGroups: return 3;
    case KW_API_ApiVersions: return 3;
    case KW_API_CreateTopics: return 5;
    case KW_API_InitProducerId: return 2;
    case KW_API_SaslAuthenticate: return 2; /* SaslHandshake: never flexible */
    default: return -1;
    }
}

/*
 * The APIs whose messages are described: X(Name). Each msg_<name>.c defines
 * `const kw_struct kw__<Name>_req, kw__<Name>_resp`. Adding an API = one line here.
 */
#define KW__DESCRIBED(X) \
    X(ApiVersions)       \
    X(Metadata)          \
    X(Produce)           \
    X(Fetch)             \
    X(ListOffsets)       \
    X(FindCoordinator)   \
    X(OffsetFetch)       \
    X(OffsetCommit)      \
    X(InitProducerId)    \
    X(ListGroups)        \
    X(DescribeGroups)    \
    X(CreateTopics)      \
    X(SaslHandshake)     \
    X(SaslAuthenticate)

#define KW__DESC_DECL(N) extern const kw_struct kw__##N##_req, kw__##N##_resp;
KW__DESCRIBED(KW__DESC_DECL)
#undef KW__DESC_DECL

const kw_struct *kw__api_desc(int api_key, int dir)
{
    switch (api_key) {
#define KW__DESC_CASE(N) case KW_API_##N: return dir == KW_REQ ? &kw__##N##_req : &kw__##N##_resp;
    KW__DESCRIBED(KW__DESC_CASE)
#undef KW__DESC_CASE
    default: return NULL;
    }
}

/* Every API key Kafka 4.0 defines (protocol_api_keys.txt), implemented by kwire or not,
 * so tools can name any frame they meet. */
static const char *const kafka_api_names[] = {
    [0] = "Produce",
    [1] = "Fetch",
    [2] = "ListOffsets",
    [3] = "Metadata",
    [8] = "OffsetCommit",
    [9] = "OffsetFetch",
    [10] = "FindCoordinator",
    [11] = "JoinGroup",
    [12] = "Heartbeat",
    [13] = "LeaveGroup",
    [14] = "SyncGroup",
    [15] = "DescribeGroups",
    [16] = "ListGroups",
    [17] = "SaslHandshake",
    [18] = "ApiVersions",
    [19] = "CreateTopics",
    [20] = "DeleteTopics",
    [21] = "DeleteRecords",
    [22] = "InitProducerId",
    [23] = "OffsetForLeaderEpoch",
    [24] = "AddPartitionsToTxn",
    [25] = "AddOffsetsToTxn",
    [26] = "EndTxn",
    [27] = "WriteTxnMarkers",
    [28] = "TxnOffsetCommit",
    [29] = "DescribeAcls",
    [30] = "CreateAcls",
    [31] = "DeleteAcls",
    [32] = "DescribeConfigs",
    [33] = "AlterConfigs",
    [34] = "AlterReplicaLogDirs",
    [35] = "DescribeLogDirs",
    [36] = "SaslAuthenticate",
    [37] = "CreatePartitions",
    [38] = "CreateDelegationToken",
    [39] = "RenewDelegationToken",
    [40] = "ExpireDelegationToken",
    [41] = "DescribeDelegationToken",
    [42] = "DeleteGroups",
    [43] = "ElectLeaders",
    [44] = "IncrementalAlterConfigs",
    [45] = "AlterPartitionReassignments",
    [46] = "ListPartitionReassignments",
    [47] = "OffsetDelete",
    [48] = "DescribeClientQuotas",
    [49] = "AlterClientQuotas",
    [50] = "DescribeUserScramCredentials",
    [51] = "AlterUserScramCredentials",
    [55] = "DescribeQuorum",
    [57] = "UpdateFeatures",
    [60] = "DescribeCluster",
    [61] = "DescribeProducers",
    [64] = "UnregisterBroker",
    [65] = "DescribeTransactions",
    [66] = "ListTransactions",
    [68] = "ConsumerGroupHeartbeat",
    [69] = "ConsumerGroupDescribe",
    [71] = "GetTelemetrySubscriptions",
    [72] = "PushTelemetry",
    [74] = "ListClientMetricsResources",
    [75] = "DescribeTopicPartitions",
    [80] = "AddRaftVoter",
    [81] = "RemoveRaftVoter",
};
#define NKAFKA_NAMES (int)(sizeof kafka_api_names / sizeof kafka_api_names[0])

const char *kw_api_kafka_name(int api_key)
{
    return api_key >= 0 && api_key < NKAFKA_NAMES ? kafka_api_names[api_key] : NULL;
}

int kw_api_kafka_parse(const char *name)
{
    if (!name || !*name) return KW_ERR_UNKNOWN_API;
    for (int i = 0; i < NKAFKA_NAMES; i++)
        if (kafka_api_names[i] && !strcasecmp(kafka_api_names[i], name)) return i;
    char *end;
    long v = strtol(name, &end, 10);
    if (!*end && v >= 0 && v < NKAFKA_NAMES && kafka_api_names[v]) return (int)v;
    return KW_ERR_UNKNOWN_API;
}

const char *kw_api_name(int api_key)
{
    switch (api_key) {
#define KW__API_NAME(key, name, lo, hi) case key: return #name;
    KW_API_MAP(KW__API_NAME)
#undef KW__API_NAME
    default: return NULL;
    }
}

int kw_api_parse(const char *name)
{
    if (!name) return KW_ERR_UNKNOWN_API;
#define KW__API_PARSE(key, nm, lo, hi) if (!strcasecmp(name, #nm)) return key;
    KW_API_MAP(KW__API_PARSE)
#undef KW__API_PARSE
    return KW_ERR_UNKNOWN_API;
}

int kw_api_range(int api_key, int16_t *lo, int16_t *hi)
{
    switch (api_key) {
#define KW__API_RANGE(key, name, l, h) case key: if (lo) *lo = l; if (hi) *hi = h; return 0;
    KW_API_MAP(KW__API_RANGE)
#undef KW__API_RANGE
    default: return KW_ERR_UNKNOWN_API;
    }
}

int kw_api_flexible(int api_key, int16_t version)
{
    int16_t f = first_flexible(api_key);
    return f >= 0 && version >= f;
}

int kw_req_header_version(int api_key, int16_t version)
{
    return kw_api_flexible(api_key, version) ? 2 : 1;
}

int kw_resp_header_version(int api_key, int16_t version)
{
    if (api_key == KW_API_ApiVersions) return 0; /* so a client can always read the error */
    return kw_api_flexible(api_key, version) ? 1 : 0;
}

static const kw_struct *checked(int api_key, int16_t version, int dir)
{
    int16_t lo, hi;
    if (dir != KW_REQ && dir != KW_RESP) return NULL;
    if (kw_api_range(api_key, &lo, &hi) || version < lo || version > hi) return NULL;
    return kw__api_desc(api_key, dir);
}

int kw_msg_decode(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, void *out,
                  kw_arena *a, kw_proto_err *err)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) {
        if (err) { err->code = KW_ERR_UNSUPPORTED; err->off = 0; err->path[0] = 0; }
        return KW_ERR_UNSUPPORTED;
    }
    return kw_desc_decode(s, version, kw_api_flexible(api_key, version), body, len, out, a, err);
}

int kw_msg_encode(int api_key, int16_t version, int dir, const void *msg, kw_buf *out)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) return KW_ERR_UNSUPPORTED;
    return kw_desc_encode(s, version, kw_api_flexible(api_key, version), msg, out);
}

size_t kw_msg_size(int api_key, int16_t version, int dir, const void *msg)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) return 0;
    return kw_desc_size(s, version, kw_api_flexible(api_key, version), msg);
}

void kw_msg_defaults(int api_key, int dir, void *msg)
{
    const kw_struct *s = kw__api_desc(api_key, dir);
    if (s) kw_desc_defaults(s, msg);
}

int kw__msg_annotate_at(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, size_t base,
                        int depth, kw_ann_cb cb, void *ud)
{
    const kw_struct *s = checked(api_key, version, dir);
    if (!s) return KW_ERR_UNSUPPORTED;
    return kw_desc_annotate(s, version, kw_api_flexible(api_key, version), body, len, base, depth, cb, ud);
}

int kw_msg_annotate(int api_key, int16_t version, int dir, const uint8_t *body, size_t len, int depth,
                    kw_ann_cb cb, void *ud)
{
    return kw__msg_annotate_at(api_key, version, dir, body, len, 0, depth, cb, ud);
}
