/*
 * client/consume/assignor.c — range, roundrobin and cooperative-sticky assignment (see
 * assignor.h). Every partition of the subscribed topics gets an index in one array
 * sorted by topic name then partition; the assignors fill owner[] over it and the
 * result is read off in that order.
 */
#include "client/consume/assignor.h"

#include <stdlib.h>
#include <string.h>

#include "kwire.h"

int kw_assignor_parse(const char *name)
{
    if (!name) return -1;
    if (!strcmp(name, "range") || !strcmp(name, "org.apache.kafka.clients.consumer.RangeAssignor"))
        return KW_ASG_RANGE;
    if (!strcmp(name, "roundrobin") || !strcmp(name, "org.apache.kafka.clients.consumer.RoundRobinAssignor"))
        return KW_ASG_ROUNDROBIN;
    if (!strcmp(name, "cooperative-sticky") ||
        !strcmp(name, "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"))
        return KW_ASG_COOP_STICKY;
    return -1;
}

const char *kw_assignor_name(int a)
{
    return a == KW_ASG_RANGE ? "range" : a == KW_ASG_ROUNDROBIN ? "roundrobin"
                                     : a == KW_ASG_COOP_STICKY ? "cooperative-sticky"
                                                               : "?";
}

int kw_assignor_cooperative(int a) { return a == KW_ASG_COOP_STICKY; }

typedef struct ctx {
    const kw_asg_member *m;
    int n;
    const kw_asg_topic *t;
    int nt;
    int *tord;      /* topic indexes sorted by name (only topics someone subscribes to) */
    int ntord;
    int *toff;      /* per topic index: its first partition's index, -1 not subscribed */
    int32_t *ptopic; int32_t *ppart; int np; /* partitions: topic index and id */
    int *ord;       /* member indexes in assignor order */
    unsigned char *sub; /* sub[mi * nt + ti]: member mi subscribes to topic ti */
    int *owner;     /* per partition: member index or -1 */
    int *count;     /* per member */
} ctx;

static int cmp_topic(const ctx *c, int a, int b) { return strcmp(c->t[a].name, c->t[b].name); }

static int cmp_member(const ctx *c, int a, int b)
{
    const kw_asg_member *x = &c->m[a], *y = &c->m[b];
    if (x->instance_id && y->instance_id) {
        int d = strcmp(x->instance_id, y->instance_id);
        if (d) return d;
    }
    return strcmp(x->member_id, y->member_id);
}

/* Binary insertion sort of indexes (stable; groups and topic lists are small). */
static void sort_idx(const ctx *c, int *v, int n, int (*cmp)(const ctx *, int, int))
{
    for (int i = 1; i < n; i++) {
        int x = v[i], lo = 0, hi = i;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (cmp(c, v[mid], x) <= 0) lo = mid + 1;
            else hi = mid;
        }
        memmove(&v[lo + 1], &v[lo], (size_t)(i - lo) * sizeof *v);
        v[lo] = x;
    }
}

static int find_topic(const ctx *c, const char *name)
{
    for (int i = 0; i < c->nt; i++)
        if (!strcmp(c->t[i].name, name)) return i;
    return -1;
}

static void ctx_free(ctx *c)
{
    free(c->tord);
    free(c->toff);
    free(c->ptopic);
    free(c->ppart);
    free(c->ord);
    free(c->sub);
    free(c->owner);
    free(c->count);
}

static int ctx_init(ctx *c, const kw_asg_member *m, int n, const kw_asg_topic *t, int nt)
{
    memset(c, 0, sizeof *c);
    c->m = m; c->n = n; c->t = t; c->nt = nt;
    c->tord = calloc((size_t)nt + 1, sizeof *c->tord);
    c->toff = calloc((size_t)nt + 1, sizeof *c->toff);
    c->ord = calloc((size_t)n + 1, sizeof *c->ord);
    c->sub = calloc((size_t)n * (size_t)nt + 1, 1);
    c->count = calloc((size_t)n + 1, sizeof *c->count);
    if (!c->tord || !c->toff || !c->ord || !c->sub || !c->count) return KW_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        c->ord[i] = i;
        for (int k = 0; k < m[i].ntopics; k++) {
            int ti = find_topic(c, m[i].topics[k]);
            if (ti >= 0) c->sub[(size_t)i * nt + ti] = 1;
        }
    }
    long total = 0;
    for (int ti = 0; ti < nt; ti++) {
        c->toff[ti] = -1;
        if (t[ti].partitions <= 0) continue;
        int any = 0;
        for (int i = 0; i < n && !any; i++) any = c->sub[(size_t)i * nt + ti];
        if (!any) continue;
        c->tord[c->ntord++] = ti;
        total += t[ti].partitions;
    }
    if (total > (1L << 24)) return KW_ERR_INVALID_ARG;
    sort_idx(c, c->tord, c->ntord, cmp_topic);
    sort_idx(c, c->ord, n, cmp_member);
    c->ptopic = calloc((size_t)total + 1, sizeof *c->ptopic);
    c->ppart = calloc((size_t)total + 1, sizeof *c->ppart);
    c->owner = calloc((size_t)total + 1, sizeof *c->owner);
    if (!c->ptopic || !c->ppart || !c->owner) return KW_ERR_NOMEM;
    for (int k = 0; k < c->ntord; k++) {
        int ti = c->tord[k];
        c->toff[ti] = c->np;
        for (int32_t p = 0; p < t[ti].partitions; p++) {
            c->ptopic[c->np] = ti;
            c->ppart[c->np] = p;
            c->owner[c->np] = -1;
            c->np++;
        }
    }
    return 0;
}

static int subscribed(const ctx *c, int mi, int ti) { return c->sub[(size_t)mi * c->nt + ti]; }

static void give(ctx *c, int pi, int mi)
{
    if (c->owner[pi] >= 0) c->count[c->owner[pi]]--;
    c->owner[pi] = mi;
    if (mi >= 0) c->count[mi]++;
}

static void do_range(ctx *c)
{
    for (int k = 0; k < c->ntord; k++) {
        int ti = c->tord[k];
        int nsub = 0;
        for (int j = 0; j < c->n; j++)
            if (subscribed(c, c->ord[j], ti)) nsub++;
        int32_t np = c->t[ti].partitions, each = np / nsub, extra = np % nsub;
        int i = 0;
        for (int j = 0; j < c->n; j++) {
            int mi = c->ord[j];
            if (!subscribed(c, mi, ti)) continue;
            int32_t start = each * i + (i < extra ? i : extra), len = each + (i < extra ? 1 : 0);
            for (int32_t p = start; p < start + len; p++) give(c, c->toff[ti] + p, mi);
            i++;
        }
    }
}

static void do_roundrobin(ctx *c)
{
    int next = 0;
    for (int pi = 0; pi < c->np; pi++) {
        for (int tries = 0; tries < c->n; tries++) {
            int mi = c->ord[next];
            next = (next + 1) % c->n;
            if (subscribed(c, mi, c->ptopic[pi])) {
                give(c, pi, mi);
                break;
            }
        }
    }
}

/* The eligible member (subscribed to the partition's topic) with the fewest partitions,
 * first in member order on ties; -1 none. */
static int least_loaded(const ctx *c, int pi)
{
    int best = -1;
    for (int j = 0; j < c->n; j++) {
        int mi = c->ord[j];
        if (!subscribed(c, mi, c->ptopic[pi])) continue;
        if (best < 0 || c->count[mi] < c->count[best]) best = mi;
    }
    return best;
}

static int do_sticky(ctx *c)
{
    int *prev = malloc(((size_t)c->np + 1) * sizeof *prev);
    int *byg = malloc(((size_t)c->n + 1) * sizeof *byg);
    if (!prev || !byg) { free(prev); free(byg); return KW_ERR_NOMEM; }
    /* 1. owned partitions claimed, highest generation first (a member that missed a
     * rebalance may still claim what another owns now) */
    for (int j = 0; j < c->n; j++) byg[j] = c->ord[j];
    for (int j = 1; j < c->n; j++) /* stable insertion sort by generation, descending */
        for (int k = j; k > 0 && c->m[byg[k]].generation > c->m[byg[k - 1]].generation; k--) {
            int x = byg[k]; byg[k] = byg[k - 1]; byg[k - 1] = x;
        }
    for (int j = 0; j < c->n; j++) {
        int mi = byg[j];
        for (int k = 0; k < c->m[mi].nowned; k++) {
            const kw_tp *o = &c->m[mi].owned[k];
            int ti = o->topic ? find_topic(c, o->topic) : -1;
            if (ti < 0 || c->toff[ti] < 0 || !subscribed(c, mi, ti) || o->partition < 0 ||
                o->partition >= c->t[ti].partitions)
                continue;
            int pi = c->toff[ti] + o->partition;
            if (c->owner[pi] < 0) give(c, pi, mi);
        }
    }
    for (int pi = 0; pi < c->np; pi++) prev[pi] = c->owner[pi];
    /* 2. with one subscription for all, trim to the quotas: at most `ceil` each, and only
     * np % n members above `floor` */
    int same = 1;
    for (int j = 1; j < c->n && same; j++)
        same = !memcmp(&c->sub[(size_t)c->ord[j] * c->nt], &c->sub[(size_t)c->ord[0] * c->nt], (size_t)c->nt);
    if (same && c->n > 0) {
        int floor_q = c->np / c->n, ceil_q = floor_q + (c->np % c->n ? 1 : 0), above = c->np % c->n;
        for (int j = 0; j < c->n; j++) {
            int mi = c->ord[j];
            int limit = ceil_q;
            if (c->count[mi] > floor_q && ceil_q > floor_q) {
                if (above > 0) above--;
                else limit = floor_q;
            }
            for (int pi = c->np - 1; pi >= 0 && c->count[mi] > limit; pi--)
                if (c->owner[pi] == mi) give(c, pi, -1);
        }
    }
    /* 3. the rest to the least loaded eligible member */
    for (int pi = 0; pi < c->np; pi++)
        if (c->owner[pi] < 0) give(c, pi, least_loaded(c, pi));
    /* 4. balance what subscriptions allow: move a partition to an eligible member with
     * at least two fewer, until none can move */
    for (int moved = 1, rounds = 0; moved && rounds < c->np + 1; rounds++) {
        moved = 0;
        for (int pi = 0; pi < c->np; pi++) {
            int o = c->owner[pi], to = least_loaded(c, pi);
            if (o >= 0 && to >= 0 && c->count[to] < c->count[o] - 1) {
                give(c, pi, to);
                moved = 1;
            }
        }
    }
    /* 5. cooperative: a partition moving between members is not handed over in this
     * round; its owner revokes it, and the next rebalance assigns it */
    for (int pi = 0; pi < c->np; pi++)
        if (prev[pi] >= 0 && c->owner[pi] != prev[pi]) give(c, pi, -1);
    free(prev);
    free(byg);
    return 0;
}

void kw_asg_result_free(kw_asg_result *r)
{
    if (r->parts)
        for (int i = 0; i < r->nmembers; i++) free(r->parts[i]);
    free(r->parts);
    free(r->nparts);
    memset(r, 0, sizeof *r);
}

int kw_assign(int assignor, const kw_asg_member *members, int nmembers, const kw_asg_topic *topics, int ntopics,
              kw_asg_result *out)
{
    memset(out, 0, sizeof *out);
    if (nmembers < 0 || ntopics < 0 || (assignor != KW_ASG_RANGE && assignor != KW_ASG_ROUNDROBIN &&
                                        assignor != KW_ASG_COOP_STICKY))
        return KW_ERR_INVALID_ARG;
    for (int i = 0; i < nmembers; i++)
        if (!members[i].member_id) return KW_ERR_INVALID_ARG;
    ctx c;
    int e = ctx_init(&c, members, nmembers, topics, ntopics);
    if (!e && nmembers > 0) {
        if (assignor == KW_ASG_RANGE) do_range(&c);
        else if (assignor == KW_ASG_ROUNDROBIN) do_roundrobin(&c);
        else e = do_sticky(&c);
    }
    if (!e) {
        out->nmembers = nmembers;
        out->parts = calloc((size_t)nmembers + 1, sizeof *out->parts);
        out->nparts = calloc((size_t)nmembers + 1, sizeof *out->nparts);
        if (!out->parts || !out->nparts) e = KW_ERR_NOMEM;
        for (int i = 0; i < nmembers && !e; i++)
            if (c.count[i] > 0 && !(out->parts[i] = malloc((size_t)c.count[i] * sizeof **out->parts)))
                e = KW_ERR_NOMEM;
        for (int pi = 0; pi < c.np && !e; pi++) {
            int mi = c.owner[pi];
            if (mi < 0) continue;
            out->parts[mi][out->nparts[mi]++] = (kw_tp){topics[c.ptopic[pi]].name, c.ppart[pi]};
        }
    }
    if (e) kw_asg_result_free(out);
    ctx_free(&c);
    return e;
}
