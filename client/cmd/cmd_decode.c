/*
 * client/cmd/cmd_decode.c — `kwire decode`: the teaching view of bytes already on the
 * wire. A packet capture is reassembled (client/capture/pcap.c) and every request and its
 * response is printed annotated (proto/print.c); a single request frame or response
 * body/frame can be decoded from a file (binary, or hex text with --hex). The input files,
 * the printing and the error lines are client/cli/decoder.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/capture/pcap.h"
#include "client/cli/decoder.h"
#include "commands.h"
#include "proto/proto.h"

#define CMD "decode"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kwire decode CAPTURE.pcap [--port N] [--max-frame BYTES] [--paths] [--json]\n"
            "       kwire decode --request FILE [--hex] [--paths] [--json]\n"
            "       kwire decode --response API VERSION FILE [--frame] [--hex] [--paths] [--json]\n\n"
            "Print Kafka protocol bytes field by field: offset and hex on the left, the decoded\n"
            "tree on the right (--json: one JSON document, see proto/print.h).\n\n"
            "  CAPTURE.pcap       pcap or pcapng; TCP streams are reassembled, split into frames,\n"
            "                     and each response is paired with its request by correlation id\n"
            "  --port N           the brokers' port (the other side is the client; other traffic\n"
            "                     is ignored); default: found from the handshake or the frames\n"
            "  --max-frame BYTES  largest frame accepted (default 104857600)\n"
            "  --request FILE     FILE is a whole request frame (size, header, body)\n"
            "  --response API VERSION FILE\n"
            "                     FILE is a response body as it follows the response header;\n"
            "                     API is Kafka's name (case-insensitive) or key\n"
            "  --frame            with --response: FILE is a whole response frame\n"
            "  --hex              FILE is hex text (whitespace ignored); FILE '-' reads stdin\n"
            "  --paths            full field paths instead of an indented tree\n\n"
            "Exit status: 0 decoded, 1 malformed input, a record batch whose CRC does not match,\n"
            "or an unreadable file, 2 usage error.\n");
}

int kw__cmd_decode(kw_cli *cli, int argc, char **argv)
{
    const char *capture = NULL, *request = NULL, *resp_api = NULL, *resp_ver = NULL, *resp_file = NULL;
    int hex = 0, frame = 0, paths = 0, port = 0;
    size_t max_frame = KW_PCAP_MAX_FRAME_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return KW_EXIT_OK; }
        if (!strcmp(a, "--hex")) { hex = 1; continue; }
        if (!strcmp(a, "--frame")) { frame = 1; continue; }
        if (!strcmp(a, "--paths")) { paths = 1; continue; }
        if (!strcmp(a, "--json")) { cli->json = 1; continue; }
        if (!strcmp(a, "--request")) {
            if (i + 1 >= argc) { kw__cli_err(CMD, "--request needs a FILE"); return KW_EXIT_USAGE; }
            request = argv[++i];
            continue;
        }
        if (!strcmp(a, "--response")) {
            if (i + 2 >= argc) { kw__cli_err(CMD, "--response needs API VERSION FILE"); return KW_EXIT_USAGE; }
            resp_api = argv[++i]; resp_ver = argv[++i];
            continue;
        }
        if (!strcmp(a, "--port") || !strcmp(a, "--max-frame")) {
            if (i + 1 >= argc) { kw__cli_err(CMD, "%s needs a number", a); return KW_EXIT_USAGE; }
            char *end;
            errno = 0;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || v == 0 || (a[2] == 'p' ? v > 65535 : v > INT32_MAX)) {
                kw__cli_err(CMD, "%s: bad value '%s'", a, argv[i]);
                return KW_EXIT_USAGE;
            }
            if (a[2] == 'p') port = (int)v; else max_frame = (size_t)v;
            continue;
        }
        if (a[0] == '-' && a[1]) { kw__cli_err(CMD, "unknown option '%s' (see kwire decode --help)", a); return KW_EXIT_USAGE; }
        if (capture) { kw__cli_err(CMD, "one file at a time ('%s' and '%s')", capture, a); return KW_EXIT_USAGE; }
        capture = a;
    }
    if (resp_api) { resp_file = capture; capture = NULL; } /* FILE after --response API VERSION */
    int modes = !!capture + !!request + !!resp_api;
    if (modes != 1 || (resp_api && !resp_file)) {
        kw__cli_err(CMD, modes > 1 ? "give one of CAPTURE, --request FILE or --response API VERSION FILE"
                                   : "nothing to decode (see kwire decode --help)");
        return KW_EXIT_USAGE;
    }
    if (frame && !resp_file) { kw__cli_err(CMD, "--frame goes with --response"); return KW_EXIT_USAGE; }
    if (capture && hex) { kw__cli_err(CMD, "--hex is for --request/--response files"); return KW_EXIT_USAGE; }
    if (!capture && port) { kw__cli_err(CMD, "--port is for captures"); return KW_EXIT_USAGE; }

    kw__decoder d;
    kw__decoder_init(&d, cli->json, paths, cli->dump_secrets, stdout, stderr);
    int rc = KW_EXIT_OK;
    if (capture) {
        rc = kw__decoder_capture(&d, capture, port, max_frame, cli->verbosity < 0) ? KW_EXIT_FAIL : KW_EXIT_OK;
        kw__decoder_free(&d);
        return rc;
    }
    int api = -1;
    long ver = -1;
    if (resp_file) {
        char *end;
        api = kw_api_kafka_parse(resp_api);
        if (api < 0) { kw__cli_err(CMD, "unknown API '%s'", resp_api); return KW_EXIT_USAGE; }
        ver = strtol(resp_ver, &end, 10);
        if (*end || end == resp_ver || ver < 0 || ver > INT16_MAX) {
            kw__cli_err(CMD, "bad version '%s'", resp_ver);
            return KW_EXIT_USAGE;
        }
        int16_t lo, hi;
        if (kw_api_described(api, &lo, &hi) || ver < lo || ver > hi) {
            kw__cli_err(CMD, "kwire does not describe %s v%ld responses (it describes v%d to v%d)", kw_api_name(api), ver,
                        lo, hi);
            return KW_EXIT_USAGE;
        }
    }
    const char *path = request ? request : resp_file;
    size_t len = 0;
    uint8_t *data = kw__decoder_read_input(&d, path, hex, max_frame + 4, &len);
    if (!data) { kw__decoder_free(&d); return KW_EXIT_FAIL; }
    if (request) kw__decoder_request(&d, data, len, path);
    else kw__decoder_response(&d, api, (int)ver, frame, data, len, path);
    if (kw__decoder_finish(&d)) rc = KW_EXIT_FAIL;
    if (d.errors) rc = KW_EXIT_FAIL;
    free(data);
    kw__decoder_free(&d);
    return rc;
}
