/*
 * bench/compare_run.c — runs `kwire bench compare` (see compare_run.h): the broker, the
 * peers' programs, a fresh topic per peer and run, each peer's produce then consume as a
 * measured child process, the records the broker holds in between.
 *
 * The payload files live in a temporary directory removed at the end: N lines of the labs'
 * payload (for the line tools, kwire-cli and kcat) and the payload once (for the record
 * generators). The line tools' consumers print each record to a file whose lines are
 * counted; the others report their counts. A consumer is asked for the records the broker
 * holds after the produce (ListOffsets earliest..latest; the mock drops old batches of a
 * long partition, a real broker holds all).
 */
#include "bench/compare_run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/kafka.h"
#include "bench/mock.h"
#include "bench/proc.h"
#include "client/admin/admin.h"
#include "client/core/config.h"
#include "client/conn/metadata.h"
#include "client/conn/net.h"
#include "client/admin/offsets.h"
#include "kwire.h"

#define MAX_SETTINGS 64
#define MOCK_PARTS_MIN 8
#define MOCK_PARTS_MAX 400

void kw_cmp_opts_default(kw_cmp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->records = 1000000;
    o->peers = KW_CMP_ALL_PEERS;
    o->broker = KW_CMP_KAFKA;
    o->kafka_version = "4.4.0";
    o->repeat = 1;
}

typedef struct ctx {
    const kw_cmp_opts *o;
    char dir[PATH_MAX];
    char lines_file[PATH_MAX + 32], payload_file[PATH_MAX + 32];
    const char *bootstrap;
    int partitions;
    kw_peer_paths paths;
    char kafka_sh[PATH_MAX], franz[PATH_MAX], venv_py[PATH_MAX], perf_py[PATH_MAX];
    char missing[KW_PEER_N][320]; /* a peer that cannot run: why */
    int serial;                    /* topics and groups made so far */
    /* the broker */
    kw_kafka kafka;
    int kafka_running;
    kw_mock mock;
} ctx;

static void say(const ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const ctx *c, const char *fmt, ...)
{
    if (c->o->verbose <= 0) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kwire bench compare: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

int kw_cmp_tree_file(const char *exe, const char *rel, char *out, size_t n)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", exe ? exe : "");
    char *slash = strrchr(dir, '/');
    if (!slash) return -1;
    *slash = 0;
    const char *up[] = {"..", "../.."};
    for (size_t i = 0; i < 2; i++) {
        snprintf(out, n, "%s/%s/%s", dir, up[i], rel);
        if (access(out, R_OK) == 0) {
            char real[PATH_MAX];
            if (realpath(out, real)) snprintf(out, n, "%s", real);
            return 0;
        }
    }
    return -1;
}

/* ---- files --------------------------------------------------------------------------- */

static int write_payloads(ctx *c)
{
    snprintf(c->payload_file, sizeof c->payload_file, "%s/payload.txt", c->dir);
    snprintf(c->lines_file, sizeof c->lines_file, "%s/lines.txt", c->dir);
    FILE *f = fopen(c->payload_file, "w");
    if (!f || fputs(KW_LAB_PAYLOAD, f) == EOF || fclose(f)) return -1;
    f = fopen(c->lines_file, "w");
    if (!f) return -1;
    for (long i = 0; i < c->o->records; i++)
        if (fputs(KW_LAB_PAYLOAD "\n", f) == EOF) {
            fclose(f);
            return -1;
        }
    return fclose(f) ? -1 : 0;
}

static void remove_dir(const char *dir)
{
    char p[PATH_MAX + 64];
    static const char *const files[] = {"payload.txt", "lines.txt", "out.txt", "err.txt", "probe.txt"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* ---- the peers' programs ------------------------------------------------------------- */

/* Run bench/peers/setup.sh WHAT: the path it prints into out, or the reason into why. */
static int setup_peer(ctx *c, const char *what, char *out, size_t n, char *why, size_t whyn)
{
    char script[PATH_MAX];
    if (kw_cmp_tree_file(c->o->kwire, "bench/peers/setup.sh", script, sizeof script)) {
        snprintf(why, whyn, "bench/peers/setup.sh not found beside %s (run from kwire's source tree)", c->o->kwire);
        return -1;
    }
    char outp[PATH_MAX + 32], errp[PATH_MAX + 32];
    snprintf(outp, sizeof outp, "%s/probe.txt", c->dir);
    snprintf(errp, sizeof errp, "%s/err.txt", c->dir);
    char *argv[] = {script, (char *)what, NULL};
    kw_proc_opts po = {.out_path = outp, .err_path = errp, .timeout_s = 900};
    kw_proc_result r;
    say(c, "setting up the %s peer(s) (bench/peers/setup.sh %s; built or installed once)", what, what);
    if (kw_proc_run(argv, &po, &r) || r.status != 0) {
        char line[300] = ""; /* its failure is its last line (progress lines come before) */
        kw_file_last_line(errp, line, sizeof line);
        snprintf(why, whyn, "%s", line[0] ? line : "bench/peers/setup.sh failed");
        return -1;
    }
    kw_file_last_line(outp, out, n);
    return out[0] ? 0 : -1;
}

/* Find or set up each selected peer; a peer that cannot run gets its reason in missing[]. */
static void find_peers(ctx *c)
{
    unsigned want = c->o->peers;
    kw_peer_paths *p = &c->paths;
    memset(p, 0, sizeof *p);
    p->kwire = c->o->kwire;
    p->kafka_version = c->o->kafka_version ? c->o->kafka_version : "4.4.0";
    p->sys_python = "/usr/bin/python3";
    if (want & (1u << KW_PEER_JAVA)) {
        if (kw_kafka_script(c->kafka_sh, sizeof c->kafka_sh)) {
            snprintf(c->missing[KW_PEER_JAVA], sizeof c->missing[0], "scripts/kafka.sh not found (it runs Kafka's Java tools)");
        } else {
            /* Java present and the jars resolvable (fetched once): kafka.sh java VERSION */
            char errp[PATH_MAX + 32];
            snprintf(errp, sizeof errp, "%s/err.txt", c->dir);
            char *argv[] = {c->kafka_sh, "java", (char *)p->kafka_version, NULL};
            kw_proc_opts po = {.err_path = errp, .timeout_s = 900};
            kw_proc_result r;
            if (kw_proc_run(argv, &po, &r) || r.status != 0) {
                char line[300] = "";
                if (!kw_file_find(errp, "kafka.sh:", line, sizeof line)) kw_file_last_line(errp, line, sizeof line);
                snprintf(c->missing[KW_PEER_JAVA], sizeof c->missing[0], "%s", line[0] ? line : "kafka.sh java failed");
            } else {
                p->kafka_sh = c->kafka_sh;
            }
        }
    }
    if (want & (1u << KW_PEER_FRANZ)) {
        if (setup_peer(c, "franz-go", c->franz, sizeof c->franz, c->missing[KW_PEER_FRANZ], sizeof c->missing[0]) == 0)
            p->franz = c->franz;
    }
    if (want & ((1u << KW_PEER_CONFLUENT) | (1u << KW_PEER_KPY))) {
        char why[320] = "";
        if (setup_peer(c, "python", c->venv_py, sizeof c->venv_py, why, sizeof why) == 0) p->venv_python = c->venv_py;
        else {
            snprintf(c->missing[KW_PEER_CONFLUENT], sizeof c->missing[0], "%s", why);
            snprintf(c->missing[KW_PEER_KPY], sizeof c->missing[0], "%s", why);
        }
    }
    if (want & ((1u << KW_PEER_CONFLUENT) | (1u << KW_PEER_KPY) | (1u << KW_PEER_KPY_DEB))) {
        if (kw_cmp_tree_file(c->o->kwire, "bench/peers/python/perf.py", c->perf_py, sizeof c->perf_py) == 0)
            p->perf_py = c->perf_py;
        else
            for (int id = KW_PEER_CONFLUENT; id <= KW_PEER_KPY_DEB; id++)
                if (!c->missing[id][0])
                    snprintf(c->missing[id], sizeof c->missing[0], "bench/peers/python/perf.py not found beside %s",
                             c->o->kwire);
    }
    if ((want & (1u << KW_PEER_KPY_DEB)) && access(p->sys_python, X_OK))
        snprintf(c->missing[KW_PEER_KPY_DEB], sizeof c->missing[0], "/usr/bin/python3 not found");
    char kcat[PATH_MAX];
    if ((want & (1u << KW_PEER_KCAT)) && kw_proc_which("kcat", kcat, sizeof kcat))
        snprintf(c->missing[KW_PEER_KCAT], sizeof c->missing[0], "kcat not found on PATH (apt-get install kcat)");
}

/* ---- the broker ---------------------------------------------------------------------- */

static kw_net *open_net(const char *bootstrap, kw_config **cfg)
{
    *cfg = kw_config_new(KW_ROLE_CONSUMER);
    if (!*cfg) return NULL;
    kw_net *n = NULL;
    if (!kw_config_set(*cfg, "bootstrap.servers", bootstrap) && !kw_config_validate(*cfg)) n = kw_net_new(*cfg);
    if (n && kw_net_add_list(n, bootstrap) <= 0) {
        kw_net_free(n);
        n = NULL;
    }
    if (!n) {
        kw_config_free(*cfg);
        *cfg = NULL;
    }
    return n;
}

/* Create topic with the run's partitions and wait until each has a leader. 0 or -1 (why). */
static int create_topic(ctx *c, const char *topic, char *why, size_t whyn)
{
    kw_config *cfg;
    kw_net *n = open_net(c->bootstrap, &cfg);
    if (!n) {
        snprintf(why, whyn, "bad bootstrap list %s", c->bootstrap);
        return -1;
    }
    kw_topic_spec spec = {.name = topic, .partitions = c->partitions, .replication_factor = -1};
    kw_topic_result res;
    memset(&res, 0, sizeof res);
    int rc = kw_create_topics(n, &spec, 1, 30000, 0, &res);
    if (rc || res.error) {
        snprintf(why, whyn, "creating topic %s: %s%s%s", topic, kw_strerror(rc ? rc : res.error), res.message[0] ? ": " : "",
                 res.message);
        kw_net_free(n);
        kw_config_free(cfg);
        return -1;
    }
    rc = -1;
    for (int tries = 0; tries < 150 && rc; tries++) {
        kw_meta m;
        memset(&m, 0, sizeof m);
        const char *topics[1] = {topic};
        if (kw_meta_fetch(n, topics, 1, 0, &m) == 0) {
            const kw_meta_topic *t = kw_meta_topic_find(&m, topic);
            int led = t && t->nparts == c->partitions;
            for (int32_t i = 0; led && i < t->nparts; i++) led = t->parts[i].leader >= 0;
            if (led) rc = 0;
        }
        kw_meta_free(&m);
        if (rc) kw_net_sleep(n, 100);
    }
    if (rc) snprintf(why, whyn, "topic %s: not every partition had a leader within 15 s", topic);
    kw_net_free(n);
    kw_config_free(cfg);
    return rc;
}

/* Sum over the topic's partitions of latest - earliest offset; -1 on error. */
static long held_records(ctx *c, const char *topic)
{
    kw_config *cfg;
    kw_net *n = open_net(c->bootstrap, &cfg);
    if (!n) return -1;
    long total = -1;
    kw_meta m;
    memset(&m, 0, sizeof m);
    kw_tpo_list lo, hi;
    kw_tpo_init(&lo);
    kw_tpo_init(&hi);
    const char *topics[1] = {topic};
    if (kw_meta_fetch(n, topics, 1, 0, &m) == 0) {
        const kw_meta_topic *t = kw_meta_topic_find(&m, topic);
        int ok = t && t->nparts > 0;
        for (int32_t i = 0; ok && i < t->nparts; i++)
            ok = !kw_tpo_add(&lo, topic, t->parts[i].partition, -1) && !kw_tpo_add(&hi, topic, t->parts[i].partition, -1);
        if (ok && kw_list_offsets(n, &m, &lo, KW_TS_EARLIEST, 0, NULL) == 0 &&
            kw_list_offsets(n, &m, &hi, KW_TS_LATEST, 0, NULL) == 0) {
            total = 0;
            for (size_t i = 0; i < hi.n; i++) total += (long)(hi.v[i].offset - lo.v[i].offset);
        }
    }
    kw_tpo_free(&lo);
    kw_tpo_free(&hi);
    kw_meta_free(&m);
    kw_net_free(n);
    kw_config_free(cfg);
    return total;
}

static void stop_broker(ctx *c)
{
    kw_mock_stop(&c->mock);
    if (c->kafka_running) {
        kw_kafka_stop(&c->kafka);
        c->kafka_running = 0;
    }
}

/* ---- one run ------------------------------------------------------------------------- */

static void topic_name(int peer, int point, char *out, size_t n)
{
    if (point >= 0) snprintf(out, n, "kwire-compare-%ld-r%d-%s", (long)getpid(), point + 1, kw_peer_get(peer)->name);
    else snprintf(out, n, "kwire-compare-%ld-%s", (long)getpid(), kw_peer_get(peer)->name);
}

/* The settings a run gives every client: -X, then the grid point's. */
static int run_settings(const ctx *c, const kw_lab_point *pt, const char **out, char store[][160])
{
    int n = 0;
    for (int i = 0; i < c->o->nsettings && n < MAX_SETTINGS; i++) out[n++] = c->o->settings[i];
    if (pt) {
        const char *names[16], *values[16];
        int k = kw_lab_point_settings(pt, names, values, 16);
        for (int i = 0; i < k && n < MAX_SETTINGS; i++) {
            snprintf(store[i], 160, "%s=%s", names[i], values[i]);
            out[n++] = store[i];
        }
    }
    return n;
}

static void measure(ctx *c, int peer, int dir, const kw_lab_point *pt, kw_cmp_run *r)
{
    const kw_peer *pe = kw_peer_get(peer);
    if (r->expected <= 0) r->expected = c->o->records / pe->divisor > 0 ? c->o->records / pe->divisor : 1;
    if (c->missing[peer][0]) {
        r->status = KW_CMP_MISSING;
        snprintf(r->why, sizeof r->why, "%s", c->missing[peer]);
        return;
    }
    const char *settings[MAX_SETTINGS];
    char store[16][160];
    int ns = run_settings(c, pt, settings, store);
    kw_peer_settings ps;
    if (kw_peer_map_settings(peer, dir, settings, ns, &ps)) {
        r->status = KW_CMP_FAILED;
        snprintf(r->why, sizeof r->why, "too many settings, or one not name=value");
        return;
    }
    snprintf(r->skipped, sizeof r->skipped, "%s", ps.skipped);
    snprintf(r->adjusted, sizeof r->adjusted, "%s", ps.adjusted);
    char group[96];
    snprintf(group, sizeof group, "kwire-compare-%ld-%d", (long)getpid(), ++c->serial);
    kw_peer_job job = {.dir = dir, .bootstrap = c->bootstrap, .topic = r->topic, .group = group, .records = r->expected,
                       .lines_file = c->lines_file, .payload_file = c->payload_file, .set = &ps};
    kw_peer_argv av;
    char why[256];
    if (kw_peer_argv_build(peer, &job, &c->paths, &av, why, sizeof why)) {
        r->status = KW_CMP_MISSING;
        snprintf(r->why, sizeof r->why, "%s", why);
        return;
    }
    char outp[PATH_MAX + 32], errp[PATH_MAX + 32];
    snprintf(outp, sizeof outp, "%s/out.txt", c->dir);
    snprintf(errp, sizeof errp, "%s/err.txt", c->dir);
    double per = pe->divisor > 1 ? 2e-3 : 2e-4;
    kw_proc_opts po = {.out_path = outp, .err_path = errp, .timeout_s = 120.0 + (double)r->expected * per};
    say(c, "%s %s, %ld records, topic %s", pe->name, kw_peer_dir_name(dir), r->expected, r->topic);
    kw_proc_result pr;
    if (kw_proc_run(av.v, &po, &pr)) {
        r->status = KW_CMP_FAILED;
        snprintf(r->why, sizeof r->why, "could not start %s: %s", av.v[0], strerror(errno));
        return;
    }
    char msg[240];
    kw_file_last_line(errp, msg, sizeof msg);
    long lines = pe->reads_lines && dir == KW_DIR_CONSUME ? kw_file_lines(outp) : -1;
    char *text = kw_file_read(outp, 1 << 16);
    unlink(outp);
    kw_peer_out po_;
    int parsed = kw_peer_parse(peer, dir, text, &po_);
    free(text);
    if (pr.status == KW_PROC_NOT_FOUND || (pr.status == 3 && strstr(msg, "not installed"))) {
        r->status = KW_CMP_MISSING;
        snprintf(r->why, sizeof r->why, "%s", msg[0] ? msg : "not installed");
        return;
    }
    if (pr.timed_out) {
        r->status = KW_CMP_FAILED;
        snprintf(r->why, sizeof r->why, "killed after %.0f s", po.timeout_s);
        return;
    }
    if (pe->reads_lines) r->records = dir == KW_DIR_CONSUME ? lines : pr.status == 0 ? r->expected : 0;
    else r->records = parsed == 0 && po_.records >= 0 ? po_.records : 0;
    if (peer == KW_PEER_KCAT && dir == KW_DIR_PRODUCE && pr.status == 0 && kw_file_find(errp, "elivery failed", NULL, 0)) {
        r->status = KW_CMP_FAILED;
        r->records = 0;
        snprintf(r->why, sizeof r->why, "kcat reported failed deliveries: %s", msg);
        return;
    }
    if (pr.status != 0) {
        r->status = KW_CMP_FAILED;
        snprintf(r->why, sizeof r->why, "exit status %d%s%s", pr.status, msg[0] ? ": " : "", msg);
        return;
    }
    if (!pe->reads_lines && parsed) {
        r->status = KW_CMP_FAILED;
        snprintf(r->why, sizeof r->why, "its output has no figures%s%s", msg[0] ? ": " : "", msg);
        return;
    }
    if (r->records != r->expected) {
        r->status = KW_CMP_FAILED;
        snprintf(r->why, sizeof r->why, "moved %ld of %ld records", r->records, r->expected);
        return;
    }
    r->status = KW_CMP_OK;
    r->seconds = pr.seconds;
    r->cpu_s = pr.cpu_s;
    r->rss_mb = pr.rss_mb;
    r->own_seconds = po_.own_seconds;
    r->have_latency = dir == KW_DIR_PRODUCE && po_.have_latency;
    memcpy(r->latency_ms, po_.latency_ms, sizeof r->latency_ms);
    snprintf(r->version, sizeof r->version, "%s", po_.version);
}

/* A peer's produce, then (when asked) its consume of what the broker holds. */
static void run_peer(ctx *c, int peer, const kw_lab_point *pt, int dirs, kw_cmp_set *s)
{
    kw_cmp_run *pr = &s->r[peer][KW_DIR_PRODUCE], *cr = &s->r[peer][KW_DIR_CONSUME];
    memcpy(cr->topic, pr->topic, sizeof cr->topic);
    pr->held = -1;
    if (!(dirs & (1u << KW_DIR_PRODUCE))) { /* a consumer lab: the source topic is written */
        measure(c, peer, KW_DIR_CONSUME, pt, cr);
        return;
    }
    char why[320];
    if (!c->missing[peer][0] && c->mock.pid <= 0 && create_topic(c, pr->topic, why, sizeof why)) {
        pr->status = KW_CMP_FAILED;
        snprintf(pr->why, sizeof pr->why, "%s", why);
    } else {
        measure(c, peer, KW_DIR_PRODUCE, pt, pr);
    }
    if (!(dirs & (1u << KW_DIR_CONSUME))) return;
    if (pr->status != KW_CMP_OK) {
        cr->status = pr->status;
        cr->expected = pr->expected;
        snprintf(cr->why, sizeof cr->why, "%s", pr->status == KW_CMP_MISSING ? pr->why : "not run: its produce failed");
        return;
    }
    pr->held = held_records(c, pr->topic);
    /* a producer that said it succeeded while the broker holds none of its records (or,
       on a real broker, fewer) did not produce them */
    if (pr->held == 0 || (c->mock.pid <= 0 && pr->held > 0 && pr->held < pr->records)) {
        pr->status = KW_CMP_FAILED;
        snprintf(pr->why, sizeof pr->why, "the broker holds %ld of its %ld records", pr->held, pr->records);
        pr->records = pr->held;
        cr->status = KW_CMP_FAILED;
        cr->expected = pr->expected;
        snprintf(cr->why, sizeof cr->why, "not run: its produce failed");
        return;
    }
    if (pr->held > 0 && pr->held < pr->records) cr->expected = pr->held;
    measure(c, peer, KW_DIR_CONSUME, pt, cr);
}

static unsigned lab_dirs(const kw_lab *lab)
{
    if (!lab || lab->kind == KW_LAB_PRODUCE_CONSUME) return 3u;
    return lab->kind == KW_LAB_PRODUCE ? 1u << KW_DIR_PRODUCE : 1u << KW_DIR_CONSUME;
}

void kw_cmp_outcome_free(kw_cmp_outcome *out)
{
    free(out->sets);
    out->sets = NULL;
    out->nsets = 0;
}

int kw_cmp_execute(const kw_cmp_opts *o, kw_cmp_outcome *out, char *err, size_t errn)
{
    memset(out, 0, sizeof *out);
    ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    c->o = o;
    /* the kwire row each selected peer is compared against runs too */
    unsigned peers = o->peers ? o->peers : 1u << KW_PEER_KWIRE;
    for (int p = 0; p < KW_PEER_N; p++)
        if (peers & (1u << p)) peers |= 1u << kw_peer_get(p)->base;
    const kw_lab *lab = o->lab;
    unsigned dirs = lab_dirs(lab);
    if (o->produce_only) dirs &= 1u << KW_DIR_PRODUCE;
    int npts = lab ? kw_lab_points(lab) : o->repeat > 1 ? o->repeat : 1;
    int repeats = !lab && npts > 1;
    out->sets = calloc((size_t)npts, sizeof *out->sets);
    if (!out->sets) {
        free(c);
        snprintf(err, errn, "out of memory");
        return -1;
    }
    out->nsets = npts;
    if (o->partitions > 0) c->partitions = o->partitions;
    else if (o->broker == KW_CMP_MOCK) {
        long parts = o->records / 5000;
        c->partitions = parts < MOCK_PARTS_MIN ? MOCK_PARTS_MIN : parts > MOCK_PARTS_MAX ? MOCK_PARTS_MAX : (int)parts;
    } else {
        c->partitions = 6;
    }
    /* topics: one per peer and grid point (a consumer lab: one source topic) */
    int consume_lab = lab && lab->kind == KW_LAB_CONSUME;
    char src[160] = "";
    if (consume_lab) snprintf(src, sizeof src, "kwire-compare-%ld-%s-source", (long)getpid(), lab->name);
    for (int i = 0; i < npts; i++)
        for (int p = 0; p < KW_PEER_N; p++) {
            kw_cmp_run *r = &out->sets[i].r[p][KW_DIR_PRODUCE];
            if (consume_lab) snprintf(r->topic, sizeof r->topic, "%s", src);
            else topic_name(p, npts > 1 ? i : -1, r->topic, sizeof r->topic);
            r->held = -1;
        }
    int rc = -1;
    const char *tmpdir = getenv("TMPDIR");
    snprintf(c->dir, sizeof c->dir, "%s/kwire-compare.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(c->dir)) {
        snprintf(err, errn, "mkdtemp %s: %s", c->dir, strerror(errno));
        c->dir[0] = 0;
        goto done;
    }
    if (write_payloads(c)) {
        snprintf(err, errn, "cannot write the payload files in %s: %s", c->dir, strerror(errno));
        goto done;
    }
    find_peers(c);
    /* the broker */
    if (o->broker == KW_CMP_GIVEN) {
        snprintf(out->bootstrap, sizeof out->bootstrap, "%s", o->bootstrap ? o->bootstrap : "");
        snprintf(out->broker, sizeof out->broker, "given with -b");
    } else if (o->broker == KW_CMP_MOCK) {
        int nt = 0;
        char (*topics)[160] = calloc((size_t)npts * KW_PEER_N + 1, sizeof *topics);
        if (!topics) {
            snprintf(err, errn, "out of memory");
            goto done;
        }
        if (consume_lab) snprintf(topics[nt++], 160, "%s", src);
        else
            for (int i = 0; i < npts; i++)
                for (int p = 0; p < KW_PEER_N; p++)
                    if (peers & (1u << p)) snprintf(topics[nt++], 160, "%s", out->sets[i].r[p][KW_DIR_PRODUCE].topic);
        char why[320];
        const char **specs = calloc((size_t)nt + 1, sizeof *specs);
        char (*store)[192] = calloc((size_t)nt + 1, sizeof *store);
        for (int i = 0; specs && store && i < nt; i++) {
            snprintf(store[i], sizeof store[i], "%s:%d", topics[i], c->partitions);
            specs[i] = store[i];
        }
        kw_mock_opts mo = {.exe = o->kwire, .brokers = 3, .topics = specs, .ntopics = nt};
        int mr = specs && store ? kw_mock_start(&mo, &c->mock, why, sizeof why) : -1;
        if (!specs || !store) snprintf(why, sizeof why, "out of memory");
        free(specs);
        free(store);
        free(topics);
        if (!mr) snprintf(out->bootstrap, sizeof out->bootstrap, "%s", c->mock.bootstrap);
        if (mr) {
            snprintf(err, errn, "could not start kwire-broker (%s); give a broker with -b", why);
            goto done;
        }
        snprintf(out->broker, sizeof out->broker, "kwire-broker (librdkafka's mock cluster, 3 brokers), started for this run");
        say(c, "started kwire-broker at %s", out->bootstrap);
    } else {
        kw_kafka_opts ko = {.brokers = 1, .version = o->kafka_version};
        char why[512];
        say(c, "starting Apache Kafka %s (one node, scripts/kafka.sh)", o->kafka_version ? o->kafka_version : "4.4.0");
        if (kw_kafka_start(&ko, &c->kafka, why, sizeof why)) {
            snprintf(err, errn, "could not start Apache Kafka (%s); give a broker with -b, or use --mock", why);
            goto done;
        }
        c->kafka_running = 1;
        snprintf(out->bootstrap, sizeof out->bootstrap, "%s", c->kafka.bootstrap);
        snprintf(out->broker, sizeof out->broker, "Apache Kafka %s, one node, started for this run",
                 o->kafka_version ? o->kafka_version : "4.4.0");
        say(c, "%s", c->kafka.ready_line[0] ? c->kafka.ready_line : out->bootstrap);
    }
    c->bootstrap = out->bootstrap;
    rc = 0;
    if (consume_lab) {
        /* the records every consumer run reads: written once, by kwire, with the lab's
           first point's settings (its producer side: the defaults plus acks) */
        kw_lab_point pt;
        kw_lab_point_at(lab, 0, &pt);
        kw_cmp_run prep;
        memset(&prep, 0, sizeof prep);
        snprintf(prep.topic, sizeof prep.topic, "%s", src);
        char why[320];
        if (c->mock.pid <= 0 && create_topic(c, src, why, sizeof why)) {
            snprintf(err, errn, "%s", why);
            rc = -1;
            goto done;
        }
        measure(c, KW_PEER_KWIRE, KW_DIR_PRODUCE, &pt, &prep);
        long held = prep.status == KW_CMP_OK ? held_records(c, src) : -1;
        if (prep.status != KW_CMP_OK || held <= 0) {
            snprintf(err, errn, "could not write the %ld records the consumer runs read: %s", o->records,
                     prep.status != KW_CMP_OK ? prep.why : "the broker holds none");
            rc = -1;
            goto done;
        }
        say(c, "wrote %ld records to %s for the consumer runs", held, src);
        for (int i = 0; i < npts; i++)
            for (int p = 0; p < KW_PEER_N; p++) {
                long want = o->records / kw_peer_get(p)->divisor;
                out->sets[i].r[p][KW_DIR_CONSUME].expected = held < want ? held : want;
            }
    }
    for (int i = 0; i < npts; i++) {
        kw_lab_point pt;
        if (lab) kw_lab_point_at(lab, i, &pt);
        if (npts > 1) say(c, "run %d of %d", i + 1, npts);
        for (int k = 0; k < KW_PEER_N; k++) {
            int p = repeats && i % 2 ? KW_PEER_N - 1 - k : k; /* A B, B A, ...: drift cancels */
            if (peers & (1u << p)) run_peer(c, p, lab ? &pt : NULL, (int)dirs, &out->sets[i]);
        }
        for (int d = 0; d < KW_DIR_N; d++)
            for (int p = KW_PEER_KWIRE; p <= KW_PEER_KWIRE_CLI; p += KW_PEER_KWIRE_CLI - KW_PEER_KWIRE)
                if ((dirs & (1u << d)) && (peers & (1u << p)) && out->sets[i].r[p][d].status != KW_CMP_OK) rc = 1;
    }
done:
    stop_broker(c);
    if (c->dir[0]) remove_dir(c->dir);
    out->rep.records = o->records;
    out->rep.bootstrap = out->bootstrap;
    out->rep.broker = out->broker;
    out->rep.partitions = c->partitions;
    out->rep.peers = peers;
    out->rep.dirs = dirs;
    size_t used = 0;
    out->settings[0] = 0;
    for (int i = 0; i < o->nsettings && used < sizeof out->settings; i++)
        used += (size_t)snprintf(out->settings + used, sizeof out->settings - used, "%s%s", i ? " " : "", o->settings[i]);
    out->rep.settings = out->settings;
    free(c);
    if (rc < 0) kw_cmp_outcome_free(out);
    return rc;
}
