/*
 * client/cmd/cmd_groups.c — `kwire groups`: the consumer groups of the cluster
 * (ListGroups on every broker, with their type: classic or consumer); `kwire groups
 * GROUP`: the group's state, type, assignor and members with their assignments
 * (DescribeGroups, or ConsumerGroupDescribe for a consumer-protocol group, at its
 * coordinator) and its committed offsets against the log-end offsets, as
 * `kafka-consumer-groups.sh --describe` prints them (committed offsets read first, then
 * log-end offsets), with the lag in seconds and the partitions' owners. --json for
 * machine-readable output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/config.h"
#include "client/admin/lag.h"
#include "client/conn/metadata.h"
#include "client/conn/net.h"
#include "client/admin/offsets.h"
#include "codec/text.h"
#include "commands.h"


static void usage(FILE *f)
{
    fprintf(f, "usage: kwire groups [GROUP] [--json]\n\n"
               "Without GROUP: every consumer group (ListGroups on every broker).\n"
               "With GROUP: its state and members (DescribeGroups), then per partition the\n"
               "committed offset, log-end offset and lag (kafka-consumer-groups.sh --describe).\n");
}

static void json_str(kw_buf *b, const char *s)
{
    kw_json_put_cstr(b, s);
}

static int list_groups(kw_cli *cli, kw_net *net)
{
    kw_meta m;
    memset(&m, 0, sizeof m);
    int e = kw_meta_fetch(net, NULL, 0, 0, &m);
    if (e) {
        char why[1024], d[1100];
        kw_net_errors(net, why, sizeof why);
        kw__cli_err("groups", "metadata: %s", kw_net_describe(e, why, d, sizeof d));
        return KW_EXIT_FAIL;
    }
    kw_group_list gl;
    memset(&gl, 0, sizeof gl);
    e = kw_groups_list(net, &m, &gl);
    kw_buf b;
    kw_buf_init(&b);
    if (cli->json) {
        kw__lag_printf(&b, "{\"groups\":[");
        for (size_t i = 0; i < gl.n; i++) {
            kw__lag_printf(&b, "%s{\"group\":", i ? "," : "");
            json_str(&b, gl.v[i].group);
            kw__lag_printf(&b, ",\"protocol_type\":");
            json_str(&b, gl.v[i].protocol_type);
            kw__lag_printf(&b, ",\"state\":");
            json_str(&b, gl.v[i].state);
            kw__lag_printf(&b, ",\"type\":");
            json_str(&b, gl.v[i].type);
            kw__lag_printf(&b, ",\"coordinator\":%d}", gl.v[i].coordinator);
        }
        kw__lag_printf(&b, "]}\n");
    } else {
        /* the GROUP and STATE columns as wide as their longest entry (the states
         * PreparingRebalance and CompletingRebalance are wider than 12) */
        size_t w = 5, ws = 12;
        for (size_t i = 0; i < gl.n; i++) {
            if (strlen(gl.v[i].group) > w) w = strlen(gl.v[i].group);
            if (gl.v[i].state && strlen(gl.v[i].state) > ws) ws = strlen(gl.v[i].state);
        }
        kw__lag_printf(&b, "%-*s %-15s %-*s %-9s %s\n", (int)w, "GROUP", "PROTOCOL-TYPE", (int)ws, "STATE", "TYPE",
                       "LISTED-BY");
        for (size_t i = 0; i < gl.n; i++)
            kw__lag_printf(&b, "%-*s %-15s %-*s %-9s %d\n", (int)w, gl.v[i].group,
                           gl.v[i].protocol_type && *gl.v[i].protocol_type ? gl.v[i].protocol_type : "-", (int)ws,
                           gl.v[i].state ? gl.v[i].state : "-", gl.v[i].type ? gl.v[i].type : "-",
                           gl.v[i].coordinator);
    }
    fwrite(b.data, 1, b.len, stdout);
    kw_buf_free(&b);
    if (e == KW_ERR_VERSION && !gl.n) kw__cli_err("groups", "the brokers do not implement ListGroups (name a group: kwire groups GROUP)");
    else if (e)
        kw__cli_err("groups", "ListGroups failed on %d of %d brokers, the list may be incomplete: %s", gl.nfailed,
                    (int)m.nbrokers, gl.failed);
    kw_group_list_free(&gl);
    kw_meta_free(&m);
    return e ? KW_EXIT_FAIL : KW_EXIT_OK;
}

/* --json of one group: its protocol type and members beside its state. */
static void group_json_extra(void *ud, const char *group, kw_buf *b)
{
    const kw_group_info *gi = ud;
    (void)group;
    kw__lag_printf(b, ",\"protocol_type\":");
    json_str(b, gi->protocol_type);
    kw__lag_printf(b, ",\"assignor\":");
    json_str(b, gi->assignor);
    kw__lag_printf(b, ",\"group_epoch\":");
    if (gi->epoch >= 0) kw__lag_printf(b, "%d", gi->epoch);
    else kw__lag_printf(b, "null");
    kw__lag_printf(b, ",\"members\":[");
    for (int32_t i = 0; i < gi->nmembers; i++) {
        const kw_group_member *m = &gi->members[i];
        kw__lag_printf(b, "%s{\"member_id\":", i ? "," : "");
        json_str(b, m->member_id);
        kw__lag_printf(b, ",\"client_id\":");
        json_str(b, m->client_id);
        kw__lag_printf(b, ",\"client_host\":");
        json_str(b, m->client_host);
        kw__lag_printf(b, ",\"instance_id\":");
        json_str(b, m->instance_id);
        kw__lag_printf(b, ",\"member_epoch\":");
        if (m->member_epoch >= 0) kw__lag_printf(b, "%d", m->member_epoch);
        else kw__lag_printf(b, "null");
        kw__lag_printf(b, ",\"assignment\":");
        if (m->nassigned < 0) kw__lag_printf(b, "null");
        else {
            kw__lag_printf(b, "[");
            for (int32_t k = 0; k < m->nassigned; k++) {
                kw__lag_printf(b, "%s{\"topic\":", k ? "," : "");
                json_str(b, m->assigned[k].topic);
                kw__lag_printf(b, ",\"partition\":%d}", m->assigned[k].partition);
            }
            kw__lag_printf(b, "]");
        }
        kw__lag_printf(b, "}");
    }
    kw__lag_printf(b, "]");
}

static int describe_group(kw_cli *cli, kw_net *net, kw_config *cfg, const char *group)
{
    kw_offsets_opts oo;
    kw_offsets_opts_from_config(&oo, cfg);
    kw_group_info gi;
    int e = kw_group_describe(net, &oo, group, &gi);
    if (e == KW_ERR_VERSION) { /* the broker has no DescribeGroups: offsets only */
        memset(&gi, 0, sizeof gi);
        if (cli->verbosity >= 0) kw__cli_err("groups", "the coordinator does not implement DescribeGroups: state and members unknown");
        e = 0;
    }
    if (e) {
        char why[600];
        kw__cli_err("groups", "DescribeGroups %s: %s%s", group, kw_strerror(e), kw__cli_why(net, why, sizeof why));
        return KW_EXIT_FAIL;
    }
    kw_snapshot s;
    kw_snap_init(&s);
    const char *gs[1] = {group};
    e = kw_snap_fill(net, &oo, gs, 1, NULL, NULL, NULL, 0, 0, &s);
    if (!e) e = kw_snap_add_group(&s, group, gi.state && *gi.state ? gi.state : NULL);
    kw_lag_report r;
    memset(&r, 0, sizeof r);
    if (!e) e = kw_lag_compute(&s, NULL, NULL, &r);
    if (e) {
        kw__cli_err("groups", "offsets of %s: %s", group, kw_strerror(e));
        kw_snap_free(&s);
        kw_group_info_free(&gi);
        return KW_EXIT_FAIL;
    }
    kw_buf b;
    kw_buf_init(&b);
    if (cli->json) {
        kw_lag_format_json_ex(&r, &b, group_json_extra, &gi);
    } else {
        kw__lag_printf(&b, "Group '%s': state %s, %d member(s)", group, gi.state && *gi.state ? gi.state : "-",
                       gi.nmembers);
        if (gi.type) kw__lag_printf(&b, ", %s protocol", gi.type);
        if (gi.assignor) kw__lag_printf(&b, ", assignor %s", gi.assignor);
        if (gi.epoch >= 0) kw__lag_printf(&b, ", group epoch %d", gi.epoch);
        kw__lag_printf(&b, "\n");
        for (int32_t i = 0; i < gi.nmembers; i++) {
            const kw_group_member *m = &gi.members[i];
            kw__lag_printf(&b, "  member %s client %s host %s", m->member_id ? m->member_id : "-",
                           m->client_id ? m->client_id : "-", m->client_host ? m->client_host : "-");
            if (m->instance_id) kw__lag_printf(&b, " instance %s", m->instance_id);
            if (m->member_epoch >= 0) kw__lag_printf(&b, " epoch %d", m->member_epoch);
            if (m->nassigned >= 0) {
                kw__lag_printf(&b, " assigned");
                if (!m->nassigned) kw__lag_printf(&b, " -");
                for (int32_t k = 0; k < m->nassigned; k++)
                    kw__lag_printf(&b, "%s%s-%d", k ? "," : " ", m->assigned[k].topic, m->assigned[k].partition);
            }
            kw__lag_printf(&b, "\n");
        }
        kw__lag_printf(&b, "\n");
        kw_lag_format_table(&r, &b);
    }
    fwrite(b.data, 1, b.len, stdout);
    kw_buf_free(&b);
    kw_lag_report_free(&r);
    kw_snap_free(&s);
    kw_group_info_free(&gi);
    return KW_EXIT_OK;
}

int kw__cmd_groups(kw_cli *cli, int argc, char **argv)
{
    const char *group = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { usage(stdout); return KW_EXIT_OK; }
        if (argv[i][0] == '-' || group) {
            kw__cli_err("groups", "unexpected argument '%s'", argv[i]);
            usage(stderr);
            return KW_EXIT_USAGE;
        }
        group = argv[i];
    }
    kw_net *net = NULL;
    kw_config *cfg = kw__cli_config(cli, "groups", KW_ROLE_CONSUMER, NULL, &net);
    if (!cfg) return KW_EXIT_USAGE;
    int rc = group ? describe_group(cli, net, cfg, group) : list_groups(cli, net);
    kw__cli_net_stats(cli, net);
    kw_net_free(net);
    kw_config_free(cfg);
    return rc;
}
