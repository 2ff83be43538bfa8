/*
 * client/cli/args.c — getopt-style argument normalization for the kwire command (see
 * client/cli/args.h).
 */
#include "client/cli/args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In spec->shorts: 0 unknown, 1 a flag, 2 takes a value. */
static int short_kind(const kw_argspec *s, char c)
{
    if (!s->shorts || c == ':' || !c) return 0;
    const char *p = strchr(s->shorts, c);
    if (!p) return 0;
    return p[1] == ':' ? 2 : 1;
}

/* In spec->longs: 0 unknown, 1 a flag, 2 takes a value. */
static int long_kind(const kw_argspec *s, const char *name, size_t n)
{
    const char *p = s->longs;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int takes = len && p[len - 1] == '=';
        size_t nl = len - (size_t)takes;
        if (nl == n && !memcmp(p, name, n)) return takes ? 2 : 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

int kw_args_normalize(const kw_argspec *spec, int argc, char **argv, int first, kw_args *out, char *err,
                      size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t total = 0;
    for (int i = 0; i < argc; i++) total += 3 * strlen(argv[i]) + 2; /* -abc -> -a -b -c */
    /* each word becomes at most strlen(word) words */
    size_t maxw = 1;
    for (int i = 0; i < argc; i++) maxw += strlen(argv[i]) + 1;
    out->argv = calloc(maxw, sizeof *out->argv);
    out->store = malloc(total + 1);
    if (!out->argv || !out->store) {
        kw_args_free(out);
        return -2;
    }
    char *st = out->store;
    int n = 0;
    for (int i = 0; i < first && i < argc; i++) out->argv[n++] = argv[i];
    int value_next = 0, done = 0;
#define PIECE(src, len) do { memcpy(st, (src), (len)); st[(len)] = 0; out->argv[n++] = st; st += (len) + 1; } while (0)
    for (int i = first; i < argc; i++) {
        char *a = argv[i];
        if (done || value_next || a[0] != '-' || !a[1]) {
            out->argv[n++] = a;
            value_next = 0;
            continue;
        }
        if (!strcmp(a, "--")) {
            out->argv[n++] = a;
            done = 1;
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t nl = eq ? (size_t)(eq - name) : strlen(name);
            int k = long_kind(spec, name, nl);
            if (!eq) {
                out->argv[n++] = a;
                value_next = k == 2;
                continue;
            }
            if (k == 1) {
                snprintf(err, errlen, "--%.*s takes no value (got '%s')", (int)nl, name, a);
                kw_args_free(out);
                return -1;
            }
            if (k == 0) { /* not ours: the command names it */
                out->argv[n++] = a;
                continue;
            }
            PIECE(a, nl + 2);
            PIECE(eq + 1, strlen(eq + 1));
            continue;
        }
        /* -abc: a bundle of short options */
        int k0 = short_kind(spec, a[1]);
        if (!k0) {
            out->argv[n++] = a;
            continue;
        }
        for (size_t j = 1; a[j]; j++) {
            int k = short_kind(spec, a[j]);
            if (!k) {
                snprintf(err, errlen, "unknown option -%c in '%s'", a[j], a);
                kw_args_free(out);
                return -1;
            }
            char opt[2] = {'-', a[j]};
            PIECE(opt, 2);
            if (k == 2) {
                if (a[j + 1]) PIECE(a + j + 1, strlen(a + j + 1));
                else value_next = 1;
                break;
            }
        }
    }
#undef PIECE
    out->argc = n;
    out->argv[n] = NULL;
    return 0;
}

void kw_args_free(kw_args *a)
{
    free(a->argv);
    free(a->store);
    memset(a, 0, sizeof *a);
}
