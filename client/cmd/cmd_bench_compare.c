/*
 * client/cmd/cmd_bench_compare.c — `kwire bench compare`: kwire against librdkafka (kcat)
 * and kafka-python (/usr/bin/python3) on one broker in one run. A temp file holds N lines
 * of the labs' 92-byte payload (bench/lab.h). For each client, in its own fresh topic, a
 * child process produces the file, then another consumes from the beginning to the end
 * what it produced; each child is measured with wait4() (user+sys CPU, peak RSS) and the
 * wall clock. kafka-python gets N/10 records (it is ~50x slower); its figures are per
 * record, so they compare directly (its times are also shown scaled to N). The consumers'
 * output lines are counted (kafka-python prints its count) against the records the broker
 * holds after the produce (ListOffsets earliest..latest, in process; normally all N): a
 * client that moved fewer records than asked is "failed", a client that is not installed
 * "missing" — never a zero figure — and the run goes on. Exit 0 when kwire's own runs
 * succeeded, whatever the peers did.
 *
 * Without -b the command starts its own kwire-broker (the embedded broker program, 3
 * brokers) with the three topics created at N/5000 partitions each (8..400): the mock
 * broker keeps a bounded log per partition, and spreading the records keeps all held.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/lab.h"
#include "bench_compare.h"
#include "client/config.h"
#include "client/metadata.h"
#include "client/net.h"
#include "client/offsets.h"

#define CMD "bench compare"
/* partitions per topic of the started broker: N/5000 within 8..400 (200 at 1M records,
   ~0.5 MB per partition: librdkafka's ~1 MB batches land on random partitions, and the
   mock drops a partition's oldest batches beyond a few MB) */
#define CMP_PARTS_MIN 8
#define CMP_PARTS_MAX 400
#define CMP_MAXARGS 96

enum { C_KWIRE, C_KCAT, C_PY, C_N };
enum { D_PRODUCE, D_CONSUME, D_N };
enum { ST_OK, ST_MISSING, ST_FAILED };

static const char *const client_name[C_N] = {"kwire", "librdkafka", "kafka-python"};
static const char *const dir_name[D_N] = {"produce", "consume"};
static const char *const st_name[] = {"ok", "missing", "failed"};

typedef struct run {
    int status;
    long expected, records;
    long held;          /* produce: records the broker holds afterwards, -1 unknown */
    double seconds, cpu, rss_mb;
    char why[200];
    char skipped[160]; /* settings this client had no equivalent for (not passed to it) */
    char adjusted[160]; /* a setting added so the client accepts the others, and why */
} run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Directory of this executable (for kwire-broker) into out; "" when unknown. */
static void self_dir(char *out, size_t n)
{
    ssize_t r = readlink("/proc/self/exe", out, n - 1);
    if (r <= 0) { out[0] = 0; return; }
    out[r] = 0;
    char *slash = strrchr(out, '/');
    if (slash) *slash = 0;
    else out[0] = 0;
}

/* 1 when `prog` is an executable file on $PATH (or a path to one). */
static int on_path(const char *prog)
{
    if (strchr(prog, '/')) return access(prog, X_OK) == 0;
    const char *p = getenv("PATH");
    if (!p) return 0;
    char buf[PATH_MAX];
    while (*p) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 0 && len + strlen(prog) + 2 < sizeof buf) {
            memcpy(buf, p, len);
            buf[len] = '/';
            strcpy(buf + len + 1, prog);
            struct stat st;
            if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0) return 1;
        }
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

/* The last line of file `path` (an error message of a child) into out. */
static void last_line(const char *path, char *out, size_t n)
{
    out[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        size_t l = strlen(line);
        while (l && (line[l - 1] == '\n' || line[l - 1] == '\r')) line[--l] = 0;
        if (l) snprintf(out, n, "%s", line);
    }
    fclose(f);
}

/* 1 when file `path` contains `needle` on one of its lines. */
static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

/*
 * Run argv as a child (stdin /dev/null, stderr to errpath). With count_lines, its stdout
 * is read and its newlines counted into *lines (and the last line kept in tail); else
 * stdout goes to /dev/null. Fills r->seconds, cpu, rss_mb. Returns the child's exit
 * status (0..255), 128+signal when killed, -1 when it could not be started.
 */
static int run_child(char *const argv[], const char *errpath, int count_lines, long *lines, char *tail,
                     size_t tailn, double timeout_s, run *r)
{
    int pfd[2] = {-1, -1};
    if (count_lines && pipe(pfd)) return -1;
    fflush(stdout);
    fflush(stderr);
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        if (count_lines) { close(pfd[0]); close(pfd[1]); }
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int in = open("/dev/null", O_RDONLY);
        int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int out = count_lines ? pfd[1] : open("/dev/null", O_WRONLY);
        if (in < 0 || err < 0 || out < 0) _exit(126);
        dup2(in, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        if (count_lines) close(pfd[0]);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    long n = 0;
    size_t tl = 0;
    int killed = 0;
    if (count_lines) {
        close(pfd[1]);
        char buf[65536];
        struct pollfd p = {.fd = pfd[0], .events = POLLIN};
        for (;;) {
            double left = timeout_s - (now_s() - t0);
            if (left <= 0) { kill(pid, SIGKILL); killed = 1; break; }
            int pr = poll(&p, 1, left > 1 ? 1000 : (int)(left * 1000) + 1);
            if (pr < 0 && errno == EINTR) continue;
            if (pr <= 0) continue;
            ssize_t got = read(pfd[0], buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) break;
            for (ssize_t i = 0; i < got; i++) {
                if (buf[i] == '\n') { n++; tl = 0; }
                else if (tail && tl + 1 < tailn) { tail[tl++] = buf[i]; tail[tl] = 0; }
            }
        }
        close(pfd[0]);
        if (lines) *lines = n;
    }
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t w = wait4(pid, &status, killed ? 0 : WNOHANG, &ru);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) return -1;
        if (w == 0) {
            if (now_s() - t0 > timeout_s) { kill(pid, SIGKILL); killed = 1; continue; }
            usleep(2000);
        }
    }
    r->seconds = now_s() - t0;
    r->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
             ru.ru_stime.tv_usec / 1e6;
    r->rss_mb = (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
    if (killed) return 128 + SIGKILL;
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* Settings of -X/-F that apply to `role` ("name=value" strings), for kwire's child. */
static int role_applies(const char *setting, int role)
{
    char name[128];
    const char *eq = strchr(setting, '=');
    size_t l = eq ? (size_t)(eq - setting) : strlen(setting);
    if (l >= sizeof name) return 1;
    memcpy(name, setting, l);
    name[l] = 0;
    if (!strcmp(name, "bootstrap.servers")) return 0; /* the children get -b */
    int id = kw_config_lookup(name);
    return id < 0 || (kw_config_desc((kw_conf_id)id)->roles & role) != 0;
}

/* librdkafka's name for a Java-client setting, or NULL when kcat has no equivalent. */
static const char *kcat_name(const char *name)
{
    static const char *const same[] = {"linger.ms", "batch.size", "batch.num.messages", "acks",
                                       "enable.idempotence", "message.max.bytes", "fetch.min.bytes",
                                       "fetch.max.bytes", "max.partition.fetch.bytes", "client.id",
                                       "request.timeout.ms", "retries", "retry.backoff.ms",
                                       "compression.level", "isolation.level", "socket.send.buffer.bytes",
                                       "socket.receive.buffer.bytes", "delivery.timeout.ms",
                                       "max.in.flight.requests.per.connection", "receive.message.max.bytes"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        if (!strcmp(name, same[i])) return same[i];
    if (!strcmp(name, "compression.type")) return "compression.codec";
    if (!strcmp(name, "fetch.max.wait.ms")) return "fetch.wait.max.ms";
    if (!strcmp(name, "max.in.flight.requests")) return "max.in.flight.requests.per.connection";
    return NULL;
}

/* kafka-python's keyword for a setting, or NULL. */
static const char *py_name(const char *name)
{
    static const char *const map[][2] = {
        {"linger.ms", "linger_ms"},           {"batch.size", "batch_size"},
        {"acks", "acks"},                     {"compression.type", "compression_type"},
        {"fetch.min.bytes", "fetch_min_bytes"}, {"fetch.max.bytes", "fetch_max_bytes"},
        {"fetch.max.wait.ms", "fetch_max_wait_ms"}, {"max.partition.fetch.bytes", "max_partition_fetch_bytes"},
        {"buffer.memory", "buffer_memory"},   {"max.request.size", "max_request_size"},
        {"client.id", "client_id"},           {"request.timeout.ms", "request_timeout_ms"},
        {"max.poll.records", "max_poll_records"}, {"max.poll.interval.ms", "max_poll_interval_ms"},
        {"socket.send.buffer.bytes", "send_buffer_bytes"}, {"socket.receive.buffer.bytes", "receive_buffer_bytes"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(name, map[i][0])) return map[i][1];
    return NULL;
}

/* The inline kafka-python script: argv = mode bootstrap topic count file [kw=value ...]. */
static const char PY_SCRIPT[] =
    "import sys\n"
    "try:\n"
    "    from kafka import KafkaProducer, KafkaConsumer, TopicPartition\n"
    "except ImportError:\n"
    "    sys.stderr.write('kafka-python not installed\\n'); sys.exit(3)\n"
    "import time\n"
    "mode, bs, topic, n, path = sys.argv[1], sys.argv[2].split(','), sys.argv[3], int(sys.argv[4]), sys.argv[5]\n"
    "kw = {}\n"
    "for a in sys.argv[6:]:\n"
    "    k, v = a.split('=', 1)\n"
    "    if k == 'compression_type':\n"
    "        v = None if v == 'none' else v\n"
    "    elif k == 'acks':\n"
    "        v = 'all' if v in ('all', '-1') else int(v)\n"
    "    elif k != 'client_id':\n"
    "        v = int(v)\n"
    "    kw[k] = v\n"
    "if mode == 'produce':\n"
    "    p = KafkaProducer(bootstrap_servers=bs, **kw)\n"
    "    sent, failed = 0, [0]\n"
    "    def err(e):\n"
    "        failed[0] += 1\n"
    "    with open(path, 'rb') as f:\n"
    "        for line in f:\n"
    "            if sent >= n: break\n"
    "            p.send(topic, line.rstrip(b'\\n')).add_errback(err)\n"
    "            sent += 1\n"
    "    p.flush(); p.close()\n"
    "    print(sent - failed[0])\n"
    "else:\n"
    "    c = KafkaConsumer(bootstrap_servers=bs, group_id=None, enable_auto_commit=False,\n"
    "                      auto_offset_reset='earliest', **kw)\n"
    "    parts = None\n"
    "    for _ in range(100):\n"
    "        parts = c.partitions_for_topic(topic)\n"
    "        if parts: break\n"
    "        time.sleep(0.1)\n"
    "    c.assign([TopicPartition(topic, p) for p in sorted(parts or [])])\n"
    "    c.seek_to_beginning()\n"
    "    got, idle = 0, time.time()\n"
    "    mr = None if 'max_poll_records' in kw else 100000\n"
    "    while got < n and time.time() - idle < 15:\n"
    "        for recs in c.poll(timeout_ms=500, max_records=mr).values():\n"
    "            got += len(recs); idle = time.time()\n"
    "    c.close()\n"
    "    print(min(got, n))\n";

#define CMP_MAX_EXTRA 16

typedef struct ctx {
    kw_cli *cli;
    const char *bootstrap;
    const char *file;
    char dir[PATH_MAX];
    char topic[C_N][96];
    char exe[PATH_MAX];
    long n, npy;
    /* --lab: the grid point's settings ("name=value"), given after -X's */
    char extra[CMP_MAX_EXTRA][200];
    int nextra;
} ctx;

/* Settings the harness itself gives every consumer (from the beginning, no group, no
   commit): the peers get them as -o beginning / no group, not as settings. */
static int harness_setting(const char *name)
{
    return !strcmp(name, "auto.offset.reset") || !strcmp(name, "enable.auto.commit");
}

/* Append "-X" "name=value" pairs (translated for the client) to args; the names of
   settings the client has no equivalent for go to skipped (comma separated). */
static int add_settings(const ctx *c, int client, int role, char **args, int na, char store[][200], char *skipped,
                        size_t skn, char *adjusted, size_t adn)
{
    if (adjusted && adn) adjusted[0] = 0;
    int ns = 0;
    int total = c->cli->nsettings + c->nextra;
    if (skipped && skn) skipped[0] = 0;
    for (int i = 0; i < total && na < CMP_MAXARGS - 4 && ns < 32; i++) {
        const char *s = i < c->cli->nsettings ? c->cli->settings[i] : c->extra[i - c->cli->nsettings];
        if (!role_applies(s, role)) continue;
        const char *eq = strchr(s, '=');
        if (!eq) continue;
        char name[128];
        size_t l = (size_t)(eq - s);
        if (l >= sizeof name) continue;
        memcpy(name, s, l);
        name[l] = 0;
        if (client == C_KWIRE) {
            args[na++] = "-X";
            args[na++] = (char *)s;
        } else if (harness_setting(name)) {
            continue;
        } else if (client == C_KCAT) {
            const char *k = kcat_name(name);
            if (!k) {
                if (skipped && strlen(skipped) + l + 3 < skn) {
                    if (skipped[0]) strcat(skipped, ", ");
                    strcat(skipped, name);
                }
                continue;
            }
            snprintf(store[ns], 200, "%s=%s", k, eq + 1);
            args[na++] = "-X";
            args[na++] = store[ns++];
            /* librdkafka refuses a consumer whose fetch.max.bytes is below its
               message.max.bytes (default 1000000, minimum 1000): lower that one too */
            long v = strtol(eq + 1, NULL, 10);
            if (role == KW_ROLE_CONSUMER && !strcmp(name, "fetch.max.bytes") && v >= 1000 && v < 1000000 && ns < 32) {
                snprintf(store[ns], 200, "message.max.bytes=%ld", v);
                args[na++] = "-X";
                args[na++] = store[ns++];
                if (adjusted && adn)
                    snprintf(adjusted, adn, "message.max.bytes=%ld (librdkafka requires fetch.max.bytes >= message.max.bytes)", v);
            }
        } else {
            const char *k = py_name(name);
            if (!k) {
                if (skipped && strlen(skipped) + l + 3 < skn) {
                    if (skipped[0]) strcat(skipped, ", ");
                    strcat(skipped, name);
                }
                continue;
            }
            snprintf(store[ns], 200, "%s=%s", k, eq + 1);
            args[na++] = store[ns++];
        }
    }
    args[na] = NULL;
    return na;
}

/* Sum over the topic's partitions of latest - earliest offset: the records the broker
   holds (the mock drops a partition's oldest batches past its size bound). -1 on error. */
static long held_records(kw_cli *cli, const char *topic)
{
    kw_net *net = NULL;
    kw_config *cfg = kw__cli_config(cli, CMD, KW_ROLE_CONSUMER, NULL, &net);
    if (!cfg) return -1;
    long total = -1;
    kw_meta m;
    memset(&m, 0, sizeof m);
    kw_tpo_list lo, hi;
    kw_tpo_init(&lo);
    kw_tpo_init(&hi);
    const char *topics[1] = {topic};
    if (kw_meta_fetch(net, topics, 1, 0, &m) == 0) {
        const kw_meta_topic *t = kw_meta_topic_find(&m, topic);
        int ok = t && t->nparts > 0;
        for (int32_t i = 0; ok && i < t->nparts; i++)
            ok = !kw_tpo_add(&lo, topic, t->parts[i].partition, -1) && !kw_tpo_add(&hi, topic, t->parts[i].partition, -1);
        if (ok && kw_list_offsets(net, &m, &lo, KW_TS_EARLIEST, 0) == 0 &&
            kw_list_offsets(net, &m, &hi, KW_TS_LATEST, 0) == 0) {
            total = 0;
            for (size_t i = 0; i < hi.n; i++) total += (long)(hi.v[i].offset - lo.v[i].offset);
        }
    }
    kw_tpo_free(&lo);
    kw_tpo_free(&hi);
    kw_meta_free(&m);
    kw_net_free(net);
    kw_config_free(cfg);
    return total;
}

static void measure(const ctx *c, int client, int dir, run *r)
{
    char *args[CMP_MAXARGS];
    char store[32][200];
    char nbuf[32], errpath[PATH_MAX + 32];
    int na = 0;
    int role = dir == D_PRODUCE ? KW_ROLE_PRODUCER : KW_ROLE_CONSUMER;
    long want = r->expected > 0 ? r->expected : client == C_PY ? c->npy : c->n;
    r->expected = want;
    snprintf(errpath, sizeof errpath, "%s/%s-%s.err", c->dir, client_name[client], dir_name[dir]);
    if (client == C_KWIRE) {
        args[na++] = (char *)c->exe;
        args[na++] = "-q";
        args[na++] = "-b";
        args[na++] = (char *)c->bootstrap;
        na = add_settings(c, client, role, args, na, store, r->skipped, sizeof r->skipped, r->adjusted, sizeof r->adjusted);
        args[na++] = dir == D_PRODUCE ? "produce" : "consume";
        args[na++] = "-t";
        args[na++] = (char *)c->topic[client];
        if (dir == D_PRODUCE) {
            args[na++] = "-l";
            args[na++] = (char *)c->file;
        } else {
            args[na++] = "-e";
            args[na++] = "-o";
            args[na++] = "beginning";
        }
    } else if (client == C_KCAT) {
        if (!on_path("kcat")) {
            r->status = ST_MISSING;
            snprintf(r->why, sizeof r->why, "kcat not found on PATH");
            return;
        }
        args[na++] = "kcat";
        args[na++] = dir == D_PRODUCE ? "-P" : "-C";
        args[na++] = "-q";
        args[na++] = "-b";
        args[na++] = (char *)c->bootstrap;
        args[na++] = "-t";
        args[na++] = (char *)c->topic[client];
        na = add_settings(c, client, role, args, na, store, r->skipped, sizeof r->skipped, r->adjusted, sizeof r->adjusted);
        if (dir == D_PRODUCE) {
            args[na++] = "-l";
            args[na++] = (char *)c->file;
        } else {
            args[na++] = "-e";
            args[na++] = "-o";
            args[na++] = "beginning";
        }
    } else {
        if (access("/usr/bin/python3", X_OK)) {
            r->status = ST_MISSING;
            snprintf(r->why, sizeof r->why, "/usr/bin/python3 not found");
            return;
        }
        snprintf(nbuf, sizeof nbuf, "%ld", want);
        args[na++] = "/usr/bin/python3";
        args[na++] = "-c";
        args[na++] = (char *)PY_SCRIPT;
        args[na++] = (char *)dir_name[dir];
        args[na++] = (char *)c->bootstrap;
        args[na++] = (char *)c->topic[client];
        args[na++] = nbuf;
        args[na++] = (char *)c->file;
        na = add_settings(c, client, role, args, na, store, r->skipped, sizeof r->skipped, r->adjusted, sizeof r->adjusted);
    }
    args[na] = NULL;
    int count = dir == D_CONSUME || client == C_PY;
    long lines = 0;
    char tail[64] = "";
    double timeout = 60.0 + (double)want * (client == C_PY ? 1e-3 : 1e-4);
    int rc = run_child(args, errpath, count, &lines, tail, sizeof tail, timeout, r);
    char msg[160];
    last_line(errpath, msg, sizeof msg);
    if (rc < 0) {
        r->status = ST_FAILED;
        snprintf(r->why, sizeof r->why, "could not start the child: %s", strerror(errno));
        return;
    }
    if (rc == 127 || (client == C_PY && rc == 3 && strstr(msg, "not installed"))) {
        r->status = ST_MISSING;
        snprintf(r->why, sizeof r->why, "%s", msg[0] ? msg : "not installed");
        return;
    }
    /* records moved: the consumers' lines; kafka-python prints its count (acknowledged
       sends for its producer); kwire produce exits 1 when any record failed; kcat -P
       prints "Delivery failed" per failed message. Its consume then checks them all. */
    if (client == C_PY) r->records = strtol(tail, NULL, 10);
    else r->records = dir == D_CONSUME ? lines : (rc == 0 ? want : 0);
    if (client == C_KCAT && dir == D_PRODUCE && rc == 0 && file_has(errpath, "elivery failed")) {
        r->status = ST_FAILED;
        r->records = 0;
        snprintf(r->why, sizeof r->why, "kcat reported failed deliveries: %s", msg);
        return;
    }
    if (rc != 0) {
        r->status = ST_FAILED;
        snprintf(r->why, sizeof r->why, "exit status %d%s%s", rc, msg[0] ? ": " : "", msg);
        return;
    }
    if (r->records != want) {
        r->status = ST_FAILED;
        snprintf(r->why, sizeof r->why, "moved %ld of %ld records", r->records, want);
        return;
    }
    r->status = ST_OK;
}

/* Partitions per topic for runs of n records (see CMP_PARTS_MIN). */
static long parts_for(long n)
{
    long parts = n / 5000;
    if (parts < CMP_PARTS_MIN) parts = CMP_PARTS_MIN;
    if (parts > CMP_PARTS_MAX) parts = CMP_PARTS_MAX;
    return parts;
}

/* Start kwire-broker (3 brokers) with the topics, each of `parts` partitions; the
   bootstrap line into bs. Returns its pid, or -1 with the reason in why (with what the
   broker wrote on stderr, kept in a memory file). */
static pid_t start_broker(char (*topics)[96], int ntopics, long parts, char *bs, size_t bsn,
                          char *why, size_t whyn)
{
    snprintf(why, whyn, "out of memory or file descriptors");
    char path[PATH_MAX + 16];
    self_dir(path, PATH_MAX);
    if (path[0]) strcat(path, "/kwire-broker");
    else strcpy(path, "kwire-broker");
    if (path[0] == '/' && access(path, X_OK)) strcpy(path, "kwire-broker");
    char **args = calloc((size_t)(4 + 2 * ntopics), sizeof *args);
    char (*specs)[128] = calloc((size_t)ntopics, sizeof *specs);
    if (!args || !specs) {
        free(args);
        free(specs);
        return -1;
    }
    int na = 0;
    args[na++] = "kwire-broker";
    args[na++] = "--brokers";
    args[na++] = "3";
    for (int i = 0; i < ntopics; i++) {
        snprintf(specs[i], sizeof specs[i], "%s:%ld", topics[i], parts);
        args[na++] = "--topic";
        args[na++] = specs[i];
    }
    args[na] = NULL;
    int fds[2];
    int efd = memfd_create("kwire-broker-stderr", MFD_CLOEXEC); /* -1: stderr to /dev/null */
    if (pipe(fds)) {
        if (efd >= 0) close(efd);
        free(args);
        free(specs);
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        if (efd >= 0) close(efd);
        free(args);
        free(specs);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        dup2(fds[1], STDOUT_FILENO);
        int dn = efd >= 0 ? efd : open("/dev/null", O_WRONLY);
        if (dn >= 0) dup2(dn, STDERR_FILENO);
        if (dn > STDERR_FILENO) close(dn);
        close(fds[0]);
        close(fds[1]);
        execvp(path, args);
        _exit(127);
    }
    close(fds[1]);
    free(args);
    free(specs);
    size_t got = 0;
    int timed_out = 0;
    struct pollfd p = {.fd = fds[0], .events = POLLIN};
    while (got < bsn - 1 && !memchr(bs, '\n', got)) {
        int pr = poll(&p, 1, 10000);
        if (pr == 0) timed_out = 1;
        if (pr <= 0) break;
        ssize_t r = read(fds[0], bs + got, bsn - 1 - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fds[0]);
    bs[got] = 0;
    char *nl = strchr(bs, '\n');
    if (!nl) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        char err[256] = "";
        ssize_t en = efd >= 0 ? pread(efd, err, sizeof err - 1, 0) : -1;
        if (en > 0) {
            err[en] = 0;
            err[strcspn(err, "\n")] = 0;
        }
        snprintf(why, whyn, "%s%s%s", timed_out ? "no bootstrap line within 10 s" : "it printed no bootstrap line",
                 err[0] ? ": " : "", err);
        if (efd >= 0) close(efd);
        return -1;
    }
    if (efd >= 0) close(efd);
    *nl = 0;
    return pid;
}

static double rps(const run *r) { return r->seconds > 0 ? (double)r->records / r->seconds : 0; }
static double cpu_per_m(const run *r) { return r->records > 0 ? r->cpu * 1e6 / (double)r->records : 0; }

/* per direction and peer (librdkafka, kafka-python): records/s, CPU per record, peak RSS */
#define N_METRICS 3
#define N_RATIOS (D_N * 2 * N_METRICS)

typedef struct ratio {
    int dir, against;       /* against: C_KCAT or C_PY */
    const char *metric;     /* "records_per_sec", "cpu_per_record" or "peak_rss" */
    int have;               /* both sides ok */
    double value;
    const char *target;     /* NULL: no target */
    int met;
} ratio;

static int make_ratios(run res[C_N][D_N], ratio *out)
{
    int n = 0;
    for (int d = 0; d < D_N; d++)
        for (int a = C_KCAT; a <= C_PY; a++)
            for (int m = 0; m < N_METRICS; m++) {
                ratio *q = &out[n++];
                memset(q, 0, sizeof *q);
                q->dir = d;
                q->against = a;
                q->metric = m == 0 ? "records_per_sec" : m == 1 ? "cpu_per_record" : "peak_rss";
                const run *k = &res[C_KWIRE][d], *o = &res[a][d];
                q->have = k->status == ST_OK && o->status == ST_OK && rps(o) > 0 && cpu_per_m(o) > 0 && o->rss_mb > 0;
                if (q->have)
                    q->value = m == 0 ? rps(k) / rps(o) : m == 1 ? cpu_per_m(k) / cpu_per_m(o) : k->rss_mb / o->rss_mb;
                if (a == C_KCAT && m == 0) { q->target = ">= 1.0"; q->met = q->value >= 1.0; }
                if (a == C_KCAT && m == 1) { q->target = "<= 0.5"; q->met = q->value <= 0.5; }
                /* the producer's peak RSS against librdkafka's (the consumers' follows the
                   fetch sizes each is given, which differ: no target there) */
                if (a == C_KCAT && m == 2 && d == D_PRODUCE) { q->target = "<= 1.0"; q->met = q->value <= 1.0; }
                if (a == C_PY && m == 0) { q->target = ">= 30"; q->met = q->value >= 30.0; }
            }
    return n;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

/* One run as a JSON object: figures when ok, never zeros for a missing or failed one. */
static void json_run(const ctx *c, const run *r, int cl, int d, const char *topic)
{
    printf("{\"client\": \"%s\", \"direction\": \"%s\", \"status\": \"%s\", \"topic\": ", client_name[cl],
           dir_name[d], st_name[r->status]);
    json_str(stdout, topic);
    printf(", \"expected\": %ld", r->expected);
    if (d == D_PRODUCE && r->status == ST_OK) printf(", \"broker_held\": %ld", r->held);
    if (r->status == ST_OK)
        printf(", \"records\": %ld, \"seconds\": %.6f, \"records_per_sec\": %.1f, \"cpu_seconds\": %.6f, "
               "\"cpu_s_per_million\": %.4f, \"peak_rss_mb\": %.2f",
               r->records, r->seconds, rps(r), r->cpu, cpu_per_m(r), r->rss_mb);
    if (r->status == ST_OK && r->expected != c->n)
        printf(", \"scale\": %.4f, \"seconds_scaled_to_records\": %.6f, \"cpu_seconds_scaled_to_records\": %.6f",
               (double)c->n / (double)r->expected, r->seconds * (double)c->n / (double)r->expected,
               r->cpu * (double)c->n / (double)r->expected);
    if (r->skipped[0]) {
        printf(", \"settings_not_passed\": ");
        json_str(stdout, r->skipped);
    }
    if (r->adjusted[0]) {
        printf(", \"settings_adjusted\": ");
        json_str(stdout, r->adjusted);
    }
    if (r->status != ST_OK) {
        if (r->status == ST_FAILED) printf(", \"records\": %ld", r->records);
        printf(", \"error\": ");
        json_str(stdout, r->why);
    }
    printf("}");
}

/* The ratios of one set of runs as JSON objects (only direction `only` when >= 0). */
static void json_ratios(run res[C_N][D_N], int only, const char *sep)
{
    ratio q[N_RATIOS];
    int nq = make_ratios(res, q), first = 1;
    for (int i = 0; i < nq; i++) {
        if (only >= 0 && q[i].dir != only) continue;
        printf("%s%s{\"direction\": \"%s\", \"metric\": \"%s\", \"kwire_over\": \"%s\", ", first ? "" : ",", sep,
               dir_name[q[i].dir], q[i].metric, client_name[q[i].against]);
        first = 0;
        if (q[i].have) printf("\"value\": %.4f", q[i].value);
        else printf("\"value\": null");
        if (q[i].target) {
            printf(", \"target\": \"%s\", \"met\": ", q[i].target);
            printf("%s", q[i].have ? (q[i].met ? "true" : "false") : "null");
        }
        printf("}");
    }
}

static void print_json(const ctx *c, run res[C_N][D_N])
{
    printf("{\"records\": %ld, \"kafka_python_records\": %ld, \"payload_bytes\": %d, \"bootstrap\": ", c->n, c->npy,
           KW_LAB_PAYLOAD_LEN);
    json_str(stdout, c->bootstrap);
    printf(", \"runs\": [");
    int first = 1;
    for (int cl = 0; cl < C_N; cl++)
        for (int d = 0; d < D_N; d++) {
            printf("%s\n  ", first ? "" : ",");
            json_run(c, &res[cl][d], cl, d, c->topic[cl]);
            first = 0;
        }
    printf("\n ], \"ratios\": [");
    json_ratios(res, -1, "\n  ");
    printf("\n ]}\n");
}

static void print_text(const ctx *c, run res[C_N][D_N])
{
    printf("kwire bench compare: %ld records of %d bytes (kafka-python: %ld records, N/10 — it is slow; its figures\n"
           "are per record, so they compare directly), broker %s\n\n",
           c->n, KW_LAB_PAYLOAD_LEN, c->npy, c->bootstrap);
    printf("%-13s %-8s %10s %9s %12s %14s %9s\n", "client", "dir", "records", "seconds", "records/s", "CPU s/M rec",
           "RSS MB");
    for (int cl = 0; cl < C_N; cl++)
        for (int d = 0; d < D_N; d++) {
            const run *r = &res[cl][d];
            if (r->status == ST_OK)
                printf("%-13s %-8s %10ld %9.3f %12.0f %14.3f %9.1f\n", client_name[cl], dir_name[d], r->records,
                       r->seconds, rps(r), cpu_per_m(r), r->rss_mb);
            else
                printf("%-13s %-8s %10s  %s: %s\n", client_name[cl], dir_name[d], "-", st_name[r->status], r->why);
        }
    for (int cl = 0; cl < C_N; cl++) {
        const run *pr = &res[cl][D_PRODUCE];
        if (pr->status == ST_OK && pr->held >= 0 && pr->held < pr->records)
            printf("note: after %s's produce the broker held %ld of its %ld records (it dropped old batches); its "
                   "consume was asked for those %ld\n", client_name[cl], pr->held, pr->records, pr->held);
    }
    const run *pp = &res[C_PY][D_PRODUCE], *pc = &res[C_PY][D_CONSUME];
    if (pp->status == ST_OK || pc->status == ST_OK) {
        double k = (double)c->n / (double)c->npy;
        printf("kafka-python scaled x%.0f to %ld records:", k, c->n);
        if (pp->status == ST_OK) printf(" produce ~%.1f s (%.1f CPU s)", pp->seconds * k, pp->cpu * k);
        if (pc->status == ST_OK) printf("%s consume ~%.1f s (%.1f CPU s)", pp->status == ST_OK ? "," : "", pc->seconds * k,
                                        pc->cpu * k);
        printf("\n");
    }
    printf("\nratios (kwire / other)\n");
    ratio q[N_RATIOS];
    int nq = make_ratios(res, q);
    for (int i = 0; i < nq; i++) {
        printf("  %-8s kwire/%-13s %-16s ", dir_name[q[i].dir], client_name[q[i].against], q[i].metric);
        if (!q[i].have) printf("%8s", "n/a");
        else printf("%8.3fx", q[i].value);
        if (q[i].target)
            printf("   target %-7s %s", q[i].target, !q[i].have ? "(not measured)" : q[i].met ? "met" : "NOT MET");
        printf("\n");
    }
}

static int write_payload(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    for (long i = 0; i < n; i++)
        if (fputs(KW_LAB_PAYLOAD "\n", f) == EOF) { fclose(f); return -1; }
    return fclose(f) ? -1 : 0;
}

static void remove_dir(const ctx *c)
{
    char p[PATH_MAX + 64];
    for (int cl = 0; cl < C_N; cl++)
        for (int d = 0; d < D_N; d++) {
            snprintf(p, sizeof p, "%s/%s-%s.err", c->dir, client_name[cl], dir_name[d]);
            unlink(p);
        }
    snprintf(p, sizeof p, "%s/payload.txt", c->dir);
    unlink(p);
    rmdir(c->dir);
}

/* ---- --lab: a lab's grid through the three clients ---------------------------------- */

typedef struct labrun {
    kw_lab_point pt;
    run res[C_N][D_N];
    char topic[C_N][96];
} labrun;

static int lab_dirs(const kw_lab *lab, int d)
{
    return d == D_PRODUCE ? lab->kind != KW_LAB_CONSUME : lab->kind != KW_LAB_PRODUCE;
}

/* The point's settings (the lab's fixed ones, then its axes) into c->extra. */
static void lab_point_settings(ctx *c, const kw_lab_point *pt)
{
    const char *names[CMP_MAX_EXTRA], *values[CMP_MAX_EXTRA];
    int n = kw_lab_point_settings(pt, names, values, CMP_MAX_EXTRA);
    c->nextra = 0;
    for (int i = 0; i < n; i++) snprintf(c->extra[c->nextra++], sizeof c->extra[0], "%s=%s", names[i], values[i]);
}

static void lab_point_label(const kw_lab_point *pt, char *out, size_t n)
{
    size_t used = 0;
    out[0] = 0;
    for (int a = 0; a < pt->lab->naxes && used < n; a++)
        used += (size_t)snprintf(out + used, n - used, "%s%s %s", a ? ", " : "", pt->lab->axes[a].label, pt->values[a]);
}

/* One ratio over all runs of the lab: geometric mean, min, max, and how many met. */
typedef struct lab_sum {
    int dir, against, metric, have, met;
    double gmean, min, max;
    int min_run, max_run;
    const char *target;
    const char *metric_name;
} lab_sum;

static int lab_summary(const kw_lab *lab, labrun *runs, int npts, lab_sum *out)
{
    int n = 0;
    ratio probe[N_RATIOS];
    int nq = make_ratios(runs[0].res, probe);
    for (int k = 0; k < nq; k++) {
        if (!lab_dirs(lab, probe[k].dir)) continue;
        lab_sum *s = &out[n++];
        memset(s, 0, sizeof *s);
        s->dir = probe[k].dir;
        s->against = probe[k].against;
        s->metric_name = probe[k].metric;
        s->target = probe[k].target;
        double logsum = 0;
        for (int i = 0; i < npts; i++) {
            ratio q[N_RATIOS];
            make_ratios(runs[i].res, q);
            if (!q[k].have) continue;
            logsum += log(q[k].value);
            if (!s->have || q[k].value < s->min) { s->min = q[k].value; s->min_run = i + 1; }
            if (!s->have || q[k].value > s->max) { s->max = q[k].value; s->max_run = i + 1; }
            s->have++;
            s->met += q[k].target && q[k].met;
        }
        if (s->have) s->gmean = exp(logsum / s->have);
    }
    return n;
}

/* Why the settings in `names` (as collected by add_settings) are not given to a peer. */
static const char *not_passed_why(int client, const char *names)
{
    if (client == C_KCAT && strstr(names, "max.poll.interval.ms"))
        return "kcat -C reads without a group; librdkafka applies max.poll.interval.ms to group consumers only"
               " and would refuse values below session.timeout.ms";
    if (client == C_KCAT && strstr(names, "max.poll.records"))
        return "librdkafka has no such setting: kcat receives records one at a time";
    return "it has no equivalent setting";
}

static void lab_print_text(const ctx *c, const kw_lab *lab, labrun *runs, int npts)
{
    printf("kwire bench compare --lab %s (%s): %d runs; kwire and librdkafka move %ld records per run, kafka-python %ld\n"
           "(it is slow; its figures are per record, so they compare directly); the labs' %d-byte payload; broker %s\n",
           lab->name, lab->title, npts, c->n, c->npy, KW_LAB_PAYLOAD_LEN, c->bootstrap);
    for (int cl = C_KCAT; cl < C_N; cl++) {
        const char *sk = "";
        for (int i = 0; i < npts && !sk[0]; i++)
            for (int d = 0; d < D_N && !sk[0]; d++) sk = runs[i].res[cl][d].skipped;
        if (sk[0]) printf("not passed to %s: %s (%s)\n", client_name[cl], sk, not_passed_why(cl, sk));
    }
    for (int i = 0; i < npts; i++) {
        char label[256];
        lab_point_label(&runs[i].pt, label, sizeof label);
        for (int d = 0; d < D_N; d++) {
            if (!lab_dirs(lab, d)) continue;
            printf("\nrun %d: %s — %s\n", i + 1, label, dir_name[d]);
            printf("  %-13s %8s %9s %12s %12s %8s\n", "client", "records", "seconds", "records/s", "CPU s/M rec", "RSS MB");
            for (int cl = 0; cl < C_N; cl++) {
                const run *r = &runs[i].res[cl][d];
                if (r->status == ST_OK)
                    printf("  %-13s %8ld %9.3f %12.0f %12.3f %8.1f\n", client_name[cl], r->records, r->seconds, rps(r),
                           cpu_per_m(r), r->rss_mb);
                else
                    printf("  %-13s %8s  %s: %s\n", client_name[cl], "-", st_name[r->status], r->why);
            }
            for (int cl = 0; cl < C_N; cl++)
                if (runs[i].res[cl][d].adjusted[0])
                    printf("  (%s also given %s)\n", client_name[cl], runs[i].res[cl][d].adjusted);
            ratio q[N_RATIOS];
            int nq = make_ratios(runs[i].res, q);
            printf("  ratios:");
            for (int k = 0; k < nq; k++) {
                if (q[k].dir != d || !q[k].target) continue;
                printf(" %s/%s %s", client_name[C_KWIRE], client_name[q[k].against],
                       !strcmp(q[k].metric, "records_per_sec") ? "records/s"
                       : !strcmp(q[k].metric, "cpu_per_record") ? "CPU/record" : "peak RSS");
                if (q[k].have) printf(" %.2fx (%s);", q[k].value, q[k].met ? "met" : "NOT MET");
                else printf(" n/a;");
            }
            printf("\n");
        }
    }
    lab_sum sums[N_RATIOS];
    int ns = lab_summary(lab, runs, npts, sums);
    printf("\nsummary over %d runs (geometric mean, range, target met in how many runs)\n", npts);
    for (int k = 0; k < ns; k++) {
        const lab_sum *s = &sums[k];
        printf("  %-8s kwire/%-13s %-16s ", dir_name[s->dir], client_name[s->against], s->metric_name);
        if (!s->have) {
            printf("n/a (no run measured both)\n");
            continue;
        }
        printf("%8.3fx  (%.3fx run %d .. %.3fx run %d)", s->gmean, s->min, s->min_run, s->max, s->max_run);
        if (s->target) printf("  target %s met in %d of %d", s->target, s->met, s->have);
        printf("\n");
    }
}

static void lab_print_json(const ctx *c, const kw_lab *lab, labrun *runs, int npts)
{
    printf("{\"lab\": \"%s\", \"title\": ", lab->name);
    json_str(stdout, lab->title);
    printf(", \"records\": %ld, \"kafka_python_records\": %ld, \"payload_bytes\": %d, \"bootstrap\": ", c->n, c->npy,
           KW_LAB_PAYLOAD_LEN);
    json_str(stdout, c->bootstrap);
    printf(", \"fixed\": {");
    for (int i = 0; i < lab->nfixed; i++) {
        printf("%s", i ? ", " : "");
        json_str(stdout, lab->fixed[i][0]);
        printf(": ");
        json_str(stdout, lab->fixed[i][1]);
    }
    printf("}, \"runs\": [");
    for (int i = 0; i < npts; i++) {
        printf("%s\n  {\"run\": %d, \"settings\": {", i ? "," : "", i + 1);
        for (int a = 0; a < lab->naxes; a++) {
            printf("%s", a ? ", " : "");
            json_str(stdout, lab->axes[a].setting);
            printf(": ");
            json_str(stdout, runs[i].pt.values[a]);
        }
        printf("}, \"results\": [");
        int first = 1;
        for (int cl = 0; cl < C_N; cl++)
            for (int d = 0; d < D_N; d++) {
                if (!lab_dirs(lab, d)) continue;
                printf("%s\n    ", first ? "" : ",");
                json_run(c, &runs[i].res[cl][d], cl, d, runs[i].topic[cl]);
                first = 0;
            }
        printf("], \"ratios\": [");
        for (int d = 0, any = 0; d < D_N; d++) {
            if (!lab_dirs(lab, d)) continue;
            if (any) printf(",");
            json_ratios(runs[i].res, d, "\n    ");
            any = 1;
        }
        printf("]}");
    }
    printf("\n ], \"summary\": [");
    lab_sum sums[N_RATIOS];
    int ns = lab_summary(lab, runs, npts, sums);
    for (int k = 0; k < ns; k++) {
        const lab_sum *s = &sums[k];
        printf("%s\n  {\"direction\": \"%s\", \"metric\": \"%s\", \"kwire_over\": \"%s\", \"runs_measured\": %d", k ? "," : "",
               dir_name[s->dir], s->metric_name, client_name[s->against], s->have);
        if (s->have)
            printf(", \"geometric_mean\": %.4f, \"min\": %.4f, \"min_run\": %d, \"max\": %.4f, \"max_run\": %d", s->gmean,
                   s->min, s->min_run, s->max, s->max_run);
        if (s->target) printf(", \"target\": \"%s\", \"runs_met\": %d", s->target, s->met);
        printf("}");
    }
    printf("\n ]}\n");
}

/* CSV: one row per run, client and direction. */
static void lab_write_csv(FILE *f, const kw_lab *lab, labrun *runs, int npts)
{
    fprintf(f, "lab,run");
    for (int a = 0; a < lab->naxes; a++) fprintf(f, ",%s", lab->axes[a].setting);
    fprintf(f, ",client,direction,status,records,seconds,records_per_sec,cpu_s_per_million,peak_rss_mb\n");
    for (int i = 0; i < npts; i++)
        for (int cl = 0; cl < C_N; cl++)
            for (int d = 0; d < D_N; d++) {
                if (!lab_dirs(lab, d)) continue;
                const run *r = &runs[i].res[cl][d];
                fprintf(f, "%s,%d", lab->name, i + 1);
                for (int a = 0; a < lab->naxes; a++) fprintf(f, ",%s", runs[i].pt.values[a]);
                fprintf(f, ",%s,%s,%s", client_name[cl], dir_name[d], st_name[r->status]);
                if (r->status == ST_OK)
                    fprintf(f, ",%ld,%.6f,%.1f,%.4f,%.2f\n", r->records, r->seconds, rps(r), cpu_per_m(r), r->rss_mb);
                else
                    fprintf(f, ",,,,,\n"); /* not measured: empty, never zero */
            }
}

static void lab_progress(int done, int total, const kw_lab *lab)
{
    if (!isatty(STDERR_FILENO)) return;
    int w = 30, fill = total ? done * w / total : w;
    fprintf(stderr, "\r%s vs peers [", lab->name);
    for (int i = 0; i < w; i++) fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %d/%d runs%s", done, total, done == total ? "\n" : "");
    fflush(stderr);
}

/* Produce (and/or consume) one grid point with each client; consume labs read `src`. */
static void lab_run_point(ctx *c, const kw_lab *lab, labrun *lr, const char *src, long src_held)
{
    lab_point_settings(c, &lr->pt);
    for (int cl = 0; cl < C_N; cl++) {
        snprintf(c->topic[cl], sizeof c->topic[cl], "%s", lab->kind == KW_LAB_CONSUME ? src : lr->topic[cl]);
        run *pr = &lr->res[cl][D_PRODUCE], *cr = &lr->res[cl][D_CONSUME];
        if (lab->kind != KW_LAB_CONSUME) {
            measure(c, cl, D_PRODUCE, pr);
            if (lab->kind == KW_LAB_PRODUCE) continue;
            if (pr->status != ST_OK) {
                cr->status = pr->status;
                cr->expected = pr->expected;
                snprintf(cr->why, sizeof cr->why, "%s", pr->status == ST_MISSING ? pr->why : "not run: its produce failed");
                continue;
            }
            long held = held_records(c->cli, c->topic[cl]);
            pr->held = held;
            if (held > 0 && held < pr->records) cr->expected = held;
        } else {
            long want = cl == C_PY ? c->npy : c->n;
            cr->expected = src_held > 0 && src_held < want ? src_held : want;
        }
        measure(c, cl, D_CONSUME, cr);
    }
}

static int compare_lab(ctx *c, const kw_lab *lab, const char *csv, const char *user_bootstrap)
{
    int npts = kw_lab_points(lab);
    labrun *runs = calloc((size_t)npts, sizeof *runs);
    int ntopics = npts * C_N + 1;
    char (*topics)[96] = calloc((size_t)ntopics, sizeof *topics);
    if (!runs || !topics) {
        free(runs);
        free(topics);
        kw__cli_err(CMD, "out of memory");
        return KW_EXIT_FAIL;
    }
    static const char *const tag[C_N] = {"kwire", "rdk", "py"};
    int nt = 0;
    for (int i = 0; i < npts; i++) {
        kw_lab_point_at(lab, i, &runs[i].pt);
        for (int cl = 0; cl < C_N && lab->kind != KW_LAB_CONSUME; cl++) {
            snprintf(runs[i].topic[cl], sizeof runs[i].topic[cl], "kwire-compare-%ld-%s-r%d-%s", (long)getpid(),
                     lab->name, i + 1, tag[cl]);
            snprintf(topics[nt++], sizeof topics[0], "%s", runs[i].topic[cl]);
        }
    }
    char src[96] = "";
    if (lab->kind == KW_LAB_CONSUME) {
        snprintf(src, sizeof src, "kwire-compare-%ld-%s-source", (long)getpid(), lab->name);
        snprintf(topics[nt++], sizeof topics[0], "%s", src);
        for (int i = 0; i < npts; i++)
            for (int cl = 0; cl < C_N; cl++) snprintf(runs[i].topic[cl], sizeof runs[i].topic[cl], "%s", src);
    }
    pid_t bpid = 0;
    char bs[512];
    if (!user_bootstrap) {
        char why[320];
        bpid = start_broker(topics, nt, parts_for(c->n), bs, sizeof bs, why, sizeof why);
        if (bpid < 0) {
            kw__cli_err(CMD, "could not start kwire-broker (%s); give a broker with -b", why);
            free(runs);
            free(topics);
            return KW_EXIT_FAIL;
        }
        c->bootstrap = bs;
        c->cli->bootstrap = bs;
        if (c->cli->verbosity >= 0) fprintf(stderr, "kwire bench compare: started kwire-broker at %s\n", bs);
    }
    free(topics);
    int rc = KW_EXIT_OK;
    long src_held = -1;
    if (lab->kind == KW_LAB_CONSUME) {
        /* the records every consumer run reads: written once, by kwire, with the lab's
           first point (its producer-side settings are the defaults plus acks) */
        run prep;
        memset(&prep, 0, sizeof prep);
        lab_point_settings(c, &runs[0].pt);
        snprintf(c->topic[C_KWIRE], sizeof c->topic[0], "%s", src);
        measure(c, C_KWIRE, D_PRODUCE, &prep);
        src_held = prep.status == ST_OK ? held_records(c->cli, src) : -1;
        if (prep.status != ST_OK || src_held <= 0) {
            kw__cli_err(CMD, "could not write the %ld records the consumer runs read: %s", c->n,
                        prep.status != ST_OK ? prep.why : "the broker holds none");
            rc = KW_EXIT_FAIL;
        } else if (c->cli->verbosity >= 0) {
            fprintf(stderr, "kwire bench compare: wrote %ld records to %s for the consumer runs\n", src_held, src);
        }
    }
    lab_progress(0, npts, lab);
    for (int i = 0; rc == KW_EXIT_OK && i < npts; i++) {
        lab_run_point(c, lab, &runs[i], src, src_held);
        lab_progress(i + 1, npts, lab);
        for (int d = 0; d < D_N; d++)
            if (lab_dirs(lab, d) && runs[i].res[C_KWIRE][d].status != ST_OK) rc = KW_EXIT_FAIL;
    }
    if (bpid > 0) {
        kill(bpid, SIGTERM);
        waitpid(bpid, NULL, 0);
    }
    if (rc == KW_EXIT_OK) {
        if (c->cli->json) lab_print_json(c, lab, runs, npts);
        else lab_print_text(c, lab, runs, npts);
        if (csv) {
            FILE *f = fopen(csv, "w");
            if (!f) {
                kw__cli_err(CMD, "--csv %s: %s", csv, strerror(errno));
                rc = KW_EXIT_FAIL;
            } else {
                lab_write_csv(f, lab, runs, npts);
                if (fclose(f)) rc = KW_EXIT_FAIL;
                else if (!c->cli->json && c->cli->verbosity >= 0) printf("csv: %s\n", csv);
            }
        }
    } else {
        for (int i = 0; i < npts; i++)
            for (int d = 0; d < D_N; d++)
                if (lab_dirs(lab, d) && runs[i].res[C_KWIRE][d].status == ST_FAILED)
                    kw__cli_err(CMD, "run %d: kwire %s failed: %s", i + 1, dir_name[d], runs[i].res[C_KWIRE][d].why);
    }
    free(runs);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: kwire [-b HOST:PORT] [-X name=value ...] bench compare [-n RECORDS] [--json]\n"
               "       kwire [-b HOST:PORT] [-X name=value ...] bench compare --lab NAME [-n RECORDS] [--csv FILE] [--json]\n"
               "  kwire (this executable), librdkafka (kcat) and kafka-python (/usr/bin/python3) each produce\n"
               "  RECORDS (default 1000000; kafka-python RECORDS/10) lines of the labs' 92-byte payload into a\n"
               "  fresh topic and consume them back (-e, from the beginning); each run is a child process\n"
               "  measured by wait4(): wall time, user+sys CPU, peak RSS. -X settings go to every client\n"
               "  under its own name where it has one. Without -b a kwire-broker is started for the run.\n"
               "  --lab NAME runs a lab of docs/LABS.md (see kwire bench lab --help) through the three clients:\n"
               "  every grid point with the lab's settings, RECORDS defaulting to the lab's count; producer\n"
               "  labs write a fresh topic per run and client, consumer labs read one topic written once;\n"
               "  per run and client the same figures, then the ratios summed up over the grid. A setting a\n"
               "  peer has no equivalent for is not passed to it, and the output says which.\n");
}

int kw__cmd_bench_compare(kw_cli *cli, int argc, char **argv)
{
    ctx c;
    memset(&c, 0, sizeof c);
    c.cli = cli;
    c.n = 1000000;
    const kw_lab *lab = NULL;
    const char *csv = NULL;
    int n_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return KW_EXIT_OK; }
        if ((!strcmp(a, "--lab") || !strcmp(a, "--csv")) && i + 1 >= argc) {
            kw__cli_err(CMD, "%s needs a value", a);
            return KW_EXIT_USAGE;
        }
        if (!strcmp(a, "--json")) cli->json = 1;
        else if (!strcmp(a, "--csv")) csv = argv[++i];
        else if (!strcmp(a, "--lab")) {
            lab = kw_lab_find(argv[++i]);
            if (!lab) {
                kw__cli_err(CMD, "unknown lab '%s' (see kwire bench lab --help)", argv[i]);
                return KW_EXIT_USAGE;
            }
        }
        else if (!strcmp(a, "-n") && i + 1 < argc) {
            char *end;
            errno = 0;
            long v = strtol(argv[++i], &end, 10);
            if (errno || *end || v < 10 || v > 1000000000L) {
                kw__cli_err(CMD, "bad -n '%s': expected a record count 10..1000000000", argv[i]);
                return KW_EXIT_USAGE;
            }
            c.n = v;
            n_given = 1;
        } else {
            kw__cli_err(CMD, "unexpected argument '%s'", a);
            usage(stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (csv && !lab) {
        kw__cli_err(CMD, "--csv goes with --lab");
        return KW_EXIT_USAGE;
    }
    if (lab && !n_given) c.n = lab->records;
    c.npy = c.n / 10 > 0 ? c.n / 10 : 1;
    ssize_t el = readlink("/proc/self/exe", c.exe, sizeof c.exe - 1);
    if (el <= 0) { kw__cli_err(CMD, "cannot read /proc/self/exe: %s", strerror(errno)); return KW_EXIT_FAIL; }
    c.exe[el] = 0;
    for (int i = 0; i < C_N; i++)
        snprintf(c.topic[i], sizeof c.topic[i], "kwire-compare-%ld-%s", (long)getpid(), client_name[i]);
    strcpy(c.dir, "/tmp/kwire-compare.XXXXXX");
    if (!mkdtemp(c.dir)) { kw__cli_err(CMD, "mkdtemp: %s", strerror(errno)); return KW_EXIT_FAIL; }
    char file[PATH_MAX + 16];
    snprintf(file, sizeof file, "%s/payload.txt", c.dir);
    c.file = file;
    if (write_payload(file, c.n)) {
        kw__cli_err(CMD, "cannot write %s: %s", file, strerror(errno));
        remove_dir(&c);
        return KW_EXIT_FAIL;
    }
    pid_t bpid = 0;
    char bs[512];
    c.bootstrap = cli->bootstrap ? cli->bootstrap : getenv("KWIRE_BOOTSTRAP");
    if (lab) {
        int rc = compare_lab(&c, lab, csv, c.bootstrap);
        remove_dir(&c);
        return rc;
    }
    if (!c.bootstrap) {
        char why[320];
        bpid = start_broker(c.topic, C_N, parts_for(c.n), bs, sizeof bs, why, sizeof why);
        if (bpid < 0) {
            kw__cli_err(CMD, "could not start kwire-broker (%s); give a broker with -b", why);
            remove_dir(&c);
            return KW_EXIT_FAIL;
        }
        c.bootstrap = bs;
        cli->bootstrap = bs; /* for the in-process offset queries: this broker, not another */
        if (cli->verbosity >= 0) fprintf(stderr, "kwire bench compare: started kwire-broker at %s\n", bs);
    }
    run res[C_N][D_N];
    memset(res, 0, sizeof res);
    for (int cl = 0; cl < C_N; cl++) {
        if (cli->verbosity >= 0) fprintf(stderr, "kwire bench compare: %s produce ...\n", client_name[cl]);
        measure(&c, cl, D_PRODUCE, &res[cl][D_PRODUCE]);
        run *cr = &res[cl][D_CONSUME];
        if (res[cl][D_PRODUCE].status != ST_OK) {
            cr->status = res[cl][D_PRODUCE].status;
            cr->expected = res[cl][D_PRODUCE].expected;
            snprintf(cr->why, sizeof cr->why, "%s",
                     cr->status == ST_MISSING ? res[cl][D_PRODUCE].why : "not run: its produce failed");
            continue;
        }
        /* the consumer must read every record the broker holds: all produced, unless
           the mock dropped old batches (then said so; the produce stays measured) */
        long held = held_records(cli, c.topic[cl]);
        res[cl][D_PRODUCE].held = held;
        if (held > 0 && held < res[cl][D_PRODUCE].records) cr->expected = held;
        if (cli->verbosity >= 0) fprintf(stderr, "kwire bench compare: %s consume ...\n", client_name[cl]);
        measure(&c, cl, D_CONSUME, cr);
    }
    if (bpid > 0) {
        kill(bpid, SIGTERM);
        waitpid(bpid, NULL, 0);
    }
    remove_dir(&c);
    if (cli->json) print_json(&c, res);
    else print_text(&c, res);
    /* kwire itself must work; a peer that is missing or fails is reported, not fatal */
    return res[C_KWIRE][D_PRODUCE].status == ST_OK && res[C_KWIRE][D_CONSUME].status == ST_OK ? KW_EXIT_OK
                                                                                              : KW_EXIT_FAIL;
}
