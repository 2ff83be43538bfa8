/*
 * client/cmd/cmd_produce.c — `kwire produce`: one record per line from stdin or files
 * into a topic, through the producer library (client/produce/producer.h).
 *
 *   kwire produce -t TOPIC [-p PARTITION] [-k KEY | -K DELIM] [-H name=value ...] [-l] [FILE ...]
 *   kwire produce -J [-t TOPIC] [-p PARTITION] [FILE ...]
 *
 * -J reads each line as the JSON envelope of client/cli/recfmt.h; --json writes one delivery
 * report per input record to stdout. SIGINT/SIGTERM stop the input; what was accepted is
 * still delivered or reported (a second signal abandons it); a broker that cannot be
 * reached is said at once (kw_net_set_notify), refusals in words (kw_producer_send_error).
 *
 * Input is read in 256 KiB chunks, grown for longer lines (files and stdin alike: a
 * mapping would count the whole file in the resident set); the producer's loop runs while
 * the input is idle. The lines become records, are counted and summed up on stderr by
 * client/cli/produce_input.h (records sent, failed, bytes, per partition the offsets).
 *
 * Read-ahead: the next chunk is read only once the producer holds less than (brokers + 1)
 * x max(batch.size, max.request.size) in sealed batches waiting for a send slot; more queued data would not reach the broker any sooner, it only
 * holds memory (up to buffer.memory, 32 MiB by default) and adds latency.
 * buffer.memory stays the producer's hard bound. Exit 1 if any record
 * failed, 2 for usage or settings errors (the message names the setting).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/conn/net.h"
#include "client/produce/producer.h"
#include "client/cli/produce_input.h"
#include "codec/grow.h"
#include "codec/text.h"
#include "commands.h"
#include "kwire.h"

#define MAX_HEADERS 64
#define CHUNK (256u << 10)

/* First SIGINT/SIGTERM: stop reading input, deliver what was accepted. Second: abandon. */
static volatile sig_atomic_t stop_flag, abandon_flag;
static void on_signal(int sig)
{
    (void)sig;
    if (stop_flag) abandon_flag = 1;
    stop_flag = 1;
}

static int send_fd(kw_pinput *c, int fd, const char *name)
{
    size_t cap = CHUNK;
    char *buf = malloc(cap);
    if (!buf) return KW_ERR_NOMEM;
    size_t have = 0;
    kw_net *net = kw_producer_net(c->p);
    while (!stop_flag) {
        /* the producer's loop runs while the input is idle: its poll() waits for the input
         * too, and returns as soon as there is some to read (or a signal came) */
        int ready = 0;
        kw_net_watch_input(net, fd, &ready);
        while (!stop_flag && !ready) {
            kw_producer_poll(c->p, 100);
            kw_pinput_flush_json(c);
        }
        kw_net_watch_input(net, -1, NULL);
        if (stop_flag) break;
        kw_pinput_wait_read_ahead(c);
        if (stop_flag) break;
        ssize_t r = read(fd, buf + have, cap - have);
        if (r < 0) {
            if (errno == EINTR) continue;
            kw__cli_err("produce", "%s: %s", name, strerror(errno));
            free(buf);
            return KW_ERR_IO;
        }
        have += (size_t)r;
        int final = r == 0;
        size_t used = kw_pinput_feed(c, buf, have, final);
        kw_pinput_flush_json(c);
        memmove(buf, buf + used, have - used);
        have -= used;
        if (final || c->fatal) break;
        if (have == cap) {
            /* a line longer than the buffer: grow it */
            char *nb = kw__grow_sz(buf, 1, cap + 1, &cap, CHUNK);
            if (!nb) { free(buf); return KW_ERR_NOMEM; }
            buf = nb;
        }
    }
    free(buf);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: kwire produce -t TOPIC [-p PARTITION] [-k KEY | -K DELIM] [-H name=value ...] [-l] [FILE ...]\n"
               "       kwire produce -J [-t TOPIC] [-p PARTITION] [FILE ...]\n"
               "  one record per line of stdin or the files; settings with -X name=value (producer\n"
               "  settings by their Kafka names: acks, linger.ms, batch.size, compression.type, ...)\n"
               "  -t TOPIC        topic to write (with -J: instead of each record's own)\n"
               "  -p PARTITION    partition (default: the partitioner chooses; with -J: each record's own)\n"
               "  -k KEY          the same key on every record\n"
               "  -K DELIM        key and value are split at the first DELIM of each line\n"
               "  -H name=value   a header on every record (repeatable)\n"
               "  -l              each line is a record (the default)\n"
               "  -J              each line is the JSON envelope `kwire consume --json` prints: key,\n"
               "                  value, headers and timestamp are taken from it (base64 where its\n"
               "                  \"..._encoding\" says so), so consume --json | produce -J copies records\n"
               "  --json          (global) one JSON line per input record on stdout once it is\n"
               "                  delivered or failed: record number, topic, partition, offset, error\n"
               "Input is read ahead only while less than (brokers + 1) x max(batch.size, max.request.size)\n"
               "bytes wait to be sent; buffer.memory stays the producer's bound.\n"
               "At the end a summary goes to stderr: records sent, failed, refused, and their bytes\n"
               "(key + value + headers). Ctrl-C (SIGINT) or SIGTERM stops reading the input; every\n"
               "record already accepted is still delivered or reported, then the summary; a second\n"
               "Ctrl-C abandons them at once (counted as failed).\n"
               "Exit status: 0 every record delivered, 1 any failed, was refused or abandoned, 2 usage.\n");
}

int kw__cmd_produce(kw_cli *cli, int argc, char **argv)
{
    kw_pinput c;
    kw_pinput_init(&c);
    kw_header hdrs[MAX_HEADERS];
    const char *files[256];
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return KW_EXIT_OK; }
        if (!strcmp(a, "-l")) continue;
        if (!strcmp(a, "-J")) { c.json_in = 1; continue; }
        if (a[0] == '-' && a[1] && strchr("tpkKH", a[1]) && !a[2]) {
            if (!has) { kw__cli_err("produce", "%s needs a value", a); return KW_EXIT_USAGE; }
            const char *v = argv[++i];
            switch (a[1]) {
            case 't': c.topic = v; break;
            case 'p': {
                char *e;
                long n = strtol(v, &e, 10);
                if (*e || !*v || n < -1 || n > INT32_MAX) { kw__cli_err("produce", "-p %s: not a partition", v); return KW_EXIT_USAGE; }
                c.partition = (int32_t)n;
                c.partition_given = 1;
                break;
            }
            case 'k': c.key = v; c.key_len = (int32_t)strlen(v); break;
            case 'K':
                if (!*v) { kw__cli_err("produce", "-K needs a non-empty delimiter"); return KW_EXIT_USAGE; }
                c.delim = v; c.delim_len = strlen(v);
                break;
            case 'H': {
                const char *eq = strchr(v, '=');
                if (!eq || eq == v) { kw__cli_err("produce", "-H %s: expected name=value", v); return KW_EXIT_USAGE; }
                if (c.nhdrs == MAX_HEADERS) { kw__cli_err("produce", "at most %d headers", MAX_HEADERS); return KW_EXIT_USAGE; }
                hdrs[c.nhdrs++] = (kw_header){(const uint8_t *)v, (int32_t)(eq - v), (const uint8_t *)eq + 1,
                                                (int32_t)strlen(eq + 1)};
                break;
            }
            }
            continue;
        }
        if (a[0] == '-' && a[1]) { kw__cli_err("produce", "unknown option '%s'", a); usage(stderr); return KW_EXIT_USAGE; }
        if (nfiles == (int)(sizeof files / sizeof files[0])) { kw__cli_err("produce", "too many files"); return KW_EXIT_USAGE; }
        files[nfiles++] = a;
    }
    if (c.key && c.delim) {
        kw__cli_err("produce", "-k KEY (one key for every record) and -K DELIM (a key from each line) exclude each other: give one");
        return KW_EXIT_USAGE;
    }
    if (c.json_in && (c.key || c.delim || c.nhdrs)) {
        kw__cli_err("produce", "-J takes each record's key and headers from its JSON: -k, -K and -H do not go with it");
        return KW_EXIT_USAGE;
    }
    if (c.topic && !*c.topic) { kw__cli_err("produce", "-t needs a topic name"); return KW_EXIT_USAGE; }
    if (!c.topic && !c.json_in) { kw__cli_err("produce", "-t TOPIC is required"); usage(stderr); return KW_EXIT_USAGE; }

    kw_config *cfg = kw_config_new(KW_ROLE_PRODUCER);
    if (!cfg) return KW_EXIT_FAIL;
    for (int i = 0; i < cli->nsettings; i++)
        if (kw_config_set_kv(cfg, cli->settings[i])) {
            kw__cli_err("produce", "%s", kw_config_error(cfg));
            kw_config_free(cfg);
            return KW_EXIT_USAGE;
        }
    if (kw_config_validate(cfg)) {
        kw__cli_err("produce", "%s", kw_config_error(cfg));
        kw_config_free(cfg);
        return KW_EXIT_USAGE;
    }
    if (!kw_config_is_set(cfg, KW_CONF_BOOTSTRAP_SERVERS) || cli->bootstrap) {
        const char *bs = kw__cli_bootstrap(cli);
        if (!bs) { kw_config_free(cfg); return KW_EXIT_FAIL; }
        kw_config_set(cfg, "bootstrap.servers", bs);
    }
    int64_t bsz = kw_config_int(cfg, KW_CONF_BATCH_SIZE), mrs = kw_config_int(cfg, KW_CONF_MAX_REQUEST_SIZE);
    c.read_ahead = (size_t)(bsz > mrs ? bsz : mrs);
    c.max_block_ms = kw_config_int(cfg, KW_CONF_MAX_BLOCK_MS);
    c.hdrs = hdrs;
    c.json_out = cli->json;
    c.quiet = cli->verbosity < 0;
    c.stop = &stop_flag;
    c.abandon = &abandon_flag;
    char err[256];
    c.p = kw_producer_new(cfg, kw_pinput_on_delivery, &c, err, sizeof err);
    kw_config_free(cfg);
    if (!c.p) { kw__cli_err("produce", "%s", err[0] ? err : "cannot create the producer"); return KW_EXIT_USAGE; }
    if (cli->dump) kw_producer_set_dump(c.p, cli->dump_out ? cli->dump_out : stderr, kw__cli_dump_flags(cli));
    kw_net_set_notify(kw_producer_net(c.p), kw_pinput_on_net_failure, &c);
    /* no SA_RESTART: a read waiting on a terminal returns at Ctrl-C */
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    kw_producer_set_interrupt(c.p, &stop_flag);

    int rc = 0;
    if (!nfiles) rc = send_fd(&c, STDIN_FILENO, "stdin");
    for (int i = 0; i < nfiles && !rc && !stop_flag; i++) {
        int fd = !strcmp(files[i], "-") ? STDIN_FILENO : open(files[i], O_RDONLY);
        if (fd < 0) { kw__cli_err("produce", "%s: %s", files[i], strerror(errno)); rc = KW_ERR_IO; break; }
        rc = send_fd(&c, fd, files[i]);
        if (fd != STDIN_FILENO) close(fd);
    }
    if (c.fatal) {
        /* no broker can be used (TLS, authentication, settings): say why in one line */
        int idx = 0;
        kw_net *n = kw_producer_net(c.p);
        kw_net_fatal(n, &idx);
        kw_pinput_flush_json(&c);
        kw__cli_err("produce", "%s (%s)", kw_strerror(c.fatal), kw_net_last_error(n, idx));
        kw__cli_net_stats(cli, n);
        kw_producer_close(c.p);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        kw_pinput_free(&c);
        return KW_EXIT_FAIL;
    }
    kw_pinput_finish(&c);
    kw_producer_set_interrupt(c.p, &abandon_flag);
    /* the broker set's statistics before close frees it; close reports what is left */
    kw__cli_net_stats(cli, kw_producer_net(c.p));
    char last[256], verbose[1024] = "";
    snprintf(last, sizeof last, "%s", kw_producer_last_error(c.p));
    if (cli->verbosity > 0) kw_pinput_verbose_line(c.p, verbose, sizeof verbose);
    kw_producer_close(c.p);
    kw_pinput_flush_json(&c);
    if (cli->verbosity >= 0) kw_pinput_summary(&c, stderr, last, verbose);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    kw_pinput_free(&c);
    if (rc && rc != KW_ERR_IO) rc = 0;
    return rc || c.failed || c.refused ? KW_EXIT_FAIL : KW_EXIT_OK;
}
