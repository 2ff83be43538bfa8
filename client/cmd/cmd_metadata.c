/*
 * client/cmd/cmd_metadata.c — `kwire metadata [--auto-create] [TOPIC...]`: one Metadata
 * request (every topic, or the named ones) to the first reachable broker; prints the
 * cluster id, controller, brokers, and per topic its partitions with leader, leader
 * epoch, replicas, ISR and errors; over TLS or SASL, what protects the connection (TLS
 * version and cipher, SASL mechanism).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/config.h"
#include "client/conn/metadata.h"
#include "client/conn/net.h"
#include "codec/text.h"
#include "commands.h"
#include "proto/proto.h"

static void print_list(const int32_t *v, int32_t n, int json)
{
    printf(json ? "[" : "[");
    for (int32_t i = 0; i < n; i++) printf("%s%d", i ? "," : "", v[i]);
    printf("]");
}

static void json_str(const char *s)
{
    kw_buf b;
    kw_buf_init(&b);
    kw_json_put_cstr(&b, s);
    fwrite(b.data, 1, b.len, stdout);
    kw_buf_free(&b);
}

static void print_json(const kw_meta *m, const char *from, const char *security)
{
    printf("{\"from\":");
    json_str(from);
    if (security) {
        printf(",\"security\":");
        json_str(security);
    }
    printf(",\"version\":%d,\"cluster_id\":", m->version);
    json_str(m->cluster_id);
    printf(",\"controller\":%d,\"brokers\":[", m->controller);
    for (int32_t i = 0; i < m->nbrokers; i++) {
        const kw_meta_broker *b = &m->brokers[i];
        printf("%s{\"node_id\":%d,\"host\":", i ? "," : "", b->node_id);
        json_str(b->host);
        printf(",\"port\":%d,\"rack\":", b->port);
        json_str(b->rack);
        printf("}");
    }
    printf("],\"topics\":[");
    for (int32_t i = 0; i < m->ntopics; i++) {
        const kw_meta_topic *t = &m->topics[i];
        printf("%s{\"name\":", i ? "," : "");
        json_str(t->name);
        printf(",\"error\":");
        json_str(t->error ? kw_err_name(t->error) : NULL);
        printf(",\"internal\":%s,\"partitions\":[", t->internal ? "true" : "false");
        for (int32_t j = 0; j < t->nparts; j++) {
            const kw_meta_part *p = &t->parts[j];
            printf("%s{\"partition\":%d,\"leader\":%d,\"leader_epoch\":%d,\"error\":", j ? "," : "", p->partition,
                   p->leader, p->leader_epoch);
            json_str(p->error ? kw_err_name(p->error) : NULL);
            printf(",\"replicas\":");
            print_list(p->replicas, p->nreplicas, 1);
            printf(",\"isr\":");
            print_list(p->isr, p->nisr, 1);
            printf(",\"offline\":");
            print_list(p->offline, p->noffline, 1);
            printf("}");
        }
        printf("]}");
    }
    printf("]}\n");
}

static void print_text(const kw_meta *m, const char *from, const char *security)
{
    printf("cluster %s, controller %d (Metadata v%d from %s)\n", m->cluster_id ? m->cluster_id : "-",
           m->controller, m->version, from);
    if (security) printf("security: %s\n", security);
    printf("%d broker%s:\n", m->nbrokers, m->nbrokers == 1 ? "" : "s");
    for (int32_t i = 0; i < m->nbrokers; i++) {
        const kw_meta_broker *b = &m->brokers[i];
        printf("  broker %d at %s:%d%s%s%s\n", b->node_id, b->host ? b->host : "?", b->port,
               b->rack ? " (rack " : "", b->rack ? b->rack : "", b->rack ? ")" : "");
    }
    printf("%d topic%s:\n", m->ntopics, m->ntopics == 1 ? "" : "s");
    for (int32_t i = 0; i < m->ntopics; i++) {
        const kw_meta_topic *t = &m->topics[i];
        printf("  topic \"%s\" with %d partition%s%s%s%s\n", t->name ? t->name : "?", t->nparts,
               t->nparts == 1 ? "" : "s", t->internal ? " (internal)" : "", t->error ? ": error " : "",
               t->error ? kw_err_name(t->error) : "");
        for (int32_t j = 0; j < t->nparts; j++) {
            const kw_meta_part *p = &t->parts[j];
            printf("    partition %d, leader %d, epoch %d, replicas ", p->partition, p->leader, p->leader_epoch);
            print_list(p->replicas, p->nreplicas, 0);
            printf(", isr ");
            print_list(p->isr, p->nisr, 0);
            if (p->noffline) {
                printf(", offline ");
                print_list(p->offline, p->noffline, 0);
            }
            if (p->error) printf(", error %s", kw_err_name(p->error));
            printf("\n");
        }
    }
}

int kw__cmd_metadata(kw_cli *cli, int argc, char **argv)
{
    int auto_create = 0, ntopics = 0;
    const char **topics = calloc((size_t)argc + 1, sizeof *topics);
    if (!topics) return KW_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--auto-create")) auto_create = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: kwire metadata [--auto-create] [TOPIC...]\n\n"
                   "Asks the first reachable bootstrap broker for the cluster's metadata (every\n"
                   "topic, or the named ones) and prints brokers, controller and each partition's\n"
                   "leader, replicas and ISR. A named topic that does not exist is not created\n"
                   "(Metadata v4+ says so; to an older broker kwire asks for every topic instead)\n"
                   "unless --auto-create lets a broker with auto.create.topics.enable create it.\n"
                   "Exit status: 0, 1 when a named topic is unknown or has an error, 2 usage.\n");
            free(topics);
            return KW_EXIT_OK;
        } else if (argv[i][0] == '-') {
            kw__cli_err("metadata", "unknown option '%s'", argv[i]);
            free(topics);
            return KW_EXIT_USAGE;
        } else {
            topics[ntopics++] = argv[i];
        }
    }
    kw_config *cfg = kw_config_new(KW_ROLE_ANY);
    for (int i = 0; cfg && i < cli->nsettings; i++) {
        if (kw_config_set_kv(cfg, cli->settings[i])) {
            kw__cli_err("metadata", "%s", kw_config_error(cfg));
            kw_config_free(cfg);
            free(topics);
            return KW_EXIT_USAGE;
        }
    }
    if (!cfg || kw_config_validate(cfg)) {
        if (cfg) kw__cli_err("metadata", "%s", kw_config_error(cfg));
        kw_config_free(cfg);
        free(topics);
        return KW_EXIT_USAGE;
    }
    const char *bs = kw__cli_bootstrap(cli);
    kw_net *n = bs ? kw_net_new(cfg) : NULL;
    kw_config_free(cfg);
    if (n && kw_net_setup_error(n)[0]) {
        kw__cli_err("metadata", "%s", kw_net_setup_error(n));
        kw_net_free(n);
        free(topics);
        return KW_EXIT_USAGE;
    }
    if (n && cli->dump) kw_net_set_dump(n, cli->dump_out ? cli->dump_out : stderr, kw__cli_dump_flags(cli));
    if (!bs || !n || kw_net_add_list(n, bs) <= 0) {
        if (bs) kw__cli_err("metadata", "bad bootstrap list '%s'", bs);
        kw_net_free(n);
        free(topics);
        return bs ? KW_EXIT_USAGE : KW_EXIT_FAIL;
    }
    kw_meta m = {0};
    char why[1100];
    int e = kw_meta_fetch_why(n, topics, ntopics, auto_create, &m, why, sizeof why);
    int rc = KW_EXIT_OK;
    if (e) {
        char d[sizeof why + 64];
        kw__cli_err("metadata", "%s", kw_net_describe(e, why, d, sizeof d));
        rc = KW_EXIT_FAIL;
    } else {
        /* which broker answered: the first one that is connected */
        const char *from = "?", *security = NULL;
        char sec[300];
        for (int i = 0; i < kw_net_count(n); i++)
            if (kw_conn_state_get(kw_net_conn(n, i)) == KW_CONN_READY) {
                from = kw_net_name(n, i);
                /* TLS version and cipher, SASL mechanism, when the connection has any */
                kw_conn_security(kw_net_conn(n, i), sec, sizeof sec);
                if (strcmp(sec, "plaintext")) security = sec;
                break;
            }
        if (cli->json) print_json(&m, from, security); else print_text(&m, from, security);
        for (int32_t i = 0; i < m.ntopics; i++) {
            if (!m.topics[i].error) continue;
            rc = KW_EXIT_FAIL;
            if (m.topics[i].error == KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION && !auto_create)
                kw__cli_err("metadata", "unknown topic %s (not created: --auto-create lets the broker create it)",
                            m.topics[i].name ? m.topics[i].name : "?");
            else
                kw__cli_err("metadata", "topic %s: %s (%s)", m.topics[i].name ? m.topics[i].name : "?",
                            kw_strerror(m.topics[i].error), kw_err_name(m.topics[i].error));
        }
    }
    kw_meta_free(&m);
    kw__cli_net_stats(cli, n);
    kw_net_free(n);
    free(topics);
    return rc;
}
