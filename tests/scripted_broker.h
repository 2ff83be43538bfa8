/*
 * tests/scripted_broker.h — the socket loop every scripted broker of the tests shares
 * (tests/test_consumer.c, tests/test_groups.c, tests/tool_groups_broker.c,
 * tests/tool_bad_broker.c): listen on 127.0.0.1, accept, cut each connection's bytes
 * into request frames with kwire's own framer and hand every complete frame to the
 * script, which writes its answer (or a deliberately broken one) itself.
 *
 * Wire: each request arrives as int32 size + payload (request header, body); the
 * script gets the payload. One process serves every connection of one or several
 * listening sockets with poll(); the listener's index tells the script which node
 * accepted the connection. Also the answers most scripts give alike: ApiVersions from a
 * key list, and Metadata of a one-broker cluster (sb_cluster1). Everything here is
 * static: each test program includes it once.
 */
#ifndef KW_TESTS_SCRIPTED_BROKER_H
#define KW_TESTS_SCRIPTED_BROKER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "codec/buf.h"
#include "proto/frame.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_metadata.h"
#include "proto/proto.h"

#define SB_MAXFD 34   /* listening sockets + connections served at once */
#define SB_MAXLISTEN 4

/* The script: answer one request frame (payload after the size) that arrived on fd of
 * a connection accepted by listener `node`. Return 0 to keep the connection, 1 to close
 * it (the frames already read after this one are dropped with it). */
typedef int (*sb_frame_fn)(int node, int fd, const uint8_t *p, size_t len);

/* Write all of p; a peer that went away just ends the write. */
static inline void sb_write(int fd, const void *p, size_t len)
{
    const uint8_t *b = p;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, b + off, len - off);
        if (w <= 0) return;
        off += (size_t)w;
    }
}

static inline void sb_reply(int fd, const kw_buf *out) { sb_write(fd, out->data, out->len); }

/* A listening socket on 127.0.0.1 at an ephemeral port (*port), or -1. */
static inline int sb_listen(int *port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16) || getsockname(s, (struct sockaddr *)&a, &al)) {
        close(s);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return s;
}

/* An ApiVersions answer advertising keys[0..n), at the version asked. */
static inline int sb_apiversions(kw_buf *out, const kw_req_header *h, const kw_apiversions_key *keys, int32_t n)
{
    kw_apiversions_resp r;
    kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
    r.api_keys = (kw_apiversions_key *)keys;
    r.n_api_keys = n;
    return kw_response_encode(out, KW_API_ApiVersions, h->api_version, h->correlation_id, &r);
}

/* The one-broker cluster most scripts serve: node 1 at 127.0.0.1:port, controller,
 * leading (and the only replica of) partition 0 of every topic it lists. */
typedef struct sb_cluster1 {
    kw_metadata_broker broker;
    int32_t reps[1];
    kw_metadata_partition part; /* partition 0, led by node 1 */
} sb_cluster1;

/* Fill c and a Metadata answer r listing topics[0..n) (each given its name, error and
 * partitions by the caller; &c->part is partition 0 led by node 1). */
static inline void sb_cluster1_metadata(sb_cluster1 *c, int port, kw_metadata_topic *topics, int32_t n,
                                        kw_metadata_resp *r)
{
    memset(c, 0, sizeof *c);
    c->broker = (kw_metadata_broker){.node_id = 1, .host = kw_s("127.0.0.1"), .port = port, .rack = KW_STR_NULL};
    c->reps[0] = 1;
    c->part = (kw_metadata_partition){.partition_index = 0, .leader_id = 1, .leader_epoch = -1,
                                      .replica_nodes = c->reps, .n_replica_nodes = 1, .isr_nodes = c->reps,
                                      .n_isr_nodes = 1};
    kw_msg_defaults(KW_API_Metadata, KW_RESP, r);
    r->brokers = &c->broker;
    r->n_brokers = 1;
    r->cluster_id = KW_STR_NULL;
    r->controller_id = 1;
    r->topics = topics;
    r->n_topics = n;
}

/* Serve the listening sockets lfd[0..nl) until the process is killed. */
static inline void sb_serve(const int *lfd, int nl, sb_frame_fn fn)
{
    struct pollfd pf[SB_MAXFD];
    kw_framer fr[SB_MAXFD];
    int node[SB_MAXFD];
    if (nl > SB_MAXLISTEN) nl = SB_MAXLISTEN;
    for (int b = 0; b < nl; b++) {
        pf[b].fd = lfd[b];
        pf[b].events = POLLIN;
        node[b] = b;
    }
    int n = nl;
    for (;;) {
        if (poll(pf, (nfds_t)n, -1) < 0) continue;
        for (int b = 0; b < nl; b++) {
            if (!(pf[b].revents & POLLIN) || n == SB_MAXFD) continue;
            int c = accept(pf[b].fd, NULL, NULL);
            if (c < 0) continue;
            pf[n].fd = c;
            pf[n].events = POLLIN;
            pf[n].revents = 0;
            kw_framer_init(&fr[n], 0);
            node[n] = b;
            n++;
        }
        for (int i = nl; i < n; i++) {
            if (!pf[i].revents) continue;
            uint8_t buf[65536];
            ssize_t r = read(pf[i].fd, buf, sizeof buf);
            int drop = r <= 0;
            const uint8_t *p = buf, *f;
            size_t left = r > 0 ? (size_t)r : 0, fl;
            while (!drop && kw_framer_next(&fr[i], &p, &left, &f, &fl) == 1) drop = fn(node[i], pf[i].fd, f, fl);
            if (drop) {
                close(pf[i].fd);
                kw_framer_free(&fr[i]);
                pf[i] = pf[n - 1];
                fr[i] = fr[n - 1];
                node[i] = node[n - 1];
                n--;
                i--;
            }
        }
    }
}

#endif
