/*
 * client/cmd/cli.h — the `kwire` command's frame: global options shared by every
 * command, and the helpers commands use (bootstrap with the embedded broker, output).
 *
 *   kwire [-b HOST:PORT,...] [-X name=value ...] [-F settings-file] [--dump[=text|json]]
 *         [--dump-file FILE] [--dump-secrets] [--json] [--stats] [-q|-v] COMMAND [ARGS]
 *
 * Global options may stand before or after the command name. --stats (or -v) makes every
 * command that talks to brokers print, at exit, its requests per broker and per (API,
 * version) with errors, bytes and round-trip times (kw_net_stats_print). Exit status: 0 success,
 * 1 the operation failed, 2 usage or settings error (KW_EXIT_*).
 */
#ifndef KW_CLI_H
#define KW_CLI_H

#include <stdio.h>
#include <sys/types.h>

enum { KW_EXIT_OK = 0, KW_EXIT_FAIL = 1, KW_EXIT_USAGE = 2 };
enum { KW_DUMP_OFF = 0, KW_DUMP_TEXT = 1, KW_DUMP_JSON = 2 };

typedef struct kw_cli {
    const char *prog;        /* argv[0] */
    const char *bootstrap;   /* -b or $KWIRE_BOOTSTRAP; NULL when neither (see kw__cli_bootstrap) */
    const char **settings;   /* "name=value" from -F files and -X, in command-line order */
    int nsettings;
    int dump;                /* KW_DUMP_* */
    int dump_secrets;        /* --dump-secrets: SASL passwords, proofs and tokens shown */
    const char *dump_file;   /* NULL: stderr */
    FILE *dump_out;          /* opened by main when dump is on */
    int json;                /* --json: machine-readable output */
    int verbosity;           /* -1 with -q, 0 normal, >0 per -v */
    int stats;               /* --stats: statistics to stderr at exit */
    pid_t broker_pid;        /* embedded broker started for this run, or 0 */
} kw_cli;

/*
 * The bootstrap list to use: -b, $KWIRE_BOOTSTRAP, or else start the embedded broker
 * (kwire-broker, 3 brokers, found beside the kwire binary or on PATH) for the lifetime
 * of this process, say so on stderr, and stop it at exit. NULL (message printed) when
 * the embedded broker cannot be started.
 */
const char *kw__cli_bootstrap(kw_cli *cli);

struct kw_config;
struct kw_net;
/*
 * Settings for command `cmd` in `role` (KW_ROLE_*): -F/-X in order, group.id when given,
 * the bootstrap list (-b, $KWIRE_BOOTSTRAP, bootstrap.servers, else the embedded
 * broker), validated; and, when net is not NULL, a broker set over them with --dump
 * wired in. NULL (message printed) on error.
 */
struct kw_config *kw__cli_config(kw_cli *cli, const char *cmd, int role, const char *group, struct kw_net **net);

/* With --stats or -v: the broker set's requests per broker and per (API, version) to
 * stderr (kw_net_stats_print). Commands call it once, before freeing the set. */
void kw__cli_net_stats(const kw_cli *cli, const struct kw_net *n);

/* " (why)" when every broker of n failed for good (TLS, authentication: kw_net_fatal),
 * else "": to follow an error message. Into buf; returns buf. */
const char *kw__cli_why(const struct kw_net *n, char *buf, size_t cap);

/* kw_net_set_dump's flags for --dump / --dump-secrets. */
int kw__cli_dump_flags(const kw_cli *cli);

/* Stop the embedded broker if this process started one (also run at exit). */
void kw__cli_stop_broker(void);

/* Print "kwire COMMAND: message" to stderr (printf-style). */
void kw__cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A file's whole text, NUL-terminated (*len without the NUL); NULL with a message
 * naming the path printed as cmd's error. */
char *kw__cli_slurp(const char *cmd, const char *path, size_t *len);

#endif
