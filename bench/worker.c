/*
 * bench/worker.c — the Trogdor worker's pure parts (bench/worker.h): the workload read
 * from the start line, status lines written and read back, and the merge of statuses.
 * The run itself (sockets, clocks, signals) is bench/worker_run.c.
 */
#include "bench/worker.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hlog.h"
#include "bench/latency.h"
#include "client/core/config.h"
#include "client/admin/lag.h" /* kw__lag_printf */
#include "codec/grow.h"
#include "codec/text.h"

static int failf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ------------------------------------------------------------------ workload */

void kw_workload_free(kw_workload *w)
{
    if (!w) return;
    free(w->task_id);
    free(w->bootstrap);
    for (int i = 0; i < w->ntopics; i++) {
        free(w->topics[i].name);
        for (int k = 0; k < w->topics[i].nconfigs; k++) free(w->topics[i].configs[k]);
        free(w->topics[i].configs);
    }
    free(w->topics);
    for (int i = 0; i < w->nconf; i++) {
        free(w->conf_names[i]);
        free(w->conf_values[i]);
    }
    free(w->conf_names);
    free(w->conf_values);
    free(w->conf_src);
    free(w->group);
    free(w->latency_log);
    memset(w, 0, sizeof *w);
}

static char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A whole number field: 0, or -1 with err. */
static int get_int(const kw_jv *v, const char *name, int64_t lo, int64_t hi, int64_t *out, char *err, size_t errlen)
{
    if (v->type != KW_JV_NUM || !v->is_int || v->i < lo || v->i > hi)
        return failf(err, errlen, "workload field %s: a whole number from %" PRId64 " to %" PRId64 " expected", name,
                     lo, hi);
    *out = v->i;
    return 0;
}

static int get_str(const kw_jv *v, const char *name, char **out, char *err, size_t errlen)
{
    if (v->type != KW_JV_STR || strlen(v->str) != v->len)
        return failf(err, errlen, "workload field %s: a string expected, not %s", name, kw_jv_type_name(v->type));
    free(*out);
    if (!(*out = strdup(v->str))) return failf(err, errlen, "out of memory");
    return 0;
}

static int add_topic(kw_workload *w, const char *name, size_t n, char *err, size_t errlen)
{
    if (!n) return failf(err, errlen, "workload: an empty topic name");
    if (w->ntopics >= KW_WK_MAX_TOPICS) return failf(err, errlen, "workload: more than %d topics", KW_WK_MAX_TOPICS);
    kw_wk_topic *t = kw__grow(w->topics, sizeof *t, (size_t)w->ntopics + 1, &w->captopics, 8);
    if (!t) return failf(err, errlen, "out of memory");
    w->topics = t;
    t = &w->topics[w->ntopics];
    memset(t, 0, sizeof *t);
    t->partition = -1;
    t->partitions = -1;
    t->replication_factor = -1;
    if (!(t->name = strndup(name, n))) return failf(err, errlen, "out of memory");
    w->ntopics++;
    return 0;
}

/* Expand NAME (one "[A-B]" range at most, as Trogdor's StringExpander) into topics;
 * first gets the index of the first one added. */
static int expand(kw_workload *w, const char *name, int *first, char *err, size_t errlen)
{
    *first = w->ntopics;
    const char *lb = strchr(name, '['), *rb = lb ? strchr(lb, ']') : NULL;
    long a, b;
    char *end;
    if (!lb || !rb) return add_topic(w, name, strlen(name), err, errlen);
    a = strtol(lb + 1, &end, 10);
    if (end == lb + 1 || *end != '-') return failf(err, errlen, "topic '%s': a range is [A-B]", name);
    const char *bs = end + 1;
    b = strtol(bs, &end, 10);
    if (end == bs || end != rb || a < 0 || b < a)
        return failf(err, errlen, "topic '%s': a range is [A-B] with 0 <= A <= B", name);
    if (b - a >= KW_WK_MAX_TOPICS) return failf(err, errlen, "topic '%s': more than %d topics", name, KW_WK_MAX_TOPICS);
    for (long i = a; i <= b; i++) {
        char buf[512];
        int n = snprintf(buf, sizeof buf, "%.*s%ld%s", (int)(lb - name), name, i, rb + 1);
        if (n < 0 || (size_t)n >= sizeof buf) return failf(err, errlen, "topic '%s': name too long", name);
        if (add_topic(w, buf, (size_t)n, err, errlen)) return -1;
    }
    return 0;
}

static void free_strs(char **v, int n)
{
    for (int k = 0; k < n; k++) free(v[k]);
    free(v);
}

/* One topic's {numPartitions, replicationFactor, configs} into the topics from first on. */
static int topic_fields(kw_workload *w, const kw_jv *m, const char *field, int first, int inactive, char *err,
                        size_t errlen)
{
    int64_t parts = -1, rf = -1;
    char **configs = NULL;
    int nconfigs = 0, capconfigs = 0, rc = -1;
    if (m->type != KW_JV_OBJ) return failf(err, errlen, "%s.%s: an object expected", field, m->key);
    for (const kw_jv *f = m->child; f; f = f->next) {
        if (!strcmp(f->key, "numPartitions")) {
            if (get_int(f, "numPartitions", 1, INT32_MAX, &parts, err, errlen)) goto out;
        } else if (!strcmp(f->key, "replicationFactor")) {
            if (get_int(f, "replicationFactor", 1, INT16_MAX, &rf, err, errlen)) goto out;
        } else if (!strcmp(f->key, "configs")) {
            if (f->type != KW_JV_OBJ) { failf(err, errlen, "%s.%s.configs: an object expected", field, m->key); goto out; }
            for (const kw_jv *c = f->child; c; c = c->next) {
                if (c->type != KW_JV_STR) {
                    failf(err, errlen, "%s.%s.configs.%s: a string expected", field, m->key, c->key);
                    goto out;
                }
                char **nc = kw__grow(configs, sizeof *nc, (size_t)nconfigs + 1, &capconfigs, 8);
                if (!nc) { failf(err, errlen, "out of memory"); goto out; }
                configs = nc;
                size_t need = strlen(c->key) + strlen(c->str) + 2;
                if (!(configs[nconfigs] = malloc(need))) { failf(err, errlen, "out of memory"); goto out; }
                snprintf(configs[nconfigs++], need, "%s=%s", c->key, c->str);
            }
        } else {
            failf(err, errlen, "%s.%s: unknown field %s (numPartitions, replicationFactor, configs)", field, m->key,
                  f->key);
            goto out;
        }
    }
    for (int i = first; i < w->ntopics; i++) {
        kw_wk_topic *t = &w->topics[i];
        t->partitions = (int32_t)parts;
        t->replication_factor = (int16_t)rf;
        t->inactive = inactive;
        if (!nconfigs) continue;
        if (!(t->configs = calloc((size_t)nconfigs, sizeof *t->configs))) { failf(err, errlen, "out of memory"); goto out; }
        t->nconfigs = nconfigs;
        for (int k = 0; k < nconfigs; k++)
            if (!(t->configs[k] = strdup(configs[k]))) { failf(err, errlen, "out of memory"); goto out; }
    }
    rc = 0;
out:
    free_strs(configs, nconfigs);
    return rc;
}

/* produce: {NAME: {numPartitions, replicationFactor, configs}} */
static int topics_object(kw_workload *w, const kw_jv *v, const char *field, int inactive, char *err, size_t errlen)
{
    for (const kw_jv *m = v->child; m; m = m->next) {
        if (strlen(m->key) != m->key_len) return failf(err, errlen, "%s: a topic name with a NUL byte", field);
        int first;
        if (expand(w, m->key, &first, err, errlen) || topic_fields(w, m, field, first, inactive, err, errlen)) return -1;
    }
    return 0;
}

/* consume: ["NAME", "NAME:P", ...] */
static int topics_array(kw_workload *w, const kw_jv *v, char *err, size_t errlen)
{
    for (const kw_jv *m = v->child; m; m = m->next) {
        if (m->type != KW_JV_STR || strlen(m->str) != m->len)
            return failf(err, errlen, "activeTopics: topic names (strings) expected");
        char *name = m->str, *colon = strrchr(name, ':');
        int32_t part = -1;
        char buf[512];
        if (colon) {
            char *end;
            long p = strtol(colon + 1, &end, 10);
            if (end == colon + 1 || *end || p < 0 || p > INT32_MAX)
                return failf(err, errlen, "activeTopics: '%s': NAME:PARTITION takes a partition number", name);
            part = (int32_t)p;
            snprintf(buf, sizeof buf, "%.*s", (int)(colon - name), name);
            name = buf;
        }
        int first;
        if (expand(w, name, &first, err, errlen)) return -1;
        for (int i = first; i < w->ntopics; i++) w->topics[i].partition = part;
    }
    return 0;
}

static int conf_map(kw_workload *w, const kw_jv *v, const char *field, int src, char *err, size_t errlen)
{
    if (v->type != KW_JV_OBJ) return failf(err, errlen, "workload field %s: an object of settings expected", field);
    for (const kw_jv *m = v->child; m; m = m->next) {
        char num[64];
        const char *val = NULL;
        if (m->type == KW_JV_STR) val = m->str;
        else if (m->type == KW_JV_NUM && m->is_int) { snprintf(num, sizeof num, "%" PRId64, m->i); val = num; }
        else if (m->type == KW_JV_BOOL) val = m->boolean ? "true" : "false";
        if (!val) return failf(err, errlen, "%s.%s: a string value expected", field, m->key);
        int id = kw_config_lookup(m->key);
        if (id < 0) {
            const char *s = kw_config_suggest(m->key);
            return failf(err, errlen, "%s: unknown setting %s%s%s%s", field, m->key, s ? " (did you mean " : "",
                         s ? s : "", s ? "?)" : "");
        }
        int roles = kw_config_desc((kw_conf_id)id)->roles;
        if ((src == KW_WK_CONF_PRODUCER && !(roles & KW_ROLE_PRODUCER)) ||
            (src == KW_WK_CONF_CONSUMER && !(roles & KW_ROLE_CONSUMER)))
            return failf(err, errlen, "%s: %s is not a %s setting", field, m->key,
                         src == KW_WK_CONF_PRODUCER ? "producer" : "consumer");
        /* three arrays, one capacity (codec/grow.h) */
        size_t need = (size_t)w->nconf + 1;
        int cn = w->capconf, cv = w->capconf, cs = w->capconf;
        char **nn = kw__grow(w->conf_names, sizeof *nn, need, &cn, 8);
        if (nn) w->conf_names = nn;
        char **nv = kw__grow(w->conf_values, sizeof *nv, need, &cv, 8);
        if (nv) w->conf_values = nv;
        int *ns = kw__grow(w->conf_src, sizeof *ns, need, &cs, 8);
        if (ns) w->conf_src = ns;
        if (!nn || !nv || !ns) return failf(err, errlen, "out of memory");
        w->capconf = cn;
        w->conf_names[w->nconf] = strdup(m->key);
        w->conf_values[w->nconf] = strdup(val);
        w->conf_src[w->nconf] = src;
        w->nconf++;
        if (!w->conf_names[w->nconf - 1] || !w->conf_values[w->nconf - 1]) return failf(err, errlen, "out of memory");
        /* kw_config_set checks the value when the run builds its clients; check it now */
        kw_config *c = kw_config_new(KW_ROLE_ANY);
        if (!c) return failf(err, errlen, "out of memory");
        int bad = kw_config_set(c, m->key, val);
        if (bad) failf(err, errlen, "%s: %s", field, kw_config_error(c));
        kw_config_free(c);
        if (bad) return -1;
    }
    return 0;
}

static int generator(kw_workload *w, const kw_jv *v, int key, char *err, size_t errlen)
{
    const char *field = key ? "keyGenerator" : "valueGenerator";
    if (v->type == KW_JV_NULL) {
        if (key) w->key_size = 0;
        return key ? 0 : failf(err, errlen, "valueGenerator: null is not a generator");
    }
    if (v->type != KW_JV_OBJ) return failf(err, errlen, "%s: an object expected", field);
    const char *type = kw_jv_str(kw_jv_get(v, "type"));
    if (!type) return failf(err, errlen, "%s: \"type\" missing", field);
    int64_t size = -1, start = 0;
    for (const kw_jv *m = v->child; m; m = m->next) {
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "size")) {
            if (get_int(m, "size", 0, 100 << 20, &size, err, errlen)) return -1;
        } else if (!strcmp(m->key, "startOffset") && !strcmp(type, "sequential")) {
            if (get_int(m, "startOffset", INT64_MIN, INT64_MAX, &start, err, errlen)) return -1;
        } else if (!strcmp(m->key, "value") && !strcmp(type, "constant")) {
            if (m->type != KW_JV_STR || m->len) /* Trogdor's value: base64 bytes; kwire writes zeros */
                return failf(err, errlen, "%s.value: kwire writes zero bytes; leave value out", field);
        } else {
            return failf(err, errlen, "%s: unknown field %s for type %s", field, m->key, type);
        }
    }
    if (!strcmp(type, "null") && key) { w->key_size = 0; return 0; }
    if (!strcmp(type, "sequential") && key) {
        if (size < 1 || size > 8) return failf(err, errlen, "keyGenerator: sequential keys take size 1 to 8");
        w->key_size = (int32_t)size;
        w->key_start = start;
        return 0;
    }
    if (!strcmp(type, "constant") && !key) {
        if (size < 0) return failf(err, errlen, "valueGenerator: constant needs size");
        w->value_size = (int32_t)size;
        return 0;
    }
    return failf(err, errlen, "%s: type %s has no kwire equivalent (%s)", field, type,
                 key ? "sequential, null" : "constant");
}

static const char *const known_fields[] = {
    "bootstrapServers", "targetMessagesPerSec", "maxMessages", "durationMs", "activeTopics", "inactiveTopics",
    "producerConf", "consumerConf", "adminClientConf", "commonClientConf", "keyGenerator", "valueGenerator",
    "consumerGroup", "kind", "recordSize", "labPayload", "statusIntervalMs", "latencyLog", "consumeFrom", NULL};

int kw_workload_parse(const char *text, size_t len, kw_workload *w, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->value_size = KW_WK_DEFAULT_VALUE;
    w->key_size = 4; /* Trogdor's default key: sequential, 4 bytes, from 0 */
    w->status_interval_ms = KW_WK_DEFAULT_STATUS_MS;
    char jerr[160];
    kw_jv *root = kw_jv_parse(text, len, jerr, sizeof jerr);
    if (!root) return failf(err, errlen, "the start line is not JSON: %s", jerr);
    int rc = -1;
    const kw_jv *id = kw_jv_get(root, "id"), *wl = kw_jv_get(root, "workload");
    if (root->type != KW_JV_OBJ) { failf(err, errlen, "the start line is not a JSON object"); goto out; }
    if (!id || id->type != KW_JV_STR) { failf(err, errlen, "the start line has no task \"id\" string"); goto out; }
    if (!wl || wl->type != KW_JV_OBJ) { failf(err, errlen, "the start line has no \"workload\" object"); goto out; }
    if (!(w->task_id = dup_str(id->str))) { failf(err, errlen, "out of memory"); goto out; }
    /* every unknown field named at once */
    char unknown[400] = "";
    size_t ul = 0;
    int nunknown = 0;
    for (const kw_jv *m = wl->child; m; m = m->next) {
        int ok = 0;
        for (int i = 0; known_fields[i] && !ok; i++) ok = !strcmp(m->key, known_fields[i]);
        if (ok) continue;
        nunknown++;
        if (ul < sizeof unknown - 1) {
            int n = snprintf(unknown + ul, sizeof unknown - ul, "%s%s", ul ? ", " : "", m->key);
            if (n > 0) ul += (size_t)n;
        }
    }
    if (nunknown) {
        failf(err, errlen, "unknown workload field%s: %s (see docs/TROGDOR.md)", nunknown > 1 ? "s" : "", unknown);
        goto out;
    }
    const kw_jv *v;
    if ((v = kw_jv_get(wl, "kind"))) {
        const char *k = kw_jv_str(v);
        if (k && !strcmp(k, "produce")) w->kind = KW_WK_PRODUCE;
        else if (k && !strcmp(k, "consume")) w->kind = KW_WK_CONSUME;
        else { failf(err, errlen, "workload field kind: \"produce\" or \"consume\""); goto out; }
    }
    if (!(v = kw_jv_get(wl, "bootstrapServers"))) { failf(err, errlen, "workload field bootstrapServers missing"); goto out; }
    if (get_str(v, "bootstrapServers", &w->bootstrap, err, errlen)) goto out;
    if (!w->bootstrap[0]) { failf(err, errlen, "workload field bootstrapServers is empty"); goto out; }
    if ((v = kw_jv_get(wl, "targetMessagesPerSec")) &&
        get_int(v, "targetMessagesPerSec", 0, 100000000, &w->target_per_sec, err, errlen))
        goto out;
    if ((v = kw_jv_get(wl, "maxMessages")) && get_int(v, "maxMessages", 0, INT64_MAX, &w->max_messages, err, errlen))
        goto out;
    if ((v = kw_jv_get(wl, "durationMs")) && get_int(v, "durationMs", 0, INT64_MAX / 1000, &w->duration_ms, err, errlen))
        goto out;
    if ((v = kw_jv_get(wl, "statusIntervalMs")) &&
        get_int(v, "statusIntervalMs", 100, 3600000, &w->status_interval_ms, err, errlen))
        goto out;
    if ((v = kw_jv_get(wl, "latencyLog")) && get_str(v, "latencyLog", &w->latency_log, err, errlen)) goto out;
    if ((v = kw_jv_get(wl, "consumerGroup")) && get_str(v, "consumerGroup", &w->group, err, errlen)) goto out;
    if ((v = kw_jv_get(wl, "consumeFrom"))) {
        const char *f = kw_jv_str(v);
        if (f && !strcmp(f, "earliest")) w->from_latest = 0;
        else if (f && !strcmp(f, "latest")) w->from_latest = 1;
        else { failf(err, errlen, "workload field consumeFrom: \"earliest\" or \"latest\""); goto out; }
    }
    if ((v = kw_jv_get(wl, "keyGenerator")) && generator(w, v, 1, err, errlen)) goto out;
    if ((v = kw_jv_get(wl, "valueGenerator")) && generator(w, v, 0, err, errlen)) goto out;
    if ((v = kw_jv_get(wl, "recordSize"))) {
        int64_t s = 0;
        if (kw_jv_get(wl, "valueGenerator")) { failf(err, errlen, "workload: recordSize or valueGenerator, not both"); goto out; }
        if (get_int(v, "recordSize", 0, 100 << 20, &s, err, errlen)) goto out;
        w->value_size = (int32_t)s;
    }
    if ((v = kw_jv_get(wl, "labPayload"))) {
        if (v->type != KW_JV_BOOL) { failf(err, errlen, "workload field labPayload: true or false"); goto out; }
        w->lab_payload = v->boolean;
        if (w->lab_payload && (kw_jv_get(wl, "recordSize") || kw_jv_get(wl, "valueGenerator"))) {
            failf(err, errlen, "workload: labPayload fixes the value (92 bytes); leave recordSize and valueGenerator out");
            goto out;
        }
    }
    static const struct { const char *name; int src; } confs[] = {
        {"commonClientConf", KW_WK_CONF_COMMON}, {"producerConf", KW_WK_CONF_PRODUCER},
        {"consumerConf", KW_WK_CONF_CONSUMER}, {"adminClientConf", KW_WK_CONF_ADMIN}};
    for (size_t i = 0; i < sizeof confs / sizeof confs[0]; i++)
        if ((v = kw_jv_get(wl, confs[i].name)) && conf_map(w, v, confs[i].name, confs[i].src, err, errlen)) goto out;
    if (!(v = kw_jv_get(wl, "activeTopics"))) { failf(err, errlen, "workload field activeTopics missing"); goto out; }
    if (v->type == KW_JV_OBJ) {
        if (topics_object(w, v, "activeTopics", 0, err, errlen)) goto out;
    } else if (v->type == KW_JV_ARR) {
        if (topics_array(w, v, err, errlen)) goto out;
    } else {
        failf(err, errlen, "workload field activeTopics: an object (produce) or an array of names (consume)");
        goto out;
    }
    if (!w->ntopics) { failf(err, errlen, "workload field activeTopics names no topic"); goto out; }
    if ((v = kw_jv_get(wl, "inactiveTopics"))) {
        if (w->kind != KW_WK_PRODUCE || v->type != KW_JV_OBJ) {
            failf(err, errlen, "workload field inactiveTopics: an object, for produce workloads");
            goto out;
        }
        if (topics_object(w, v, "inactiveTopics", 1, err, errlen)) goto out;
    }
    if (w->kind == KW_WK_CONSUME && kw_jv_get(wl, "activeTopics")->type == KW_JV_OBJ) {
        for (int i = 0; i < w->ntopics; i++)
            if (w->topics[i].partitions > 0 || w->topics[i].nconfigs) {
                failf(err, errlen, "activeTopics: a consume workload does not create topics (name them in an array)");
                goto out;
            }
    }
    if (w->kind == KW_WK_CONSUME && w->group) {
        for (int i = 0; i < w->ntopics; i++)
            if (w->topics[i].partition >= 0) {
                failf(err, errlen, "activeTopics: '%s:%d' names a partition; a consumerGroup hands them out",
                      w->topics[i].name, w->topics[i].partition);
                goto out;
            }
    }
    if (!w->max_messages && !w->duration_ms) {
        failf(err, errlen, "workload: neither maxMessages nor durationMs: the run would never end by itself");
        goto out;
    }
    rc = 0;
out:
    kw_jv_free(root);
    return rc;
}

/* ------------------------------------------------------------------ status */

static void put_b64_hdr(kw_buf *out, const kw_hdr *h, int *rc)
{
    kw_buf enc;
    kw_buf_init(&enc);
    int e = kw_hdr_encode(h, &enc);
    if (e && !*rc) *rc = e;
    kw_buf_put(out, "\"", 1);
    if (!e) kw_base64_encode(out, enc.data, enc.len);
    kw_buf_put(out, "\"", 1);
    kw_buf_free(&enc);
}

static double per_s(uint64_t n, int64_t ms) { return ms > 0 ? (double)n * 1000.0 / (double)ms : 0.0; }

int kw_wk_status_line(kw_buf *out, const kw_wk_status *s)
{
    int rc = 0;
    kw_buf_put(out, "{\"status\":{\"kwire\":1,\"task\":", 28);
    kw_json_put_cstr(out, s->task);
    kw__lag_printf(out,
                   ",\"kind\":\"%s\",\"state\":\"%s\",\"startMs\":%" PRId64 ",\"elapsedMs\":%" PRId64
                   ",\"records\":%llu,\"bytes\":%llu,\"errors\":%llu,\"recordsPerSec\":%.1f,\"mbPerSec\":%.3f,"
                   "\"latencyMs\":",
                   s->kind == KW_WK_CONSUME ? "consume" : "produce", s->state, s->start_ms, s->elapsed_ms,
                   (unsigned long long)s->records, (unsigned long long)s->bytes, (unsigned long long)s->errors,
                   per_s(s->records, s->elapsed_ms), per_s(s->bytes, s->elapsed_ms) / 1e6);
    kw_lat_json(out, s->h);
    kw_buf_put(out, ",\"histogram\":", 13);
    put_b64_hdr(out, s->h, &rc);
    kw__lag_printf(out,
                   ",\"interval\":{\"startMs\":%" PRId64 ",\"lengthMs\":%" PRId64
                   ",\"records\":%llu,\"bytes\":%llu,\"errors\":%llu,\"histogram\":",
                   s->int_start_ms, s->int_len_ms, (unsigned long long)s->int_records,
                   (unsigned long long)s->int_bytes, (unsigned long long)s->int_errors);
    put_b64_hdr(out, s->int_h, &rc);
    kw_buf_put(out, "}", 1);
    if (s->error[0]) {
        kw_buf_put(out, ",\"error\":", 9);
        kw_json_put_cstr(out, s->error);
    }
    kw_buf_put(out, "}}\n", 3);
    return rc ? rc : out->err;
}

static int one_field_line(kw_buf *out, const char *field, const char *msg)
{
    kw__lag_printf(out, "{\"%s\":", field);
    kw_json_put_cstr(out, msg);
    kw_buf_put(out, "}\n", 2);
    return out->err;
}

int kw_wk_error_line(kw_buf *out, const char *msg) { return one_field_line(out, "error", msg); }
int kw_wk_log_line(kw_buf *out, const char *msg) { return one_field_line(out, "log", msg); }

void kw_wk_status_free(kw_wk_status *s)
{
    kw_hdr_free(s->h);
    kw_hdr_free(s->int_h);
    s->h = s->int_h = NULL;
}

static int read_u64(const kw_jv *o, const char *name, uint64_t *out, char *err, size_t errlen)
{
    const kw_jv *v = kw_jv_get(o, name);
    if (!v || v->type != KW_JV_NUM || !v->is_int || v->i < 0)
        return failf(err, errlen, "status field %s: %s", name, v ? "not a count" : "missing");
    *out = (uint64_t)v->i;
    return 0;
}

static int read_i64(const kw_jv *o, const char *name, int64_t *out, char *err, size_t errlen)
{
    const kw_jv *v = kw_jv_get(o, name);
    if (!v || v->type != KW_JV_NUM || !v->is_int) return failf(err, errlen, "status field %s: %s", name, v ? "not a whole number" : "missing");
    *out = v->i;
    return 0;
}

static int read_hdr(const kw_jv *o, const char *name, kw_hdr **out, char *err, size_t errlen)
{
    const kw_jv *v = kw_jv_get(o, name);
    if (!v || v->type != KW_JV_STR) return failf(err, errlen, "status field %s: %s", name, v ? "not a string" : "missing");
    kw_buf raw;
    kw_buf_init(&raw);
    int rc = kw_base64_decode(&raw, v->str, v->len);
    if (!rc) rc = kw_hdr_decode(raw.data, raw.len, out);
    kw_buf_free(&raw);
    if (rc) return failf(err, errlen, "status field %s: not an HdrHistogram in base64 (%s)", name, kw_strerror(rc));
    return 0;
}

int kw_wk_status_read(const kw_jv *st, kw_wk_status *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (!st || st->type != KW_JV_OBJ) return failf(err, errlen, "the status is not an object");
    const kw_jv *k = kw_jv_get(st, "kwire");
    if (!k || k->type != KW_JV_NUM || !k->is_int || k->i != 1)
        return failf(err, errlen, "the status is not a kwire worker's (no \"kwire\":1)");
    const char *task = kw_jv_str(kw_jv_get(st, "task")), *kind = kw_jv_str(kw_jv_get(st, "kind")),
               *state = kw_jv_str(kw_jv_get(st, "state")), *e = kw_jv_str(kw_jv_get(st, "error"));
    if (!task || !kind || !state) return failf(err, errlen, "status fields task, kind and state: strings expected");
    snprintf(s->task, sizeof s->task, "%s", task);
    snprintf(s->state, sizeof s->state, "%s", state);
    if (e) snprintf(s->error, sizeof s->error, "%s", e);
    s->kind = !strcmp(kind, "consume") ? KW_WK_CONSUME : KW_WK_PRODUCE;
    const kw_jv *iv = kw_jv_get(st, "interval");
    if (read_i64(st, "startMs", &s->start_ms, err, errlen) || read_i64(st, "elapsedMs", &s->elapsed_ms, err, errlen) ||
        read_u64(st, "records", &s->records, err, errlen) || read_u64(st, "bytes", &s->bytes, err, errlen) ||
        read_u64(st, "errors", &s->errors, err, errlen))
        return -1;
    if (!iv || iv->type != KW_JV_OBJ) return failf(err, errlen, "status field interval: an object expected");
    if (read_i64(iv, "startMs", &s->int_start_ms, err, errlen) || read_i64(iv, "lengthMs", &s->int_len_ms, err, errlen) ||
        read_u64(iv, "records", &s->int_records, err, errlen) || read_u64(iv, "bytes", &s->int_bytes, err, errlen) ||
        read_u64(iv, "errors", &s->int_errors, err, errlen))
        return -1;
    if (read_hdr(st, "histogram", &s->h, err, errlen) || read_hdr(iv, "histogram", &s->int_h, err, errlen)) {
        kw_wk_status_free(s);
        return -1;
    }
    return 0;
}

int kw_wk_status_last(const char *text, size_t len, kw_wk_status *s, char *err, size_t errlen)
{
    /* the last line holding a status: scan lines from the end */
    size_t end = len;
    while (end > 0) {
        size_t e = end;
        while (e > 0 && (text[e - 1] == '\n' || text[e - 1] == '\r')) e--;
        size_t b = e;
        while (b > 0 && text[b - 1] != '\n') b--;
        end = b;
        if (b == e || text[b] != '{') continue;
        kw_jv *v = kw_jv_parse(text + b, e - b, NULL, 0);
        const kw_jv *st = kw_jv_get(v, "status");
        if (!st) { kw_jv_free(v); continue; }
        int rc = kw_wk_status_read(st, s, err, errlen);
        kw_jv_free(v);
        return rc ? -1 : 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ merge */

int kw_wk_merge_add(kw_wk_merged *m, const kw_wk_status *s)
{
    if (!m->h) {
        if (!(m->h = kw_hdr_dup(s->h))) return KW_ERR_NOMEM;
    } else {
        kw_hdr_add(m->h, s->h);
    }
    int64_t end = s->start_ms + s->elapsed_ms;
    if (!m->workers || s->start_ms < m->first_start_ms) m->first_start_ms = s->start_ms;
    if (!m->workers || end > m->last_end_ms) m->last_end_ms = end;
    m->workers++;
    m->records += s->records;
    m->bytes += s->bytes;
    m->errors += s->errors;
    return 0;
}

void kw_wk_merged_free(kw_wk_merged *m)
{
    kw_hdr_free(m->h);
    memset(m, 0, sizeof *m);
}

double kw_wk_merged_rate(const kw_wk_merged *m, double *mb_per_s)
{
    int64_t span = m->last_end_ms - m->first_start_ms;
    if (mb_per_s) *mb_per_s = per_s(m->bytes, span) / 1e6;
    return per_s(m->records, span);
}
