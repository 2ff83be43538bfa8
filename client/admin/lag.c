/*
 * client/admin/lag.c — the cluster snapshot (builder, lookups), consumer-group lag with its
 * sums, the `kafka-consumer-groups.sh --describe` table, JSON, and the lag watch step.
 * Pure: no sockets, no clock (callers pass the time in).
 */
#include "client/admin/lag.h"
#include "codec/grow.h"
#include "codec/text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- small helpers ---- */

int kw__lag_printf(kw_buf *out, const char *fmt, ...)
{
    if (out->err) return out->err;
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) { out->err = KW_ERR_INVALID_ARG; return out->err; }
    if ((size_t)n < sizeof tmp) { kw_buf_put(out, tmp, (size_t)n); return out->err; }
    if (kw_buf_reserve(out, (size_t)n + 1)) return out->err;
    va_start(ap, fmt);
    vsnprintf((char *)out->data + out->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out->len += (size_t)n;
    return out->err;
}

void kw__lag_json_str(kw_buf *out, const char *s)
{
    kw_json_put_cstr(out, s);
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* ---- snapshot ---- */

void kw_snap_init(kw_snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->brokers = -1;
}

void kw_snap_free(kw_snapshot *s)
{
    for (size_t i = 0; i < s->ntopics; i++) {
        free(s->topics[i].name);
        free(s->topics[i].parts);
    }
    free(s->topics);
    for (size_t i = 0; i < s->ngroups; i++) {
        kw_snap_group *g = &s->groups[i];
        free(g->name);
        free(g->state);
        free(g->type);
        for (size_t j = 0; j < g->ncommits; j++) {
            free(g->commits[j].topic);
            free(g->commits[j].owner);
            free(g->commits[j].owner_client);
            free(g->commits[j].owner_host);
        }
        free(g->commits);
    }
    free(s->groups);
    kw_snap_init(s);
}

void kw_snap_swap(kw_snapshot *a, kw_snapshot *b)
{
    kw_snapshot t = *a;
    *a = *b;
    *b = t;
}

static kw_snap_topic *find_topic(const kw_snapshot *s, const char *topic)
{
    for (size_t i = 0; i < s->ntopics; i++)
        if (strcmp(s->topics[i].name, topic) == 0) return &s->topics[i];
    return NULL;
}

const kw_snap_topic *kw_snap_find_topic(const kw_snapshot *s, const char *topic)
{
    return topic ? find_topic(s, topic) : NULL;
}

static kw_snap_topic *add_topic(kw_snapshot *s, const char *topic)
{
    kw_snap_topic *t = find_topic(s, topic);
    if (t) return t;
    kw_snap_topic *v = kw__grow_sz(s->topics, sizeof *v, s->ntopics + 1, &s->cap_topics, 8);
    if (!v) return NULL;
    s->topics = v;
    t = &s->topics[s->ntopics];
    memset(t, 0, sizeof *t);
    if (!(t->name = dupstr(topic))) return NULL;
    s->ntopics++;
    return t;
}

int kw_snap_add_topic(kw_snapshot *s, const char *topic)
{
    if (!topic || !*topic) return KW_ERR_INVALID_ARG;
    return add_topic(s, topic) ? 0 : KW_ERR_NOMEM;
}

/* Index of the first part with id >= want (parts sorted by id). */
static size_t part_lower_bound(const kw_snap_topic *t, int32_t want)
{
    size_t lo = 0, hi = t->nparts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->parts[mid].id < want) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int kw_snap_set_partition(kw_snapshot *s, const char *topic, int32_t partition,
                          int64_t oldest, int64_t newest, int64_t lso)
{
    if (!topic || !*topic || partition < 0) return KW_ERR_INVALID_ARG;
    kw_snap_topic *t = add_topic(s, topic);
    if (!t) return KW_ERR_NOMEM;
    size_t i = part_lower_bound(t, partition);
    if (i == t->nparts || t->parts[i].id != partition) {
        kw_snap_part *v = kw__grow_sz(t->parts, sizeof *v, t->nparts + 1, &t->cap, 8);
        if (!v) return KW_ERR_NOMEM;
        t->parts = v;
        memmove(&t->parts[i + 1], &t->parts[i], (t->nparts - i) * sizeof *t->parts);
        t->nparts++;
    }
    t->parts[i] = (kw_snap_part){partition, oldest, newest, lso};
    return 0;
}

const kw_snap_part *kw_snap_find_part(const kw_snapshot *s, const char *topic, int32_t partition)
{
    const kw_snap_topic *t = kw_snap_find_topic(s, topic);
    if (!t) return NULL;
    size_t i = part_lower_bound(t, partition);
    return i < t->nparts && t->parts[i].id == partition ? &t->parts[i] : NULL;
}

static kw_snap_group *find_group(const kw_snapshot *s, const char *group)
{
    for (size_t i = 0; i < s->ngroups; i++)
        if (strcmp(s->groups[i].name, group) == 0) return &s->groups[i];
    return NULL;
}

const kw_snap_group *kw_snap_find_group(const kw_snapshot *s, const char *group)
{
    return group ? find_group(s, group) : NULL;
}

static kw_snap_group *add_group(kw_snapshot *s, const char *group)
{
    kw_snap_group *g = find_group(s, group);
    if (g) return g;
    kw_snap_group *v = kw__grow_sz(s->groups, sizeof *v, s->ngroups + 1, &s->cap_groups, 8);
    if (!v) return NULL;
    s->groups = v;
    g = &s->groups[s->ngroups];
    memset(g, 0, sizeof *g);
    g->members = -1;
    if (!(g->name = dupstr(group))) return NULL;
    s->ngroups++;
    return g;
}

int kw_snap_add_group(kw_snapshot *s, const char *group, const char *state)
{
    if (!group) return KW_ERR_INVALID_ARG; /* "" is a valid (legacy) group id */
    kw_snap_group *g = add_group(s, group);
    if (!g) return KW_ERR_NOMEM;
    if (state) {
        char *st = dupstr(state);
        if (!st) return KW_ERR_NOMEM;
        free(g->state);
        g->state = st;
    }
    return 0;
}

int kw_snap_set_commit(kw_snapshot *s, const char *group, const char *topic,
                       int32_t partition, int64_t offset)
{
    if (!group || !topic || !*topic || partition < 0) return KW_ERR_INVALID_ARG;
    kw_snap_group *g = add_group(s, group);
    if (!g) return KW_ERR_NOMEM;
    if (offset < 0) offset = KW_OFFSET_NONE;
    for (size_t i = 0; i < g->ncommits; i++) {
        if (g->commits[i].partition == partition && strcmp(g->commits[i].topic, topic) == 0) {
            g->commits[i].offset = offset;
            return 0;
        }
    }
    kw_snap_commit *v = kw__grow_sz(g->commits, sizeof *v, g->ncommits + 1, &g->cap, 8);
    if (!v) return KW_ERR_NOMEM;
    g->commits = v;
    char *t = dupstr(topic);
    if (!t) return KW_ERR_NOMEM;
    g->commits[g->ncommits++] = (kw_snap_commit){t, partition, offset, -1, NULL, NULL, NULL};
    return 0;
}

static kw_snap_commit *find_commit(const kw_snapshot *s, const char *group, const char *topic, int32_t partition)
{
    kw_snap_group *g = group ? find_group(s, group) : NULL;
    for (size_t i = 0; g && topic && i < g->ncommits; i++)
        if (g->commits[i].partition == partition && strcmp(g->commits[i].topic, topic) == 0) return &g->commits[i];
    return NULL;
}

int kw_snap_set_commit_time(kw_snapshot *s, const char *group, const char *topic, int32_t partition, int64_t ts)
{
    kw_snap_commit *c = find_commit(s, group, topic, partition);
    if (!c) return KW_ERR_NOT_FOUND;
    c->ts = ts;
    return 0;
}

static int set_dup(char **dst, const char *v)
{
    char *d = NULL;
    if (v && !(d = dupstr(v))) return KW_ERR_NOMEM;
    free(*dst);
    *dst = d;
    return 0;
}

int kw_snap_set_owner(kw_snapshot *s, const char *group, const char *topic, int32_t partition, const char *member,
                      const char *client, const char *host)
{
    if (!find_commit(s, group, topic, partition)) {
        int e = kw_snap_set_commit(s, group, topic, partition, KW_OFFSET_NONE);
        if (e) return e;
    }
    kw_snap_commit *c = find_commit(s, group, topic, partition);
    if (set_dup(&c->owner, member) || set_dup(&c->owner_client, client) || set_dup(&c->owner_host, host))
        return KW_ERR_NOMEM;
    return 0;
}

int kw_snap_set_group_info(kw_snapshot *s, const char *group, const char *type, int32_t members)
{
    if (!group) return KW_ERR_INVALID_ARG;
    kw_snap_group *g = add_group(s, group);
    if (!g) return KW_ERR_NOMEM;
    if (type && set_dup(&g->type, type)) return KW_ERR_NOMEM;
    if (members >= 0) g->members = members;
    return 0;
}

/* ---- lag ---- */

static int row_cmp(const void *a, const void *b)
{
    const kw_lag_row *x = a, *y = b;
    int c = strcmp(x->group, y->group);
    if (c) return c;
    if ((c = strcmp(x->topic, y->topic))) return c;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* a + b for a, b >= 0, saturating at INT64_MAX (offsets come from the network). */
static int64_t sat_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* The lag of one partition from its committed and log-end offsets. */
static void row_lag(kw_lag_row *r)
{
    r->lag = -1;
    r->flags = 0;
    if (r->committed < 0) r->flags |= KW_LAG_NO_COMMIT;
    if (r->log_end < 0) r->flags |= KW_LAG_NO_LOG_END;
    if (r->flags) return;
    if (r->log_end < r->committed) {
        r->lag = 0;
        r->flags |= KW_LAG_CLAMPED;
    } else {
        r->lag = r->log_end - r->committed;
    }
}

int kw_lag_compute(const kw_snapshot *s, kw_lag_filter_fn filter, void *ud, kw_lag_report *out)
{
    memset(out, 0, sizeof *out);
    size_t nrows = 0, ngroups = 0;
    for (size_t i = 0; i < s->ngroups; i++) {
        if (filter && !filter(ud, s->groups[i].name)) continue;
        ngroups++;
        nrows += s->groups[i].ncommits;
    }
    out->rows = calloc(nrows ? nrows : 1, sizeof *out->rows);
    out->topics = calloc(nrows ? nrows : 1, sizeof *out->topics);
    out->groups = calloc(ngroups ? ngroups : 1, sizeof *out->groups);
    const char **gnames = calloc(ngroups ? ngroups : 1, sizeof *gnames);
    if (!out->rows || !out->topics || !out->groups || !gnames) {
        free(gnames);
        kw_lag_report_free(out);
        return KW_ERR_NOMEM;
    }

    size_t gi = 0;
    for (size_t i = 0; i < s->ngroups; i++) {
        const kw_snap_group *g = &s->groups[i];
        if (filter && !filter(ud, g->name)) continue;
        gnames[gi++] = g->name;
        for (size_t j = 0; j < g->ncommits; j++) {
            kw_lag_row *r = &out->rows[out->nrows++];
            const kw_snap_commit *c = &g->commits[j];
            const kw_snap_part *p = kw_snap_find_part(s, c->topic, c->partition);
            r->group = g->name;
            r->topic = c->topic;
            r->partition = c->partition;
            r->committed = c->offset;
            r->log_end = !p ? -1 : s->read_committed ? p->lso : p->newest;
            r->owner = c->owner;
            r->owner_client = c->owner_client;
            r->owner_host = c->owner_host;
            row_lag(r);
            /* lag in time: how old the next record the group reads was at the snapshot */
            r->lag_seconds = -1;
            if (r->lag == 0) r->lag_seconds = 0;
            else if (r->lag > 0 && c->ts >= 0 && s->taken_ms > 0)
                r->lag_seconds = s->taken_ms > c->ts ? (double)(s->taken_ms - c->ts) / 1000.0 : 0;
        }
    }
    qsort(out->rows, out->nrows, sizeof *out->rows, row_cmp);
    qsort(gnames, ngroups, sizeof *gnames, name_cmp);
    for (size_t i = 0; i < ngroups; i++) {
        kw_lag_group_sum *gs = &out->groups[out->ngroups++];
        const kw_snap_group *sg = kw_snap_find_group(s, gnames[i]);
        gs->group = gnames[i];
        gs->state = sg->state;
        gs->type = sg->type;
        gs->members = sg->members;
        gs->lag_seconds_max = -1;
    }
    free(gnames);

    /* Rows are sorted, so a topic's rows and a group's rows are contiguous. */
    size_t g = 0;
    for (size_t i = 0; i < out->nrows; i++) {
        const kw_lag_row *r = &out->rows[i];
        kw_lag_topic_sum *ts = out->ntopics ? &out->topics[out->ntopics - 1] : NULL;
        if (!ts || strcmp(ts->group, r->group) != 0 || strcmp(ts->topic, r->topic) != 0) {
            ts = &out->topics[out->ntopics++];
            ts->group = r->group;
            ts->topic = r->topic;
        }
        while (strcmp(out->groups[g].group, r->group) != 0) g++;
        kw_lag_group_sum *gs = &out->groups[g];
        ts->partitions++;
        gs->partitions++;
        if (r->committed >= 0) { ts->committed_sum = sat_add(ts->committed_sum, r->committed); ts->with_commit++; }
        if (r->flags & KW_LAG_NO_COMMIT) out->no_commit++;
        if (r->flags & KW_LAG_NO_LOG_END) out->no_log_end++;
        if (r->flags & KW_LAG_CLAMPED) out->clamped++;
        /* the group's oldest unread record: unknown when any lagging partition's is */
        if (r->lag > 0 && r->lag_seconds < 0) gs->lag_seconds_max = -2;
        else if (gs->lag_seconds_max != -2 && r->lag_seconds > gs->lag_seconds_max) gs->lag_seconds_max = r->lag_seconds;
        if (r->lag >= 0) {
            ts->lag = sat_add(ts->lag, r->lag);
            ts->with_lag++;
            gs->lag = sat_add(gs->lag, r->lag);
            gs->with_lag++;
            out->total = sat_add(out->total, r->lag);
        }
    }
    for (size_t i = 0; i < out->ngroups; i++)
        if (out->groups[i].lag_seconds_max < 0) out->groups[i].lag_seconds_max = -1;
    return 0;
}

size_t kw_lag_group_commits(const kw_lag_report *r, const char *group)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ntopics; i++)
        if (!strcmp(r->topics[i].group, group)) n += r->topics[i].with_commit;
    return n;
}

void kw_lag_report_free(kw_lag_report *r)
{
    free(r->rows);
    free(r->topics);
    free(r->groups);
    memset(r, 0, sizeof *r);
}

/* ---- table and JSON ---- */

static void num_or_dash(char *buf, size_t size, int64_t v)
{
    if (v < 0) snprintf(buf, size, "-");
    else snprintf(buf, size, "%" PRId64, v);
}

static int maxi(int a, int b) { return a > b ? a : b; }

static void secs_or_dash(char *buf, size_t size, double v)
{
    if (v < 0) snprintf(buf, size, "-");
    else snprintf(buf, size, "%.1f", v);
}

int kw_lag_format_table(const kw_lag_report *r, kw_buf *out)
{
    /* Kafka's ConsumerGroupCommand: "%-Gs %-Ts %-10s %-15s %-15s %-15s ..." with G and T
     * at least 15 and as wide as the longest group / topic. The offset columns widen
     * too here (Kafka's do not), so 16+ digit offsets stay aligned. The last column is
     * not padded, so lines carry no trailing blanks. */
    int wg = 15, wt = 15, wp = 10, wc = 15, wl = 15, wlag = 15, ws = 11, wm = 15, wh = 15;
    int owners = 0;
    char c[24], l[24], g[24], sec[32];
    for (size_t i = 0; i < r->nrows; i++) {
        const kw_lag_row *x = &r->rows[i];
        wg = maxi(wg, (int)strlen(x->group));
        wt = maxi(wt, (int)strlen(x->topic));
        num_or_dash(c, sizeof c, x->committed);
        num_or_dash(l, sizeof l, x->log_end);
        num_or_dash(g, sizeof g, x->lag);
        secs_or_dash(sec, sizeof sec, x->lag_seconds);
        wc = maxi(wc, (int)strlen(c));
        wl = maxi(wl, (int)strlen(l));
        wlag = maxi(wlag, (int)strlen(g) + 1);
        ws = maxi(ws, (int)strlen(sec));
        if (x->owner) {
            owners = 1;
            wm = maxi(wm, (int)strlen(x->owner));
            wh = maxi(wh, x->owner_host ? (int)strlen(x->owner_host) : 1);
        }
    }
    kw__lag_printf(out, "%-*s %-*s %-*s %-*s %-*s %-*s %s", wg, "GROUP", wt, "TOPIC", wp, "PARTITION",
                   wc, "CURRENT-OFFSET", wl, "LOG-END-OFFSET", wlag, "LAG", "LAG-SECONDS");
    if (owners) kw__lag_printf(out, "%*s %-*s %-*s %s", ws - 11, "", wm, "CONSUMER-ID", wh, "HOST", "CLIENT-ID");
    kw__lag_printf(out, "\n");
    for (size_t i = 0; i < r->nrows; i++) {
        const kw_lag_row *x = &r->rows[i];
        num_or_dash(c, sizeof c, x->committed);
        num_or_dash(l, sizeof l, x->log_end);
        num_or_dash(g, sizeof g, x->lag);
        if (x->flags & KW_LAG_CLAMPED) strcat(g, "*");
        secs_or_dash(sec, sizeof sec, x->lag_seconds);
        kw__lag_printf(out, "%-*s %-*s %-*" PRId32 " %-*s %-*s %-*s %s", wg, x->group, wt, x->topic,
                       wp, x->partition, wc, c, wl, l, wlag, g, sec);
        if (owners)
            kw__lag_printf(out, "%*s %-*s %-*s %s", ws - (int)strlen(sec), "", wm, x->owner ? x->owner : "-", wh,
                           x->owner_host ? x->owner_host : "-", x->owner_client ? x->owner_client : "-");
        kw__lag_printf(out, "\n");
    }
    if (r->clamped)
        kw__lag_printf(out, "* %zu partition(s) with CURRENT-OFFSET past LOG-END-OFFSET (log truncated, topic "
                            "re-created, or offsets set by hand): their lag counts as 0\n", r->clamped);
    return out->err;
}

static void json_num_or_null(kw_buf *out, int64_t v)
{
    if (v < 0) kw_buf_put(out, "null", 4);
    else kw__lag_printf(out, "%" PRId64, v);
}

static void json_secs_or_null(kw_buf *out, double v)
{
    if (v < 0) kw_buf_put(out, "null", 4);
    else kw__lag_printf(out, "%.3f", v);
}

static void json_str_or_null(kw_buf *out, const char *v)
{
    if (v) kw__lag_json_str(out, v);
    else kw_buf_put(out, "null", 4);
}

int kw_lag_format_json(const kw_lag_report *r, kw_buf *out) { return kw_lag_format_json_ex(r, out, NULL, NULL); }

int kw_lag_format_json_ex(const kw_lag_report *r, kw_buf *out,
                          void (*extra)(void *ud, const char *group, kw_buf *out), void *ud)
{
    kw__lag_printf(out, "{\"groups\":[");
    size_t ri = 0, ti = 0;
    for (size_t gi = 0; gi < r->ngroups; gi++) {
        const kw_lag_group_sum *gs = &r->groups[gi];
        kw__lag_printf(out, "%s{\"group\":", gi ? "," : "");
        kw__lag_json_str(out, gs->group);
        kw__lag_printf(out, ",\"state\":");
        if (gs->state) kw__lag_json_str(out, gs->state);
        else kw_buf_put(out, "null", 4);
        kw__lag_printf(out, ",\"type\":");
        json_str_or_null(out, gs->type);
        kw__lag_printf(out, ",\"member_count\":");
        json_num_or_null(out, gs->members);
        if (extra) extra(ud, gs->group, out);
        kw__lag_printf(out, ",\"lag\":%" PRId64 ",\"lag_seconds_max\":", gs->lag);
        json_secs_or_null(out, gs->lag_seconds_max);
        kw__lag_printf(out, ",\"topics\":[");
        int first_t = 1;
        while (ti < r->ntopics && strcmp(r->topics[ti].group, gs->group) == 0) {
            const kw_lag_topic_sum *ts = &r->topics[ti++];
            kw__lag_printf(out, "%s{\"topic\":", first_t ? "" : ",");
            first_t = 0;
            kw__lag_json_str(out, ts->topic);
            kw__lag_printf(out, ",\"lag\":%" PRId64 ",\"partitions\":[", ts->lag);
            int first_p = 1;
            while (ri < r->nrows && strcmp(r->rows[ri].group, ts->group) == 0 &&
                   strcmp(r->rows[ri].topic, ts->topic) == 0) {
                const kw_lag_row *x = &r->rows[ri++];
                kw__lag_printf(out, "%s{\"partition\":%" PRId32 ",\"current_offset\":",
                            first_p ? "" : ",", x->partition);
                first_p = 0;
                json_num_or_null(out, x->committed);
                kw__lag_printf(out, ",\"log_end_offset\":");
                json_num_or_null(out, x->log_end);
                kw__lag_printf(out, ",\"lag\":");
                json_num_or_null(out, x->lag);
                kw__lag_printf(out, ",\"lag_seconds\":");
                json_secs_or_null(out, x->lag_seconds);
                kw__lag_printf(out, ",\"clamped\":%s", (x->flags & KW_LAG_CLAMPED) ? "true" : "false");
                if (x->flags & KW_LAG_CLAMPED)
                    kw__lag_printf(out, ",\"past_end\":%" PRId64, x->committed - x->log_end);
                if (x->owner) {
                    kw__lag_printf(out, ",\"consumer_id\":");
                    kw__lag_json_str(out, x->owner);
                    kw__lag_printf(out, ",\"host\":");
                    json_str_or_null(out, x->owner_host);
                    kw__lag_printf(out, ",\"client_id\":");
                    json_str_or_null(out, x->owner_client);
                }
                kw__lag_printf(out, "}");
            }
            kw__lag_printf(out, "]}");
        }
        kw__lag_printf(out, "]}");
    }
    kw__lag_printf(out, "],\"total_lag\":%" PRId64 ",\"clamped\":%zu}\n", r->total, r->clamped);
    return out->err;
}

/* ---- watch ---- */

void kw_lag_timestamp(int64_t now_ms, char *buf, size_t size)
{
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) { snprintf(buf, size, "?"); return; }
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void kw_lag_watch_init(kw_lag_watch *w, int64_t threshold, int verbose)
{
    memset(w, 0, sizeof *w);
    w->threshold = threshold;
    w->verbose = verbose;
}

int kw_lag_watch_step(kw_lag_watch *w, const kw_lag_report *r, int64_t now_ms, kw_buf *out)
{
    char ts[32];
    kw_lag_timestamp(now_ms, ts, sizeof ts);
    const char *label = r->ngroups == 1 ? r->groups[0].group : "all-groups";
    kw__lag_printf(out, "%s %s total-lag %" PRId64, ts, label, r->total);
    if (w->have_prev) kw__lag_printf(out, " (%+" PRId64 ")", r->total - w->prev_total); /* both >= 0 */
    kw__lag_printf(out, "\n");
    if (w->verbose) {
        for (size_t i = 0; i < r->nrows; i++) {
            const kw_lag_row *x = &r->rows[i];
            char g[24];
            num_or_dash(g, sizeof g, x->lag);
            kw__lag_printf(out, "%s   %s%s%s %" PRId32 " lag %s%s\n", ts,
                        r->ngroups == 1 ? "" : x->group, r->ngroups == 1 ? "" : " ", x->topic,
                        x->partition, g, (x->flags & KW_LAG_CLAMPED) ? " (clamped)" : "");
        }
    }
    int over = w->threshold >= 0 && r->total >= w->threshold;
    if (over)
        kw__lag_printf(out, "%s WARNING %s total-lag %" PRId64 " >= threshold %" PRId64 "\n", ts, label,
                    r->total, w->threshold);
    w->have_prev = 1;
    w->prev_total = r->total;
    if (out->err) return out->err;
    return over ? KW_LAG_EXIT_OVER : 0;
}
