/*
 * client/cmd/cmd_bench_compare.c — `kwire bench compare`: parses the options, runs the
 * comparison (bench/compare_run.h: broker, peers, measured child processes) and prints it
 * (bench/compare.h: table, ratios against the targets, a lab's summary; text, JSON, CSV).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/compare_run.h"
#include "bench/lab.h"
#include "bench_compare.h"

#define CMD "bench compare"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kwire [-b HOST:PORT] [-X name=value ...] bench compare [-n RECORDS] [--peers LIST] [--mock]\n"
            "                [--partitions P] [--kafka-version V] [--produce-only] [--repeat R | --lab NAME]\n"
            "                [--csv FILE] [--json]\n"
            "  Each client produces RECORDS (default 1000000; kafka-python RECORDS/10) records of the labs' 92-byte\n"
            "  payload into a fresh topic and consumes them back from the beginning; each run is a child process\n"
            "  measured by wait4(): wall time, user+sys CPU, peak RSS; then records/s, MB/s, the client's own\n"
            "  timing and latency percentiles where it reports them, and kwire's ratios against the targets.\n"
            "  Clients (--peers, comma-separated; default all; each one's kwire row runs too):\n"
            "    kwire             kwire bench produce / bench consume\n"
            "    java              kafka-producer-perf-test / kafka-consumer-perf-test (Kafka's Java client)\n"
            "    franz-go          bench/peers/franz on franz-go (built once with the Go module proxy)\n"
            "    confluent-kafka   bench/peers/python/perf.py on confluent-kafka (PyPI; librdkafka)\n"
            "    kafka-python      the same on the current kafka-python (PyPI)\n"
            "    kafka-python-deb  the same on Debian's kafka-python 2.0.2\n"
            "    kwire-cli         kwire produce -l FILE / kwire consume -e (compared with kcat)\n"
            "    kcat              kcat -P -l FILE / kcat -C -e (Debian's librdkafka 2.0.2)\n"
            "  A client that cannot run is reported \"missing\" with the reason, never with zeros.\n"
            "  Broker: without -b, a single-node Apache Kafka (--kafka-version, default 4.4.0) is started for\n"
            "  the run by scripts/kafka.sh and stopped by PID; --mock starts the embedded kwire-broker instead.\n"
            "  --partitions P: partitions per topic (default 6; on the mock RECORDS/5000 within 8..400).\n"
            "  -X settings go to every client under its own name where it has one (the output names those\n"
            "  a client has no equivalent for). --lab NAME runs a lab's grid (kwire bench lab --help) through\n"
            "  every client: per run the same figures, then each ratio summed up over the grid. --repeat R runs\n"
            "  every client R times (in turn; their order reversed every other run) and adds each figure's\n"
            "  median and range. --csv FILE: one row per run, client and direction. --produce-only: no consumers.\n"
            "  $KWIRE_COMPARE_KWIRE=PATH: the kwire rows run that kwire build instead of this one.\n");
}

static int parse_peers(const char *list, unsigned *out)
{
    if (!strcmp(list, "all")) {
        *out = KW_CMP_ALL_PEERS;
        return 0;
    }
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    unsigned m = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int id = kw_peer_find(t);
        if (id < 0) {
            kw__cli_err(CMD, "--peers: unknown client '%s' (kwire, java, franz-go, confluent-kafka, kafka-python, "
                             "kafka-python-deb, kwire-cli, kcat or all)",
                        t);
            return -1;
        }
        m |= 1u << id;
    }
    if (!m) {
        kw__cli_err(CMD, "--peers: name at least one client");
        return -1;
    }
    *out = m;
    return 0;
}

static long parse_long(const char *opt, const char *v, long lo, long hi)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < lo || n > hi) {
        kw__cli_err(CMD, "bad %s '%s': expected %ld..%ld", opt, v, lo, hi);
        return -1;
    }
    return n;
}

int kw__cmd_bench_compare(kw_cli *cli, int argc, char **argv)
{
    kw_cmp_opts o;
    kw_cmp_opts_default(&o);
    const char *csv = NULL;
    int n_given = 0, mock = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return KW_EXIT_OK;
        }
        int takes = !strcmp(a, "--lab") || !strcmp(a, "--csv") || !strcmp(a, "-n") || !strcmp(a, "--peers") ||
                    !strcmp(a, "--partitions") || !strcmp(a, "--kafka-version") || !strcmp(a, "--repeat");
        if (takes && i + 1 >= argc) {
            kw__cli_err(CMD, "%s needs a value", a);
            return KW_EXIT_USAGE;
        }
        if (!strcmp(a, "--json")) cli->json = 1;
        else if (!strcmp(a, "--mock")) mock = 1;
        else if (!strcmp(a, "--produce-only")) o.produce_only = 1;
        else if (!strcmp(a, "--repeat")) {
            long r = parse_long(a, argv[++i], 1, 1000);
            if (r < 0) return KW_EXIT_USAGE;
            o.repeat = (int)r;
        }
        else if (!strcmp(a, "--csv")) csv = argv[++i];
        else if (!strcmp(a, "--kafka-version")) o.kafka_version = argv[++i];
        else if (!strcmp(a, "--peers")) {
            if (parse_peers(argv[++i], &o.peers)) return KW_EXIT_USAGE;
        } else if (!strcmp(a, "--partitions")) {
            long p = parse_long(a, argv[++i], 1, 10000);
            if (p < 0) return KW_EXIT_USAGE;
            o.partitions = (int)p;
        } else if (!strcmp(a, "-n")) {
            long n = parse_long("-n", argv[++i], 10, 1000000000L);
            if (n < 0) return KW_EXIT_USAGE;
            o.records = n;
            n_given = 1;
        } else if (!strcmp(a, "--lab")) {
            o.lab = kw_lab_find(argv[++i]);
            if (!o.lab) {
                kw__cli_err(CMD, "unknown lab '%s' (see kwire bench lab --help)", argv[i]);
                return KW_EXIT_USAGE;
            }
            if (kw_lab_has_broker_axes(o.lab)) {
                kw__cli_err(CMD, "lab %s sweeps broker settings (a broker restart each): run it with kwire bench "
                                 "lab %s; compare the clients with B1C",
                            o.lab->name, o.lab->name);
                return KW_EXIT_USAGE;
            }
        } else {
            kw__cli_err(CMD, "unexpected argument '%s'", a);
            usage(stderr);
            return KW_EXIT_USAGE;
        }
    }
    if (csv && !o.lab && o.repeat <= 1) {
        kw__cli_err(CMD, "--csv goes with --lab or --repeat");
        return KW_EXIT_USAGE;
    }
    if (o.lab && o.repeat > 1) {
        kw__cli_err(CMD, "--repeat goes without --lab (a lab's grid is its runs)");
        return KW_EXIT_USAGE;
    }
    if (o.produce_only && o.lab && o.lab->kind == KW_LAB_CONSUME) {
        kw__cli_err(CMD, "--produce-only: lab %s runs consumers only", o.lab->name);
        return KW_EXIT_USAGE;
    }
    const char *bs = cli->bootstrap ? cli->bootstrap : getenv("KWIRE_BOOTSTRAP");
    if (mock && bs) {
        kw__cli_err(CMD, "--mock starts a broker of its own: leave out -b (and $KWIRE_BOOTSTRAP)");
        return KW_EXIT_USAGE;
    }
    o.broker = bs ? KW_CMP_GIVEN : mock ? KW_CMP_MOCK : KW_CMP_KAFKA;
    o.bootstrap = bs;
    if (o.lab && !n_given) o.records = o.lab->records;
    o.settings = cli->settings;
    o.nsettings = cli->nsettings;
    o.verbose = cli->verbosity >= 0;
    char exe[PATH_MAX];
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (el <= 0) {
        kw__cli_err(CMD, "cannot read /proc/self/exe: %s", strerror(errno));
        return KW_EXIT_FAIL;
    }
    exe[el] = 0;
    /* the kwire rows may run another build (an A/B of two kwire versions); the peers and
       the broker are found from it too */
    const char *other = getenv("KWIRE_COMPARE_KWIRE");
    o.kwire = other && *other ? other : exe;
    if (access(o.kwire, X_OK)) {
        kw__cli_err(CMD, "$KWIRE_COMPARE_KWIRE=%s: not an executable", o.kwire);
        return KW_EXIT_USAGE;
    }
    kw_cmp_outcome out;
    char err[1024];
    int rc = kw_cmp_execute(&o, &out, err, sizeof err);
    if (rc < 0) {
        kw__cli_err(CMD, "%s", err);
        return KW_EXIT_FAIL;
    }
    if (!o.lab && out.nsets == 1) {
        if (cli->json) kw_cmp_print_json(stdout, &out.rep, &out.sets[0]);
        else kw_cmp_print_text(stdout, &out.rep, &out.sets[0]);
    } else {
        if (cli->json) kw_cmp_lab_print_json(stdout, &out.rep, o.lab, out.sets, out.nsets);
        else kw_cmp_lab_print_text(stdout, &out.rep, o.lab, out.sets, out.nsets);
        if (csv) {
            FILE *f = fopen(csv, "w");
            if (!f) {
                kw__cli_err(CMD, "--csv %s: %s", csv, strerror(errno));
                rc = 1;
            } else {
                kw_cmp_lab_write_csv(f, &out.rep, o.lab, out.sets, out.nsets);
                if (fclose(f)) rc = 1;
                else if (!cli->json && cli->verbosity >= 0) printf("csv: %s\n", csv);
            }
        }
    }
    /* kwire itself must work; a peer that is missing or fails is reported, not fatal */
    for (int i = 0; rc == 1 && i < out.nsets; i++)
        for (int p = KW_PEER_KWIRE; p <= KW_PEER_KWIRE_CLI; p += KW_PEER_KWIRE_CLI - KW_PEER_KWIRE)
            for (int d = 0; d < KW_DIR_N; d++)
                if ((out.rep.peers & (1u << p)) && (out.rep.dirs & (1u << d)) &&
                    out.sets[i].r[p][d].status == KW_CMP_FAILED)
                    kw__cli_err(CMD, "%s%d: %s %s failed: %s", o.lab ? "run " : "set ", i + 1, kw_peer_get(p)->name,
                                kw_peer_dir_name(d), out.sets[i].r[p][d].why);
    kw_cmp_outcome_free(&out);
    return rc == 0 ? KW_EXIT_OK : KW_EXIT_FAIL;
}
