/*
 * client/cmd/cmd_explain.c — `kwire explain API`: build a request exactly as the client
 * would (settings by their Kafka names, defaults from Kafka 4.0's producer/consumer
 * documentation) and print it annotated field by field, without connecting. --raw
 * writes the whole frame (size, header, body) to a file for `kwire decode --request`.
 * For an API the client does not send, the request is built from the description's
 * defaults, with the few settings that name one of its top-level fields and --field
 * NAME=VALUE for any top-level number, boolean or string.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cli/explain.h"
#include "commands.h"
#include "proto/print.h"
#include "proto/proto.h"

#define CMD "explain"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kwire explain API [--version V] [-X setting=value ...] [--records N]\n"
            "                     [--topic T ...] [--partition P] [--offset O] [--topic-id UUID]\n"
            "                     [--group G] [--timestamp T] [--partitions N] [--replication-factor R]\n"
            "                     [--raw FILE] [--paths] [--json] [TOPIC ...]\n\n"
            "Build the request the client would send for API (Kafka's name, case-insensitive)\n"
            "and print it field by field without connecting.\n\n"
            "  --version V      API version (default: the highest the client sends, else the newest)\n"
            "  --records N      Produce: N records of the labs' 92-byte JSON payload (default 1)\n"
            "  --topic T        topic (Produce/Fetch: the first one; Metadata: each; default \"test-topic\")\n"
            "  --partition P    partition (default 0)   --offset O   Fetch offset (default 0)\n"
            "  --topic-id UUID  Fetch and Produce v13+, OffsetFetch and OffsetCommit v10+: the topic's id\n"
            "                   (32 hex digits; default all zeros)\n"
            "  --group G        FindCoordinator, OffsetFetch, OffsetCommit, DescribeGroups (default\n"
            "                   group.id, else \"kwire\")\n"
            "  --timestamp T    ListOffsets: latest (-1, default), earliest (-2), or ms since the epoch\n"
            "  --partitions N, --replication-factor R   CreateTopics (default -1: the broker's)\n"
            "  --raw FILE       also write the whole frame (size, header, body) to FILE\n"
            "  --field NAME=VALUE  set a top-level number, boolean or string field of the request\n"
            "                   by its name as printed (any API; after the settings)\n"
            "  --paths          full field paths instead of an indented tree\n\n"
            "Settings used (-X name=value, Kafka names and defaults):\n"
            "  Produce   acks (all), request.timeout.ms (30000), compression.type (none),\n"
            "            compression.gzip.level (-1), compression.lz4.level (9), compression.zstd.level (3)\n"
            "  Fetch     fetch.min.bytes (1), fetch.max.bytes (52428800), fetch.max.wait.ms (500),\n"
            "            max.partition.fetch.bytes (1048576), isolation.level (read_uncommitted),\n"
            "            client.rack (\"\")\n"
            "  Metadata  allow.auto.create.topics (true)\n"
            "  ListOffsets isolation.level, request.timeout.ms (30000, v10+)\n"
            "  OffsetCommit group.instance.id (null)   CreateTopics request.timeout.ms (30000)\n"
            "  InitProducerId transactional.id (null), transaction.timeout.ms (60000)\n"
            "  SaslHandshake, SaslAuthenticate  sasl.mechanism (PLAIN), sasl.username (alice),\n"
            "            sasl.password, sasl.oauthbearer.config (principal=admin): SaslAuthenticate\n"
            "            carries the mechanism's first message, its secret redacted (--dump-secrets)\n"
            "  all       client.id (kwire)\n\n"
            "  other APIs group.id (--group), group.instance.id, transactional.id, session.timeout.ms,\n"
            "            max.poll.interval.ms (rebalance_timeout_ms), transaction.timeout.ms,\n"
            "            request.timeout.ms (timeout_ms) where the request has such a field\n\n"
            "APIs: every Kafka API key (all versions of Kafka 4.4). The client's own requests\n"
            "(ApiVersions, Metadata, Produce, Fetch, ListOffsets, FindCoordinator, OffsetFetch,\n"
            "OffsetCommit, InitProducerId, ListGroups, DescribeGroups, CreateTopics, SaslHandshake,\n"
            "SaslAuthenticate) are built as the client builds them; the others from the\n"
            "description's defaults.\n"
            "Exit status: 0 printed, 1 could not build the request, 2 usage or settings error.\n");
}


static int parse_long(const char *opt, const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || end == s || x < lo || x > hi) {
        kw__cli_err(CMD, "%s: bad value '%s'", opt, s);
        return -1;
    }
    *out = x;
    return 0;
}

int kw__cmd_explain(kw_cli *cli, int argc, char **argv)
{
    kw_explain x;
    kw__explain_init(&x);
    x.settings = cli->settings;
    x.nsettings = cli->nsettings;
    const char *api_name = NULL;
    int paths = 0;
    const char *raw = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long long v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return KW_EXIT_OK; }
        if (!strcmp(a, "--paths")) { paths = 1; continue; }
        if (!strcmp(a, "--json")) { cli->json = 1; continue; }
        int takes = !strcmp(a, "--version") || !strcmp(a, "--records") || !strcmp(a, "--topic") ||
                    !strcmp(a, "--partition") || !strcmp(a, "--offset") || !strcmp(a, "--raw") || !strcmp(a, "--topic-id") ||
                    !strcmp(a, "--group") || !strcmp(a, "--timestamp") || !strcmp(a, "--partitions") ||
                    !strcmp(a, "--replication-factor") || !strcmp(a, "--field");
        if (takes) {
            if (i + 1 >= argc) { kw__cli_err(CMD, "%s needs a value", a); return KW_EXIT_USAGE; }
            const char *val = argv[++i];
            if (!strcmp(a, "--version")) { if (parse_long(a, val, 0, INT16_MAX, &v)) return KW_EXIT_USAGE; x.version = (int)v; }
            else if (!strcmp(a, "--records")) { if (parse_long(a, val, 0, 1000000, &x.records)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--partition")) { if (parse_long(a, val, 0, INT32_MAX, &x.partition)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--offset")) { if (parse_long(a, val, -2, INT64_MAX, &x.offset)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--raw")) raw = val;
            else if (!strcmp(a, "--field")) {
                if (!strchr(val, '=') || val[0] == '=') { kw__cli_err(CMD, "--field %s: expected NAME=VALUE", val); return KW_EXIT_USAGE; }
                if (x.nfields == KW_EXPLAIN_MAX_FIELDS) { kw__cli_err(CMD, "at most %d --field options", KW_EXPLAIN_MAX_FIELDS); return KW_EXIT_USAGE; }
                x.fields[x.nfields++] = val;
            }
            else if (!strcmp(a, "--group")) x.group = val;
            else if (!strcmp(a, "--partitions")) { if (parse_long(a, val, -1, INT32_MAX, &x.partitions)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--replication-factor")) { if (parse_long(a, val, -1, INT16_MAX, &x.replication)) return KW_EXIT_USAGE; }
            else if (!strcmp(a, "--timestamp")) {
                if (!strcmp(val, "latest")) x.timestamp = -1;
                else if (!strcmp(val, "earliest")) x.timestamp = -2;
                else if (parse_long(a, val, -3, INT64_MAX, &x.timestamp)) return KW_EXIT_USAGE;
            }
            else if (!strcmp(a, "--topic-id")) {
                if (kw__explain_parse_uuid(val, &x.topic_id)) { kw__cli_err(CMD, "--topic-id %s: expected 32 hex digits", val); return KW_EXIT_USAGE; }
            } else {
                if (x.ntopics == KW_EXPLAIN_MAX_TOPICS) { kw__cli_err(CMD, "at most %d topics", KW_EXPLAIN_MAX_TOPICS); return KW_EXIT_USAGE; }
                x.topics[x.ntopics++] = val;
            }
            continue;
        }
        if (a[0] == '-' && a[1]) { kw__cli_err(CMD, "unknown option '%s' (see kwire explain --help)", a); return KW_EXIT_USAGE; }
        if (!api_name) { api_name = a; continue; }
        if (x.ntopics == KW_EXPLAIN_MAX_TOPICS) { kw__cli_err(CMD, "at most %d topics", KW_EXPLAIN_MAX_TOPICS); return KW_EXIT_USAGE; }
        x.topics[x.ntopics++] = a;
    }
    if (!api_name) { kw__cli_err(CMD, "which API? (see kwire explain --help)"); return KW_EXIT_USAGE; }
    if (kw__explain_check_settings(&x)) { kw__cli_err(CMD, "%s", x.err); return KW_EXIT_USAGE; }
    x.api = kw_api_parse(api_name);
    if (x.api < 0) { kw__cli_err(CMD, "unknown API '%s'", api_name); return KW_EXIT_USAGE; }
    int16_t lo, hi, clo, chi;
    kw_api_described(x.api, &lo, &hi);
    if (x.version < 0) x.version = kw_api_range(x.api, &clo, &chi) == 0 ? chi : hi; /* the client's, else the newest */
    if (x.version < lo || x.version > hi) {
        kw__cli_err(CMD, "%s v%d: kwire describes v%d to v%d", kw_api_name(x.api), x.version, lo, hi);
        return KW_EXIT_USAGE;
    }
    kw_buf frame;
    kw_buf_init(&frame);
    int rc = kw__explain_build(&x, &frame);
    if (rc == KW_ERR_CONFIG) { kw__cli_err(CMD, "%s", x.err); kw_buf_free(&frame); return KW_EXIT_USAGE; }
    if (rc) {
        kw__cli_err(CMD, "building the %s v%d request: %s", kw_api_name(x.api), x.version, kw_strerror(rc));
        kw_buf_free(&frame);
        return KW_EXIT_FAIL;
    }
    if ((((x.api == KW_API_Fetch || x.api == KW_API_Produce) && x.version >= 13) ||
         ((x.api == KW_API_OffsetFetch || x.api == KW_API_OffsetCommit) && x.version >= 10)) &&
        cli->verbosity >= 0) {
        int zero = 1;
        for (int i = 0; i < 16; i++) zero &= x.topic_id.b[i] == 0;
        if (zero)
            kw__cli_err(CMD, "note: %s v%d names topics by id; without a broker the id is all zeros (see --topic-id)",
                        kw_api_name(x.api), x.version);
    }

    int status = KW_EXIT_OK;
    if (raw) {
        FILE *f = fopen(raw, "wb");
        if (!f || fwrite(frame.data, 1, frame.len, f) != frame.len || fclose(f)) {
            kw__cli_err(CMD, "--raw %s: %s", raw, strerror(errno));
            if (f) fclose(f);
            kw_buf_free(&frame);
            return KW_EXIT_FAIL;
        }
    }

    kw_buf text;
    kw_buf_init(&text);
    kw_print_opts po = {0};
    po.fmt = cli->json ? KW_PRINT_JSON : KW_PRINT_TEXT;
    po.paths = paths;
    po.secrets = cli->dump_secrets;
    kw_printer pr;
    kw_printer_init(&pr, &text, &po);
    kw_print_frame pf;
    kw_print_frame_init(&pf);
    pf.api_name = kw_api_name(x.api);
    rc = kw_print_frame_bytes(&pr, &pf, KW_PRINT_FRAME, KW_REQ, -1, -1, frame.data, frame.len);
    kw_printer_finish(&pr);
    if (kw_printer_flush(&pr, stdout)) { kw__cli_err(CMD, "writing output: %s", strerror(errno)); status = KW_EXIT_FAIL; }
    if (rc || pr.err.set) {
        /* kwire decoding what kwire encoded must not fail: report it loudly */
        kw__cli_err(CMD, "annotating the request failed at offset %zu (field %s): %s", pr.err.off,
                    pr.err.path[0] ? pr.err.path : "?", pr.err.set ? pr.err.msg : kw_strerror(rc));
        status = KW_EXIT_FAIL;
    }
    kw_buf_free(&text);
    kw_buf_free(&frame);
    return status;
}
