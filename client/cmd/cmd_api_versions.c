/*
 * client/cmd/cmd_api_versions.c — `kwire api-versions [--all]`: connect to a broker (the
 * first reachable bootstrap entry, or with --all every broker the cluster lists), run
 * the ApiVersions handshake and print, per API, the broker's range, kwire's range and
 * the version kwire will send: the highest both support, within what this broker's
 * connection has learned (an ApiVersions fallback, a version cap); below an API whose
 * old versions the broker still accepts though Kafka 4.0 removed them (KIP-896), a line
 * saying which and whether kwire sends any of them; over TLS or SASL, the TLS version and
 * cipher and the SASL mechanism negotiated.
 */
#include <stdio.h>
#include <string.h>

#include "client/core/config.h"
#include "client/conn/metadata.h"
#include "client/conn/net.h"
#include "commands.h"
#include "proto/negotiate.h"
#include "proto/proto.h"


/* Settings from -X/-F into a config; NULL after printing the error. */
static kw_config *cli_config(kw_cli *cli, const char *cmd)
{
    kw_config *c = kw_config_new(KW_ROLE_ANY);
    if (!c) return NULL;
    for (int i = 0; i < cli->nsettings; i++) {
        if (kw_config_set_kv(c, cli->settings[i])) {
            kw__cli_err(cmd, "%s", kw_config_error(c));
            kw_config_free(c);
            return NULL;
        }
    }
    if (kw_config_validate(c)) {
        kw__cli_err(cmd, "%s", kw_config_error(c));
        kw_config_free(c);
        return NULL;
    }
    return c;
}

/* Versions of key the broker accepts that Kafka 4.0 removed: 1 with [*lo, *hi], else 0. */
static int removed_accepted(int key, int16_t blo, int16_t bhi, int16_t *lo, int16_t *hi)
{
    int16_t rlo, rhi;
    if (!kw_api_removed_4_0(key, &rlo, &rhi)) return 0;
    *lo = blo > rlo ? blo : rlo;
    *hi = bhi < rhi ? bhi : rhi;
    return *lo <= *hi;
}

static void print_broker(kw_cli *cli, kw_net *n, int idx, int first)
{
    kw_conn *c = kw_net_conn(n, idx);
    char sec[300];
    kw_conn_security(c, sec, sizeof sec);
    int secured = strcmp(sec, "plaintext") != 0;
    if (cli->json) {
        printf("%s{\"broker\":\"%s\",\"node_id\":%d,\"api_versions_version\":%d,", first ? "" : ",",
               kw_net_name(n, idx), kw_net_node_id(n, idx), kw_conn_apiversions_version(c));
        if (secured) {
            printf("\"security\":\"");
            for (const char *q = sec; *q; q++) /* a user name may hold anything */
                if (*q == '"' || *q == '\\') printf("\\%c", *q);
                else if ((unsigned char)*q < 0x20) printf("\\u%04x", (unsigned char)*q);
                else putchar(*q);
            printf("\",\"tls_version\":\"%s\",\"sasl_mechanism\":\"%s\",", kw_conn_tls_version(c),
                   kw_conn_sasl_mechanism(c));
        }
        printf("\"apis\":[");
    } else {
        printf("%sbroker %s", first ? "" : "\n", kw_net_name(n, idx));
        if (kw_net_node_id(n, idx) >= 0) printf(" (node %d)", kw_net_node_id(n, idx));
        printf(": ApiVersions v%d\n", kw_conn_apiversions_version(c));
        if (secured) printf("  security: %s\n", sec);
        printf("  %-22s %4s  %-9s %-9s %s\n", "API", "key", "broker", "kwire", "use");
    }
    int k = 0;
    for (int key = 0; key < KW_API_SLOTS; key++) {
        int16_t blo, bhi, klo = -1, khi = -1, ulo, uhi;
        int has_b = kw_conn_broker_range(c, (int16_t)key, &blo, &bhi) == 0;
        int has_k = kw_api_range(key, &klo, &khi) == 0;
        if (!has_b && !has_k) continue;
        int use = has_k && kw_conn_api_version(c, (int16_t)key, &ulo, &uhi) == 0 ? uhi : -1;
        /* ApiVersions itself: the version the handshake settled on (after a fallback, the
         * one this broker's connections start with), not the highest in common */
        if (key == KW_API_ApiVersions) use = kw_conn_apiversions_version(c);
        const char *name = kw_api_name(key);
        const char *kname = kw_api_kafka_name(key);
        int16_t rlo = 0, rhi = -1;
        int removed = has_b && removed_accepted(key, blo, bhi, &rlo, &rhi);
        int sends_removed = removed && has_k && klo <= rhi && khi >= rlo;
        if (cli->json) {
            printf("%s{\"key\":%d,\"name\":", k++ ? "," : "", key);
            if (name || kname) printf("\"%s\"", name ? name : kname); else printf("null");
            printf(",\"used_by_kwire\":%s", has_k ? "true" : "false");
            if (has_b) printf(",\"broker_min\":%d,\"broker_max\":%d", blo, bhi);
            if (has_k) printf(",\"kwire_min\":%d,\"kwire_max\":%d", klo, khi);
            if (removed)
                printf(",\"removed_in_4_0\":{\"min\":%d,\"max\":%d,\"kwire_sends\":%s}", rlo, rhi,
                       sends_removed ? "true" : "false");
            printf(",\"use\":%d}", use);
        } else {
            char nb[32], bb[16] = "-", kb[16] = "-", ub[32] = "-";
            snprintf(nb, sizeof nb, "%s", name ? name : kname ? kname : "?");
            if (has_b) snprintf(bb, sizeof bb, "%d..%d", blo, bhi);
            if (has_k) snprintf(kb, sizeof kb, "%d..%d", klo, khi);
            if (use >= 0) snprintf(ub, sizeof ub, "v%d", use);
            else if (has_k) snprintf(ub, sizeof ub, "none in common");
            else snprintf(ub, sizeof ub, "(not used by kwire)");
            printf("  %-22s %4d  %-9s %-9s %s\n", nb, key, bb, kb, ub);
            if (removed) {
                char vb[24];
                int16_t dlo = 0;
                kw_api_described(key, &dlo, NULL);
                if (rlo == rhi) snprintf(vb, sizeof vb, "v%d is", rlo);
                else snprintf(vb, sizeof vb, "v%d..%d are", rlo, rhi);
                printf("  %-22s       ! %s accepted here, removed in Kafka 4.0 (KIP-896%s): kwire %s\n", "", vb,
                       dlo <= rlo ? "; 4.4 accepts them again" : "", sends_removed ? "may send them" : "never sends them");
            }
        }
    }
    if (cli->json) printf("]}");
}

int kw__cmd_api_versions(kw_cli *cli, int argc, char **argv)
{
    int all = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--all")) all = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: kwire api-versions [--all]\n\n"
                   "Connects to the first reachable bootstrap broker (with --all: every broker the\n"
                   "cluster's metadata lists) and prints each API's version range on the broker and\n"
                   "in kwire, and the version kwire uses (the highest both support). Below an API\n"
                   "whose old versions the broker still accepts though Kafka 4.0 removed them\n"
                   "(KIP-896), a line marked '!' says which and whether kwire ever sends them.\n");
            return KW_EXIT_OK;
        } else {
            kw__cli_err("api-versions", "unknown argument '%s'", argv[i]);
            return KW_EXIT_USAGE;
        }
    }
    kw_config *cfg = cli_config(cli, "api-versions");
    if (!cfg) return KW_EXIT_USAGE;
    const char *bs = kw__cli_bootstrap(cli);
    if (!bs) { kw_config_free(cfg); return KW_EXIT_FAIL; }
    kw_net *n = kw_net_new(cfg);
    int timeout = (int)kw_config_int(cfg, KW_CONF_SOCKET_SETUP_TIMEOUT_MS) +
                  (int)kw_config_int(cfg, KW_CONF_REQUEST_TIMEOUT_MS);
    kw_config_free(cfg);
    if (n && kw_net_setup_error(n)[0]) {
        kw__cli_err("api-versions", "%s", kw_net_setup_error(n));
        kw_net_free(n);
        return KW_EXIT_USAGE;
    }
    if (n && cli->dump) kw_net_set_dump(n, cli->dump_out ? cli->dump_out : stderr, kw__cli_dump_flags(cli));
    if (!n || kw_net_add_list(n, bs) <= 0) {
        kw__cli_err("api-versions", "bad bootstrap list '%s'", bs);
        kw_net_free(n);
        return KW_EXIT_USAGE;
    }
    int rc = KW_EXIT_FAIL, printed = 0;
    if (cli->json) printf("[");
    if (all) {
        kw_meta m = {0};
        int e = kw_meta_fetch(n, NULL, 0, 0, &m);
        if (e) {
            char why[1024], d[1100];
            kw_net_errors(n, why, sizeof why);
            kw__cli_err("api-versions", "metadata: %s", kw_net_describe(e, why, d, sizeof d));
        } else {
            rc = KW_EXIT_OK;
            for (int32_t i = 0; i < m.nbrokers; i++) {
                int idx = kw_net_find(n, m.brokers[i].node_id);
                int ce = idx < 0 ? idx : kw_net_connect_wait(n, idx, timeout);
                if (ce) {
                    kw__cli_err("api-versions", "broker %d: %s (%s)", m.brokers[i].node_id, kw_strerror(ce),
                                idx >= 0 ? kw_net_last_error(n, idx) : "");
                    rc = KW_EXIT_FAIL;
                    continue;
                }
                print_broker(cli, n, idx, !printed++);
            }
        }
        kw_meta_free(&m);
    } else {
        for (int i = 0; i < kw_net_count(n); i++) {
            int ce = kw_net_connect_wait(n, i, timeout);
            if (!ce) {
                print_broker(cli, n, i, 1);
                printed = 1;
                rc = KW_EXIT_OK;
                break;
            }
            /* the connection's reason names the broker ("HOST:PORT: connect failed: ...") */
            const char *why = kw_net_last_error(n, i);
            if (why && *why) kw__cli_err("api-versions", "%s", why);
            else kw__cli_err("api-versions", "%s: %s", kw_net_name(n, i), kw_strerror(ce));
        }
    }
    if (cli->json) printf("]\n");
    kw__cli_net_stats(cli, n);
    kw_net_free(n);
    return rc;
}
