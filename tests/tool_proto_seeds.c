/*
 * tests/tool_proto_seeds.c — seeds for the request/response fuzz targets: for every
 * API kwire describes, one random message (tests/proto_gen.h) at its newest version in
 * the targets' input form (api key byte, version int16 big-endian, body), written to
 * DIR/fuzz_proto_req/KEY-VERSION and DIR/fuzz_proto_resp/KEY-VERSION.
 *   usage: tool_proto_seeds DIR   (then name each file by its sha1, as fuzz/corpus/ does:
 *   for f in DIR/fuzz_proto_re{q,sp}/[0-9]*; do mv "$f" "$(dirname "$f")/$(sha1sum <"$f" | cut -c1-40)"; done)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "proto_gen.h"

static int write_seed(const char *dir, int key, int16_t v, int d)
{
    gen g;
    void *msg = gen_message(&g, key, v, d, 1000u + (unsigned)key);
    kw_buf b;
    kw_buf_init(&b);
    uint8_t head[3] = {(uint8_t)key, (uint8_t)(v >> 8), (uint8_t)v};
    kw_buf_put(&b, head, 3);
    int rc = kw_msg_encode(key, v, d, msg, &b);
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%d-%d", dir, d == KW_REQ ? "fuzz_proto_req" : "fuzz_proto_resp", key, v);
    FILE *f = rc ? NULL : fopen(path, "wb");
    if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f)) {
        fprintf(stderr, "tool_proto_seeds: %s: %s\n", path, rc ? kw_strerror(rc) : strerror(errno));
        rc = 1;
    }
    kw_buf_free(&b);
    kw_arena_free(&g.a);
    return rc != 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: tool_proto_seeds DIR\n"); return 2; }
    char sub[512];
    for (int d = 0; d < 2; d++) {
        snprintf(sub, sizeof sub, "%s/%s", argv[1], d ? "fuzz_proto_resp" : "fuzz_proto_req");
        if (mkdir(sub, 0777) && errno != EEXIST) { perror(sub); return 1; }
    }
    int bad = 0, n = 0;
#define SEED(key, name, lo, hi, flex) bad |= write_seed(argv[1], key, hi, KW_REQ) | write_seed(argv[1], key, hi, KW_RESP); n++;
    KW_API_MAP(SEED)
#undef SEED
    printf("%d APIs, 2 seeds each\n", n);
    return bad;
}
