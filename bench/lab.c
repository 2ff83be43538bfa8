/*
 * bench/lab.c — the labs of LABS.md as data, grid expansion, and the lab outputs:
 * lab-form lines, CSV, gnuplot chart scripts and the plain-language reading.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab.h"

#define SIZES3 {"16384", "32768", "65536"}

static const kw_lab lab_table[] = {
    {"P1", "batch size", KW_LAB_PRODUCE, 50000, {{"acks", "1"}, {"linger.ms", "20"}}, 2,
     {{"batch.size", "Batch size", {"1024", "2048", "4096", "8192"}, 4}}, 1,
     "A bigger batch.size lets more records share one batch, one request and one round trip."},
    {"P2", "compression", KW_LAB_PRODUCE, 50000, {{"acks", "1"}, {"batch.size", "16384"}, {"linger.ms", "5"}}, 3,
     {{"compression.type", "Compression", {"none", "gzip", "snappy", "lz4", "zstd"}, 5}}, 1,
     "Compression trades producer CPU for fewer bytes on the wire and on disk."},
    {"P3", "full grid", KW_LAB_PRODUCE, 100000, {{"acks", "1"}}, 1,
     {{"batch.size", "Batch size", SIZES3, 3},
      {"compression.type", "Compression", {"none", "gzip", "snappy"}, 3},
      {"linger.ms", "Linger.ms", {"0", "10", "50"}, 3}}, 3,
     "batch.size caps a batch, linger.ms lets it fill, compression shrinks what fills it."},
    {"C1", "fetch.min.bytes x max.poll.records", KW_LAB_CONSUME, 50000,
     {{"auto.offset.reset", "earliest"}, {"enable.auto.commit", "false"}}, 2,
     {{"fetch.min.bytes", "Fetch min bytes", {"1024", "10240", "51200"}, 3},
      {"max.poll.records", "Max poll records", {"10", "100", "500"}, 3}}, 2,
     "The broker holds a fetch until fetch.min.bytes are ready or fetch.max.wait.ms passes."},
    {"C2", "fetch.max.bytes x max.poll.interval.ms", KW_LAB_CONSUME, 50000,
     {{"auto.offset.reset", "earliest"}, {"enable.auto.commit", "false"}}, 2,
     {{"fetch.max.bytes", "Fetch max bytes", {"1024", "10240", "51200"}, 3},
      {"max.poll.interval.ms", "Max poll interval ms", {"500", "1000", "5000"}, 3}}, 2,
     "fetch.max.bytes caps what one fetch brings back, so small values mean many round trips."},
    {"C3", "max.poll.records x fetch.min.bytes x fetch.max.wait.ms", KW_LAB_CONSUME, 50000,
     {{"auto.offset.reset", "earliest"}, {"enable.auto.commit", "false"}}, 2,
     {{"max.poll.records", "Max poll records", {"10", "100", "500"}, 3},
      {"fetch.min.bytes", "Fetch min bytes", {"1024", "10240", "51200"}, 3},
      {"fetch.max.wait.ms", "Fetch max wait ms", {"100", "500", "1000"}, 3}}, 3,
     "fetch.min.bytes and fetch.max.wait.ms together decide how long the broker holds a fetch."},
    {"B1", "broker socket buffers x network/io threads", KW_LAB_PRODUCE_CONSUME, 50000, {{"acks", "1"}}, 1,
     {{"socket.send.buffer.bytes", "Send buffer", {"131072", "524288", "1048576"}, 3, 1},
      {"socket.receive.buffer.bytes", "Receive buffer", {"131072", "524288", "1048576"}, 3, 1},
      {"num.network.threads", "Network threads", {"2", "4", "8"}, 3, 1},
      {"num.io.threads", "IO threads", {"2", "4", "8"}, 3, 1}}, 4,
     "The broker's socket buffers and thread pools, each combination on a freshly started broker.",
     {1, 81}},
    {"B1C", "client socket buffers", KW_LAB_PRODUCE_CONSUME, 50000, {{"acks", "1"}}, 1,
     {{"socket.send.buffer.bytes", "Send buffer", {"131072", "524288", "1048576"}, 3},
      {"socket.receive.buffer.bytes", "Receive buffer", {"131072", "524288", "1048576"}, 3}}, 2,
     "The client's side of the broker lab: its own socket buffers, on a broker that keeps running."},
};

const kw_lab *kw_lab_all(size_t *n)
{
    *n = sizeof lab_table / sizeof lab_table[0];
    return lab_table;
}

const kw_lab *kw_lab_find(const char *name)
{
    for (size_t i = 0; i < sizeof lab_table / sizeof lab_table[0]; i++)
        if (!strcasecmp(lab_table[i].name, name)) return &lab_table[i];
    return NULL;
}

int kw_lab_points(const kw_lab *lab)
{
    int n = 1;
    for (int a = 0; a < lab->naxes; a++) n *= lab->axes[a].nvalues;
    return n;
}

/* Point index -> one value per axis; the first axis varies slowest (the labs' loop order). */
void kw_lab_point_at(const kw_lab *lab, int index, kw_lab_point *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->lab = lab;
    pt->index = index;
    int rest = index;
    for (int a = lab->naxes - 1; a >= 0; a--) {
        int nv = lab->axes[a].nvalues;
        pt->values[a] = lab->axes[a].values[rest % nv];
        rest /= nv;
    }
}

int kw_lab_point_settings(const kw_lab_point *pt, const char **names, const char **values, int max)
{
    int n = 0;
    for (int i = 0; i < pt->lab->nfixed && n < max; i++, n++) {
        names[n] = pt->lab->fixed[i][0];
        values[n] = pt->lab->fixed[i][1];
    }
    for (int a = 0; a < pt->lab->naxes && n < max; a++) {
        if (pt->lab->axes[a].broker) continue;
        names[n] = pt->lab->axes[a].setting;
        values[n++] = pt->values[a];
    }
    return n;
}

int kw_lab_point_broker_settings(const kw_lab_point *pt, const char **names, const char **values, int max)
{
    int n = 0;
    for (int a = 0; a < pt->lab->naxes && n < max; a++) {
        if (!pt->lab->axes[a].broker) continue;
        names[n] = pt->lab->axes[a].setting;
        values[n++] = pt->values[a];
    }
    return n;
}

int kw_lab_has_broker_axes(const kw_lab *lab)
{
    for (int a = 0; a < lab->naxes; a++)
        if (lab->axes[a].broker) return 1;
    return 0;
}

void kw_lab_print_line(FILE *f, const kw_lab_point *pt, const kw_lab_result *r)
{
    for (int a = 0; a < pt->lab->naxes; a++) fprintf(f, "%s: %s, ", pt->lab->axes[a].label, pt->values[a]);
    fprintf(f, "Time taken: %.3f sec", r->seconds);
    fprintf(f, "  (%.0f records/s", r->records_per_sec);
    if (r->runs > 1) fprintf(f, ", %.0f-%.0f over %d runs", r->rps_min, r->rps_max, r->runs);
    fprintf(f, ", %.1f records/%s", r->records_per_batch, pt->lab->kind == KW_LAB_CONSUME ? "fetch" : "batch");
    if (pt->lab->kind == KW_LAB_CONSUME && r->records_per_poll > 0)
        fprintf(f, ", %.0f records/poll", r->records_per_poll);
    if (r->lat_p99_ms > 0) fprintf(f, ", latency p50 %.0f ms", r->lat_p50_ms);
    if (r->failed) fprintf(f, ", %ld FAILED", r->failed);
    fprintf(f, "; %s ms p50 %.3f p95 %.3f p99 %.3f p99.9 %.3f p99.99 %.3f max %.3f)\n",
            pt->lab->kind == KW_LAB_CONSUME ? "fetch hold" : "latency", r->p50_ms, r->p95_ms, r->p99_ms, r->p999_ms,
            r->p9999_ms, r->max_ms);
}

void kw_lab_latency(kw_lab_result *r, const kw_hdr *us)
{
    r->p50_ms = (double)kw_hdr_value_at(us, 50) / 1000.0;
    r->p95_ms = (double)kw_hdr_value_at(us, 95) / 1000.0;
    r->p99_ms = (double)kw_hdr_value_at(us, 99) / 1000.0;
    r->p999_ms = (double)kw_hdr_value_at(us, 99.9) / 1000.0;
    r->p9999_ms = (double)kw_hdr_value_at(us, 99.99) / 1000.0;
    r->max_ms = (double)kw_hdr_max(us) / 1000.0;
}

/* CSV-safe: the lab's values are plain tokens; quote anything else. */
static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

static const char *const metric_cols =
    "records,seconds,records_per_sec,mb_per_sec,records_per_batch,batch_fill_pct,wire_bytes_per_record,"
    "compression_ratio,p50_ms,p99_ms,requests,empty_fetches,failed,p95_ms,p999_ms,p9999_ms,max_ms,runs,"
    "records_per_sec_min,records_per_sec_max,bytes_per_fetch,records_per_poll,over_limit_first_batch,"
    "latency_p50_ms,latency_p99_ms";

void kw_lab_csv_header(FILE *f, const kw_lab *lab)
{
    fprintf(f, "lab,run");
    for (int a = 0; a < lab->naxes; a++) fprintf(f, ",%s", lab->axes[a].setting);
    fprintf(f, ",%s\n", metric_cols);
}

void kw_lab_csv_row(FILE *f, const kw_lab_point *pt, const kw_lab_result *r)
{
    fprintf(f, "%s,%d", pt->lab->name, pt->index + 1);
    for (int a = 0; a < pt->lab->naxes; a++) {
        fputc(',', f);
        csv_field(f, pt->values[a]);
    }
    fprintf(f,
            ",%ld,%.6f,%.1f,%.3f,%.2f,%.1f,%.2f,%.3f,%.3f,%.3f,%ld,%ld,%ld,%.3f,%.3f,%.3f,%.3f,%d,%.1f,%.1f,%.1f,%.2f,"
            "%ld,%.1f,%.1f\n",
            r->records, r->seconds, r->records_per_sec, r->mb_per_sec, r->records_per_batch, r->batch_fill_pct,
            r->wire_bytes_per_record, r->compression_ratio, r->p50_ms, r->p99_ms, r->requests, r->empty_fetches,
            r->failed, r->p95_ms, r->p999_ms, r->p9999_ms, r->max_ms, r->runs > 0 ? r->runs : 1,
            r->runs > 1 ? r->rps_min : r->records_per_sec, r->runs > 1 ? r->rps_max : r->records_per_sec,
            r->bytes_per_fetch, r->records_per_poll, r->over_limit_first_batch, r->lat_p50_ms, r->lat_p99_ms);
}

static int all_numeric(const kw_lab_axis *ax)
{
    for (int i = 0; i < ax->nvalues; i++)
        for (const char *p = ax->values[i]; *p; p++)
            if (!isdigit((unsigned char)*p)) return 0;
    return 1;
}

static const char *ext_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : "";
}

/* Grid index of one value index per axis (the first axis varies slowest). */
static int point_index(const kw_lab *lab, const int *vi)
{
    int idx = 0;
    for (int a = 0; a < lab->naxes; a++) idx = idx * lab->axes[a].nvalues + vi[a];
    return idx;
}

static double rps_lo(const kw_lab_result *r) { return r->runs > 1 ? r->rps_min : r->records_per_sec; }
static double rps_hi(const kw_lab_result *r) { return r->runs > 1 ? r->rps_max : r->records_per_sec; }

/* A tick label for v that tells apart every multiple of step: "0", "800k", "1.2M". */
static void tick_label(char *out, size_t n, double v, double step)
{
    double unit = v >= 1e6 ? 1e6 : v >= 1e3 ? 1e3 : 1;
    const char *suffix = unit == 1e6 ? "M" : unit == 1e3 ? "k" : "";
    int d = 0;
    while (d < 4) {
        double scaled = v / unit * pow(10, d), st = step / unit * pow(10, d);
        if (fabs(scaled - round(scaled)) < 1e-6 * (st > 1 ? st : 1)) break;
        d++;
    }
    snprintf(out, n, "%.*f%s", d, v / unit, suffix);
}

int kw_lab_chart_script(FILE *f, const kw_lab *lab, const kw_lab_result *r, int n, const char *out_path)
{
    const char *ext = ext_of(out_path);
    int cols = lab->naxes >= 3 ? lab->axes[2].nvalues : 1;
    int rows = lab->naxes >= 4 ? lab->axes[3].nvalues : 1;
    int nseries = lab->naxes >= 2 ? lab->axes[1].nvalues : 1;
    int width = cols > 1 ? 560 * cols + 160 : 800, height = rows > 1 ? 440 * rows + 80 : 520;
    if (!strcasecmp(ext, "svg"))
        fprintf(f, "set terminal svg size %d,%d dynamic font 'Helvetica,12' background '#ffffff'\n", width, height);
    else if (!strcasecmp(ext, "png"))
        fprintf(f, "set terminal pngcairo size %d,%d font 'Helvetica,11' background '#ffffff'\n", width, height);
    else
        return -1;
    double ymax = 0;
    long records = 0;
    int runs = 0;
    for (int i = 0; i < n; i++) {
        if (!r[i].failed && rps_hi(&r[i]) > ymax) ymax = rps_hi(&r[i]);
        if (r[i].records > records) records = r[i].records;
        if (r[i].runs > runs) runs = r[i].runs;
    }
    if (!records) records = lab->records;
    const kw_lab_axis *x = &lab->axes[0];
    int numeric = all_numeric(x);
    /* one datablock per (panel, series): x position, median records/s, x label, min, max */
    for (int p = 0; p < cols * rows; p++)
        for (int sr = 0; sr < nseries; sr++) {
            fprintf(f, "$d%d_%d << EOD\n", p, sr);
            for (int v = 0; v < x->nvalues; v++) {
                int vi[KW_LAB_MAX_AXES] = {v, sr, p % cols, p / cols};
                int idx = point_index(lab, vi);
                if (idx >= n) continue;
                const char *xs = numeric ? x->values[v] : "0";
                if (r[idx].failed || r[idx].records_per_sec <= 0)
                    fprintf(f, "%s NaN %s NaN NaN\n", xs, x->values[v]);
                else
                    fprintf(f, "%s %.1f %s %.1f %.1f\n", xs, r[idx].records_per_sec, x->values[v], rps_lo(&r[idx]),
                            rps_hi(&r[idx]));
            }
            fprintf(f, "EOD\n");
        }
    fprintf(f, "set output '%s'\n", out_path);
    fprintf(f, "set grid ytics lc rgb '#dddddd'\n");
    /* y ticks at a 1-2-5 step, each labelled exactly (no two alike) */
    double top = ymax > 0 ? ymax * 1.15 : 1, raw = top / 6, mag = pow(10, floor(log10(raw))), step = mag;
    const double mult[] = {1, 2, 2.5, 5, 10};
    for (int i = 0; i < 5; i++)
        if (mult[i] * mag >= raw) { step = mult[i] * mag; break; }
    fprintf(f, "set ylabel 'records/s%s'\nset yrange [0:%.0f]\nset ytics (", runs > 1 ? " (median, min-max)" : "",
            top);
    for (int i = 0; i * step <= top + step * 1e-9; i++) {
        char lbl[32];
        tick_label(lbl, sizeof lbl, i * step, step);
        fprintf(f, "%s'%s' %.6g", i ? ", " : "", lbl, i * step);
    }
    fprintf(f, ")\n");
    fprintf(f, "set xlabel '%s'\n", x->setting);
    if (nseries > 1) fprintf(f, "set key top left title '%s' box opaque\n", lab->axes[1].setting);
    else fprintf(f, "unset key\n");
    if (numeric) {
        double lo = atof(x->values[0]), hi = atof(x->values[x->nvalues - 1]);
        if (lo > 0 && hi / lo >= 8) fprintf(f, "set logscale x 2\n");
        fprintf(f, "set xtics (");
        for (int i = 0; i < x->nvalues; i++) fprintf(f, "%s'%s' %s", i ? ", " : "", x->values[i], x->values[i]);
        fprintf(f, ")\nset offsets graph 0.06, graph 0.06, 0, 0\n");
    } else {
        fprintf(f, "set style fill solid 0.8 border -1\nset boxwidth 0.6\nset xrange [-0.6:%d.6]\n", x->nvalues - 1);
    }
    char title[256];
    snprintf(title, sizeof title, "kwire lab %s: %s (%ld records%s)", lab->name, lab->title, records,
             runs > 1 ? ", median of repeated runs" : "");
    if (cols * rows > 1) fprintf(f, "set multiplot layout %d,%d title '%s'\n", rows, cols, title);
    else fprintf(f, "set title '%s'\n", title);
    for (int p = 0; p < cols * rows; p++) {
        if (rows > 1)
            fprintf(f, "set title '%s = %s, %s = %s'\n", lab->axes[2].setting, lab->axes[2].values[p % cols],
                    lab->axes[3].setting, lab->axes[3].values[p / cols]);
        else if (cols > 1)
            fprintf(f, "set title '%s = %s'\n", lab->axes[2].setting, lab->axes[2].values[p]);
        fprintf(f, "plot ");
        for (int sr = 0; sr < nseries; sr++) {
            const char *t = nseries > 1 ? lab->axes[1].values[sr] : "records/s";
            if (numeric)
                fprintf(f, "%s$d%d_%d using 1:2:4:5 with yerrorlines lw 2 pt 7 ps 1.2 title '%s'", sr ? ", \\\n     " : "",
                        p, sr, t);
            else
                fprintf(f, "%s$d%d_%d using 0:2:xtic(3) with boxes lc rgb '#3a78b5' title '%s', \\\n"
                           "     $d%d_%d using 0:2:4:5 with yerrorbars lc rgb '#222222' pt 0 notitle",
                        sr ? ", \\\n     " : "", p, sr, t, p, sr);
        }
        fprintf(f, "\n");
    }
    if (cols * rows > 1) fprintf(f, "unset multiplot\n");
    return 0;
}

static void describe_point(char *out, size_t n, const kw_lab *lab, int index)
{
    kw_lab_point pt;
    kw_lab_point_at(lab, index, &pt);
    size_t used = 0;
    out[0] = 0;
    for (int a = 0; a < lab->naxes && used < n; a++)
        used += (size_t)snprintf(out + used, n - used, "%s%s=%s", a ? ", " : "", lab->axes[a].setting, pt.values[a]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void kw_lab_median(const kw_lab_result *runs, int n, kw_lab_result *out)
{
    /* order the runs by records/s (failed ones count as 0) and take the middle one */
    int idx[64], m = n < 64 ? n : 64;
    for (int i = 0; i < m; i++) idx[i] = i;
    for (int i = 1; i < m; i++) {
        int v = idx[i], j = i - 1;
        double rv = runs[v].failed ? 0 : runs[v].records_per_sec;
        while (j >= 0 && (runs[idx[j]].failed ? 0 : runs[idx[j]].records_per_sec) > rv) { idx[j + 1] = idx[j]; j--; }
        idx[j + 1] = v;
    }
    *out = runs[idx[(m - 1) / 2]];
    out->runs = m;
    out->rps_min = runs[idx[0]].failed ? 0 : runs[idx[0]].records_per_sec;
    out->rps_max = runs[idx[m - 1]].failed ? 0 : runs[idx[m - 1]].records_per_sec;
    long failed = 0;
    out->lat_min = out->lat_max = runs[0].lat_p50_ms;
    for (int i = 0; i < m; i++) {
        if (runs[i].failed > failed) failed = runs[i].failed;
        if (runs[i].lat_p50_ms < out->lat_min) out->lat_min = runs[i].lat_p50_ms;
        if (runs[i].lat_p50_ms > out->lat_max) out->lat_max = runs[i].lat_p50_ms;
    }
    out->failed = failed; /* a failure in any run is reported */
}

void kw_lab_spread(const kw_lab_result *r, int n, double *median, double *max)
{
    double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    int k = 0;
    *median = *max = 0;
    if (!v) return;
    for (int i = 0; i < n; i++)
        if (r[i].runs > 1 && r[i].records_per_sec > 0 && !r[i].failed)
            v[k++] = (r[i].rps_max - r[i].rps_min) / r[i].records_per_sec;
    if (k) {
        qsort(v, (size_t)k, sizeof *v, cmp_double);
        *median = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
        *max = v[k - 1];
    }
    free(v);
}

/* The broker's side of a consumer run, in words. */
static void broker_side(FILE *f, const char *who, const kw_lab_result *r)
{
    fprintf(f, "    %s: %ld fetches, %.1f records (%.0f bytes) each, broker hold p50 %.1f ms (p99 %.1f), "
               "%.0f records per poll",
            who, r->requests, r->records_per_batch, r->bytes_per_fetch, r->p50_ms, r->p99_ms, r->records_per_poll);
    if (r->lat_p99_ms > 0)
        fprintf(f, ", records waited p50 %.0f ms (p99 %.0f) from send to arrival", r->lat_p50_ms, r->lat_p99_ms);
    if (r->over_limit_first_batch)
        fprintf(f, "; %ld answers passed a byte limit with one whole first batch", r->over_limit_first_batch);
    fprintf(f, ".\n");
}

static int labs_within(long a, long b, double frac)
{
    long d = a > b ? a - b : b - a;
    return (double)d <= frac * (double)(a > b ? a : b);
}

static double lat_lo(const kw_lab_result *r) { return r->runs > 1 ? r->lat_min : r->lat_p50_ms; }
static double lat_hi(const kw_lab_result *r) { return r->runs > 1 ? r->lat_max : r->lat_p50_ms; }

/* Higher is better for records/s, lower for latency: the value to rank by, and its range. */
static double score(const kw_lab_result *r, int live) { return live ? -r->lat_p50_ms : r->records_per_sec; }
static double score_lo(const kw_lab_result *r, int live) { return live ? -lat_hi(r) : rps_lo(r); }
static double score_hi(const kw_lab_result *r, int live) { return live ? -lat_lo(r) : rps_hi(r); }

/* Standard error of a median of n runs whose range is `range`: the standard deviation
 * estimated from the range (range / d2(n), d2 the expected range of n normal samples in
 * standard deviations), times 1.2533 / sqrt(n) for a median. */
static double median_noise(double range, int n)
{
    static const double d2[21] = {0, 0, 1.128, 1.693, 2.059, 2.326, 2.534, 2.704, 2.847, 2.970, 3.078,
                                  3.173, 3.258, 3.336, 3.407, 3.472, 3.532, 3.588, 3.640, 3.689, 3.735};
    if (n < 2) return 0;
    if (n > 20) n = 20;
    return range / d2[n] * 1.2533 / sqrt((double)n);
}

/* Each setting's own effect: per value, the mean over the points that have it (the other
 * settings averaged out), with what the client and the broker did. A best value is named
 * when its mean beats the runner-up's by more than twice the noise of the difference: a
 * point's median has median_noise() of it, a mean over k points sqrt(sum of squares) / k. */
static void per_setting(FILE *f, const kw_lab *lab, const kw_lab_result *r, int n, int a, int live, int runs)
{
    const kw_lab_axis *ax = &lab->axes[a];
    const int consume = lab->kind == KW_LAB_CONSUME;
    double sc[KW_LAB_MAX_VALUES] = {0}, var[KW_LAB_MAX_VALUES] = {0}, hold[KW_LAB_MAX_VALUES] = {0},
           per[KW_LAB_MAX_VALUES] = {0}, poll[KW_LAB_MAX_VALUES] = {0};
    int cnt[KW_LAB_MAX_VALUES] = {0};
    for (int i = 0; i < n; i++) {
        if (r[i].failed) continue;
        kw_lab_point pt;
        kw_lab_point_at(lab, i, &pt);
        for (int v = 0; v < ax->nvalues; v++)
            if (pt.values[a] == ax->values[v]) {
                double e = median_noise(score_hi(&r[i], live) - score_lo(&r[i], live), r[i].runs);
                if (live && e < 0.5) e = 0.5; /* CreateTime is in whole ms: no mean is sharper */
                sc[v] += score(&r[i], live);
                var[v] += e * e;
                hold[v] += r[i].p50_ms;
                per[v] += r[i].records_per_batch;
                poll[v] += r[i].records_per_poll;
                cnt[v]++;
            }
    }
    int bv = -1, nv = -1; /* best and second-best value */
    fprintf(f, "  %s:", ax->setting);
    for (int v = 0; v < ax->nvalues; v++) {
        if (!cnt[v]) { fprintf(f, " %s -> -%s", ax->values[v], v + 1 < ax->nvalues ? "," : ""); continue; }
        double mean = sc[v] / cnt[v];
        if (live) fprintf(f, " %s -> %.0f ms", ax->values[v], -mean);
        else fprintf(f, " %s -> %.0f/s", ax->values[v], mean);
        if (consume && live)
            fprintf(f, " (hold %.1f ms, %.0f/fetch)", hold[v] / cnt[v], per[v] / cnt[v]);
        else if (consume)
            fprintf(f, " (hold %.1f ms, %.0f/fetch, %.0f/poll)", hold[v] / cnt[v], per[v] / cnt[v], poll[v] / cnt[v]);
        else
            fprintf(f, " (%.0f/batch)", per[v] / cnt[v]);
        fprintf(f, "%s", v + 1 < ax->nvalues ? "," : "");
        if (bv < 0 || mean > sc[bv] / cnt[bv]) { nv = bv; bv = v; }
        else if (nv < 0 || mean > sc[nv] / cnt[nv]) nv = v;
    }
    if (bv >= 0 && nv >= 0) {
        const char *what = live ? "lowest latency" : "best on average";
        double gap = sc[bv] / cnt[bv] - sc[nv] / cnt[nv];
        double noise = sqrt(var[bv] / ((double)cnt[bv] * cnt[bv]) + var[nv] / ((double)cnt[nv] * cnt[nv]));
        const char *unit = live ? " ms" : "/s";
        int dec = live ? 1 : 0; /* latencies of a few ms: tenths */
        if (runs <= 1) fprintf(f, " (%s: %s)", what, ax->values[bv]);
        else if (gap > 2 * noise)
            fprintf(f, " (%s: %s, by %.*f%s over %s against a noise of %.*f%s)", what, ax->values[bv], dec, gap, unit,
                    ax->values[nv], dec, noise, unit);
        else
            fprintf(f, " (no value %s than the noise of these means, %.*f%s, can tell)", live ? "lower" : "better",
                    dec, noise, unit);
    }
    fprintf(f, "\n");
}

void kw_lab_reading(FILE *f, const kw_lab *lab, const kw_lab_result *r, int n)
{
    if (n <= 0) return;
    const int consume = lab->kind == KW_LAB_CONSUME;
    int live = 0, runs = 0;
    double max_hold = 0, rate = 0;
    for (int i = 0; i < n; i++) {
        if (r[i].runs > runs) runs = r[i].runs;
        if (r[i].failed) continue;
        if (r[i].live_rate > 0) { live = 1; rate = r[i].live_rate; }
        if (r[i].p50_ms > max_hold) max_hold = r[i].p50_ms;
    }
    int best = -1, worst = -1;
    for (int i = 0; i < n; i++) {
        if (r[i].failed) continue;
        if (best < 0 || score(&r[i], live) > score(&r[best], live)) best = i;
        if (worst < 0 || score(&r[i], live) < score(&r[worst], live)) worst = i;
    }
    double sp_med = 0, sp_max = 0;
    kw_lab_spread(r, n, &sp_med, &sp_max);
    fprintf(f, "\nReading (lab %s, %s", lab->name, lab->title);
    if (runs > 1) {
        fprintf(f, "; %d runs per setting after a warm-up run", runs);
        if (!live) fprintf(f, ", run-to-run spread of records/s: median %.0f%%, largest %.0f%%", 100 * sp_med, 100 * sp_max);
    }
    fprintf(f, "):\n");
    if (best < 0) {
        fprintf(f, "  Every run had failed records: no setting can be called a winner.\n");
        return;
    }
    char bdesc[256], wdesc[256];
    describe_point(bdesc, sizeof bdesc, lab, best);
    describe_point(wdesc, sizeof wdesc, lab, worst);
    /* The fastest and the slowest are the extremes of many medians, picked because they
     * are extreme: they count as different only when no run of one reaches the other
     * (the best's worst run beats the worst's best run). */
    int real = worst != best && (runs <= 1 || score_lo(&r[best], live) > score_hi(&r[worst], live));
    if (live) {
        fprintf(f, "  Records were written at %.0f/s in every run, so the time is the producer's; what the settings\n"
                   "  change is how long each record waited and how many fetches it took.\n", rate);
        fprintf(f, "  Lowest latency: %s, records waited p50 %.0f ms", bdesc, r[best].lat_p50_ms);
        if (runs > 1) fprintf(f, " (runs %.0f-%.0f)", lat_lo(&r[best]), lat_hi(&r[best]));
        fprintf(f, ".\n");
        if (worst != best) {
            fprintf(f, "  Highest latency: %s, p50 %.0f ms", wdesc, r[worst].lat_p50_ms);
            if (runs > 1) fprintf(f, " (runs %.0f-%.0f)", lat_lo(&r[worst]), lat_hi(&r[worst]));
            fprintf(f, ", in %ld fetches instead of %ld.\n", r[worst].requests, r[best].requests);
        }
    } else {
        fprintf(f, "  Fastest: %s at %.0f records/s (%.3f s)", bdesc, r[best].records_per_sec, r[best].seconds);
        if (runs > 1) fprintf(f, ", runs %.0f-%.0f", rps_lo(&r[best]), rps_hi(&r[best]));
        fprintf(f, ".\n");
        if (worst != best) {
            fprintf(f, "  Slowest: %s at %.0f records/s (%.3f s)", wdesc, r[worst].records_per_sec, r[worst].seconds);
            if (runs > 1) fprintf(f, ", runs %.0f-%.0f", rps_lo(&r[worst]), rps_hi(&r[worst]));
            fprintf(f, ", %.1fx slower.\n",
                    r[worst].records_per_sec > 0 ? r[best].records_per_sec / r[worst].records_per_sec : 0);
        }
    }
    if (worst != best && !real)
        fprintf(f, "  Their runs overlap: no setting of this lab is %s than the run-to-run spread can tell.\n",
                live ? "lower" : "faster");
    else if (worst != best && runs > 1)
        fprintf(f, "  No run of the one reached the other: the gap is larger than the run-to-run spread.\n");
    int alike = real && !consume && fabs(r[best].records_per_batch - r[worst].records_per_batch) <=
                                        0.05 * r[worst].records_per_batch &&
                labs_within(r[best].requests, r[worst].requests, 0.05);
    if (alike)
        fprintf(f, "  The client batched alike in both (%.1f records per batch, %ld requests)%s.\n",
                r[best].records_per_batch, r[best].requests,
                kw_lab_has_broker_axes(lab) ? ": the difference is the broker's" : "");
    if (real && !consume && !alike) {
        fprintf(f, "  Why: records per batch went from %.1f to %.1f", r[worst].records_per_batch,
                r[best].records_per_batch);
        if (r[worst].requests && r[best].requests)
            fprintf(f, ", requests from %ld to %ld", r[worst].requests, r[best].requests);
        if (r[worst].wire_bytes_per_record > 0)
            fprintf(f, ", wire bytes per record from %.1f to %.1f", r[worst].wire_bytes_per_record,
                    r[best].wire_bytes_per_record);
        fprintf(f, ".\n");
        if (r[best].compression_ratio > 1.05 || r[worst].compression_ratio > 1.05)
            fprintf(f, "  Compression ratio: %.2f (slowest) vs %.2f (fastest).\n", r[worst].compression_ratio,
                    r[best].compression_ratio);
        if (r[best].p99_ms > 0 || r[worst].p99_ms > 0)
            fprintf(f, "  Latency p99: %.1f ms (slowest) vs %.1f ms (fastest)%s.\n", r[worst].p99_ms, r[best].p99_ms,
                    r[best].p99_ms > r[worst].p99_ms ? ": the faster setting waits longer per record — the "
                                                      "throughput/latency trade-off" : "");
    }
    if (consume && worst != best) {
        fprintf(f, "  What the broker did:\n");
        broker_side(f, live ? "highest" : "slowest", &r[worst]);
        broker_side(f, live ? "lowest" : "fastest", &r[best]);
    }
    for (int a = 0; a < lab->naxes; a++) per_setting(f, lab, r, n, a, live, runs);
    if (consume && !live && max_hold < 50)
        fprintf(f, "  The broker answered every fetch at once (hold p50 at most %.1f ms): the records were all on it\n"
                   "  before the runs, so each fetch found more than fetch.min.bytes ready and fetch.max.wait.ms never\n"
                   "  came into play. --live RATE reads records as they are written.\n",
                max_hold);
    if (live) {
        double late = 0;
        for (int i = 0; i < n; i++)
            if (!r[i].failed && r[i].records > 0 && r[i].seconds - r[i].records / rate > late)
                late = r[i].seconds - r[i].records / rate;
        if (late > 0.2)
            fprintf(f, "  Some runs ended up to %.0f ms after the producer: their last fetch waited out fetch.max.wait.ms,\n"
                       "  as fewer than fetch.min.bytes were left to arrive.\n",
                    1000 * late);
    }
    fprintf(f, "  %s\n", lab->note);
}
