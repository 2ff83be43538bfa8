/*
 * client/cmd/settings.c — settings and broker set for a command: -F/-X in order, the
 * bootstrap list (-b, $KWIRE_BOOTSTRAP, bootstrap.servers, else the embedded broker),
 * group.id when given, validation, and a kw_net with --dump wired in.
 */
#include <stdio.h>

#include "client/core/config.h"
#include "client/conn/net.h"
#include "commands.h"

kw_config *kw__cli_config(kw_cli *cli, const char *cmd, int role, const char *group, kw_net **net)
{
    kw_config *cfg = kw_config_new(role);
    if (!cfg) return NULL;
    for (int i = 0; i < cli->nsettings; i++) {
        if (kw_config_set_kv(cfg, cli->settings[i])) {
            kw__cli_err(cmd, "%s", kw_config_error(cfg));
            kw_config_free(cfg);
            return NULL;
        }
    }
    if (group && kw_config_set(cfg, "group.id", group)) {
        kw__cli_err(cmd, "%s", kw_config_error(cfg));
        kw_config_free(cfg);
        return NULL;
    }
    const char *bs = cli->bootstrap;
    if (!bs && kw_config_is_set(cfg, KW_CONF_BOOTSTRAP_SERVERS)) bs = kw_config_str(cfg, KW_CONF_BOOTSTRAP_SERVERS);
    if (!bs) bs = kw__cli_bootstrap(cli);
    if (!bs || kw_config_set(cfg, "bootstrap.servers", bs) || kw_config_validate(cfg)) {
        if (bs) kw__cli_err(cmd, "%s", kw_config_error(cfg));
        kw_config_free(cfg);
        return NULL;
    }
    if (net) {
        *net = kw_net_new(cfg);
        if (*net && kw_net_setup_error(*net)[0]) {
            kw__cli_err(cmd, "%s", kw_net_setup_error(*net));
            kw_net_free(*net);
            kw_config_free(cfg);
            return NULL;
        }
        if (*net && cli->dump) kw_net_set_dump(*net, cli->dump_out ? cli->dump_out : stderr, kw__cli_dump_flags(cli));
        if (!*net || kw_net_add_list(*net, bs) <= 0) {
            kw__cli_err(cmd, "bad bootstrap list '%s'", bs);
            if (*net) kw_net_free(*net);
            kw_config_free(cfg);
            return NULL;
        }
    }
    return cfg;
}
