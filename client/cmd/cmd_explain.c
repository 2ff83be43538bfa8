/*
 * client/cmd/cmd_explain.c — `kwire explain API`: build a request exactly as the client
 * would (settings by their Kafka names, defaults from Kafka 4.0's producer/consumer
 * documentation) and print it annotated field by field, without connecting. --raw
 * writes the whole frame (size, header, body) to a file for `kwire decode --request`.
 * For an API the client does not send, the request is built from the description's
 * defaults, with the few settings that name one of its top-level fields and --field
 * NAME=VALUE for any top-level number, boolean or string.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/batch.h"
#include "codec/compress.h"
#include "commands.h"
#include "proto/desc.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_createtopics.h"
#include "proto/msg_describegroups.h"
#include "proto/msg_fetch.h"
#include "proto/msg_findcoordinator.h"
#include "proto/msg_initproducerid.h"
#include "proto/msg_listgroups.h"
#include "proto/msg_listoffsets.h"
#include "proto/msg_metadata.h"
#include "proto/msg_offsetcommit.h"
#include "proto/msg_offsetfetch.h"
#include "proto/msg_produce.h"
#include "proto/msg_saslauthenticate.h"
#include "proto/msg_saslhandshake.h"
#include "client/sasl.h"
#include "proto/print.h"
#include "proto/proto.h"

#define CMD "explain"
#define MAX_TOPICS 64

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kwire explain API [--version V] [-X setting=value ...] [--records N]\n"
            "                     [--topic T ...] [--partition P] [--offset O] [--topic-id UUID]\n"
            "                     [--group G] [--timestamp T] [--partitions N] [--replication-factor R]\n"
            "                     [--raw FILE] [--paths] [--json] [TOPIC ...]\n\n"
            "Build the request the client would send for API (Kafka's name, case-insensitive)\n"
            "and print it field by field without connecting.\n\n"
            "  --version V      API version (default: the highest the client sends, else the newest)\n"
            "  --records N      Produce: N records of the labs' 92-byte JSON payload (default 1)\n"
            "  --topic T        topic (Produce/Fetch: the first one; Metadata: each; default \"test-topic\")\n"
            "  --partition P    partition (default 0)   --offset O   Fetch offset (default 0)\n"
            "  --topic-id UUID  Fetch and Produce v13+, OffsetFetch and OffsetCommit v10+: the topic's id\n"
            "                   (32 hex digits; default all zeros)\n"
            "  --group G        FindCoordinator, OffsetFetch, OffsetCommit, DescribeGroups (default\n"
            "                   group.id, else \"kwire\")\n"
            "  --timestamp T    ListOffsets: latest (-1, default), earliest (-2), or ms since the epoch\n"
            "  --partitions N, --replication-factor R   CreateTopics (default -1: the broker's)\n"
            "  --raw FILE       also write the whole frame (size, header, body) to FILE\n"
            "  --field NAME=VALUE  set a top-level number, boolean or string field of the request\n"
            "                   by its name as printed (any API; after the settings)\n"
            "  --paths          full field paths instead of an indented tree\n\n"
            "Settings used (-X name=value, Kafka names and defaults):\n"
            "  Produce   acks (all), request.timeout.ms (30000), compression.type (none),\n"
            "            compression.gzip.level (-1), compression.lz4.level (9), compression.zstd.level (3)\n"
            "  Fetch     fetch.min.bytes (1), fetch.max.bytes (52428800), fetch.max.wait.ms (500),\n"
            "            max.partition.fetch.bytes (1048576), isolation.level (read_uncommitted),\n"
            "            client.rack (\"\")\n"
            "  Metadata  allow.auto.create.topics (true)\n"
            "  ListOffsets isolation.level, request.timeout.ms (30000, v10+)\n"
            "  OffsetCommit group.instance.id (null)   CreateTopics request.timeout.ms (30000)\n"
            "  InitProducerId transactional.id (null), transaction.timeout.ms (60000)\n"
            "  SaslHandshake, SaslAuthenticate  sasl.mechanism (PLAIN), sasl.username (alice),\n"
            "            sasl.password, sasl.oauthbearer.config (principal=admin): SaslAuthenticate\n"
            "            carries the mechanism's first message, its secret redacted (--dump-secrets)\n"
            "  all       client.id (kwire)\n\n"
            "  other APIs group.id (--group), group.instance.id, transactional.id, session.timeout.ms,\n"
            "            max.poll.interval.ms (rebalance_timeout_ms), transaction.timeout.ms,\n"
            "            request.timeout.ms (timeout_ms) where the request has such a field\n\n"
            "APIs: every Kafka API key (all versions of Kafka 4.4). The client's own requests\n"
            "(ApiVersions, Metadata, Produce, Fetch, ListOffsets, FindCoordinator, OffsetFetch,\n"
            "OffsetCommit, InitProducerId, ListGroups, DescribeGroups, CreateTopics, SaslHandshake,\n"
            "SaslAuthenticate) are built as the client builds them; the others from the\n"
            "description's defaults.\n"
            "Exit status: 0 printed, 1 could not build the request, 2 usage or settings error.\n");
}

/* The last -X value given for name, or NULL. */
static const char *setting(const kw_cli *cli, const char *name)
{
    size_t n = strlen(name);
    const char *v = NULL;
    for (int i = 0; i < cli->nsettings; i++)
        if (!strncmp(cli->settings[i], name, n) && cli->settings[i][n] == '=') v = cli->settings[i] + n + 1;
    return v;
}

/* Integer setting in [lo, hi]; -1 on a bad value (message printed), else 0. */
static int setting_int(const kw_cli *cli, const char *name, long long def, long long lo, long long hi, long long *out)
{
    const char *v = setting(cli, name);
    *out = def;
    if (!v) return 0;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || *end || end == v || x < lo || x > hi) {
        kw__cli_err(CMD, "-X %s=%s: expected an integer in [%lld, %lld]", name, v, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

static int parse_long(const char *opt, const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || end == s || x < lo || x > hi) {
        kw__cli_err(CMD, "%s: bad value '%s'", opt, s);
        return -1;
    }
    *out = x;
    return 0;
}

#define MAX_FIELDS 32

typedef struct explain_args {
    int api;
    int version;
    long long records, partition, offset;
    const char *topics[MAX_TOPICS];
    int ntopics;
    kw_uuid topic_id;
    const char *raw;
    const char *group;
    long long timestamp, partitions, replication;
    const char *fields[MAX_FIELDS]; /* --field NAME=VALUE */
    int nfields;
} explain_args;

/* The labs' topic, when none is given. */
#define DEFAULT_TOPIC "test-topic"
static const char *topic0(const explain_args *x) { return x->ntopics ? x->topics[0] : DEFAULT_TOPIC; }

/* isolation.level as the int8 the wire carries; -1 on a bad value (message printed). */
static int isolation_of(const kw_cli *cli)
{
    const char *iso = setting(cli, "isolation.level");
    if (!iso || !strcmp(iso, "read_uncommitted")) return 0;
    if (!strcmp(iso, "read_committed")) return 1;
    kw__cli_err(CMD, "-X isolation.level=%s: expected read_uncommitted or read_committed", iso);
    return -1;
}

/* sasl.mechanism (librdkafka: sasl.mechanisms), PLAIN when neither is given. */
static const char *mechanism_of(const kw_cli *cli)
{
    const char *m = setting(cli, "sasl.mechanism");
    if (!m) m = setting(cli, "sasl.mechanisms");
    return m ? m : "PLAIN";
}

/* ---- request builders: fill the struct, encode the frame into out ---- */

static int build_apiversions(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    (void)cli;
    kw_apiversions_req req;
    kw_msg_defaults(KW_API_ApiVersions, KW_REQ, &req);
    req.client_software_name = kw_s("kwire");
    req.client_software_version = kw_s(KW_VERSION_STRING);
    return kw_request_encode(out, KW_API_ApiVersions, (int16_t)x->version, 1, client_id, &req);
}

static int build_saslhandshake(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    kw_saslhandshake_req req = {kw_s(mechanism_of(cli))};
    return kw_request_encode(out, KW_API_SaslHandshake, (int16_t)x->version, 1, client_id, &req);
}

/* The mechanism's first message (client/sasl), as the connection sends it. */
static int build_saslauthenticate(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    const char *mname = mechanism_of(cli);
    int mech = kw_sasl_mech_parse(mname);
    const char *user = setting(cli, "sasl.username"), *pw = setting(cli, "sasl.password");
    if (!user) user = "alice";
    if (!pw) pw = "alice-secret";
    kw_buf msg;
    kw_buf_init(&msg);
    int rc = 0;
    if (mech == KW_SASL_PLAIN) {
        rc = kw_sasl_plain(&msg, NULL, user, pw);
    } else if (mech == KW_SASL_SCRAM_SHA_256 || mech == KW_SASL_SCRAM_SHA_512) {
        kw_scram s;
        rc = kw_scram_init(&s, mech == KW_SASL_SCRAM_SHA_256 ? KW_SCRAM_SHA256 : KW_SCRAM_SHA512, user, pw, NULL);
        if (!rc) rc = kw_scram_client_first(&s, &msg);
        kw_scram_free(&s);
    } else if (mech == KW_SASL_OAUTHBEARER) {
        kw_buf tok;
        kw_buf_init(&tok);
        kw_jwt_unsecured j = {.principal = "admin"};
        char err[200];
        rc = kw_jwt_unsecured_build(&tok, &j, (int64_t)time(NULL));
        if (!rc) rc = kw_oauth_initial(&msg, (const char *)tok.data, tok.len, NULL, err, sizeof err);
        kw_buf_free(&tok);
    } else {
        kw__cli_err(CMD, "-X sasl.mechanism=%s: expected PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER", mname);
        kw_buf_free(&msg);
        return KW_ERR_CONFIG;
    }
    kw_saslauthenticate_req req = {kw_b(msg.data ? msg.data : (const uint8_t *)"", msg.len)};
    if (!rc) rc = kw_request_encode(out, KW_API_SaslAuthenticate, (int16_t)x->version, 1, client_id, &req);
    kw_buf_free(&msg);
    return rc;
}

static int build_metadata(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    kw_metadata_req req;
    kw_metadata_req_topic t[MAX_TOPICS];
    kw_msg_defaults(KW_API_Metadata, KW_REQ, &req);
    memset(t, 0, sizeof t);
    for (int i = 0; i < x->ntopics; i++) t[i].name = kw_s(x->topics[i]);
    req.topics = x->ntopics ? t : NULL;
    req.n_topics = x->ntopics ? x->ntopics : (x->version >= 1 ? -1 : 0); /* null / empty = all topics */
    const char *aac = setting(cli, "allow.auto.create.topics");
    if (aac && strcmp(aac, "true") && strcmp(aac, "false")) {
        kw__cli_err(CMD, "-X allow.auto.create.topics=%s: expected true or false", aac);
        return KW_ERR_CONFIG;
    }
    req.allow_auto_topic_creation = !aac || !strcmp(aac, "true");
    return kw_request_encode(out, KW_API_Metadata, (int16_t)x->version, 1, client_id, &req);
}

/* The labs' payload: {"data": "AAAA...A"} with 80 A's, 92 bytes. */
#define PAYLOAD_A 80
static void lab_payload(char *dst)
{
    memcpy(dst, "{\"data\": \"", 10);
    memset(dst + 10, 'A', PAYLOAD_A);
    memcpy(dst + 10 + PAYLOAD_A, "\"}", 2);
}

static int build_produce(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    long long timeout, level = KW_LEVEL_DEFAULT;
    if (setting_int(cli, "request.timeout.ms", 30000, 0, INT32_MAX, &timeout)) return KW_ERR_CONFIG;
    const char *acks_s = setting(cli, "acks");
    int acks = -1;
    if (acks_s) {
        if (!strcmp(acks_s, "all") || !strcmp(acks_s, "-1")) acks = -1;
        else if (!strcmp(acks_s, "0")) acks = 0;
        else if (!strcmp(acks_s, "1")) acks = 1;
        else { kw__cli_err(CMD, "-X acks=%s: expected all, -1, 0 or 1", acks_s); return KW_ERR_CONFIG; }
    }
    const char *ct = setting(cli, "compression.type");
    int codec = ct ? kw_codec_parse(ct) : KW_CODEC_NONE;
    if (codec < 0) { kw__cli_err(CMD, "-X compression.type=%s: expected none, gzip, snappy, lz4 or zstd", ct); return KW_ERR_CONFIG; }
    if (codec == KW_CODEC_ZSTD && x->version < 7) {
        /* KIP-110: brokers reject zstd batches in Produce requests older than v7 */
        kw__cli_err(CMD, "compression.type=zstd needs Produce v7 or later (asked for v%d)", x->version);
        return KW_ERR_CONFIG;
    }
    if (codec == KW_CODEC_GZIP || codec == KW_CODEC_LZ4 || codec == KW_CODEC_ZSTD) {
        char name[64];
        snprintf(name, sizeof name, "compression.%s.level", kw_codec_name(codec));
        if (setting(cli, name)) {
            if (setting_int(cli, name, 0, INT32_MIN + 1, INT32_MAX, &level)) return KW_ERR_CONFIG;
            if (!kw_codec_level_valid(codec, (int)level)) {
                kw__cli_err(CMD, "-X %s=%lld: not a valid %s level", name, level, kw_codec_name(codec));
                return KW_ERR_CONFIG;
            }
        }
    }
    /* the record batch, built as the producer builds it */
    kw_buf batch;
    kw_buf_init(&batch);
    kw_batch_opts bo;
    kw_batch_opts_default(&bo);
    bo.codec = codec;
    bo.level = (int)level;
    kw_batch_writer w;
    int rc = kw_batch_begin(&w, &batch, &bo);
    char value[10 + PAYLOAD_A + 2];
    lab_payload(value);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    for (long long i = 0; i < x->records && !rc; i++) {
        kw_record r;
        memset(&r, 0, sizeof r);
        r.timestamp = now;
        r.key = NULL; r.key_len = -1;
        r.value = (const uint8_t *)value; r.value_len = (int32_t)sizeof value;
        rc = kw_batch_append(&w, &r);
    }
    if (!rc) rc = kw_batch_seal(&w);
    kw_batch_writer_free(&w);
    if (rc) { kw_buf_free(&batch); return rc; }

    kw_produce_req req;
    kw_produce_topic topic;
    kw_produce_partition part;
    kw_msg_defaults(KW_API_Produce, KW_REQ, &req);
    memset(&topic, 0, sizeof topic);
    memset(&part, 0, sizeof part);
    part.index = (int32_t)x->partition;
    part.records = kw_b(batch.data, batch.len);
    topic.name = kw_s(topic0(x));
    topic.topic_id = x->topic_id; /* v13+ */
    topic.partition_data = &part;
    topic.n_partition_data = 1;
    req.transactional_id = KW_STR_NULL;
    req.acks = (int16_t)acks;
    req.timeout_ms = (int32_t)timeout;
    req.topic_data = &topic;
    req.n_topic_data = 1;
    rc = kw_request_encode(out, KW_API_Produce, (int16_t)x->version, 1, client_id, &req);
    kw_buf_free(&batch);
    return rc;
}

static int build_fetch(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    long long min_bytes, max_bytes, max_wait, part_max;
    if (setting_int(cli, "fetch.min.bytes", 1, 0, INT32_MAX, &min_bytes) ||
        setting_int(cli, "fetch.max.bytes", 52428800, 0, INT32_MAX, &max_bytes) ||
        setting_int(cli, "fetch.max.wait.ms", 500, 0, INT32_MAX, &max_wait) ||
        setting_int(cli, "max.partition.fetch.bytes", 1048576, 0, INT32_MAX, &part_max))
        return KW_ERR_CONFIG;
    int isolation = isolation_of(cli);
    if (isolation < 0) return KW_ERR_CONFIG;
    const char *rack = setting(cli, "client.rack");
    kw_fetch_req req;
    kw_fetch_topic topic;
    kw_fetch_partition part;
    kw_msg_defaults(KW_API_Fetch, KW_REQ, &req);
    memset(&topic, 0, sizeof topic);
    memset(&part, 0, sizeof part);
    part.partition = (int32_t)x->partition;
    part.current_leader_epoch = -1;
    part.fetch_offset = x->offset;
    part.last_fetched_epoch = -1;
    part.log_start_offset = -1;
    part.partition_max_bytes = (int32_t)part_max;
    part.high_watermark = INT64_MAX; /* v18+ tagged, a follower's: default, not written */
    topic.topic = kw_s(topic0(x));
    topic.topic_id = x->topic_id;
    topic.partitions = &part;
    topic.n_partitions = 1;
    req.replica_id = -1;
    req.max_wait_ms = (int32_t)max_wait;
    req.min_bytes = (int32_t)min_bytes;
    req.max_bytes = (int32_t)max_bytes;
    req.isolation_level = (int8_t)isolation;
    req.session_id = 0;
    req.session_epoch = -1;
    req.topics = &topic;
    req.n_topics = 1;
    req.forgotten_topics_data = NULL;
    req.n_forgotten_topics_data = 0;
    req.rack_id = kw_s(rack ? rack : "");
    return kw_request_encode(out, KW_API_Fetch, (int16_t)x->version, 1, client_id, &req);
}

static int build_listoffsets(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    long long timeout;
    int isolation = isolation_of(cli);
    if (isolation < 0 || setting_int(cli, "request.timeout.ms", 30000, 0, INT32_MAX, &timeout)) return KW_ERR_CONFIG;
    kw_listoffsets_req req;
    kw_listoffsets_req_topic t;
    kw_listoffsets_req_partition pp;
    kw_msg_defaults(KW_API_ListOffsets, KW_REQ, &req);
    memset(&t, 0, sizeof t);
    memset(&pp, 0, sizeof pp);
    pp.partition_index = (int32_t)x->partition;
    pp.current_leader_epoch = -1;
    pp.timestamp = x->timestamp;
    t.name = kw_s(topic0(x));
    t.partitions = &pp;
    t.n_partitions = 1;
    req.replica_id = -1;
    req.isolation_level = (int8_t)isolation;
    req.topics = &t;
    req.n_topics = 1;
    req.timeout_ms = (int32_t)timeout;
    return kw_request_encode(out, KW_API_ListOffsets, (int16_t)x->version, 1, client_id, &req);
}

static int build_findcoordinator(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    (void)cli;
    kw_findcoordinator_req req;
    kw_str keys[1] = {kw_s(x->group)};
    kw_msg_defaults(KW_API_FindCoordinator, KW_REQ, &req);
    req.key = kw_s(x->group);
    req.key_type = 0; /* a consumer group */
    req.coordinator_keys = keys;
    req.n_coordinator_keys = 1;
    return kw_request_encode(out, KW_API_FindCoordinator, (int16_t)x->version, 1, client_id, &req);
}

static int build_offsetfetch(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    (void)cli;
    kw_offsetfetch_req req;
    kw_offsetfetch_req_topic t;
    kw_offsetfetch_req_group g;
    int32_t part = (int32_t)x->partition;
    kw_msg_defaults(KW_API_OffsetFetch, KW_REQ, &req);
    memset(&t, 0, sizeof t);
    memset(&g, 0, sizeof g);
    t.name = kw_s(topic0(x));
    t.topic_id = x->topic_id; /* v10+ */
    t.partition_indexes = &part;
    t.n_partition_indexes = 1;
    g.group_id = kw_s(x->group);
    g.member_id = KW_STR_NULL;
    g.member_epoch = -1;
    g.topics = &t;
    g.n_topics = 1;
    req.group_id = kw_s(x->group);
    req.topics = &t;
    req.n_topics = 1;
    req.groups = &g;
    req.n_groups = 1;
    req.require_stable = 1; /* the Java consumer asks for stable offsets under read_committed; kwire always */
    return kw_request_encode(out, KW_API_OffsetFetch, (int16_t)x->version, 1, client_id, &req);
}

static int build_offsetcommit(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    kw_offsetcommit_req req;
    kw_offsetcommit_req_topic t;
    kw_offsetcommit_req_partition pp;
    kw_msg_defaults(KW_API_OffsetCommit, KW_REQ, &req);
    memset(&t, 0, sizeof t);
    memset(&pp, 0, sizeof pp);
    pp.partition_index = (int32_t)x->partition;
    pp.committed_offset = x->offset;
    pp.committed_leader_epoch = -1;
    pp.committed_metadata = kw_s("");
    t.name = kw_s(topic0(x));
    t.topic_id = x->topic_id; /* v10+ */
    t.partitions = &pp;
    t.n_partitions = 1;
    const char *gi = setting(cli, "group.instance.id");
    req.group_id = kw_s(x->group);
    req.generation_id_or_member_epoch = -1; /* no group membership without a broker */
    req.member_id = kw_s("");
    req.group_instance_id = gi ? kw_s(gi) : KW_STR_NULL;
    req.retention_time_ms = -1;
    req.topics = &t;
    req.n_topics = 1;
    return kw_request_encode(out, KW_API_OffsetCommit, (int16_t)x->version, 1, client_id, &req);
}

static int build_initproducerid(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    long long txn_timeout;
    if (setting_int(cli, "transaction.timeout.ms", 60000, 0, INT32_MAX, &txn_timeout)) return KW_ERR_CONFIG;
    const char *tid = setting(cli, "transactional.id");
    kw_initproducerid_req req;
    kw_msg_defaults(KW_API_InitProducerId, KW_REQ, &req);
    req.transactional_id = tid ? kw_s(tid) : KW_STR_NULL;
    req.transaction_timeout_ms = (int32_t)txn_timeout;
    req.producer_id = -1;
    req.producer_epoch = -1;
    return kw_request_encode(out, KW_API_InitProducerId, (int16_t)x->version, 1, client_id, &req);
}

static int build_listgroups(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    (void)cli;
    kw_listgroups_req req;
    kw_msg_defaults(KW_API_ListGroups, KW_REQ, &req);
    return kw_request_encode(out, KW_API_ListGroups, (int16_t)x->version, 1, client_id, &req);
}

static int build_describegroups(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    (void)cli;
    kw_describegroups_req req;
    kw_str groups[1] = {kw_s(x->group)};
    kw_msg_defaults(KW_API_DescribeGroups, KW_REQ, &req);
    req.groups = groups;
    req.n_groups = 1;
    req.include_authorized_operations = 0;
    return kw_request_encode(out, KW_API_DescribeGroups, (int16_t)x->version, 1, client_id, &req);
}

static int build_createtopics(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    long long timeout;
    if (setting_int(cli, "request.timeout.ms", 30000, 0, INT32_MAX, &timeout)) return KW_ERR_CONFIG;
    kw_createtopics_req req;
    kw_createtopics_topic t[MAX_TOPICS];
    kw_msg_defaults(KW_API_CreateTopics, KW_REQ, &req);
    memset(t, 0, sizeof t);
    int n = x->ntopics ? x->ntopics : 1;
    for (int i = 0; i < n; i++) {
        t[i].name = kw_s(x->ntopics ? x->topics[i] : DEFAULT_TOPIC);
        t[i].num_partitions = (int32_t)x->partitions;
        t[i].replication_factor = (int16_t)x->replication;
    }
    req.topics = t;
    req.n_topics = n;
    req.timeout_ms = (int32_t)timeout;
    req.validate_only = 0;
    return kw_request_encode(out, KW_API_CreateTopics, (int16_t)x->version, 1, client_id, &req);
}

/* ---- any other API: the description's defaults, settings and --field values ---- */

/* The top-level field of s named name present at version v, or NULL. */
static const kw_field *top_field(const kw_struct *s, int v, const char *name, size_t nlen)
{
    for (unsigned i = 0; i < s->nfields; i++) {
        const kw_field *f = &s->fields[i];
        if (v >= f->vmin && v <= f->vmax && strlen(f->name) == nlen && !strncmp(f->name, name, nlen)) return f;
    }
    return NULL;
}

/* Set field f of msg from text; KW_ERR_CONFIG after printing why not. */
static int set_field(const kw_field *f, uint8_t *msg, const char *val, const char *what)
{
    uint8_t *m = msg + f->off;
    if (f->type == KW_T_STRING) {
        *(kw_str *)m = strcmp(val, "null") ? kw_s(val) : KW_STR_NULL;
        return 0;
    }
    long long lo, hi;
    switch (f->type) {
    case KW_T_BOOL:
        if (!strcmp(val, "true") || !strcmp(val, "false")) { *m = val[0] == 't'; return 0; }
        kw__cli_err(CMD, "%s: %s is a boolean (true or false)", what, f->name);
        return KW_ERR_CONFIG;
    case KW_T_INT8: lo = INT8_MIN; hi = INT8_MAX; break;
    case KW_T_INT16: lo = INT16_MIN; hi = INT16_MAX; break;
    case KW_T_UINT16: lo = 0; hi = UINT16_MAX; break;
    case KW_T_INT32: lo = INT32_MIN; hi = INT32_MAX; break;
    case KW_T_INT64: lo = INT64_MIN; hi = INT64_MAX; break;
    default:
        kw__cli_err(CMD, "%s: %s is not a number, boolean or string field", what, f->name);
        return KW_ERR_CONFIG;
    }
    char *end;
    errno = 0;
    long long x = strtoll(val, &end, 10);
    if (errno || *end || end == val || x < lo || x > hi) {
        kw__cli_err(CMD, "%s: %s needs an integer in [%lld, %lld]", what, f->name, lo, hi);
        return KW_ERR_CONFIG;
    }
    switch (f->type) {
    case KW_T_INT8: *(int8_t *)m = (int8_t)x; break;
    case KW_T_INT16: *(int16_t *)m = (int16_t)x; break;
    case KW_T_UINT16: *(uint16_t *)m = (uint16_t)x; break;
    case KW_T_INT32: *(int32_t *)m = (int32_t)x; break;
    default: *(int64_t *)m = x; break;
    }
    return 0;
}

/* Settings that name a top-level field of some request: field, setting, used only when set. */
static const struct { const char *field, *setting; } setting_fields[] = {
    {"group_instance_id", "group.instance.id"},   {"transactional_id", "transactional.id"},
    {"session_timeout_ms", "session.timeout.ms"}, {"rebalance_timeout_ms", "max.poll.interval.ms"},
    {"transaction_timeout_ms", "transaction.timeout.ms"}, {"timeout_ms", "request.timeout.ms"},
};

static int build_generic(const kw_cli *cli, const explain_args *x, kw_buf *out, const char *client_id)
{
    const kw_struct *s = kw__api_desc(x->api, KW_REQ);
    uint8_t *msg = calloc(1, s->size);
    if (!msg) return KW_ERR_NOMEM;
    kw_desc_defaults(s, msg);
    const kw_field *f = top_field(s, x->version, "group_id", 8);
    int rc = 0;
    if (f && f->type == KW_T_STRING) *(kw_str *)(msg + f->off) = kw_s(x->group);
    for (size_t i = 0; !rc && i < sizeof setting_fields / sizeof setting_fields[0]; i++) {
        const char *v = setting(cli, setting_fields[i].setting);
        f = top_field(s, x->version, setting_fields[i].field, strlen(setting_fields[i].field));
        if (v && f) {
            char what[64];
            snprintf(what, sizeof what, "-X %s", setting_fields[i].setting);
            rc = set_field(f, msg, v, what);
        }
    }
    for (int i = 0; !rc && i < x->nfields; i++) {
        const char *eq = strchr(x->fields[i], '=');
        f = top_field(s, x->version, x->fields[i], (size_t)(eq - x->fields[i]));
        if (!f) {
            kw__cli_err(CMD, "--field %s: %s v%d requests have no top-level field '%.*s'", x->fields[i],
                        kw_api_name(x->api), x->version, (int)(eq - x->fields[i]), x->fields[i]);
            rc = KW_ERR_CONFIG;
        } else {
            rc = set_field(f, msg, eq + 1, "--field");
        }
    }
    if (!rc) rc = kw_request_encode(out, x->api, (int16_t)x->version, 1, client_id, msg);
    free(msg);
    return rc;
}

static int parse_uuid(const char *s, kw_uuid *u)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        if (*s == '-') continue;
        int c = *s, v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0 || n >= 16) return -1;
        if (hi < 0) { hi = v; continue; }
        u->b[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    return n == 16 && hi < 0 ? 0 : -1;
}

int kw__cmd_explain(kw_cli *cli, int argc, char **argv)
{
    explain_args x;
    memset(&x, 0, sizeof x);
    x.api = -1;
    x.version = -1;
    x.records = 1;
    x.timestamp = -1;
    x.partitions = -1;
    x.replication = -1;
    const char *api_name = NULL;
    int paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long long v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return KW_EXIT_OK; }
        if (!strcmp(a, "--paths")) { paths = 1; continue; }
        if (!strcmp(a, "--json")) { cli->json = 1; continue; }
        int takes = !strcmp(a, "--version") || !strcmp(a, "--records") || !strcmp(a, "--topic") ||
                    !strcmp(a, "--partition") || !strcmp(a, "--offset") || !strcmp(a, "--raw") || !strcmp(a, "--topic-id") ||
                    !strcmp(a, "--group") || !strcmp(a, "--timestamp") || !strcmp(a, "--partitions") ||
                    !strcmp(a, "--replication-factor") || !strcmp(a, "--field");
        if (takes) {
            if (i + 1 >= argc) { kw__cli_err(CMD, "%s needs a value", a); return KW_EXIT_USAGE; }
            const char *val = argv[++i];
            if (!strcmp(a, "--version")) { if (parse_long(a, val, 0, INT16_MAX, &v)) return KW_EXIT_USAGE; x.version = (int)v; }
            else if (!strcmp(a, "--records")) { if (parse_long(a, val, 0, 1000000, &x.records)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--partition")) { if (parse_long(a, val, 0, INT32_MAX, &x.partition)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--offset")) { if (parse_long(a, val, -2, INT64_MAX, &x.offset)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--raw")) x.raw = val;
            else if (!strcmp(a, "--field")) {
                if (!strchr(val, '=') || val[0] == '=') { kw__cli_err(CMD, "--field %s: expected NAME=VALUE", val); return KW_EXIT_USAGE; }
                if (x.nfields == MAX_FIELDS) { kw__cli_err(CMD, "at most %d --field options", MAX_FIELDS); return KW_EXIT_USAGE; }
                x.fields[x.nfields++] = val;
            }
            else if (!strcmp(a, "--group")) x.group = val;
            else if (!strcmp(a, "--partitions")) { if (parse_long(a, val, -1, INT32_MAX, &x.partitions)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--replication-factor")) { if (parse_long(a, val, -1, INT16_MAX, &x.replication)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--timestamp")) {
                if (!strcmp(val, "latest")) x.timestamp = -1;
                else if (!strcmp(val, "earliest")) x.timestamp = -2;
                else if (parse_long(a, val, -3, INT64_MAX, &x.timestamp)) return KW_EXIT_USAGE;
            }
            else if (!strcmp(a, "--topic-id")) {
                if (parse_uuid(val, &x.topic_id)) { kw__cli_err(CMD, "--topic-id %s: expected 32 hex digits", val); return KW_EXIT_USAGE; }
            } else {
                if (x.ntopics == MAX_TOPICS) { kw__cli_err(CMD, "at most %d topics", MAX_TOPICS); return KW_EXIT_USAGE; }
                x.topics[x.ntopics++] = val;
            }
            continue;
        }
        if (a[0] == '-' && a[1]) { kw__cli_err(CMD, "unknown option '%s' (see kwire explain --help)", a); return KW_EXIT_USAGE; }
        if (!api_name) { api_name = a; continue; }
        if (x.ntopics == MAX_TOPICS) { kw__cli_err(CMD, "at most %d topics", MAX_TOPICS); return KW_EXIT_USAGE; }
        x.topics[x.ntopics++] = a;
    }
    if (!api_name) { kw__cli_err(CMD, "which API? (see kwire explain --help)"); return KW_EXIT_USAGE; }
    x.api = kw_api_parse(api_name);
    if (x.api < 0) { kw__cli_err(CMD, "unknown API '%s'", api_name); return KW_EXIT_USAGE; }
    int16_t lo, hi, clo, chi;
    kw_api_described(x.api, &lo, &hi);
    if (x.version < 0) x.version = kw_api_range(x.api, &clo, &chi) == 0 ? chi : hi; /* the client's, else the newest */
    if (x.version < lo || x.version > hi) {
        kw__cli_err(CMD, "%s v%d: kwire describes v%d to v%d", kw_api_name(x.api), x.version, lo, hi);
        return KW_EXIT_USAGE;
    }
    const char *client_id = setting(cli, "client.id");
    if (!client_id) client_id = "kwire";
    if (!x.group) x.group = setting(cli, "group.id");
    if (!x.group) x.group = "kwire";

    kw_buf frame;
    kw_buf_init(&frame);
    int rc;
    if (x.nfields && kw_api_range(x.api, NULL, NULL) == 0) {
        kw__cli_err(CMD, "--field applies to the APIs the client does not send (%s requests are built as the client builds them)",
                    kw_api_name(x.api));
        kw_buf_free(&frame);
        return KW_EXIT_USAGE;
    }
    switch (x.api) {
    case KW_API_ApiVersions: rc = build_apiversions(cli, &x, &frame, client_id); break;
    case KW_API_Metadata: rc = build_metadata(cli, &x, &frame, client_id); break;
    case KW_API_Produce: rc = build_produce(cli, &x, &frame, client_id); break;
    case KW_API_Fetch: rc = build_fetch(cli, &x, &frame, client_id); break;
    case KW_API_ListOffsets: rc = build_listoffsets(cli, &x, &frame, client_id); break;
    case KW_API_FindCoordinator: rc = build_findcoordinator(cli, &x, &frame, client_id); break;
    case KW_API_OffsetFetch: rc = build_offsetfetch(cli, &x, &frame, client_id); break;
    case KW_API_OffsetCommit: rc = build_offsetcommit(cli, &x, &frame, client_id); break;
    case KW_API_InitProducerId: rc = build_initproducerid(cli, &x, &frame, client_id); break;
    case KW_API_ListGroups: rc = build_listgroups(cli, &x, &frame, client_id); break;
    case KW_API_DescribeGroups: rc = build_describegroups(cli, &x, &frame, client_id); break;
    case KW_API_CreateTopics: rc = build_createtopics(cli, &x, &frame, client_id); break;
    case KW_API_SaslHandshake: rc = build_saslhandshake(cli, &x, &frame, client_id); break;
    case KW_API_SaslAuthenticate: rc = build_saslauthenticate(cli, &x, &frame, client_id); break;
    default: rc = build_generic(cli, &x, &frame, client_id); break;
    }
    if (rc == KW_ERR_CONFIG) { kw_buf_free(&frame); return KW_EXIT_USAGE; }
    if (rc) {
        kw__cli_err(CMD, "building the %s v%d request: %s", kw_api_name(x.api), x.version, kw_strerror(rc));
        kw_buf_free(&frame);
        return KW_EXIT_FAIL;
    }
    if ((((x.api == KW_API_Fetch || x.api == KW_API_Produce) && x.version >= 13) ||
         ((x.api == KW_API_OffsetFetch || x.api == KW_API_OffsetCommit) && x.version >= 10)) &&
        cli->verbosity >= 0) {
        int zero = 1;
        for (int i = 0; i < 16; i++) zero &= x.topic_id.b[i] == 0;
        if (zero)
            kw__cli_err(CMD, "note: %s v%d names topics by id; without a broker the id is all zeros (see --topic-id)",
                        kw_api_name(x.api), x.version);
    }

    int status = KW_EXIT_OK;
    if (x.raw) {
        FILE *f = fopen(x.raw, "wb");
        if (!f || fwrite(frame.data, 1, frame.len, f) != frame.len || fclose(f)) {
            kw__cli_err(CMD, "--raw %s: %s", x.raw, strerror(errno));
            if (f) fclose(f);
            kw_buf_free(&frame);
            return KW_EXIT_FAIL;
        }
    }

    kw_buf text;
    kw_buf_init(&text);
    kw_print_opts po = {0};
    po.fmt = cli->json ? KW_PRINT_JSON : KW_PRINT_TEXT;
    po.paths = paths;
    po.secrets = cli->dump_secrets;
    kw_printer pr;
    kw_printer_init(&pr, &text, &po);
    kw_print_frame pf;
    kw_print_frame_init(&pf);
    pf.api_name = kw_api_name(x.api);
    rc = kw_print_frame_bytes(&pr, &pf, KW_PRINT_FRAME, KW_REQ, -1, -1, frame.data, frame.len);
    kw_printer_finish(&pr);
    if (kw_printer_flush(&pr, stdout)) { kw__cli_err(CMD, "writing output: %s", strerror(errno)); status = KW_EXIT_FAIL; }
    if (rc || pr.err.set) {
        /* kwire decoding what kwire encoded must not fail: report it loudly */
        kw__cli_err(CMD, "annotating the request failed at offset %zu (field %s): %s", pr.err.off,
                    pr.err.path[0] ? pr.err.path : "?", pr.err.set ? pr.err.msg : kw_strerror(rc));
        status = KW_EXIT_FAIL;
    }
    kw_buf_free(&text);
    kw_buf_free(&frame);
    return status;
}
