/*
 * client/core/config.c — kwire's settings table (client/core/config.h): parsing values by type,
 * range and allowed-value checks with messages that say what a setting accepts,
 * properties files, name suggestions for misspellings, and Kafka's cross-setting rules:
 *
 *   - enable.idempotence (default true) needs acks=all, retries > 0 and
 *     max.in.flight.requests.per.connection <= 5. Set explicitly to true with a
 *     conflicting setting: an error. Left at its default: turned off silently
 *     (ProducerConfig.postProcessAndValidateIdempotenceConfigs).
 *   - delivery.timeout.ms >= linger.ms + request.timeout.ms: an error when
 *     delivery.timeout.ms was set; otherwise it is raised to that sum.
 *   - socket.connection.setup.timeout.max.ms below socket.connection.setup.timeout.ms:
 *     the max is raised to the base (Kafka logs and does the same).
 *   - enable.auto.commit explicitly true without group.id: an error (consumer); left at
 *     its default without group.id it becomes false.
 *   - heartbeat.interval.ms must be below session.timeout.ms (consumer with a group).
 *   - partition.assignment.strategy names at least one assignor, each one kwire runs
 *     (range, roundrobin, cooperative-sticky, or Kafka's class names for them).
 *   - security.protocol SASL_*: sasl.mechanism one kwire speaks (not GSSAPI), with its
 *     credentials (sasl.username/password or sasl.jaas.config) or one OAUTHBEARER token
 *     source (client/conn/sasl_conf.h).
 *
 * Secrets (sasl.password, ssl.key.password, sasl.jaas.config) print as "<redacted, N
 * chars>" (kw_config_format, kw_config_dump).
 */
#include "client/core/config.h"
#include "client/conn/sasl_conf.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client/consume/assignor.h"
#include "codec/grow.h"

static const kw_conf_desc DESC[KW_CONF__COUNT] = {
#define KW__CONF_DESC(id, nm, ty, df, lo, hi, vals, ro, dc) {nm, ty, df, lo, hi, vals, ro, dc},
    KW_CONF_MAP(KW__CONF_DESC)
#undef KW__CONF_DESC
};

/* Names Kafka or librdkafka users type that mean one of ours. */
static const struct { const char *alias; kw_conf_id id; } ALIASES[] = {
    {"partitioner.class", KW_CONF_PARTITIONER},
    {"socket.send.buffer.bytes", KW_CONF_SEND_BUFFER_BYTES},
    {"socket.receive.buffer.bytes", KW_CONF_RECEIVE_BUFFER_BYTES},
    {"max.in.flight", KW_CONF_MAX_IN_FLIGHT},
    {"sasl.mechanisms", KW_CONF_SASL_MECHANISM},              /* librdkafka */
    {"ssl.truststore.location", KW_CONF_SSL_CA_LOCATION},     /* Java, with ssl.truststore.type=PEM */
    {"ssl.keystore.location", KW_CONF_SSL_CERTIFICATE_LOCATION}, /* Java PEM keystore: certificate and key */
};

/* Kafka partitioner class names -> kwire partitioner values. */
static const struct { const char *cls; const char *val; } PARTITIONER_CLASSES[] = {
    {"org.apache.kafka.clients.producer.internals.DefaultPartitioner", "default"},
    {"org.apache.kafka.clients.producer.RoundRobinPartitioner", "round_robin"},
    {"org.apache.kafka.clients.producer.UniformStickyPartitioner", "sticky"},
};

typedef struct kw_conf_val {
    int64_t i;  /* INT, LONG, DURATION, BOOL, ENUM index */
    char *s;    /* STRING, LIST (owned); NULL = unset */
    int is_set; /* given explicitly */
} kw_conf_val;

struct kw_config {
    int role;
    kw_conf_val v[KW_CONF__COUNT];
    char err[512];
};

static int fail(kw_config *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return KW_ERR_CONFIG;
}

/* "0..2147483647", "-1..9", "1.. (no upper bound)" */
static void range_text(const kw_conf_desc *d, char *buf, size_t len)
{
    if (d->type == KW_CT_ENUM) {
        size_t o = 0;
        for (const char *p = d->values; *p && o + 3 < len; p++) {
            if (*p == '|') { buf[o++] = ','; buf[o++] = ' '; } else buf[o++] = *p;
        }
        buf[o] = 0;
    } else if (d->type == KW_CT_BOOL) {
        snprintf(buf, len, "true, false");
    } else if (d->max == KW__I64MAX) {
        snprintf(buf, len, "%" PRId64 "..", d->min);
    } else {
        snprintf(buf, len, "%" PRId64 "..%" PRId64, d->min, d->max);
    }
}

/* Enum value index in "a|b|c" (exact, case-insensitive), or -1. */
static int enum_index(const char *values, const char *s)
{
    int idx = 0;
    size_t n = strlen(s);
    for (const char *p = values;; idx++) {
        const char *e = strchr(p, '|');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncasecmp(p, s, n) == 0) return idx;
        if (!e) return -1;
        p = e + 1;
    }
}

static size_t enum_text(const char *values, int idx, const char **out)
{
    const char *p = values;
    for (int i = 0; i < idx; i++) p = strchr(p, '|') + 1;
    const char *e = strchr(p, '|');
    *out = p;
    return e ? (size_t)(e - p) : strlen(p);
}

/* Decimal integer with optional sign; whole string; no overflow. */
static int parse_i64(const char *s, int64_t *out)
{
    if (!*s || isspace((unsigned char)*s)) return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end) return -1;
    if (errno == ERANGE) return -2;
    if (errno) return -1;
    *out = v;
    return 0;
}

static int parse_duration(const char *s, int64_t *out)
{
    if (!*s || isspace((unsigned char)*s)) return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s) return -1;
    if (errno == ERANGE) return -2;
    if (errno) return -1;
    int64_t mul;
    if (!*end || !strcmp(end, "ms")) mul = 1;
    else if (!strcmp(end, "s")) mul = 1000;
    else if (!strcmp(end, "m")) mul = 60000;
    else if (!strcmp(end, "h")) mul = 3600000;
    else return -1;
    if (v > 0 && v > INT64_MAX / mul) return -2;
    if (v < 0 && v < INT64_MIN / mul) return -2;
    *out = (int64_t)v * mul;
    return 0;
}

static int parse_bool(const char *s)
{
    static const char *t[] = {"true", "1", "yes", "on"}, *f[] = {"false", "0", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, t[i])) return 1;
        if (!strcasecmp(s, f[i])) return 0;
    }
    return -1;
}

/* Parse value for setting id into *v (v->s is freshly allocated when a string). */
static int parse_value(kw_config *c, kw_conf_id id, const char *value, kw_conf_val *v)
{
    const kw_conf_desc *d = &DESC[id];
    char acc[160];
    range_text(d, acc, sizeof acc);
    switch (d->type) {
    case KW_CT_INT:
    case KW_CT_LONG:
    case KW_CT_DURATION: {
        int64_t x;
        int r = d->type == KW_CT_DURATION ? parse_duration(value, &x) : parse_i64(value, &x);
        if (r == -2)
            return fail(c, "%s: '%s' is out of range (accepts %s)", d->name, value, acc);
        if (r)
            return fail(c, "%s: '%s' is not an integer (accepts %s)%s", d->name, value, acc,
                        d->type == KW_CT_DURATION ? "; durations are in ms, or end in ms, s, m or h" : "");
        int bad = x < d->min || x > d->max;
        /* compression.gzip.level: 1..9 or -1, so 0 is out */
        if (id == KW_CONF_COMPRESSION_GZIP_LEVEL && x == 0) bad = 1;
        if (bad) {
            if (id == KW_CONF_COMPRESSION_GZIP_LEVEL)
                return fail(c, "%s: %" PRId64 " is out of range (accepts 1..9 or -1)", d->name, x);
            return fail(c, "%s: %" PRId64 " is out of range (accepts %s)", d->name, x, acc);
        }
        v->i = x;
        v->s = NULL;
        return 0;
    }
    case KW_CT_BOOL: {
        int b = parse_bool(value);
        if (b < 0) return fail(c, "%s: '%s' is not a boolean (accepts true, false)", d->name, value);
        v->i = b;
        v->s = NULL;
        return 0;
    }
    case KW_CT_ENUM: {
        int ix = enum_index(d->values, value);
        if (ix < 0) return fail(c, "%s: '%s' is not one of %s", d->name, value, acc);
        const char *p;
        size_t n = enum_text(d->values, ix, &p);
        v->s = strndup(p, n); /* canonical spelling, for kw_config_str */
        if (!v->s) return fail(c, "%s: out of memory", d->name);
        v->i = ix;
        return 0;
    }
    case KW_CT_STRING:
    case KW_CT_LIST:
        /* the request header carries client.id as an int16-length string */
        if (id == KW_CONF_CLIENT_ID && strlen(value) > 32767)
            return fail(c, "%s: %zu bytes; the request header holds at most 32767", d->name, strlen(value));
        if (id == KW_CONF_BOOTSTRAP_SERVERS) {
            /* each entry host:port with a port 1..65535 ([v6]:port for IPv6) */
            const char *p = value;
            while (*p) {
                const char *e = strchr(p, ',');
                size_t l = e ? (size_t)(e - p) : strlen(p);
                while (l && isspace((unsigned char)*p)) { p++; l--; }
                while (l && isspace((unsigned char)p[l - 1])) l--;
                const char *colon = NULL;
                for (size_t k = 0; k < l; k++) if (p[k] == ':') colon = p + k;
                int ok = colon && colon > p && colon < p + l - 1;
                if (ok) {
                    long port = 0;
                    for (const char *q = colon + 1; q < p + l; q++) {
                        if (!isdigit((unsigned char)*q) || port > 65535) { ok = 0; break; }
                        port = port * 10 + (*q - '0');
                    }
                    if (port < 1 || port > 65535) ok = 0;
                }
                if (!ok)
                    return fail(c, "%s: '%.*s' is not host:port (accepts host1:port1,host2:port2,...)",
                                d->name, (int)l, p);
                if (!e) break;
                p = e + 1;
            }
        }
        v->s = strdup(value);
        if (!v->s) return fail(c, "%s: out of memory", d->name);
        v->i = 0;
        return 0;
    }
    return fail(c, "%s: unknown type", d->name);
}

static void set_default(kw_config *c, kw_conf_id id)
{
    const kw_conf_desc *d = &DESC[id];
    kw_conf_val *v = &c->v[id];
    free(v->s);
    memset(v, 0, sizeof *v);
    const char *def = d->def;
    if (id == KW_CONF_RECEIVE_BUFFER_BYTES && c->role == KW_ROLE_CONSUMER) def = "65536";
    if (!def) return;
    int r = parse_value(c, id, def, v);
    (void)r; /* defaults are valid: tests/test_config.c checks every one */
}

kw_config *kw_config_new(int role)
{
    kw_config *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->role = role & KW_ROLE_ANY ? role & KW_ROLE_ANY : KW_ROLE_ANY;
    for (int i = 0; i < KW_CONF__COUNT; i++) {
        set_default(c, (kw_conf_id)i);
        int texty = DESC[i].type == KW_CT_STRING || DESC[i].type == KW_CT_LIST || DESC[i].type == KW_CT_ENUM;
        if (texty && DESC[i].def && !c->v[i].s) {
            kw_config_free(c);
            return NULL;
        }
    }
    c->err[0] = 0;
    return c;
}

void kw_config_free(kw_config *c)
{
    if (!c) return;
    for (int i = 0; i < KW_CONF__COUNT; i++) free(c->v[i].s);
    free(c);
}

kw_config *kw_config_dup(const kw_config *c)
{
    kw_config *n = malloc(sizeof *n);
    if (!n) return NULL;
    memcpy(n, c, sizeof *n);
    for (int i = 0; i < KW_CONF__COUNT; i++) {
        if (c->v[i].s) {
            n->v[i].s = strdup(c->v[i].s);
            if (!n->v[i].s) {
                for (int j = 0; j < i; j++) free(n->v[j].s);
                free(n);
                return NULL;
            }
        }
    }
    return n;
}

int kw_config_lookup(const char *name)
{
    for (int i = 0; i < KW_CONF__COUNT; i++)
        if (!strcmp(DESC[i].name, name)) return i;
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
        if (!strcmp(ALIASES[i].alias, name)) return (int)ALIASES[i].id;
    return KW_ERR_NOT_FOUND;
}

const kw_conf_desc *kw_config_desc(kw_conf_id id)
{
    return (unsigned)id < KW_CONF__COUNT ? &DESC[id] : NULL;
}

/* Levenshtein distance, capped at 64-char names (longer ones compare their prefixes). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64) la = 64;
    if (lb > 64) lb = 64;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *kw_config_suggest(const char *name)
{
    const char *best = NULL;
    size_t bd = (size_t)-1;
    for (int i = 0; i < KW_CONF__COUNT; i++) {
        size_t dd = edit_distance(name, DESC[i].name);
        if (dd < bd) { bd = dd; best = DESC[i].name; }
    }
    size_t n = strlen(name), limit = n / 3 > 3 ? n / 3 : 3;
    return bd <= limit ? best : NULL;
}

int kw_config_set(kw_config *c, const char *name, const char *value)
{
    if (!c || !name || !value) return KW_ERR_INVALID_ARG;
    if (!strcmp(name, "sasl.oauthbearer.token.endpoint.url")) {
        /* Java's setting; kwire reads a token from a file:// URL, fetches none over HTTP */
        if (strncmp(value, "file://", 7))
            return fail(c, "%s: kwire reads tokens from a file:// URL only (or "
                           "kwire.sasl.oauthbearer.token.command); '%s' is not one", name, value);
        name = "kwire.sasl.oauthbearer.token.file";
        value += 7;
    }
    if (!strcmp(name, "ssl.truststore.type") || !strcmp(name, "ssl.keystore.type")) {
        /* Java's store types: kwire reads PEM, so PEM is the one value that means something */
        if (strcasecmp(value, "PEM"))
            return fail(c, "%s: kwire reads PEM files only, not '%s' (convert the store to PEM with keytool and "
                           "openssl)", name, value);
        return 0;
    }
    int id = kw_config_lookup(name);
    if (id < 0) {
        const char *s = kw_config_suggest(name);
        if (s) return fail(c, "%s: unknown setting (did you mean %s?)", name, s);
        return fail(c, "%s: unknown setting", name);
    }
    if (id == KW_CONF_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM && !*value) value = "none"; /* Java: empty = off */
    if (id == KW_CONF_PARTITIONER) {
        for (size_t i = 0; i < sizeof PARTITIONER_CLASSES / sizeof PARTITIONER_CLASSES[0]; i++)
            if (!strcmp(value, PARTITIONER_CLASSES[i].cls)) value = PARTITIONER_CLASSES[i].val;
    }
    kw_conf_val v = {0};
    int r = parse_value(c, (kw_conf_id)id, value, &v);
    if (r) return r;
    free(c->v[id].s);
    c->v[id] = v;
    c->v[id].is_set = 1;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

/* Split a line at the first '=' (or ':' when there is no '='). */
static int set_line(kw_config *c, char *line)
{
    char *eq = strchr(line, '=');
    if (!eq) eq = strchr(line, ':');
    if (!eq) return fail(c, "'%s' is not name=value", line);
    *eq = 0;
    char *name = trim(line), *val = trim(eq + 1);
    if (!*name) return fail(c, "'=%s' has no setting name", val);
    return kw_config_set(c, name, val);
}

int kw_config_set_kv(kw_config *c, const char *kv)
{
    if (!c || !kv) return KW_ERR_INVALID_ARG;
    char *dup = strdup(kv);
    if (!dup) return fail(c, "out of memory");
    int r = set_line(c, dup);
    free(dup);
    return r;
}

int kw_config_load_text(kw_config *c, const char *text, size_t len, const char *origin)
{
    if (!c || (!text && len)) return KW_ERR_INVALID_ARG;
    size_t off = 0;
    int lineno = 0;
    while (off < len) {
        size_t e = off;
        while (e < len && text[e] != '\n') e++;
        lineno++;
        char *line = malloc(e - off + 1);
        if (!line) return fail(c, "out of memory");
        memcpy(line, text + off, e - off);
        line[e - off] = 0;
        if (memchr(line, 0, e - off)) {
            free(line);
            return fail(c, "%s:%d: NUL byte in line", origin ? origin : "<text>", lineno);
        }
        char *t = trim(line);
        int r = 0;
        if (*t && *t != '#' && *t != '!') r = set_line(c, t);
        free(line);
        if (r) {
            char msg[sizeof c->err];
            snprintf(msg, sizeof msg, "%s", c->err);
            return fail(c, "%s:%d: %s", origin ? origin : "<text>", lineno, msg);
        }
        off = e + 1;
    }
    return 0;
}

int kw_config_load_file(kw_config *c, const char *path)
{
    if (!c || !path) return KW_ERR_INVALID_ARG;
    FILE *f = fopen(path, "rb");
    if (!f) return fail(c, "%s: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap) break;
        if (cap >= (1u << 24)) { free(buf); fclose(f); return fail(c, "%s: larger than 16 MiB", path); }
        char *nb = kw__grow_sz(buf, 1, cap + 1, &cap, 4096);
        if (!nb) { free(buf); buf = NULL; break; }
        buf = nb;
    }
    int rerr = ferror(f);
    fclose(f);
    if (!buf) return fail(c, "%s: out of memory", path);
    if (rerr) { free(buf); return fail(c, "%s: read error", path); }
    int r = kw_config_load_text(c, buf, len, path);
    free(buf);
    return r;
}

int kw_config_validate(kw_config *c)
{
    if (!c) return KW_ERR_INVALID_ARG;
    kw_conf_val *v = c->v;
    if (c->role & KW_ROLE_PRODUCER) {
        int acks = kw_config_acks(c);
        int64_t inflight = v[KW_CONF_MAX_IN_FLIGHT].i, retries = v[KW_CONF_RETRIES].i;
        if (v[KW_CONF_ENABLE_IDEMPOTENCE].i) {
            int explicit_ = v[KW_CONF_ENABLE_IDEMPOTENCE].is_set;
            const char *why = NULL;
            char wbuf[160];
            if (acks != -1) {
                snprintf(wbuf, sizeof wbuf, "acks=all (acks is %s)", acks == 0 ? "0" : "1");
                why = wbuf;
            } else if (inflight > 5) {
                snprintf(wbuf, sizeof wbuf, "max.in.flight.requests.per.connection <= 5 (it is %" PRId64 ")",
                         inflight);
                why = wbuf;
            } else if (retries == 0) {
                why = "retries > 0 (retries is 0)";
            }
            if (why) {
                if (explicit_) return fail(c, "enable.idempotence: true requires %s", why);
                v[KW_CONF_ENABLE_IDEMPOTENCE].i = 0;
            }
        }
        int64_t need = v[KW_CONF_LINGER_MS].i + v[KW_CONF_REQUEST_TIMEOUT_MS].i;
        if (v[KW_CONF_DELIVERY_TIMEOUT_MS].i < need) {
            if (v[KW_CONF_DELIVERY_TIMEOUT_MS].is_set)
                return fail(c,
                            "delivery.timeout.ms: %" PRId64 " must be >= linger.ms + request.timeout.ms (%" PRId64
                            " + %" PRId64 " = %" PRId64 ")",
                            v[KW_CONF_DELIVERY_TIMEOUT_MS].i, v[KW_CONF_LINGER_MS].i,
                            v[KW_CONF_REQUEST_TIMEOUT_MS].i, need);
            v[KW_CONF_DELIVERY_TIMEOUT_MS].i = need > KW__I32MAX ? KW__I32MAX : need;
        }
    }
    if (c->role & KW_ROLE_CONSUMER) {
        int has_group = v[KW_CONF_GROUP_ID].s != NULL;
        if (!has_group && v[KW_CONF_ENABLE_AUTO_COMMIT].i) {
            if (v[KW_CONF_ENABLE_AUTO_COMMIT].is_set)
                return fail(c, "enable.auto.commit: true requires group.id to be set");
            v[KW_CONF_ENABLE_AUTO_COMMIT].i = 0;
        }
        const char *pas = v[KW_CONF_PARTITION_ASSIGNMENT_STRATEGY].s;
        int nas = 0;
        for (const char *q = pas; q && *q;) {
            size_t n = strcspn(q, ",");
            char name[96];
            size_t k = 0;
            for (size_t j = 0; j < n; j++)
                if (q[j] != ' ' && k + 1 < sizeof name) name[k++] = q[j];
            name[k] = 0;
            if (k) {
                if (kw_assignor_parse(name) < 0)
                    return fail(c, "partition.assignment.strategy: unknown assignor '%s' (range, roundrobin, "
                                   "cooperative-sticky)", name);
                nas++;
            }
            q += n;
            if (*q) q++;
        }
        if (!nas) return fail(c, "partition.assignment.strategy: no assignor named");
        if (has_group && v[KW_CONF_HEARTBEAT_INTERVAL_MS].i >= v[KW_CONF_SESSION_TIMEOUT_MS].i)
            return fail(c, "heartbeat.interval.ms: %" PRId64 " must be below session.timeout.ms (%" PRId64 ")",
                        v[KW_CONF_HEARTBEAT_INTERVAL_MS].i, v[KW_CONF_SESSION_TIMEOUT_MS].i);
    }
    if (v[KW_CONF_SOCKET_SETUP_TIMEOUT_MAX_MS].i < v[KW_CONF_SOCKET_SETUP_TIMEOUT_MS].i)
        v[KW_CONF_SOCKET_SETUP_TIMEOUT_MAX_MS].i = v[KW_CONF_SOCKET_SETUP_TIMEOUT_MS].i;
    /* SASL: a mechanism kwire speaks, its credentials or token source (client/sasl_conf) */
    kw_sasl_setup ss;
    int on;
    char serr[sizeof c->err];
    if (kw_sasl_setup_init(&ss, c, &on, serr, sizeof serr)) return fail(c, "%s", serr);
    if (on) kw_sasl_setup_free(&ss);
    c->err[0] = 0;
    return 0;
}

const char *kw_config_error(const kw_config *c) { return c ? c->err : ""; }

int64_t kw_config_int(const kw_config *c, kw_conf_id id)
{
    if ((unsigned)id >= KW_CONF__COUNT) return 0;
    kw_conf_type t = DESC[id].type;
    return t == KW_CT_INT || t == KW_CT_LONG || t == KW_CT_DURATION ? c->v[id].i : 0;
}

int kw_config_bool(const kw_config *c, kw_conf_id id)
{
    return (unsigned)id < KW_CONF__COUNT && DESC[id].type == KW_CT_BOOL ? (int)c->v[id].i : 0;
}

int kw_config_enum(const kw_config *c, kw_conf_id id)
{
    return (unsigned)id < KW_CONF__COUNT && DESC[id].type == KW_CT_ENUM ? (int)c->v[id].i : 0;
}

const char *kw_config_str(const kw_config *c, kw_conf_id id)
{
    if ((unsigned)id >= KW_CONF__COUNT) return NULL;
    return c->v[id].s; /* NULL for numbers and booleans, and for an unset string */
}

int kw_config_secret(kw_conf_id id)
{
    return id == KW_CONF_SASL_PASSWORD || id == KW_CONF_SSL_KEY_PASSWORD || id == KW_CONF_SASL_JAAS_CONFIG;
}

int kw_config_is_set(const kw_config *c, kw_conf_id id)
{
    return (unsigned)id < KW_CONF__COUNT ? c->v[id].is_set : 0;
}

int kw_config_acks(const kw_config *c)
{
    static const int wire[] = {-1, -1, 0, 1}; /* all|-1|0|1 */
    return wire[c->v[KW_CONF_ACKS].i & 3];
}

const char *kw_config_format(const kw_config *c, kw_conf_id id, char *buf, size_t len)
{
    if (!len) return buf;
    buf[0] = 0;
    if ((unsigned)id >= KW_CONF__COUNT) return buf;
    const kw_conf_val *v = &c->v[id];
    switch (DESC[id].type) {
    case KW_CT_INT:
    case KW_CT_LONG:
    case KW_CT_DURATION: snprintf(buf, len, "%" PRId64, v->i); break;
    case KW_CT_BOOL: snprintf(buf, len, "%s", v->i ? "true" : "false"); break;
    case KW_CT_ENUM: {
        const char *p;
        size_t n = enum_text(DESC[id].values, (int)v->i, &p);
        snprintf(buf, len, "%.*s", (int)n, p);
        break;
    }
    case KW_CT_STRING:
    case KW_CT_LIST:
        if (v->s && kw_config_secret(id)) snprintf(buf, len, "<redacted, %zu chars>", strlen(v->s));
        else snprintf(buf, len, "%s", v->s ? v->s : "<unset>");
        break;
    }
    return buf;
}

void kw_config_dump(const kw_config *c, FILE *out, int role)
{
    char buf[256];
    for (int i = 0; i < KW_CONF__COUNT; i++) {
        if (!(DESC[i].roles & role)) continue;
        fprintf(out, "%s = %s  # %s\n", DESC[i].name, kw_config_format(c, (kw_conf_id)i, buf, sizeof buf),
                DESC[i].doc);
    }
}
