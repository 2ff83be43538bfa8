/*
 * kwire-broker.c — an embedded Kafka broker for tests, built on librdkafka's mock cluster
 * (rdkafka_mock.h, librdkafka 2.0.2). It is a separate program: libkwire never links librdkafka.
 *
 * Usage:
 *   kwire-broker [--brokers N] [--topic NAME:PARTITIONS[:REPLICATION]]... [--control FIFO]
 *                [--port-file FILE]
 *
 *   --brokers N        number of mock brokers, ids 1..N (default 3, at most 64)
 *   --topic T:P[:R]    create topic T with P partitions and replication factor R
 *                      (default R = min(3, N); R must be 1..N); may be repeated
 *   --control FIFO     read fault-injection commands from FIFO (created if missing,
 *                      reopened whenever the last writer closes it; removed on exit
 *                      only if this program created it)
 *   --port-file FILE   also write the bootstrap list to FILE (written to FILE.tmp and
 *                      renamed, so a reader never sees half a line)
 *
 * The brokers listen on 127.0.0.1 on ephemeral ports. Once the topics exist the program
 * prints the bootstrap list "127.0.0.1:P1,127.0.0.1:P2,..." as one line on stdout and
 * flushes it, then serves until SIGINT or SIGTERM and exits 0. Bad arguments: a message on
 * stderr and exit 2. Start-up failures (cluster, topic, FIFO): a message and exit 1.
 *
 * Control commands, one per line; each is answered with one line on stderr, "ok <command>"
 * or "error: <why>". BROKER_ID -1 means "every broker" for down/up/rtt. Error CODEs are
 * numbers (Kafka codes, or librdkafka's negative local codes such as -195 = _TRANSPORT,
 * which makes the mock close the connection) or names as librdkafka spells them
 * (NOT_LEADER_FOR_PARTITION, _TRANSPORT, ...).
 *   down BROKER_ID                      close the broker's connections, refuse new ones
 *   up BROKER_ID                        accept connections again
 *   rtt BROKER_ID MS                    delay every response of the broker by MS
 *   leader TOPIC PARTITION BROKER_ID    move a partition leader (-1 = leaderless)
 *   errors API_KEY CODE [CODE...]       the next requests with API_KEY (any broker) fail
 *                                       with these codes, in order
 *   broker-errors BROKER_ID API_KEY CODE:RTT_MS [CODE:RTT_MS...]
 *                                       the same for one broker, each with a response
 *                                       delay (rd_kafka_mock_broker_push_request_error_rtts;
 *                                       these take precedence over the cluster-wide ones)
 *   clear API_KEY                       drop the cluster-wide error stack for API_KEY
 *   topic NAME PARTITIONS REPLICATION   create a topic
 *   coordinator group|txn KEY BROKER_ID pin the group / transactional-id coordinator
 *
 * Topic auto-creation in the 2.0.2 mock: a Metadata request naming an unknown topic creates
 * it when its AllowAutoTopicCreation flag is true (the flag exists from Metadata v4; requests
 * below v4 always auto-create). The new topic gets the mock's defaults: 4 partitions and
 * replication factor min(3, number of brokers), leaders spread over the brokers; the
 * response reports no error for it. rd_kafka_mock_partition_set_leader() (the `leader`
 * command) also creates a missing topic with those defaults. Produce and Fetch for an
 * unknown topic do not create it: they fail with UNKNOWN_TOPIC_OR_PARTITION. A Metadata
 * request with a null topic array (or v0 with an empty one) lists the existing topics and
 * creates nothing. CreateTopics is not implemented by the mock, hence the `topic` command.
 * The mock advertises Metadata only up to v2, so in practice every Metadata request that
 * names an unknown topic creates it; tests/integ_broker.sh checks that `kcat -L -t NAME`
 * makes a 4-partition topic appear.
 *
 * Other mock behaviour worth knowing (2.0.2): ApiVersions is supported up to v2 only (a v3
 * request gets error 35 and the client retries with v0); Produce accepts only magic-2
 * batches (legacy message sets get UNSUPPORTED_VERSION per partition); a Fetch response
 * carries at most one stored batch per partition (the one containing the fetch offset,
 * returned whole); a successful Produce v2+ response reports LogAppendTime 1234.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_BROKERS 64
#define MAX_TOPICS 256
#define MAX_CODES 64
#define LINE_MAX_LEN 1024

struct topic_arg {
    char *name;
    int partitions;
    int replication;
};

struct opts {
    int brokers;
    struct topic_arg topics[MAX_TOPICS];
    int ntopics;
    const char *control;
    const char *port_file;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: kwire-broker [--brokers N (default 3)] "
               "[--topic NAME:PARTITIONS[:REPLICATION]]... [--control FIFO] "
               "[--port-file FILE]\n");
}

static void bad_args(const char *fmt, ...)
{
    va_list ap;
    fputs("kwire-broker: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    usage(stderr);
    exit(2);
}

/* Parse a whole decimal integer in [lo, hi]; 0 on success, -1 otherwise. */
static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* "NAME:PARTITIONS[:REPLICATION]"; replication 0 means "use the default". */
static void parse_topic(const char *spec, struct topic_arg *t)
{
    const char *c1 = strchr(spec, ':');
    const char *c2;
    char num[32];
    long v;
    size_t n;

    if (c1 == NULL || c1 == spec)
        bad_args("bad --topic '%s': expected NAME:PARTITIONS[:REPLICATION]", spec);
    n = (size_t)(c1 - spec);
    if (n > 249)
        bad_args("bad --topic '%s': name longer than 249 characters", spec);
    c2 = strchr(c1 + 1, ':');
    n = c2 ? (size_t)(c2 - (c1 + 1)) : strlen(c1 + 1);
    if (n == 0 || n >= sizeof num)
        bad_args("bad --topic '%s': bad partition count", spec);
    memcpy(num, c1 + 1, n);
    num[n] = '\0';
    if (parse_int(num, 1, 100000, &v) != 0)
        bad_args("bad --topic '%s': partition count must be 1..100000", spec);
    t->partitions = (int)v;
    t->replication = 0;
    if (c2 != NULL) {
        if (parse_int(c2 + 1, 1, MAX_BROKERS, &v) != 0)
            bad_args("bad --topic '%s': replication factor must be 1..%d", spec, MAX_BROKERS);
        t->replication = (int)v;
    }
    t->name = strndup(spec, (size_t)(c1 - spec));
    if (t->name == NULL) {
        fprintf(stderr, "kwire-broker: out of memory\n");
        exit(1);
    }
}

static void free_opts(struct opts *o)
{
    for (int i = 0; i < o->ntopics; i++)
        free(o->topics[i].name);
    o->ntopics = 0;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    o->brokers = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        long v;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free_opts(o);
            exit(0);
        }
        if (strcmp(a, "--brokers") != 0 && strcmp(a, "--topic") != 0 &&
            strcmp(a, "--control") != 0 && strcmp(a, "--port-file") != 0)
            bad_args("unknown argument '%s'", a);
        if (val == NULL)
            bad_args("%s needs a value", a);
        i++;
        if (strcmp(a, "--brokers") == 0) {
            if (parse_int(val, 1, MAX_BROKERS, &v) != 0)
                bad_args("--brokers must be 1..%d, not '%s'", MAX_BROKERS, val);
            o->brokers = (int)v;
        } else if (strcmp(a, "--topic") == 0) {
            if (o->ntopics == MAX_TOPICS)
                bad_args("at most %d --topic options", MAX_TOPICS);
            parse_topic(val, &o->topics[o->ntopics++]);
        } else if (strcmp(a, "--control") == 0) {
            if (*val == '\0')
                bad_args("--control needs a path");
            o->control = val;
        } else {
            if (*val == '\0')
                bad_args("--port-file needs a path");
            o->port_file = val;
        }
    }
    for (int i = 0; i < o->ntopics; i++) {
        struct topic_arg *t = &o->topics[i];
        if (t->replication == 0)
            t->replication = o->brokers < 3 ? o->brokers : 3;
        if (t->replication > o->brokers) {
            free_opts(o);
            bad_args("topic replication factor exceeds --brokers %d", o->brokers);
        }
    }
}

/* ---- control commands ---------------------------------------------------------------- */

static void reply_ok(const char *cmdline)
{
    fprintf(stderr, "ok %s\n", cmdline);
}

static void reply_err(const char *fmt, ...)
{
    va_list ap;
    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* An error code by number or by librdkafka's name ("NOT_COORDINATOR", "_TRANSPORT"). */
static int parse_code(const char *s, rd_kafka_resp_err_t *out)
{
    const struct rd_kafka_err_desc *descs;
    size_t n;
    long v;

    if (parse_int(s, -1000, 1000, &v) == 0) {
        *out = (rd_kafka_resp_err_t)v;
        return 0;
    }
    rd_kafka_get_err_descs(&descs, &n);
    for (size_t i = 0; i < n; i++) {
        if (descs[i].name != NULL && strcmp(descs[i].name, s) == 0) {
            *out = descs[i].code;
            return 0;
        }
    }
    return -1;
}

/*
 * The wake-up nudge. Every rd_kafka_mock_* call is an operation handed to the mock's own
 * thread, which the caller then waits for. In librdkafka 2.0.2 that thread sometimes
 * misses the wake-up and sleeps on in poll() until its 1 s timeout: measured here, 2 of
 * 486 topic creations and up to 15 of 81 on a loaded machine (a start-up of 15 s instead
 * of 50 ms), and the same for the fault commands, whose timing the tests rely on. The
 * mock's poll() also watches its listening sockets, so a connection to broker 1 wakes
 * it, and it then serves the pending operation. While an operation has been pending for
 * over 5 ms, a helper thread makes such a connection (and closes it) every 5 ms; the mock
 * accepts it, reads end-of-file and drops it, like any client that went away. An
 * operation that returns in time (nearly all) costs no connection. With the nudges the
 * slowest of 30 start-ups with 81 topics took 211 ms (36 nudges). KWIRE_BROKER_NUDGES=1
 * in the environment prints their number once the topics exist.
 */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int busy;               /* a mock call is in progress */
    unsigned long gen;      /* which one */
    int stop;
    int have_addr;
    struct sockaddr_in addr; /* broker 1 */
    unsigned long nudges;
} kick = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void kick_begin(void)
{
    pthread_mutex_lock(&kick.mu);
    kick.busy = 1;
    kick.gen++;
    pthread_cond_signal(&kick.cv);
    pthread_mutex_unlock(&kick.mu);
}

static void kick_end(void)
{
    pthread_mutex_lock(&kick.mu);
    kick.busy = 0;
    pthread_mutex_unlock(&kick.mu);
}

/* Broker 1's address from the bootstrap list "127.0.0.1:P1,...". */
static void kick_target(const char *boot)
{
    const char *colon = boot ? strchr(boot, ':') : NULL;
    if (colon == NULL)
        return;
    char host[64];
    size_t hl = (size_t)(colon - boot);
    if (hl >= sizeof host)
        return;
    memcpy(host, boot, hl);
    host[hl] = 0;
    pthread_mutex_lock(&kick.mu);
    memset(&kick.addr, 0, sizeof kick.addr);
    kick.addr.sin_family = AF_INET;
    kick.addr.sin_port = htons((uint16_t)atoi(colon + 1));
    kick.have_addr = inet_pton(AF_INET, host, &kick.addr.sin_addr) == 1;
    pthread_mutex_unlock(&kick.mu);
}

static void *kicker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&kick.mu);
    while (!kick.stop) {
        if (!kick.busy) {
            pthread_cond_wait(&kick.cv, &kick.mu);
            continue;
        }
        unsigned long gen = kick.gen;
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += 5 * 1000000L;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        while (!kick.stop && kick.busy && kick.gen == gen &&
               pthread_cond_timedwait(&kick.cv, &kick.mu, &t) == 0) {
        }
        if (kick.stop || !kick.busy || kick.gen != gen || !kick.have_addr)
            continue;
        struct sockaddr_in a = kick.addr;
        kick.nudges++;
        pthread_mutex_unlock(&kick.mu);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            (void)connect(fd, (struct sockaddr *)&a, sizeof a);
            close(fd);
        }
        pthread_mutex_lock(&kick.mu);
        /* still the same operation pending: the loop nudges again after another 5 ms */
    }
    pthread_mutex_unlock(&kick.mu);
    return NULL;
}

#define MAX_WORDS (MAX_CODES + 4)

static void run_command(rd_kafka_mock_cluster_t *mc, char *line)
{
    char copy[LINE_MAX_LEN + 1];
    char *w[MAX_WORDS];
    int nw = 0;
    char *save = NULL;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    long id, v;

    /* Keep the command text for the reply, with runs of blanks squeezed. */
    for (char *tok = strtok_r(line, " \t\r", &save); tok != NULL;
         tok = strtok_r(NULL, " \t\r", &save)) {
        if (nw == MAX_WORDS) {
            reply_err("too many words (at most %d)", MAX_WORDS);
            return;
        }
        w[nw++] = tok;
    }
    if (nw == 0)
        return;
    copy[0] = '\0';
    for (int i = 0; i < nw; i++) {
        if (i > 0)
            strcat(copy, " ");
        strcat(copy, w[i]);
    }

    if (strcmp(w[0], "down") == 0 || strcmp(w[0], "up") == 0) {
        if (nw != 2 || parse_int(w[1], -1, INT32_MAX, &id) != 0) {
            reply_err("usage: %s BROKER_ID", w[0]);
            return;
        }
        err = w[0][0] == 'd' ? rd_kafka_mock_broker_set_down(mc, (int32_t)id)
                             : rd_kafka_mock_broker_set_up(mc, (int32_t)id);
    } else if (strcmp(w[0], "rtt") == 0) {
        if (nw != 3 || parse_int(w[1], -1, INT32_MAX, &id) != 0 ||
            parse_int(w[2], 0, 3600000, &v) != 0) {
            reply_err("usage: rtt BROKER_ID MS (MS 0..3600000)");
            return;
        }
        err = rd_kafka_mock_broker_set_rtt(mc, (int32_t)id, (int)v);
    } else if (strcmp(w[0], "leader") == 0) {
        if (nw != 4 || parse_int(w[2], 0, INT32_MAX, &v) != 0 ||
            parse_int(w[3], -1, INT32_MAX, &id) != 0) {
            reply_err("usage: leader TOPIC PARTITION BROKER_ID");
            return;
        }
        err = rd_kafka_mock_partition_set_leader(mc, w[1], (int32_t)v, (int32_t)id);
    } else if (strcmp(w[0], "errors") == 0) {
        rd_kafka_resp_err_t codes[MAX_CODES];
        int n = nw - 2;
        if (nw < 3 || parse_int(w[1], 0, INT16_MAX, &v) != 0) {
            reply_err("usage: errors API_KEY CODE [CODE...]");
            return;
        }
        if (n > MAX_CODES) {
            reply_err("at most %d codes", MAX_CODES);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (parse_code(w[2 + i], &codes[i]) != 0) {
                reply_err("unknown error code '%s'", w[2 + i]);
                return;
            }
        }
        rd_kafka_mock_push_request_errors_array(mc, (int16_t)v, (size_t)n, codes);
    } else if (strcmp(w[0], "broker-errors") == 0) {
        rd_kafka_resp_err_t codes[MAX_CODES];
        int rtts[MAX_CODES];
        int n = nw - 3;
        if (nw < 4 || parse_int(w[1], 0, INT32_MAX, &id) != 0 ||
            parse_int(w[2], 0, INT16_MAX, &v) != 0) {
            reply_err("usage: broker-errors BROKER_ID API_KEY CODE:RTT_MS [CODE:RTT_MS...]");
            return;
        }
        if (n > MAX_CODES) {
            reply_err("at most %d codes", MAX_CODES);
            return;
        }
        for (int i = 0; i < n; i++) {
            char *colon = strrchr(w[3 + i], ':');
            long ms;
            if (colon == NULL || colon == w[3 + i]) {
                reply_err("bad '%s': expected CODE:RTT_MS", w[3 + i]);
                return;
            }
            *colon = '\0';
            if (parse_code(w[3 + i], &codes[i]) != 0 ||
                parse_int(colon + 1, 0, 3600000, &ms) != 0) {
                reply_err("bad '%s:%s': expected CODE:RTT_MS", w[3 + i], colon + 1);
                return;
            }
            rtts[i] = (int)ms;
        }
        /* The call is variadic; pushing one tuple per call appends in the same order. */
        for (int i = 0; i < n && !err; i++)
            err = rd_kafka_mock_broker_push_request_error_rtts(mc, (int32_t)id, (int16_t)v, 1,
                                                               codes[i], rtts[i]);
    } else if (strcmp(w[0], "clear") == 0) {
        if (nw != 2 || parse_int(w[1], 0, INT16_MAX, &v) != 0) {
            reply_err("usage: clear API_KEY");
            return;
        }
        rd_kafka_mock_clear_request_errors(mc, (int16_t)v);
    } else if (strcmp(w[0], "topic") == 0) {
        long parts, repl;
        if (nw != 4 || parse_int(w[2], 1, 100000, &parts) != 0 ||
            parse_int(w[3], 1, MAX_BROKERS, &repl) != 0) {
            reply_err("usage: topic NAME PARTITIONS REPLICATION");
            return;
        }
        err = rd_kafka_mock_topic_create(mc, w[1], (int)parts, (int)repl);
    } else if (strcmp(w[0], "coordinator") == 0) {
        const char *type;
        if (nw != 4 || parse_int(w[3], -1, INT32_MAX, &id) != 0) {
            reply_err("usage: coordinator group|txn KEY BROKER_ID");
            return;
        }
        if (strcmp(w[1], "group") == 0)
            type = "group";
        else if (strcmp(w[1], "txn") == 0)
            type = "transaction";
        else {
            reply_err("coordinator type must be group or txn, not '%s'", w[1]);
            return;
        }
        err = rd_kafka_mock_coordinator_set(mc, type, w[2], (int32_t)id);
    } else {
        reply_err("unknown command '%s' (down, up, rtt, leader, errors, broker-errors, "
                  "clear, topic, coordinator)",
                  w[0]);
        return;
    }
    if (err)
        reply_err("%s: %s", copy, rd_kafka_err2str(err));
    else
        reply_ok(copy);
}

/* ---- control FIFO ------------------------------------------------------------------- */

struct control {
    const char *path;
    int fd;
    int created;
    char buf[LINE_MAX_LEN + 1];
    size_t len;
    int overlong; /* discarding the rest of a too-long line */
};

static int control_open(struct control *c)
{
    struct stat st;
    if (stat(c->path, &st) != 0) {
        if (errno != ENOENT || mkfifo(c->path, 0600) != 0) {
            fprintf(stderr, "kwire-broker: cannot create FIFO %s: %s\n", c->path,
                    strerror(errno));
            return -1;
        }
        c->created = 1;
    } else if (!S_ISFIFO(st.st_mode)) {
        fprintf(stderr, "kwire-broker: %s exists and is not a FIFO\n", c->path);
        return -1;
    }
    /* Non-blocking: opening for reading must not wait for a writer. */
    c->fd = open(c->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (c->fd < 0) {
        fprintf(stderr, "kwire-broker: cannot open FIFO %s: %s\n", c->path, strerror(errno));
        return -1;
    }
    return 0;
}

static void control_feed(struct control *c, rd_kafka_mock_cluster_t *mc, const char *data,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = data[i];
        if (ch == '\n') {
            if (c->overlong)
                reply_err("command longer than %d bytes ignored", LINE_MAX_LEN);
            else {
                c->buf[c->len] = '\0';
                kick_begin();
                run_command(mc, c->buf);
                kick_end();
            }
            c->len = 0;
            c->overlong = 0;
        } else if (c->overlong) {
            continue;
        } else if (c->len == LINE_MAX_LEN) {
            c->overlong = 1;
        } else {
            c->buf[c->len++] = ch;
        }
    }
}

/* Read what is there; on EOF (last writer gone) finish a pending line and reopen. */
static int control_read(struct control *c, rd_kafka_mock_cluster_t *mc)
{
    char data[4096];
    for (;;) {
        ssize_t r = read(c->fd, data, sizeof data);
        if (r > 0) {
            control_feed(c, mc, data, (size_t)r);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return 0;
        if (r < 0) {
            fprintf(stderr, "kwire-broker: reading %s: %s\n", c->path, strerror(errno));
            return -1;
        }
        /* EOF: a final line without '\n' still counts. */
        if (c->len > 0 || c->overlong)
            control_feed(c, mc, "\n", 1);
        close(c->fd);
        c->fd = open(c->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (c->fd < 0) {
            fprintf(stderr, "kwire-broker: reopening %s: %s\n", c->path, strerror(errno));
            return -1;
        }
        return 0;
    }
}

/* ---- main ---------------------------------------------------------------------------- */

static int write_port_file(const char *path, const char *line)
{
    size_t n = strlen(path) + 5;
    char *tmp = malloc(n);
    FILE *f;
    int ok;

    if (tmp == NULL)
        return -1;
    snprintf(tmp, n, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "kwire-broker: cannot write %s: %s\n", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    ok = fprintf(f, "%s\n", line) > 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "kwire-broker: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct control ctl = {.fd = -1};
    char errstr[512];
    rd_kafka_conf_t *conf;
    rd_kafka_t *rk = NULL;
    rd_kafka_mock_cluster_t *mc = NULL;
    sigset_t sigs;
    int sfd = -1;
    int rc = 1;
    const char *boot;
    pthread_t kick_thread;
    int kick_started = 0;

    parse_args(argc, argv, &o);

    /* Block the signals before librdkafka starts threads so they inherit the mask and
     * the signals arrive only through the signalfd below. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &sigs, NULL) != 0 || (sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0) {
        fprintf(stderr, "kwire-broker: signal set-up failed: %s\n", strerror(errno));
        goto out;
    }
    signal(SIGPIPE, SIG_IGN);

    conf = rd_kafka_conf_new();
    /* The handle only hosts the cluster; it connects nowhere. Keep its logs to errors. */
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kwire-broker: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        goto out;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        fprintf(stderr, "kwire-broker: rd_kafka_new: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        goto out;
    }
    mc = rd_kafka_mock_cluster_new(rk, o.brokers);
    if (mc == NULL) {
        fprintf(stderr, "kwire-broker: cannot create a mock cluster of %d brokers\n", o.brokers);
        goto out;
    }
    kick_target(rd_kafka_mock_cluster_bootstraps(mc));
    if (pthread_create(&kick_thread, NULL, kicker, NULL) != 0) {
        fprintf(stderr, "kwire-broker: cannot start a thread: %s\n", strerror(errno));
        goto out;
    }
    kick_started = 1;
    for (int i = 0; i < o.ntopics; i++) {
        const struct topic_arg *t = &o.topics[i];
        kick_begin();
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mc, t->name, t->partitions, t->replication);
        kick_end();
        if (err) {
            fprintf(stderr, "kwire-broker: cannot create topic %s: %s\n", t->name,
                    rd_kafka_err2str(err));
            goto out;
        }
    }
    if (o.control != NULL) {
        ctl.path = o.control;
        if (control_open(&ctl) != 0)
            goto out;
    }
    boot = rd_kafka_mock_cluster_bootstraps(mc);
    if (o.port_file != NULL && write_port_file(o.port_file, boot) != 0)
        goto out;
    printf("%s\n", boot);
    fflush(stdout);
    if (getenv("KWIRE_BROKER_NUDGES"))
        fprintf(stderr, "kwire-broker: %lu wake-up nudges at start-up\n", kick.nudges);

    for (;;) {
        struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = ctl.fd, .events = POLLIN}};
        int np = ctl.fd >= 0 ? 2 : 1;
        int r = poll(p, (nfds_t)np, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "kwire-broker: poll: %s\n", strerror(errno));
            goto out;
        }
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                rc = 0;
                break;
            }
        }
        if (np == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (control_read(&ctl, mc) != 0)
                goto out;
        }
    }

out:
    /* (no nudges here: the mock closes its listeners first, and its shutdown still takes
     * 1 s now and then) */
    if (mc != NULL)
        rd_kafka_mock_cluster_destroy(mc);
    if (kick_started) {
        pthread_mutex_lock(&kick.mu);
        kick.stop = 1;
        pthread_cond_signal(&kick.cv);
        pthread_mutex_unlock(&kick.mu);
        pthread_join(kick_thread, NULL);
    }
    if (rk != NULL)
        rd_kafka_destroy(rk);
    if (ctl.fd >= 0)
        close(ctl.fd);
    if (ctl.created)
        unlink(ctl.path);
    if (sfd >= 0)
        close(sfd);
    free_opts(&o);
    return rc;
}
