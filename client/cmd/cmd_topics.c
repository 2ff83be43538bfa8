/*
 * client/cmd/cmd_topics.c — `kwire topics create NAME... [--partitions N]
 * [--replication-factor R] [--config name=value]... [--if-not-exists] [--validate-only]`
 * and `kwire topics list`: what kafka-topics.sh --create / --list do, over CreateTopics
 * and Metadata. (`kwire metadata TOPIC` is the --describe.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/admin/admin.h"
#include "client/core/config.h"
#include "client/conn/metadata.h"
#include "client/conn/net.h"
#include "commands.h"

static int usage(int rc)
{
    fprintf(rc ? stderr : stdout,
            "usage: kwire topics create NAME... [--partitions N] [--replication-factor R]\n"
            "                           [--config name=value]... [--if-not-exists] [--validate-only]\n"
            "       kwire topics list\n\n"
            "create: one CreateTopics request for every NAME; without --partitions or\n"
            "--replication-factor the broker's defaults (num.partitions,\n"
            "default.replication.factor) apply. Exit 1 when any topic was not created\n"
            "(an existing one is fine with --if-not-exists).\n"
            "list: the name of every topic, one per line (internal topics too with -v).\n");
    return rc;
}

static int parse_int(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) {
        kw__cli_err("topics", "%s '%s': expected an integer from %ld to %ld", opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int cmd_create(kw_cli *cli, int argc, char **argv)
{
    long parts = -1, rf = -1;
    int if_not_exists = 0, validate = 0, nnames = 0, nconf = 0;
    const char **names = calloc((size_t)argc + 1, sizeof *names);
    const char **conf = calloc((size_t)argc + 1, sizeof *conf);
    int rc = KW_EXIT_USAGE;
    if (!names || !conf) goto out;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "--partitions") || !strcmp(a, "--replication-factor") || !strcmp(a, "--config")) &&
            i + 1 >= argc) {
            kw__cli_err("topics", "%s needs a value", a);
            goto out;
        }
        if (!strcmp(a, "--partitions")) {
            if (parse_int(a, argv[++i], 1, INT32_MAX, &parts)) goto out;
        } else if (!strcmp(a, "--replication-factor")) {
            if (parse_int(a, argv[++i], 1, INT16_MAX, &rf)) goto out;
        } else if (!strcmp(a, "--config")) {
            if (!strchr(argv[++i], '=')) {
                kw__cli_err("topics", "--config '%s': expected name=value", argv[i]);
                goto out;
            }
            conf[nconf++] = argv[i];
        } else if (!strcmp(a, "--if-not-exists")) {
            if_not_exists = 1;
        } else if (!strcmp(a, "--validate-only")) {
            validate = 1;
        } else if (a[0] == '-') {
            kw__cli_err("topics", "unknown option '%s'", a);
            goto out;
        } else {
            names[nnames++] = a;
        }
    }
    if (!nnames) {
        kw__cli_err("topics", "create: name at least one topic");
        goto out;
    }
    kw_net *n = NULL;
    kw_config *cfg = kw__cli_config(cli, "topics", KW_ROLE_ANY, NULL, &n);
    if (!cfg) {
        rc = KW_EXIT_USAGE;
        goto out;
    }
    int32_t timeout = (int32_t)kw_config_int(cfg, KW_CONF_REQUEST_TIMEOUT_MS);
    kw_topic_spec *specs = calloc((size_t)nnames, sizeof *specs);
    kw_topic_result *res = calloc((size_t)nnames, sizeof *res);
    rc = KW_EXIT_FAIL;
    if (specs && res) {
        for (int i = 0; i < nnames; i++)
            specs[i] = (kw_topic_spec){names[i], (int32_t)parts, (int16_t)rf, conf, nconf};
        int e = kw_create_topics(n, specs, nnames, timeout, validate, res);
        if (e) {
            const char *why = NULL;
            for (int i = 0; i < kw_net_count(n) && !why; i++) {
                why = kw_net_last_error(n, i);
                if (why && !*why) why = NULL;
            }
            kw__cli_err("topics", "CreateTopics: %s%s%s%s", kw_strerror(e), why ? " (" : "", why ? why : "",
                        why ? ")" : "");
        } else {
            rc = KW_EXIT_OK;
            for (int i = 0; i < nnames; i++) {
                if (!res[i].error) {
                    printf("%s topic %s", validate ? "valid:" : "created", names[i]);
                    if (res[i].partitions > 0) printf(" (%d partitions, replication factor %d)", res[i].partitions,
                                                      res[i].replication_factor);
                    printf("\n");
                } else if (res[i].error == KW_KAFKA_TOPIC_ALREADY_EXISTS && if_not_exists) {
                    printf("exists  topic %s\n", names[i]);
                } else {
                    kw__cli_err("topics", "topic %s: %s (%s)%s", names[i],
                                res[i].message[0] ? res[i].message : kw_strerror(res[i].error),
                                kw_err_name(res[i].error), res[i].error == KW_KAFKA_TOPIC_ALREADY_EXISTS ?
                                " (--if-not-exists accepts it)" : "");
                    rc = KW_EXIT_FAIL;
                }
            }
        }
    }
    free(specs);
    free(res);
    kw__cli_net_stats(cli, n);
    kw_net_free(n);
    kw_config_free(cfg);
out:
    free(names);
    free(conf);
    return rc;
}

static int cmd_list(kw_cli *cli, int argc, char **argv)
{
    if (argc > 2) {
        kw__cli_err("topics", "list takes no arguments ('%s')", argv[2]);
        return KW_EXIT_USAGE;
    }
    kw_net *n = NULL;
    kw_config *cfg = kw__cli_config(cli, "topics", KW_ROLE_ANY, NULL, &n);
    if (!cfg) return KW_EXIT_USAGE;
    kw_meta m = {0};
    char why[400];
    int rc = KW_EXIT_OK;
    int e = kw_meta_fetch_why(n, NULL, 0, 0, &m, why, sizeof why);
    if (e) {
        char d[sizeof why + 64];
        kw__cli_err("topics", "metadata: %s", kw_net_describe(e, why, d, sizeof d));
        rc = KW_EXIT_FAIL;
    } else {
        for (int32_t i = 0; i < m.ntopics; i++)
            if (m.topics[i].name && (!m.topics[i].internal || cli->verbosity > 0)) printf("%s\n", m.topics[i].name);
    }
    kw_meta_free(&m);
    kw__cli_net_stats(cli, n);
    kw_net_free(n);
    kw_config_free(cfg);
    return rc;
}

int kw__cmd_topics(kw_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) return usage(argc < 2 ? KW_EXIT_USAGE : 0);
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return usage(0);
    if (!strcmp(argv[1], "create")) return cmd_create(cli, argc, argv);
    if (!strcmp(argv[1], "list")) return cmd_list(cli, argc, argv);
    kw__cli_err("topics", "unknown subcommand '%s' (create or list)", argv[1]);
    return KW_EXIT_USAGE;
}
