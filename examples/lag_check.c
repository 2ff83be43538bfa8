/*
 * examples/lag_check.c — a consumer group's lag, as a monitoring check.
 *
 *   lag_check BOOTSTRAP GROUP [THRESHOLD]
 *
 * Reads the group's committed offsets and then its partitions' log end offsets (in that
 * order, so the lag is never negative), prints the kafka-consumer-groups.sh --describe
 * table and the total: "total lag N". Exit status: 0, or 3 when the total is at or over
 * THRESHOLD, 1 when the cluster could not be read.
 *
 * Build: cc lag_check.c $(pkg-config --cflags --libs kwire)
 */
#include <stdio.h>
#include <stdlib.h>

#include <kwire.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s BOOTSTRAP GROUP [THRESHOLD]\n", argv[0]);
        return 2;
    }
    long long threshold = argc > 3 ? atoll(argv[3]) : -1;

    /* Connection settings (timeouts, security.protocol, ...) come from a config. */
    kw_config *cfg = kw_config_new(KW_ROLE_CONSUMER);
    if (!cfg || kw_config_set(cfg, "bootstrap.servers", argv[1]) || kw_config_validate(cfg)) {
        fprintf(stderr, "settings: %s\n", cfg ? kw_config_error(cfg) : "out of memory");
        kw_config_free(cfg);
        return 2;
    }
    kw_net *net = kw_net_new(cfg);
    if (!net || kw_net_add_list(net, argv[1]) <= 0) {
        fprintf(stderr, "bad bootstrap list %s\n", argv[1]);
        kw_net_free(net);
        kw_config_free(cfg);
        return 2;
    }
    kw_offsets_opts retry; /* retry.backoff.ms, default.api.timeout.ms of the config */
    kw_offsets_opts_from_config(&retry, cfg);

    /* One snapshot of the cluster: the group (described, its commits), then the log
     * start and end offsets of the topics it committed. */
    kw_snapshot snap;
    kw_snap_init(&snap);
    const char *groups[] = {argv[2]};
    int err = kw_snap_fill(net, &retry, groups, 1, NULL, NULL, NULL, 0, 0, &snap);
    kw_lag_report rep;
    if (!err) err = kw_lag_compute(&snap, NULL, NULL, &rep);
    if (err) {
        fprintf(stderr, "lag of %s: %s\n", argv[2], kw_strerror(err));
        kw_snap_free(&snap);
        kw_net_free(net);
        kw_config_free(cfg);
        return 1;
    }

    kw_buf out;
    kw_buf_init(&out);
    kw_lag_format_table(&rep, &out);
    fwrite(out.data, 1, out.len, stdout);
    kw_buf_free(&out);
    long long total = (long long)rep.total;
    printf("total lag %lld\n", total);

    kw_lag_report_free(&rep);
    kw_snap_free(&snap);
    kw_net_free(net);
    kw_config_free(cfg);
    return threshold >= 0 && total >= threshold ? 3 : 0;
}
