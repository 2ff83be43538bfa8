/*
 * client/cli/explain.c — the requests `kwire explain` shows (see explain.h): the client's
 * own requests built as the client builds them, with defaults from Kafka 4.0's producer
 * and consumer documentation; any other API from its description's defaults, the few
 * settings that name one of its top-level fields and --field NAME=VALUE values.
 */
#include "client/cli/explain.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/admin/admin.h"
#include "client/admin/offsets.h"
#include "client/conn/metadata.h"
#include "client/conn/sasl.h"
#include "client/consume/consumer.h"
#include "client/core/config.h"
#include "client/produce/producer.h"
#include "codec/batch.h"
#include "codec/compress.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_saslauthenticate.h"
#include "proto/msg_saslhandshake.h"
#include "proto/proto.h"

#define DEFAULT_TOPIC KW_EXPLAIN_DEFAULT_TOPIC

/* The message into x->err. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void ERR(kw_explain *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, sizeof x->err, fmt, ap);
    va_end(ap);
}

void kw__explain_init(kw_explain *x)
{
    memset(x, 0, sizeof *x);
    x->api = -1;
    x->version = -1;
    x->records = 1;
    x->timestamp = -1;
    x->partitions = -1;
    x->replication = -1;
}

/* The last value given for name, or NULL. */
const char *kw__explain_setting(const kw_explain *x, const char *name)
{
    size_t n = strlen(name);
    const char *v = NULL;
    for (int i = 0; i < x->nsettings; i++)
        if (!strncmp(x->settings[i], name, n) && x->settings[i][n] == '=') v = x->settings[i] + n + 1;
    return v;
}

/* Integer setting in [lo, hi]; -1 on a bad value (message printed), else 0. */
static int setting_int(kw_explain *x, const char *name, long long def, long long lo, long long hi, long long *out)
{
    const char *v = kw__explain_setting(x, name);
    *out = def;
    if (!v) return 0;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || end == v || n < lo || n > hi) {
        ERR(x, "-X %s=%s: expected an integer in [%lld, %lld]", name, v, lo, hi);
        return -1;
    }
    *out = n;
    return 0;
}

static const char *topic0(const kw_explain *x) { return x->ntopics ? x->topics[0] : DEFAULT_TOPIC; }

/* isolation.level as the int8 the wire carries; -1 on a bad value (message printed). */
static int isolation_of(kw_explain *x)
{
    const char *iso = kw__explain_setting(x, "isolation.level");
    if (!iso || !strcmp(iso, "read_uncommitted")) return 0;
    if (!strcmp(iso, "read_committed")) return 1;
    ERR(x, "-X isolation.level=%s: expected read_uncommitted or read_committed", iso);
    return -1;
}

/* sasl.mechanism (librdkafka: sasl.mechanisms), PLAIN when neither is given. */
static const char *mechanism_of(const kw_explain *x)
{
    const char *m = kw__explain_setting(x, "sasl.mechanism");
    if (!m) m = kw__explain_setting(x, "sasl.mechanisms");
    return m ? m : "PLAIN";
}

/* ---- request builders: fill the struct, encode the frame into out ---- */

static int build_apiversions(kw_explain *x, kw_buf *out, const char *client_id)
{
    kw_apiversions_req req;
    kw_msg_defaults(KW_API_ApiVersions, KW_REQ, &req);
    req.client_software_name = kw_s("kwire");
    req.client_software_version = kw_s(KW_VERSION_STRING);
    return kw_request_encode(out, KW_API_ApiVersions, (int16_t)x->version, 1, client_id, &req);
}

static int build_saslhandshake(kw_explain *x, kw_buf *out, const char *client_id)
{
    kw_saslhandshake_req req = {kw_s(mechanism_of(x))};
    return kw_request_encode(out, KW_API_SaslHandshake, (int16_t)x->version, 1, client_id, &req);
}

/* The mechanism's first message (client/sasl), as the connection sends it. */
static int build_saslauthenticate(kw_explain *x, kw_buf *out, const char *client_id)
{
    const char *mname = mechanism_of(x);
    int mech = kw_sasl_mech_parse(mname);
    const char *user = kw__explain_setting(x, "sasl.username"), *pw = kw__explain_setting(x, "sasl.password");
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
        ERR(x, "-X sasl.mechanism=%s: expected PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER", mname);
        kw_buf_free(&msg);
        return KW_ERR_CONFIG;
    }
    kw_saslauthenticate_req req = {kw_b(msg.data ? msg.data : (const uint8_t *)"", msg.len)};
    if (!rc) rc = kw_request_encode(out, KW_API_SaslAuthenticate, (int16_t)x->version, 1, client_id, &req);
    kw_buf_free(&msg);
    return rc;
}

static int metadata_body(void *ud, int16_t version, kw_buf *out)
{
    const kw_explain *x = ud;
    const char *aac = kw__explain_setting(x, "allow.auto.create.topics");
    return kw_meta_encode(x->topics, x->ntopics, !aac || !strcmp(aac, "true"), version, out);
}

static int build_metadata(kw_explain *x, kw_buf *out, const char *client_id)
{
    const char *aac = kw__explain_setting(x, "allow.auto.create.topics");
    if (aac && strcmp(aac, "true") && strcmp(aac, "false")) {
        ERR(x, "-X allow.auto.create.topics=%s: expected true or false", aac);
        return KW_ERR_CONFIG;
    }
    return kw__request_encode_with(out, KW_API_Metadata, (int16_t)x->version, 1, client_id, metadata_body, x);
}

/* The labs' payload: {"data": "AAAA...A"} with 80 A's, 92 bytes. */
#define PAYLOAD_A 80
static void lab_payload(char *dst)
{
    memcpy(dst, "{\"data\": \"", 10);
    memset(dst + 10, 'A', PAYLOAD_A);
    memcpy(dst + 10 + PAYLOAD_A, "\"}", 2);
}

typedef struct produce_ud {
    int16_t acks;
    int32_t timeout_ms;
    const char *topic;
    const kw_uuid *id;
    kw_pbatch *b;
} produce_ud;

static int produce_body(void *ud, int16_t version, kw_buf *out)
{
    const produce_ud *q = ud;
    kw_pbatch *const b[1] = {q->b};
    /* the topic id as given (zero without a broker: shown, not refused) */
    return kw__produce_encode_any_id(out, version, q->acks, q->timeout_ms, &q->topic, q->id, b, 1);
}

static int build_produce(kw_explain *x, kw_buf *out, const char *client_id)
{
    long long timeout, level = KW_LEVEL_DEFAULT;
    if (setting_int(x, "request.timeout.ms", 30000, 0, INT32_MAX, &timeout)) return KW_ERR_CONFIG;
    const char *acks_s = kw__explain_setting(x, "acks");
    int acks = -1;
    if (acks_s) {
        if (!strcmp(acks_s, "all") || !strcmp(acks_s, "-1")) acks = -1;
        else if (!strcmp(acks_s, "0")) acks = 0;
        else if (!strcmp(acks_s, "1")) acks = 1;
        else { ERR(x, "-X acks=%s: expected all, -1, 0 or 1", acks_s); return KW_ERR_CONFIG; }
    }
    const char *ct = kw__explain_setting(x, "compression.type");
    int codec = ct ? kw_codec_parse(ct) : KW_CODEC_NONE;
    if (codec < 0) { ERR(x, "-X compression.type=%s: expected none, gzip, snappy, lz4 or zstd", ct); return KW_ERR_CONFIG; }
    if (codec == KW_CODEC_ZSTD && x->version < 7) {
        /* KIP-110: brokers reject zstd batches in Produce requests older than v7 */
        ERR(x, "compression.type=zstd needs Produce v7 or later (asked for v%d)", x->version);
        return KW_ERR_CONFIG;
    }
    if (codec == KW_CODEC_GZIP || codec == KW_CODEC_LZ4 || codec == KW_CODEC_ZSTD) {
        char name[64];
        snprintf(name, sizeof name, "compression.%s.level", kw_codec_name(codec));
        if (kw__explain_setting(x, name)) {
            if (setting_int(x, name, 0, INT32_MIN + 1, INT32_MAX, &level)) return KW_ERR_CONFIG;
            if (!kw_codec_level_valid(codec, (int)level)) {
                ERR(x, "-X %s=%lld: not a valid %s level", name, level, kw_codec_name(codec));
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

    /* the request, encoded by the producer's own encoder */
    kw_pbatch pb;
    memset(&pb, 0, sizeof pb);
    pb.partition = (int32_t)x->partition;
    pb.buf = batch;
    produce_ud q = {(int16_t)acks, (int32_t)timeout, topic0(x), &x->topic_id, &pb};
    rc = kw__request_encode_with(out, KW_API_Produce, (int16_t)x->version, 1, client_id, produce_body, &q);
    kw_buf_free(&batch);
    return rc;
}

static int build_fetch(kw_explain *x, kw_buf *out, const char *client_id)
{
    long long min_bytes, max_bytes, max_wait, part_max;
    if (setting_int(x, "fetch.min.bytes", 1, 0, INT32_MAX, &min_bytes) ||
        setting_int(x, "fetch.max.bytes", 52428800, 0, INT32_MAX, &max_bytes) ||
        setting_int(x, "fetch.max.wait.ms", 500, 0, INT32_MAX, &max_wait) ||
        setting_int(x, "max.partition.fetch.bytes", 1048576, 0, INT32_MAX, &part_max))
        return KW_ERR_CONFIG;
    int isolation = isolation_of(x);
    if (isolation < 0) return KW_ERR_CONFIG;
    const char *rack = kw__explain_setting(x, "client.rack");
    kw_fetch_req req;
    kw_fetch_topic topic;
    kw_fetch_partition part;
    /* as the consumer builds it (client/consume/consumer.c) */
    kw__fetch_req_init(&req, (int32_t)max_wait, (int32_t)min_bytes, (int32_t)max_bytes, isolation);
    kw__fetch_part_init(&part, (int32_t)x->partition, x->offset, (int32_t)part_max);
    memset(&topic, 0, sizeof topic);
    topic.topic = kw_s(topic0(x));
    topic.topic_id = x->topic_id;
    topic.partitions = &part;
    topic.n_partitions = 1;
    req.topics = &topic;
    req.n_topics = 1;
    if (rack) req.rack_id = kw_s(rack); /* client.rack: explain only, no kwire client sends one */
    return kw_request_encode(out, KW_API_Fetch, (int16_t)x->version, 1, client_id, &req);
}

typedef struct lo_ud {
    const kw_tpo_list *l;
    int64_t ts;
    int isolation;
} lo_ud;

static int lo_body(void *ud, int16_t version, kw_buf *out)
{
    const lo_ud *q = ud;
    return kw_list_offsets_encode(q->l, q->ts, q->isolation, version, out);
}

/* As the consumer's resets and kwire lag send it (client/admin/offsets.c). */
static int build_listoffsets(kw_explain *x, kw_buf *out, const char *client_id)
{
    int isolation = isolation_of(x);
    if (isolation < 0) return KW_ERR_CONFIG;
    kw_tpo_list l;
    kw_tpo_init(&l);
    int rc = kw_tpo_add(&l, topic0(x), (int32_t)x->partition, -1);
    lo_ud q = {&l, x->timestamp, isolation};
    if (!rc) rc = kw__request_encode_with(out, KW_API_ListOffsets, (int16_t)x->version, 1, client_id, lo_body, &q);
    kw_tpo_free(&l);
    return rc;
}

static int group_body(void *ud, int16_t version, kw_buf *out)
{
    const kw_explain *x = ud;
    switch (x->api) {
    case KW_API_FindCoordinator: return kw__coord_find_encode(x->group, version, out);
    case KW_API_ListGroups: return kw__groups_list_encode(version, out);
    default: return kw__group_describe_encode(x->group, version, out);
    }
}

/* FindCoordinator, ListGroups and DescribeGroups as the admin calls send them. */
static int build_group_lookup(kw_explain *x, kw_buf *out, const char *client_id)
{
    return kw__request_encode_with(out, x->api, (int16_t)x->version, 1, client_id, group_body, x);
}

/* One entry: the topic, its id (zero without a broker), the partition, the offset. */
static void one_entry(const kw_explain *x, kw_tpo *e, kw_tpo_list *l)
{
    memset(e, 0, sizeof *e);
    e->topic = (char *)topic0(x);
    e->topic_id = x->topic_id; /* v10+ */
    e->partition = (int32_t)x->partition;
    e->offset = x->offset;
    e->leader_epoch = -1;
    l->v = e;
    l->n = l->cap = 1;
}

static int offsets_body(void *ud, int16_t version, kw_buf *out)
{
    const kw_explain *x = ud;
    kw_tpo e;
    kw_tpo_list l;
    one_entry(x, &e, &l);
    if (x->api == KW_API_OffsetFetch) return kw__offsets_fetch_encode_any_id(x->group, &l, version, out);
    /* no group membership without a broker: as kw_offsets_commit, group.instance.id if set */
    kw_commit_id id = {-1, NULL, kw__explain_setting(x, "group.instance.id")};
    return kw__offsets_commit_encode_any_id(x->group, &id, &l, version, out);
}

/* OffsetFetch and OffsetCommit as kw_offsets_fetch and kw_offsets_commit send them. */
static int build_offsets(kw_explain *x, kw_buf *out, const char *client_id)
{
    return kw__request_encode_with(out, x->api, (int16_t)x->version, 1, client_id, offsets_body, x);
}

typedef struct pid_ud {
    const char *tid;
    int32_t timeout_ms;
} pid_ud;

static int pid_body(void *ud, int16_t version, kw_buf *out)
{
    const pid_ud *q = ud;
    return kw__initproducerid_encode(q->tid, q->timeout_ms, version, out);
}

/* As the producer sends it (client/produce/producer.c), with transactional.id and
 * transaction.timeout.ms when given (explain only: kwire's producer is idempotent, not
 * transactional). */
static int build_initproducerid(kw_explain *x, kw_buf *out, const char *client_id)
{
    long long txn_timeout;
    if (setting_int(x, "transaction.timeout.ms", 60000, 0, INT32_MAX, &txn_timeout)) return KW_ERR_CONFIG;
    pid_ud q = {kw__explain_setting(x, "transactional.id"), (int32_t)txn_timeout};
    return kw__request_encode_with(out, KW_API_InitProducerId, (int16_t)x->version, 1, client_id, pid_body, &q);
}

typedef struct ct_ud {
    const kw_topic_spec *specs;
    int n;
    int32_t timeout_ms;
} ct_ud;

static int ct_body(void *ud, int16_t version, kw_buf *out)
{
    const ct_ud *q = ud;
    return kw__create_topics_encode(q->specs, q->n, q->timeout_ms, 0, version, out);
}

/* As kw_create_topics sends it (client/admin/admin.c). */
static int build_createtopics(kw_explain *x, kw_buf *out, const char *client_id)
{
    long long timeout;
    if (setting_int(x, "request.timeout.ms", 30000, 0, INT32_MAX, &timeout)) return KW_ERR_CONFIG;
    kw_topic_spec t[KW_EXPLAIN_MAX_TOPICS];
    memset(t, 0, sizeof t);
    int n = x->ntopics ? x->ntopics : 1;
    for (int i = 0; i < n; i++) {
        t[i].name = x->ntopics ? x->topics[i] : DEFAULT_TOPIC;
        t[i].partitions = (int32_t)x->partitions;
        t[i].replication_factor = (int16_t)x->replication;
    }
    ct_ud q = {t, n, (int32_t)timeout};
    return kw__request_encode_with(out, KW_API_CreateTopics, (int16_t)x->version, 1, client_id, ct_body, &q);
}

/* ---- any other API: the description's defaults, settings and --field values ---- */

/* The top-level field of s named name present at version v, or NULL. */
const kw_field *kw__explain_top_field(const kw_struct *s, int v, const char *name, size_t nlen)
{
    for (unsigned i = 0; i < s->nfields; i++) {
        const kw_field *f = &s->fields[i];
        if (v >= f->vmin && v <= f->vmax && strlen(f->name) == nlen && !strncmp(f->name, name, nlen)) return f;
    }
    return NULL;
}

/* Set field f of msg from text; KW_ERR_CONFIG after printing why not. */
int kw__explain_set_field(kw_explain *x, const kw_field *f, void *msg_, const char *val, const char *what)
{
    uint8_t *m = (uint8_t *)msg_ + f->off;
    if (f->type == KW_T_STRING) {
        *(kw_str *)m = strcmp(val, "null") ? kw_s(val) : KW_STR_NULL;
        return 0;
    }
    long long lo, hi;
    switch (f->type) {
    case KW_T_BOOL:
        if (!strcmp(val, "true") || !strcmp(val, "false")) { *m = val[0] == 't'; return 0; }
        ERR(x, "%s: %s is a boolean (true or false)", what, f->name);
        return KW_ERR_CONFIG;
    case KW_T_INT8: lo = INT8_MIN; hi = INT8_MAX; break;
    case KW_T_INT16: lo = INT16_MIN; hi = INT16_MAX; break;
    case KW_T_UINT16: lo = 0; hi = UINT16_MAX; break;
    case KW_T_INT32: lo = INT32_MIN; hi = INT32_MAX; break;
    case KW_T_INT64: lo = INT64_MIN; hi = INT64_MAX; break;
    default:
        ERR(x, "%s: %s is not a number, boolean or string field", what, f->name);
        return KW_ERR_CONFIG;
    }
    char *end;
    errno = 0;
    long long n = strtoll(val, &end, 10);
    if (errno || *end || end == val || n < lo || n > hi) {
        ERR(x, "%s: %s needs an integer in [%lld, %lld]", what, f->name, lo, hi);
        return KW_ERR_CONFIG;
    }
    switch (f->type) {
    case KW_T_INT8: *(int8_t *)m = (int8_t)n; break;
    case KW_T_INT16: *(int16_t *)m = (int16_t)n; break;
    case KW_T_UINT16: *(uint16_t *)m = (uint16_t)n; break;
    case KW_T_INT32: *(int32_t *)m = (int32_t)n; break;
    default: *(int64_t *)m = n; break;
    }
    return 0;
}

/* Settings that name a top-level field of some request: field, setting, used only when set. */
static const struct { const char *field, *setting; } setting_fields[] = {
    {"group_instance_id", "group.instance.id"},   {"transactional_id", "transactional.id"},
    {"session_timeout_ms", "session.timeout.ms"}, {"rebalance_timeout_ms", "max.poll.interval.ms"},
    {"transaction_timeout_ms", "transaction.timeout.ms"}, {"timeout_ms", "request.timeout.ms"},
};

static int build_generic(kw_explain *x, kw_buf *out, const char *client_id)
{
    const kw_struct *s = kw__api_desc(x->api, KW_REQ);
    uint8_t *msg = calloc(1, s->size);
    if (!msg) return KW_ERR_NOMEM;
    kw_desc_defaults(s, msg);
    const kw_field *f = kw__explain_top_field(s, x->version, "group_id", 8);
    int rc = 0;
    if (f && f->type == KW_T_STRING) *(kw_str *)(msg + f->off) = kw_s(x->group);
    for (size_t i = 0; !rc && i < sizeof setting_fields / sizeof setting_fields[0]; i++) {
        const char *v = kw__explain_setting(x, setting_fields[i].setting);
        f = kw__explain_top_field(s, x->version, setting_fields[i].field, strlen(setting_fields[i].field));
        if (v && f) {
            char what[64];
            snprintf(what, sizeof what, "-X %s", setting_fields[i].setting);
            rc = kw__explain_set_field(x, f, msg, v, what);
        }
    }
    for (int i = 0; !rc && i < x->nfields; i++) {
        const char *eq = strchr(x->fields[i], '=');
        f = kw__explain_top_field(s, x->version, x->fields[i], (size_t)(eq - x->fields[i]));
        if (!f) {
            ERR(x, "--field %s: %s v%d requests have no top-level field '%.*s'", x->fields[i],
                        kw_api_name(x->api), x->version, (int)(eq - x->fields[i]), x->fields[i]);
            rc = KW_ERR_CONFIG;
        } else {
            rc = kw__explain_set_field(x, f, msg, eq + 1, "--field");
        }
    }
    if (!rc) rc = kw_request_encode(out, x->api, (int16_t)x->version, 1, client_id, msg);
    free(msg);
    return rc;
}

int kw__explain_parse_uuid(const char *s, kw_uuid *u)
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

/* Request fields explain fills from settings no kwire client implements (checked where
 * they are used); every other -X must be a setting kwire knows, with a valid value. */
static const char *const explain_only[] = {"allow.auto.create.topics", "client.rack", "group.instance.id",
                                           "transactional.id", "transaction.timeout.ms", NULL};

/* -X and -F settings validated as by every command (kw_config): 0, or -1 (message printed). */
int kw__explain_check_settings(kw_explain *x)
{
    kw_config *cfg = kw_config_new(KW_ROLE_ANY);
    if (!cfg) { ERR(x, "out of memory"); return KW_ERR_NOMEM; }
    int rc = 0;
    for (int i = 0; i < x->nsettings && !rc; i++) {
        const char *kv = x->settings[i], *eq = strchr(kv, '=');
        size_t n = eq ? (size_t)(eq - kv) : strlen(kv);
        int skip = 0;
        for (const char *const *e = explain_only; *e; e++)
            if (strlen(*e) == n && !strncmp(*e, kv, n)) skip = 1;
        if (skip) continue;
        if (kw_config_set_kv(cfg, kv)) {
            ERR(x, "%s", kw_config_error(cfg));
            rc = KW_ERR_CONFIG;
        }
    }
    kw_config_free(cfg);
    return rc;
}

int kw__explain_build(kw_explain *x, kw_buf *out)
{
    x->err[0] = 0;
    const char *client_id = kw__explain_setting(x, "client.id");
    if (!client_id) client_id = ""; /* the clients' default (client.id in kwire/config.h) */
    if (!x->group) x->group = kw__explain_setting(x, "group.id");
    if (!x->group) x->group = "kwire";
    if (x->nfields && kw_api_range(x->api, NULL, NULL) == 0) {
        ERR(x, "--field applies to the APIs the client does not send (%s requests are built as the client builds them)",
            kw_api_name(x->api));
        return KW_ERR_CONFIG;
    }
    switch (x->api) {
    case KW_API_ApiVersions: return build_apiversions(x, out, client_id);
    case KW_API_Metadata: return build_metadata(x, out, client_id);
    case KW_API_Produce: return build_produce(x, out, client_id);
    case KW_API_Fetch: return build_fetch(x, out, client_id);
    case KW_API_ListOffsets: return build_listoffsets(x, out, client_id);
    case KW_API_FindCoordinator: return build_group_lookup(x, out, client_id);
    case KW_API_OffsetFetch: return build_offsets(x, out, client_id);
    case KW_API_OffsetCommit: return build_offsets(x, out, client_id);
    case KW_API_InitProducerId: return build_initproducerid(x, out, client_id);
    case KW_API_ListGroups: return build_group_lookup(x, out, client_id);
    case KW_API_DescribeGroups: return build_group_lookup(x, out, client_id);
    case KW_API_CreateTopics: return build_createtopics(x, out, client_id);
    case KW_API_SaslHandshake: return build_saslhandshake(x, out, client_id);
    case KW_API_SaslAuthenticate: return build_saslauthenticate(x, out, client_id);
    default: return build_generic(x, out, client_id);
    }
}
