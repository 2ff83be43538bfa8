/*
 * bench/compare.c — figures, ratios against targets, grid summaries and the text, JSON
 * and CSV forms of `kwire bench compare` (see compare.h).
 *
 * The targets (issue 19 and the README's): kwire over Kafka's Java client records/s >= 1.0,
 * CPU per record <= 0.5, peak RSS <= 0.25; over franz-go records/s >= 1.0, CPU <= 0.8;
 * over librdkafka (kcat, and confluent-kafka through Python) records/s >= 1.0, CPU <= 0.5,
 * and kcat's producer's peak RSS <= 1.0 (a consumer's follows the fetch sizes each is given;
 * confluent-kafka's is a Python interpreter's too);
 * over kafka-python (either) records/s >= 30.
 */
#include "bench/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double kw_cmp_rps(const kw_cmp_run *r) { return r->seconds > 0 ? (double)r->records / r->seconds : 0; }
double kw_cmp_mbps(const kw_cmp_run *r)
{
    return r->seconds > 0 ? (double)r->records * KW_LAB_PAYLOAD_LEN / (1024.0 * 1024.0) / r->seconds : 0;
}
double kw_cmp_cpu_per_m(const kw_cmp_run *r) { return r->records > 0 ? r->cpu_s * 1e6 / (double)r->records : 0; }

const char *kw_cmp_status_name(int status)
{
    switch (status) {
    case KW_CMP_OK: return "ok";
    case KW_CMP_MISSING: return "missing";
    case KW_CMP_FAILED: return "failed";
    default: return "not run";
    }
}

const char *kw_cmp_metric_name(int metric)
{
    return metric == KW_M_RPS ? "records_per_sec" : metric == KW_M_CPU ? "cpu_per_record" : "peak_rss";
}

static const char *metric_label(int metric)
{
    return metric == KW_M_RPS ? "records/s" : metric == KW_M_CPU ? "CPU/record" : "peak RSS";
}

int kw_cmp_target(int peer, int dir, int metric, int *at_least, double *bound)
{
    *at_least = metric == KW_M_RPS;
    switch (peer) {
    case KW_PEER_JAVA:
        *bound = metric == KW_M_RPS ? 1.0 : metric == KW_M_CPU ? 0.5 : 0.25;
        return 0;
    case KW_PEER_FRANZ:
        if (metric == KW_M_RSS) return -1;
        *bound = metric == KW_M_RPS ? 1.0 : 0.8;
        return 0;
    case KW_PEER_KCAT:
        if (metric == KW_M_RSS && dir != KW_DIR_PRODUCE) return -1;
        *bound = metric == KW_M_RPS ? 1.0 : metric == KW_M_CPU ? 0.5 : 1.0;
        return 0;
    case KW_PEER_CONFLUENT: /* librdkafka's, but its memory is a Python interpreter's too */
        if (metric == KW_M_RSS) return -1;
        *bound = metric == KW_M_RPS ? 1.0 : 0.5;
        return 0;
    case KW_PEER_KPY:
    case KW_PEER_KPY_DEB:
        if (metric != KW_M_RPS) return -1;
        *bound = 30.0;
        return 0;
    default:
        return -1;
    }
}

void kw_cmp_target_text(const kw_cmp_ratio *q, char *out, size_t n)
{
    const char *op = q->at_least ? ">=" : "<=";
    if (!q->has_target) snprintf(out, n, "%s", "");
    else if (q->bound >= 10) snprintf(out, n, "%s %.0f", op, q->bound);
    else if (q->bound == 1.0) snprintf(out, n, "%s 1.0", op);
    else snprintf(out, n, "%s %g", op, q->bound);
}

static double metric_of(const kw_cmp_run *r, int metric)
{
    return metric == KW_M_RPS ? kw_cmp_rps(r) : metric == KW_M_CPU ? kw_cmp_cpu_per_m(r) : r->rss_mb;
}

static int is_kwire(int id) { return id == KW_PEER_KWIRE || id == KW_PEER_KWIRE_CLI; }

int kw_cmp_ratios(const kw_cmp_set *s, unsigned peers, unsigned dirs, kw_cmp_ratio *out)
{
    int n = 0;
    for (int d = 0; d < KW_DIR_N; d++) {
        if (!(dirs & (1u << d))) continue;
        for (int p = 0; p < KW_PEER_N; p++) {
            if (is_kwire(p) || !(peers & (1u << p))) continue;
            int base = kw_peer_get(p)->base;
            for (int m = 0; m < KW_M_N; m++) {
                kw_cmp_ratio *q = &out[n++];
                memset(q, 0, sizeof *q);
                q->dir = d;
                q->peer = p;
                q->base = base;
                q->metric = m;
                const kw_cmp_run *k = &s->r[base][d], *o = &s->r[p][d];
                double kv = metric_of(k, m), ov = metric_of(o, m);
                q->have = k->status == KW_CMP_OK && o->status == KW_CMP_OK && kv > 0 && ov > 0;
                if (q->have) q->value = kv / ov;
                q->has_target = kw_cmp_target(p, d, m, &q->at_least, &q->bound) == 0;
                if (q->has_target && q->have) q->met = q->at_least ? q->value >= q->bound : q->value <= q->bound;
            }
        }
    }
    return n;
}

int kw_cmp_summary(const kw_cmp_set *sets, int nsets, unsigned peers, unsigned dirs, kw_cmp_sum *out)
{
    if (nsets <= 0) return 0;
    kw_cmp_ratio probe[KW_CMP_MAX_RATIOS];
    int nq = kw_cmp_ratios(&sets[0], peers, dirs, probe);
    for (int k = 0; k < nq; k++) {
        kw_cmp_sum *s = &out[k];
        memset(s, 0, sizeof *s);
        s->first = probe[k];
        double logsum = 0;
        for (int i = 0; i < nsets; i++) {
            kw_cmp_ratio q[KW_CMP_MAX_RATIOS];
            kw_cmp_ratios(&sets[i], peers, dirs, q);
            if (!q[k].have) continue;
            logsum += log(q[k].value);
            if (!s->have || q[k].value < s->min) { s->min = q[k].value; s->min_run = i + 1; }
            if (!s->have || q[k].value > s->max) { s->max = q[k].value; s->max_run = i + 1; }
            s->have++;
            s->met += q[k].has_target && q[k].met;
        }
        if (s->have) s->gmean = exp(logsum / s->have);
    }
    return nq;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int kw_cmp_spread_of(const kw_cmp_set *sets, int nsets, int peer, int dir, int metric, kw_cmp_spread *out)
{
    memset(out, 0, sizeof *out);
    double *v = nsets > 0 ? malloc((size_t)nsets * sizeof *v) : NULL;
    if (!v) return 0;
    int n = 0;
    for (int i = 0; i < nsets; i++) {
        const kw_cmp_run *r = &sets[i].r[peer][dir];
        if (r->status == KW_CMP_OK) v[n++] = metric_of(r, metric);
    }
    if (n) {
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        out->n = n;
        out->min = v[0];
        out->max = v[n - 1];
        out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
    free(v);
    return n;
}

/* ---- text ---------------------------------------------------------------------------- */

static void lat_cell(FILE *f, const kw_cmp_run *r, int i)
{
    if (r->have_latency && r->latency_ms[i] >= 0) fprintf(f, " %8.1f", r->latency_ms[i]);
    else fprintf(f, " %8s", "-");
}

static void run_row(FILE *f, const char *indent, int p, int d, const kw_cmp_run *r)
{
    fprintf(f, "%s%-17s %-7s ", indent, kw_peer_get(p)->name, kw_peer_dir_name(d));
    if (r->status != KW_CMP_OK) {
        fprintf(f, "%9s  %s: %s\n", "-", kw_cmp_status_name(r->status), r->why);
        return;
    }
    fprintf(f, "%9ld %8.3f %10.0f %7.2f %9.3f %7.1f", r->records, r->seconds, kw_cmp_rps(r), kw_cmp_mbps(r),
            kw_cmp_cpu_per_m(r), r->rss_mb);
    if (r->own_seconds > 0) fprintf(f, " %10.0f", (double)r->records / r->own_seconds);
    else fprintf(f, " %10s", "-");
    lat_cell(f, r, KW_LAT_P50);
    lat_cell(f, r, KW_LAT_P99);
    lat_cell(f, r, KW_LAT_MAX);
    fprintf(f, "\n");
}

static void table_header(FILE *f, const char *indent)
{
    fprintf(f, "%s%-17s %-7s %9s %8s %10s %7s %9s %7s %10s %8s %8s %8s\n", indent, "client", "dir", "records", "seconds",
            "records/s", "MB/s", "CPU s/M", "RSS MB", "own rec/s", "p50 ms", "p99 ms", "max ms");
}

static void ratio_line(FILE *f, const char *indent, const kw_cmp_ratio *q)
{
    char tgt[32];
    kw_cmp_target_text(q, tgt, sizeof tgt);
    char who[64];
    snprintf(who, sizeof who, "%s/%s", kw_peer_get(q->base)->name, kw_peer_get(q->peer)->name);
    fprintf(f, "%s%-7s %-26s %-16s ", indent, kw_peer_dir_name(q->dir), who, kw_cmp_metric_name(q->metric));
    if (q->have) fprintf(f, "%9.3fx", q->value);
    else fprintf(f, "%10s", "n/a");
    if (q->has_target) fprintf(f, "   target %-7s %s", tgt, !q->have ? "(not measured)" : q->met ? "met" : "NOT MET");
    fprintf(f, "\n");
}

/* settings notes: what each peer was not given, or given besides */
static void settings_notes(FILE *f, const kw_cmp_set *sets, int nsets, unsigned peers, unsigned dirs)
{
    for (int p = 0; p < KW_PEER_N; p++) {
        if (!(peers & (1u << p))) continue;
        for (int d = 0; d < KW_DIR_N; d++) {
            if (!(dirs & (1u << d))) continue;
            const char *sk = "", *adj = "";
            for (int i = 0; i < nsets && !sk[0]; i++) sk = sets[i].r[p][d].skipped;
            for (int i = 0; i < nsets && !adj[0]; i++) adj = sets[i].r[p][d].adjusted;
            if (sk[0])
                fprintf(f, "not passed to %s (%s): %s — %s\n", kw_peer_get(p)->name, kw_peer_dir_name(d), sk,
                        kw_peer_skip_reason(p, sk));
            if (adj[0]) fprintf(f, "%s (%s) also given %s\n", kw_peer_get(p)->name, kw_peer_dir_name(d), adj);
        }
    }
}

static void header(FILE *f, const kw_cmp_report *rep, const char *what)
{
    fprintf(f, "kwire bench compare%s: %ld records of the labs' %d-byte payload (kafka-python: %ld, N/10: it is slow;\n"
               "its figures are per record, so they compare directly); broker %s at %s; %d partition%s per topic,\n"
               "a fresh topic per client%s%s\n",
            what, rep->records, KW_LAB_PAYLOAD_LEN, rep->records / 10 > 0 ? rep->records / 10 : 1,
            rep->broker ? rep->broker : "given", rep->bootstrap ? rep->bootstrap : "?", rep->partitions,
            rep->partitions == 1 ? "" : "s", rep->settings && rep->settings[0] ? "; settings " : "",
            rep->settings ? rep->settings : "");
    fprintf(f, "records/s, MB/s: records / the process's wall time (start-up and connecting included); CPU s/M: user+sys\n"
               "seconds per million records; RSS: peak resident set; own rec/s: the client's own timing where it\n"
               "reports one; p50/p99/max: the producer's send -> acknowledgement latency where the client reports it\n");
}

void kw_cmp_print_text(FILE *f, const kw_cmp_report *rep, const kw_cmp_set *s)
{
    header(f, rep, "");
    fprintf(f, "\n");
    table_header(f, "");
    for (int p = 0; p < KW_PEER_N; p++) {
        if (!(rep->peers & (1u << p))) continue;
        for (int d = 0; d < KW_DIR_N; d++)
            if (rep->dirs & (1u << d)) run_row(f, "", p, d, &s->r[p][d]);
    }
    fprintf(f, "\n");
    for (int p = 0; p < KW_PEER_N; p++) {
        if (!(rep->peers & (1u << p))) continue;
        const kw_cmp_run *pr = &s->r[p][KW_DIR_PRODUCE];
        if (pr->status == KW_CMP_OK && pr->held >= 0 && pr->held < pr->records)
            fprintf(f, "note: after %s's produce the broker held %ld of its %ld records; its consume was asked for those\n",
                    kw_peer_get(p)->name, pr->held, pr->records);
        for (int d = 0; d < KW_DIR_N; d++)
            if (s->r[p][d].version[0] && d == KW_DIR_PRODUCE) fprintf(f, "%s: %s\n", kw_peer_get(p)->name, s->r[p][d].version);
    }
    settings_notes(f, s, 1, rep->peers, rep->dirs);
    fprintf(f, "\nratios (kwire / other; kcat against kwire-cli, the others against kwire)\n");
    kw_cmp_ratio q[KW_CMP_MAX_RATIOS];
    int nq = kw_cmp_ratios(s, rep->peers, rep->dirs, q);
    for (int i = 0; i < nq; i++) ratio_line(f, "  ", &q[i]);
}

/* ---- JSON ---------------------------------------------------------------------------- */

void kw_cmp_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

static void json_run(FILE *f, const kw_cmp_report *rep, int p, int d, const kw_cmp_run *r)
{
    fprintf(f, "{\"client\": \"%s\", \"direction\": \"%s\", \"status\": \"%s\", \"topic\": ", kw_peer_get(p)->name,
            kw_peer_dir_name(d), kw_cmp_status_name(r->status));
    kw_cmp_json_str(f, r->topic);
    fprintf(f, ", \"expected\": %ld", r->expected);
    if (r->status == KW_CMP_OK) {
        if (d == KW_DIR_PRODUCE) fprintf(f, ", \"broker_held\": %ld", r->held);
        fprintf(f,
                ", \"records\": %ld, \"seconds\": %.6f, \"records_per_sec\": %.1f, \"mb_per_sec\": %.4f, "
                "\"cpu_seconds\": %.6f, \"cpu_s_per_million\": %.4f, \"peak_rss_mb\": %.2f",
                r->records, r->seconds, kw_cmp_rps(r), kw_cmp_mbps(r), r->cpu_s, kw_cmp_cpu_per_m(r), r->rss_mb);
        if (r->own_seconds > 0)
            fprintf(f, ", \"own_seconds\": %.6f, \"own_records_per_sec\": %.1f", r->own_seconds,
                    (double)r->records / r->own_seconds);
        if (r->have_latency) {
            static const char *const k[KW_LAT_N] = {"p50", "p95", "p99", "p999", "p9999", "max"};
            fprintf(f, ", \"latency_ms\": {");
            int first = 1;
            for (int i = 0; i < KW_LAT_N; i++) {
                if (r->latency_ms[i] < 0) continue;
                fprintf(f, "%s\"%s\": %.3f", first ? "" : ", ", k[i], r->latency_ms[i]);
                first = 0;
            }
            fprintf(f, "}");
        }
        if (r->expected != rep->records && r->expected > 0)
            fprintf(f, ", \"scale\": %.4f, \"seconds_scaled_to_records\": %.6f, \"cpu_seconds_scaled_to_records\": %.6f",
                    (double)rep->records / (double)r->expected, r->seconds * (double)rep->records / (double)r->expected,
                    r->cpu_s * (double)rep->records / (double)r->expected);
    }
    if (r->version[0]) {
        fprintf(f, ", \"version\": ");
        kw_cmp_json_str(f, r->version);
    }
    if (r->skipped[0]) {
        fprintf(f, ", \"settings_not_passed\": ");
        kw_cmp_json_str(f, r->skipped);
    }
    if (r->adjusted[0]) {
        fprintf(f, ", \"settings_adjusted\": ");
        kw_cmp_json_str(f, r->adjusted);
    }
    if (r->status != KW_CMP_OK) {
        if (r->status == KW_CMP_FAILED) fprintf(f, ", \"records\": %ld", r->records);
        fprintf(f, ", \"error\": ");
        kw_cmp_json_str(f, r->why);
    }
    fprintf(f, "}");
}

static void json_ratios(FILE *f, const kw_cmp_ratio *q, int nq, const char *sep)
{
    for (int i = 0; i < nq; i++) {
        fprintf(f, "%s%s{\"direction\": \"%s\", \"metric\": \"%s\", \"kwire\": \"%s\", \"kwire_over\": \"%s\", ",
                i ? "," : "", sep, kw_peer_dir_name(q[i].dir), kw_cmp_metric_name(q[i].metric),
                kw_peer_get(q[i].base)->name, kw_peer_get(q[i].peer)->name);
        if (q[i].have) fprintf(f, "\"value\": %.4f", q[i].value);
        else fprintf(f, "\"value\": null");
        if (q[i].has_target) {
            char t[32];
            kw_cmp_target_text(&q[i], t, sizeof t);
            fprintf(f, ", \"target\": \"%s\", \"met\": %s", t, q[i].have ? (q[i].met ? "true" : "false") : "null");
        }
        fprintf(f, "}");
    }
}

static void json_header(FILE *f, const kw_cmp_report *rep)
{
    fprintf(f, "\"records\": %ld, \"kafka_python_records\": %ld, \"payload_bytes\": %d, \"partitions\": %d, \"broker\": ",
            rep->records, rep->records / 10 > 0 ? rep->records / 10 : 1, KW_LAB_PAYLOAD_LEN, rep->partitions);
    kw_cmp_json_str(f, rep->broker ? rep->broker : "given");
    fprintf(f, ", \"bootstrap\": ");
    kw_cmp_json_str(f, rep->bootstrap);
    fprintf(f, ", \"clients\": [");
    for (int p = 0, first = 1; p < KW_PEER_N; p++) {
        if (!(rep->peers & (1u << p))) continue;
        fprintf(f, "%s{\"client\": \"%s\", \"what\": ", first ? "" : ", ", kw_peer_get(p)->name);
        kw_cmp_json_str(f, kw_peer_get(p)->what);
        fprintf(f, ", \"against\": \"%s\"}", kw_peer_get(kw_peer_get(p)->base)->name);
        first = 0;
    }
    fprintf(f, "]");
}

void kw_cmp_print_json(FILE *f, const kw_cmp_report *rep, const kw_cmp_set *s)
{
    fprintf(f, "{");
    json_header(f, rep);
    fprintf(f, ", \"runs\": [");
    int first = 1;
    for (int p = 0; p < KW_PEER_N; p++) {
        if (!(rep->peers & (1u << p))) continue;
        for (int d = 0; d < KW_DIR_N; d++) {
            if (!(rep->dirs & (1u << d))) continue;
            fprintf(f, "%s\n  ", first ? "" : ",");
            json_run(f, rep, p, d, &s->r[p][d]);
            first = 0;
        }
    }
    fprintf(f, "\n ], \"ratios\": [");
    kw_cmp_ratio q[KW_CMP_MAX_RATIOS];
    int nq = kw_cmp_ratios(s, rep->peers, rep->dirs, q);
    json_ratios(f, q, nq, "\n  ");
    fprintf(f, "\n ]}\n");
}

/* ---- labs ---------------------------------------------------------------------------- */

static void point_label(const kw_lab *lab, int i, char *out, size_t n)
{
    if (!lab) {
        snprintf(out, n, "repeat %d", i + 1);
        return;
    }
    kw_lab_point pt;
    kw_lab_point_at(lab, i, &pt);
    size_t used = 0;
    out[0] = 0;
    for (int a = 0; a < lab->naxes && used < n; a++)
        used += (size_t)snprintf(out + used, n - used, "%s%s %s", a ? ", " : "", lab->axes[a].label, pt.values[a]);
}

void kw_cmp_lab_print_text(FILE *f, const kw_cmp_report *rep, const kw_lab *lab, const kw_cmp_set *sets, int n)
{
    char what[160];
    if (lab) snprintf(what, sizeof what, " --lab %s (%s, %d runs)", lab->name, lab->title, n);
    else snprintf(what, sizeof what, " --repeat %d (clients in turn, their order reversed every other run)", n);
    header(f, rep, what);
    settings_notes(f, sets, n, rep->peers, rep->dirs);
    for (int i = 0; i < n; i++) {
        char label[256];
        point_label(lab, i, label, sizeof label);
        fprintf(f, "\nrun %d: %s\n", i + 1, label);
        table_header(f, "  ");
        for (int p = 0; p < KW_PEER_N; p++) {
            if (!(rep->peers & (1u << p))) continue;
            for (int d = 0; d < KW_DIR_N; d++)
                if (rep->dirs & (1u << d)) run_row(f, "  ", p, d, &sets[i].r[p][d]);
        }
        kw_cmp_ratio q[KW_CMP_MAX_RATIOS];
        int nq = kw_cmp_ratios(&sets[i], rep->peers, rep->dirs, q);
        fprintf(f, "  ratios:");
        for (int k = 0; k < nq; k++) {
            if (!q[k].has_target) continue;
            fprintf(f, " %s %s/%s %s", kw_peer_dir_name(q[k].dir), kw_peer_get(q[k].base)->name,
                    kw_peer_get(q[k].peer)->name, metric_label(q[k].metric));
            if (q[k].have) fprintf(f, " %.2fx (%s);", q[k].value, q[k].met ? "met" : "NOT MET");
            else fprintf(f, " n/a;");
        }
        fprintf(f, "\n");
    }
    if (!lab) {
        fprintf(f, "\nspread over %d runs (median, min..max)\n", n);
        fprintf(f, "  %-17s %-7s %28s %26s %24s\n", "client", "dir", "records/s", "CPU s/M rec", "RSS MB");
        for (int p = 0; p < KW_PEER_N; p++) {
            if (!(rep->peers & (1u << p))) continue;
            for (int d = 0; d < KW_DIR_N; d++) {
                if (!(rep->dirs & (1u << d))) continue;
                kw_cmp_spread sp[KW_M_N];
                int have = 1;
                for (int m = 0; m < KW_M_N; m++) have &= kw_cmp_spread_of(sets, n, p, d, m, &sp[m]) > 0;
                fprintf(f, "  %-17s %-7s ", kw_peer_get(p)->name, kw_peer_dir_name(d));
                if (!have) {
                    fprintf(f, "not measured in every run\n");
                    continue;
                }
                fprintf(f, "%9.0f (%7.0f..%7.0f)  %7.3f (%6.3f..%6.3f)  %6.1f (%5.1f..%5.1f)  n=%d\n", sp[KW_M_RPS].median,
                        sp[KW_M_RPS].min, sp[KW_M_RPS].max, sp[KW_M_CPU].median, sp[KW_M_CPU].min, sp[KW_M_CPU].max,
                        sp[KW_M_RSS].median, sp[KW_M_RSS].min, sp[KW_M_RSS].max, sp[KW_M_RPS].n);
            }
        }
    }
    kw_cmp_sum sums[KW_CMP_MAX_RATIOS];
    int ns = kw_cmp_summary(sets, n, rep->peers, rep->dirs, sums);
    fprintf(f, "\nsummary over %d runs (geometric mean, range, target met in how many runs)\n", n);
    for (int k = 0; k < ns; k++) {
        const kw_cmp_sum *s = &sums[k];
        char who[64];
        snprintf(who, sizeof who, "%s/%s", kw_peer_get(s->first.base)->name, kw_peer_get(s->first.peer)->name);
        fprintf(f, "  %-7s %-26s %-16s ", kw_peer_dir_name(s->first.dir), who, kw_cmp_metric_name(s->first.metric));
        if (!s->have) {
            fprintf(f, "n/a (no run measured both)\n");
            continue;
        }
        fprintf(f, "%8.3fx  (%.3fx run %d .. %.3fx run %d)", s->gmean, s->min, s->min_run, s->max, s->max_run);
        if (s->first.has_target) {
            char t[32];
            kw_cmp_target_text(&s->first, t, sizeof t);
            fprintf(f, "  target %s met in %d of %d", t, s->met, s->have);
        }
        fprintf(f, "\n");
    }
}

void kw_cmp_lab_print_json(FILE *f, const kw_cmp_report *rep, const kw_lab *lab, const kw_cmp_set *sets, int n)
{
    if (lab) {
        fprintf(f, "{\"lab\": \"%s\", \"title\": ", lab->name);
        kw_cmp_json_str(f, lab->title);
        fprintf(f, ", ");
    } else {
        fprintf(f, "{\"repeat\": %d, ", n);
    }
    json_header(f, rep);
    fprintf(f, ", \"fixed\": {");
    for (int i = 0; lab && i < lab->nfixed; i++) {
        fprintf(f, "%s", i ? ", " : "");
        kw_cmp_json_str(f, lab->fixed[i][0]);
        fprintf(f, ": ");
        kw_cmp_json_str(f, lab->fixed[i][1]);
    }
    fprintf(f, "}, \"runs\": [");
    for (int i = 0; i < n; i++) {
        kw_lab_point pt;
        memset(&pt, 0, sizeof pt);
        if (lab) kw_lab_point_at(lab, i, &pt);
        fprintf(f, "%s\n  {\"run\": %d, \"settings\": {", i ? "," : "", i + 1);
        for (int a = 0; lab && a < lab->naxes; a++) {
            fprintf(f, "%s", a ? ", " : "");
            kw_cmp_json_str(f, lab->axes[a].setting);
            fprintf(f, ": ");
            kw_cmp_json_str(f, pt.values[a]);
        }
        fprintf(f, "}, \"results\": [");
        int first = 1;
        for (int p = 0; p < KW_PEER_N; p++) {
            if (!(rep->peers & (1u << p))) continue;
            for (int d = 0; d < KW_DIR_N; d++) {
                if (!(rep->dirs & (1u << d))) continue;
                fprintf(f, "%s\n    ", first ? "" : ",");
                json_run(f, rep, p, d, &sets[i].r[p][d]);
                first = 0;
            }
        }
        fprintf(f, "], \"ratios\": [");
        kw_cmp_ratio q[KW_CMP_MAX_RATIOS];
        int nq = kw_cmp_ratios(&sets[i], rep->peers, rep->dirs, q);
        json_ratios(f, q, nq, "\n    ");
        fprintf(f, "]}");
    }
    fprintf(f, "\n ], ");
    if (!lab) {
        fprintf(f, "\"spread\": [");
        int first = 1;
        for (int p = 0; p < KW_PEER_N; p++) {
            if (!(rep->peers & (1u << p))) continue;
            for (int d = 0; d < KW_DIR_N; d++) {
                if (!(rep->dirs & (1u << d))) continue;
                fprintf(f, "%s\n  {\"client\": \"%s\", \"direction\": \"%s\"", first ? "" : ",", kw_peer_get(p)->name,
                        kw_peer_dir_name(d));
                first = 0;
                for (int m = 0; m < KW_M_N; m++) {
                    kw_cmp_spread sp;
                    if (kw_cmp_spread_of(sets, n, p, d, m, &sp) > 0)
                        fprintf(f, ", \"%s\": {\"runs\": %d, \"median\": %.4f, \"min\": %.4f, \"max\": %.4f}",
                                m == KW_M_RSS ? "peak_rss_mb" : m == KW_M_CPU ? "cpu_s_per_million" : "records_per_sec", sp.n,
                                sp.median, sp.min, sp.max);
                }
                fprintf(f, "}");
            }
        }
        fprintf(f, "\n ], ");
    }
    fprintf(f, "\"summary\": [");
    kw_cmp_sum sums[KW_CMP_MAX_RATIOS];
    int ns = kw_cmp_summary(sets, n, rep->peers, rep->dirs, sums);
    for (int k = 0; k < ns; k++) {
        const kw_cmp_sum *s = &sums[k];
        fprintf(f, "%s\n  {\"direction\": \"%s\", \"metric\": \"%s\", \"kwire\": \"%s\", \"kwire_over\": \"%s\", "
                   "\"runs_measured\": %d",
                k ? "," : "", kw_peer_dir_name(s->first.dir), kw_cmp_metric_name(s->first.metric),
                kw_peer_get(s->first.base)->name, kw_peer_get(s->first.peer)->name, s->have);
        if (s->have)
            fprintf(f, ", \"geometric_mean\": %.4f, \"min\": %.4f, \"min_run\": %d, \"max\": %.4f, \"max_run\": %d", s->gmean,
                    s->min, s->min_run, s->max, s->max_run);
        if (s->first.has_target) {
            char t[32];
            kw_cmp_target_text(&s->first, t, sizeof t);
            fprintf(f, ", \"target\": \"%s\", \"runs_met\": %d", t, s->met);
        }
        fprintf(f, "}");
    }
    fprintf(f, "\n ]}\n");
}

void kw_cmp_lab_write_csv(FILE *f, const kw_cmp_report *rep, const kw_lab *lab, const kw_cmp_set *sets, int n)
{
    fprintf(f, "lab,run");
    for (int a = 0; lab && a < lab->naxes; a++) fprintf(f, ",%s", lab->axes[a].setting);
    fprintf(f, ",client,direction,status,records,seconds,records_per_sec,mb_per_sec,cpu_s_per_million,peak_rss_mb,"
               "own_records_per_sec,p50_ms,p99_ms,max_ms\n");
    for (int i = 0; i < n; i++) {
        kw_lab_point pt;
        memset(&pt, 0, sizeof pt);
        if (lab) kw_lab_point_at(lab, i, &pt);
        for (int p = 0; p < KW_PEER_N; p++) {
            if (!(rep->peers & (1u << p))) continue;
            for (int d = 0; d < KW_DIR_N; d++) {
                if (!(rep->dirs & (1u << d))) continue;
                const kw_cmp_run *r = &sets[i].r[p][d];
                fprintf(f, "%s,%d", lab ? lab->name : "repeat", i + 1);
                for (int a = 0; lab && a < lab->naxes; a++) fprintf(f, ",%s", pt.values[a]);
                fprintf(f, ",%s,%s,%s", kw_peer_get(p)->name, kw_peer_dir_name(d), kw_cmp_status_name(r->status));
                if (r->status != KW_CMP_OK) {
                    fprintf(f, ",,,,,,,,,,\n"); /* not measured: empty, never zero */
                    continue;
                }
                fprintf(f, ",%ld,%.6f,%.1f,%.4f,%.4f,%.2f", r->records, r->seconds, kw_cmp_rps(r), kw_cmp_mbps(r),
                        kw_cmp_cpu_per_m(r), r->rss_mb);
                if (r->own_seconds > 0) fprintf(f, ",%.1f", (double)r->records / r->own_seconds);
                else fprintf(f, ",");
                int li[3] = {KW_LAT_P50, KW_LAT_P99, KW_LAT_MAX};
                for (int k = 0; k < 3; k++) {
                    if (r->have_latency && r->latency_ms[li[k]] >= 0) fprintf(f, ",%.3f", r->latency_ms[li[k]]);
                    else fprintf(f, ",");
                }
                fprintf(f, "\n");
            }
        }
    }
}
