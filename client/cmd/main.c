/*
 * client/cmd/main.c — entry point of the `kwire` command: parses the global options
 * (wherever they stand; -bHOST:PORT and --bootstrap=HOST:PORT as well as -b HOST:PORT),
 * reads -F settings files, opens the --dump output, puts the command's own options in
 * getopt's form (client/cli/args.h) and dispatches to the command named in commands.h.
 * `kwire help [COMMAND]` prints the usage of kwire or of a command.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cli/args.h"
#include "client/conn/net.h"
#include "codec/grow.h"
#include "commands.h"
#include "kwire.h"

static const struct {
    const char *name;
    int (*fn)(kw_cli *, int, char **);
    const char *shorts, *longs;
    int json;
    const char *summary;
} commands[] = {
#define KW__CMD_ROW(name, fn, shorts, longs, json, summary) {name, fn, shorts, longs, json, summary},
    KW_COMMAND_MAP(KW__CMD_ROW)
#undef KW__CMD_ROW
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

void kw__cli_err(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kwire%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

char *kw__cli_slurp(const char *cmd, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        kw__cli_err(cmd, "%s: %s", path, strerror(errno));
        return NULL;
    }
    kw_buf b;
    kw_buf_init(&b);
    char tmp[65536];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0) kw_buf_put(&b, tmp, got);
    int bad = ferror(f) || b.err;
    fclose(f);
    kw_buf_put(&b, "", 1);
    if (bad || b.err) {
        kw__cli_err(cmd, "%s: %s", path, b.err ? kw_strerror(b.err) : "read error");
        kw_buf_free(&b);
        return NULL;
    }
    *len = b.len - 1;
    return (char *)b.data;
}

const char *kw__cli_why(const kw_net *n, char *buf, size_t cap)
{
    int idx = 0;
    buf[0] = 0;
    if (n && kw_net_fatal(n, &idx)) snprintf(buf, cap, " (%s)", kw_net_last_error(n, idx));
    return buf;
}

int kw__cli_dump_flags(const kw_cli *cli)
{
    return (cli->dump == KW_DUMP_JSON ? KW_NET_DUMP_JSON : 0) | (cli->dump_secrets ? KW_NET_DUMP_SECRETS : 0);
}

void kw__cli_net_stats(const kw_cli *cli, const kw_net *n)
{
    if (n && (cli->stats || cli->verbosity > 0)) kw_net_stats_print(n, stderr);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kwire [-b HOST:PORT,...] [-X name=value ...] [-F settings-file]\n"
            "             [--dump[=text|json]] [--dump-file FILE] [--dump-secrets] [--json] [--stats] [-q|-v]\n"
            "             COMMAND [ARGS]\n\n"
            "Global options (before or after the command):\n"
            "  -b, --bootstrap LIST   brokers to start from (default: $KWIRE_BOOTSTRAP, else the\n"
            "                         embedded broker is started for the run)\n"
            "  -X name=value          a setting by its Kafka name (repeatable)\n"
            "  -F FILE                settings file: name=value lines, # comments\n"
            "  --dump[=text|json]     print every request and response annotated field by field\n"
            "  --dump-file FILE       write the dump to FILE instead of stderr ('-': stdout);\n"
            "                         --dump=json needs it (stderr carries kwire's own messages)\n"
            "  --dump-secrets         show SASL passwords, proofs and tokens in the dump and in\n"
            "                         decode (hidden as <redacted, N bytes> without it)\n"
            "  --json                 machine-readable output (commands that have it; others refuse it)\n"
            "  --stats                at exit, requests per broker and API (errors, bytes, RTT)\n"
            "                         and the command's own statistics (consume: fetches)\n"
            "  -q, -v                 quieter, more verbose\n"
            "  -h, --help             this text; --version: kwire's version\n\n"
            "Options take their value attached or as the next word: -b HOST:PORT, -bHOST:PORT,\n"
            "--bootstrap=HOST:PORT; a command's flags bundle (-ec5 is -e -c 5).\n\n"
            "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-14s %s\n", "help", "this text, or a command's usage (kwire help COMMAND)");
    fprintf(f, "\n'kwire help COMMAND' or 'kwire COMMAND --help' describes a command.\n"
               "Exit status: 0 success, 1 the operation failed, 2 usage or settings error\n"
               "(lag: 3 when the total lag is at or over --threshold).\n");
}

/* Append a copy of one name=value setting to the list; 0 or -1 (out of memory). */
static int add_setting(const char ***list, int *n, int *cap, const char *s)
{
    const char **v = kw__grow(*list, sizeof *v, (size_t)*n + 1, cap, 16);
    if (!v) return -1;
    *list = v;
    if (!(v[*n] = strdup(s))) return -1;
    (*n)++;
    return 0;
}

/* Append the name=value lines of a settings file; 0 or -1 (message printed). */
static int read_settings_file(kw_cli *cli, const char *path, const char ***list, int *n, int *cap)
{
    FILE *f = fopen(path, "r");
    if (!f) { kw__cli_err(NULL, "-F %s: %s", path, strerror(errno)); return -1; }
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line, *e;
        while (*s == ' ' || *s == '\t') s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) *--e = 0;
        if (*s == 0 || *s == '#' || *s == '!') continue;
        if (!strchr(s, '=')) {
            kw__cli_err(NULL, "%s:%d: expected name=value, got '%s'", path, lineno, s);
            fclose(f);
            return -1;
        }
        if (add_setting(list, n, cap, s)) { fclose(f); return -1; }
    }
    fclose(f);
    (void)cli;
    return 0;
}

int main(int argc, char **argv)
{
    kw_cli cli = {.prog = argv[0]};
    const char **settings = NULL;
    int nset = 0, capset = 0;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0, cmd_index = -1, opts_done = 0, rc = KW_EXIT_USAGE;
    if (!rest) return KW_EXIT_FAIL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts_done || a[0] != '-') {
            if (cmd_index < 0) cmd_index = nrest;
            rest[nrest++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) { opts_done = 1; continue; }
        /* -b, -X, -F with the value attached (-bHOST:PORT) or next; --bootstrap=LIST and
         * --dump-file=FILE as well as the two-word forms */
        const char *v = NULL, *optname = a;
        char optbuf[16];
        if ((a[1] == 'b' || a[1] == 'X' || a[1] == 'F') && a[2]) {
            v = a + 2;
            snprintf(optbuf, sizeof optbuf, "-%c", a[1]);
            optname = optbuf;
        } else if (!strncmp(a, "--bootstrap=", 12) || !strncmp(a, "--dump-file=", 12)) {
            v = a + 12;
            snprintf(optbuf, sizeof optbuf, "%.11s", a);
            optname = optbuf;
        }
        if (v || !strcmp(a, "-b") || !strcmp(a, "--bootstrap") || !strcmp(a, "-X") || !strcmp(a, "-F") ||
            !strcmp(a, "--dump-file")) {
            if (!v && i + 1 >= argc) { kw__cli_err(NULL, "%s needs a value", a); rc = KW_EXIT_USAGE; goto out; }
            if (!v) v = argv[++i];
            a = optname;
            if (a[1] == 'b' || !strcmp(a, "--bootstrap")) {
                cli.bootstrap = v;
            } else if (a[1] == 'X') {
                if (!strchr(v, '=')) { kw__cli_err(NULL, "-X %s: expected name=value", v); rc = KW_EXIT_USAGE; goto out; }
                if (add_setting(&settings, &nset, &capset, v)) { rc = KW_EXIT_FAIL; goto out; }
            } else if (a[1] == 'F') {
                if (read_settings_file(&cli, v, &settings, &nset, &capset)) { rc = KW_EXIT_USAGE; goto out; }
            } else {
                cli.dump_file = v;
                if (!cli.dump) cli.dump = KW_DUMP_TEXT;
            }
        } else if (!strcmp(a, "--dump") || !strcmp(a, "--dump=text")) {
            cli.dump = KW_DUMP_TEXT;
        } else if (!strcmp(a, "--dump=json")) {
            cli.dump = KW_DUMP_JSON;
        } else if (!strncmp(a, "--dump=", 7)) {
            kw__cli_err(NULL, "--dump takes text or json, not '%s'", a + 7);
            rc = KW_EXIT_USAGE;
            goto out;
        } else if (!strcmp(a, "--dump-secrets")) {
            cli.dump_secrets = 1;
        } else if (!strcmp(a, "--json")) {
            cli.json = 1;
        } else if (!strcmp(a, "--stats")) {
            cli.stats = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            cli.verbosity = -1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            cli.verbosity++;
        } else if (cmd_index < 0 && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
            usage(stdout);
            rc = KW_EXIT_OK;
            goto out;
        } else if (cmd_index < 0 && !strcmp(a, "--version")) {
            printf("kwire %s\n", KW_VERSION_STRING);
            rc = KW_EXIT_OK;
            goto out;
        } else {
            /* not a global option: it belongs to the command */
            if (cmd_index < 0) {
                kw__cli_err(NULL, "unknown option '%s' before the command (see kwire --help)", a);
                rc = KW_EXIT_USAGE;
                goto out;
            }
            rest[nrest++] = argv[i];
        }
    }
    if (cmd_index < 0) { usage(stderr); rc = KW_EXIT_USAGE; goto out; }
    if (cli.dump == KW_DUMP_JSON && !cli.dump_file) {
        kw__cli_err(NULL, "--dump=json needs --dump-file FILE (or '-' for stdout): stderr carries kwire's own "
                          "messages, which would break the JSON");
        rc = KW_EXIT_USAGE;
        goto out;
    }
    cli.settings = settings;
    cli.nsettings = nset;
    if (!cli.bootstrap) {
        const char *env = getenv("KWIRE_BOOTSTRAP");
        if (env && *env) cli.bootstrap = env;
    }
    const char *name = rest[cmd_index];
    char *help_argv[3];
    if (!strcmp(name, "help")) {
        /* kwire help [COMMAND]: a command's usage is its --help */
        if (nrest - cmd_index < 2) { usage(stdout); rc = KW_EXIT_OK; goto out; }
        if (nrest - cmd_index > 2) { kw__cli_err(NULL, "help takes one command name"); rc = KW_EXIT_USAGE; goto out; }
        help_argv[0] = rest[cmd_index + 1];
        help_argv[1] = "--help";
        help_argv[2] = NULL;
        name = help_argv[0];
        for (size_t i = 0; i < NCOMMANDS; i++)
            if (!strcmp(commands[i].name, name)) { rc = commands[i].fn(&cli, 2, help_argv); goto out; }
        kw__cli_err(NULL, "help: unknown command '%s' (see kwire help)", name);
        rc = KW_EXIT_USAGE;
        goto out;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].name, name)) continue;
        if (cli.json && !commands[i].json) {
            kw__cli_err(name, "--json means nothing to this command: it has no JSON output");
            rc = KW_EXIT_USAGE;
            goto out;
        }
        kw_args args;
        char aerr[256];
        const kw_argspec spec = {commands[i].shorts, commands[i].longs};
        int ae = kw_args_normalize(&spec, nrest - cmd_index, rest + cmd_index, 1, &args, aerr, sizeof aerr);
        if (ae) {
            if (ae == -1) kw__cli_err(name, "%s", aerr);
            rc = ae == -1 ? KW_EXIT_USAGE : KW_EXIT_FAIL;
            goto out;
        }
        if (cli.dump) {
            cli.dump_out = stderr;
            if (cli.dump_file && !strcmp(cli.dump_file, "-")) cli.dump_out = stdout;
            else if (cli.dump_file && !(cli.dump_out = fopen(cli.dump_file, "w"))) {
                kw__cli_err(NULL, "--dump-file %s: %s", cli.dump_file, strerror(errno));
                kw_args_free(&args);
                rc = KW_EXIT_USAGE;
                goto out;
            }
        }
        rc = commands[i].fn(&cli, args.argc, args.argv);
        kw_args_free(&args);
        if (cli.dump_out && cli.dump_out != stderr && cli.dump_out != stdout) fclose(cli.dump_out);
        else if (cli.dump_out == stdout) fflush(stdout);
        kw__cli_stop_broker();
        goto out;
    }
    kw__cli_err(NULL, "unknown command '%s' (see kwire help)", name);
out:
    free(rest);
    for (int k = 0; k < nset; k++) free((void *)settings[k]);
    free(settings);
    return rc;
}
