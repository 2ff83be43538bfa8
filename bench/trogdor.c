/*
 * bench/trogdor.c — Trogdor's coordinator as `bench merge --trogdor` reads it
 * (bench/trogdor.h): the task list picked by prefix, the HTTP answer taken apart, and
 * one HTTP/1.0 GET (bounded in time and size) on a raw connection of client/conn/net.c,
 * which does the socket I/O; the call blocks until the answer is in or time is up.
 */
#include "bench/trogdor.h"
#include "client/conn/net.h"
#include "client/core/clock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int failf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const kw_trogdor_task *)a)->id, ((const kw_trogdor_task *)b)->id);
}

int kw_trogdor_tasks(const kw_jv *root, const char *prefix, kw_trogdor_task **out, int *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    const kw_jv *tasks = kw_jv_get(root, "tasks");
    if (!tasks || tasks->type != KW_JV_OBJ)
        return failf(err, errlen, "not a Trogdor coordinator's task list (no \"tasks\" object)");
    size_t plen = strlen(prefix);
    kw_trogdor_task *t = calloc(tasks->len ? tasks->len : 1, sizeof *t);
    if (!t) return failf(err, errlen, "out of memory");
    int k = 0;
    for (const kw_jv *m = tasks->child; m; m = m->next) {
        if (strlen(m->key) != m->key_len || strncmp(m->key, prefix, plen)) continue;
        if (m->type != KW_JV_OBJ) {
            free(t);
            return failf(err, errlen, "task %s: not an object", m->key);
        }
        const kw_jv *st = kw_jv_get(m, "status");
        const char *node = kw_jv_str(kw_jv_get(kw_jv_get(m, "spec"), "commandNode"));
        const char *state = kw_jv_str(kw_jv_get(m, "state")), *e = kw_jv_str(kw_jv_get(m, "error"));
        t[k++] = (kw_trogdor_task){m->key, state ? state : "?", node ? node : "", e ? e : "",
                                   st && st->type != KW_JV_NULL ? st : NULL};
    }
    qsort(t, (size_t)k, sizeof *t, by_id);
    *out = t;
    *n = k;
    return 0;
}

int kw_http_answer(const char *p, size_t len, int *status, size_t *body_off, size_t *body_len, char *err,
                     size_t errlen)
{
    if (len < 12 || strncmp(p, "HTTP/1.", 7) || p[8] != ' ')
        return failf(err, errlen, "the answer is not HTTP/1.x");
    int code = 0;
    for (int i = 9; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9') return failf(err, errlen, "the answer has no status code");
        code = code * 10 + (p[i] - '0');
    }
    /* headers end at the first empty line */
    size_t i = 0, hend = 0;
    for (i = 0; i + 1 < len; i++) {
        if (p[i] == '\n' && p[i + 1] == '\n') { hend = i + 2; break; }
        if (i + 3 < len && !memcmp(p + i, "\r\n\r\n", 4)) { hend = i + 4; break; }
    }
    if (!hend) return failf(err, errlen, "the answer's headers are cut short");
    long long clen = -1;
    for (size_t l = 0; l < hend;) {
        size_t e = l;
        while (e < hend && p[e] != '\n') e++;
        static const char cl[] = "content-length:", te[] = "transfer-encoding:";
        if (e - l > sizeof cl - 1 && !strncasecmp(p + l, cl, sizeof cl - 1)) {
            size_t v = l + sizeof cl - 1;
            while (v < e && p[v] == ' ') v++;
            clen = 0;
            for (; v < e && p[v] >= '0' && p[v] <= '9'; v++) {
                clen = clen * 10 + (p[v] - '0');
                if (clen > (long long)KW_HTTP_MAX_BODY) return failf(err, errlen, "the answer is too large");
            }
        } else if (e - l > sizeof te - 1 && !strncasecmp(p + l, te, sizeof te - 1)) {
            return failf(err, errlen, "a chunked answer (asked with HTTP/1.0)");
        }
        l = e + 1;
    }
    size_t avail = len - hend;
    if (clen >= 0 && (size_t)clen > avail)
        return failf(err, errlen, "the answer's body is cut short (%zu of %lld bytes)", avail, clen);
    *status = code;
    *body_off = hend;
    *body_len = clen >= 0 ? (size_t)clen : avail;
    return 0;
}

int kw_http_split_url(const char *url, char *host, size_t hostlen, char *port, size_t portlen, char *path,
                size_t pathlen, char *err, size_t errlen)
{
    if (strncmp(url, "http://", 7)) return failf(err, errlen, "%s: only http:// URLs are read", url);
    const char *h = url + 7, *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    const char *colon = memchr(h, ':', hl);
    size_t namelen = colon ? (size_t)(colon - h) : hl;
    if (!namelen || namelen >= hostlen) return failf(err, errlen, "%s: no host", url);
    memcpy(host, h, namelen);
    host[namelen] = 0;
    size_t pl = colon ? hl - namelen - 1 : 2;
    if (colon && (!pl || pl >= portlen)) return failf(err, errlen, "%s: bad port", url);
    if (colon) {
        memcpy(port, colon + 1, pl);
        port[pl] = 0;
        for (size_t i = 0; i < pl; i++)
            if (port[i] < '0' || port[i] > '9') return failf(err, errlen, "%s: bad port", url);
    } else {
        snprintf(port, portlen, "80");
    }
    const char *pa = slash ? slash : "/";
    if (strlen(pa) >= pathlen) return failf(err, errlen, "%s: path too long", url);
    snprintf(path, pathlen, "%s", pa);
    for (const char *c = path; *c; c++)
        if ((unsigned char)*c <= ' ') return failf(err, errlen, "%s: a space or control character in the path", url);
    return 0;
}

/* One GET on a raw connection of its own kw_net: the request is queued at once and goes
 * out when the connection is made; the answer is gathered until the server closes. */
typedef struct http_get {
    const char *req;
    size_t reqlen;
    kw_buf ans;
    int connected, done;
    int err, sys_errno; /* the connection's ERROR (KW_ERR_*, errno) */
    int too_large, oom; /* or why the answer was dropped */
} http_get;

static void http_event(void *ud, kw_net_raw *r, const kw_net_raw_event *ev)
{
    http_get *g = ud;
    switch (ev->type) {
    case KW_NET_RAW_CONNECTED: g->connected = 1; break;
    case KW_NET_RAW_DATA:
        if (g->ans.len + ev->len > KW_HTTP_MAX_BODY + 65536) {
            g->too_large = 1;
        } else {
            kw_buf_put(&g->ans, ev->data, ev->len);
            g->oom = g->ans.err != 0;
        }
        if (g->too_large || g->oom) {
            g->done = 1;
            kw_net_raw_close(r);
        }
        break;
    case KW_NET_RAW_EOF:
        g->done = 1;
        kw_net_raw_close(r);
        break;
    case KW_NET_RAW_ERROR: /* the net closes r */
        g->done = 1;
        g->err = ev->err;
        g->sys_errno = ev->sys_errno;
        break;
    }
}

int kw_http_fetch(const char *url, int timeout_ms, kw_buf *body, char *err, size_t errlen)
{
    char host[256], port[16], path[2048];
    if (kw_http_split_url(url, host, sizeof host, port, sizeof port, path, sizeof path, err, errlen)) return -1;
    int64_t deadline = kw__mono_ms() + timeout_ms;
    char line[2400];
    int n = snprintf(line, sizeof line, "GET %s HTTP/1.0\r\nHost: %s:%s\r\nAccept: application/json\r\n\r\n", path, host,
                     port);
    kw_net *net = kw_net_new(NULL);
    if (!net) return failf(err, errlen, "out of memory");
    http_get g = {.req = line, .reqlen = (size_t)n};
    kw_buf_init(&g.ans);
    int rc = -1;
    char why[300];
    kw_net_connect_opts co = {.host = host, .port = port, .timeout_ms = timeout_ms, .fn = http_event, .ud = &g};
    kw_net_raw *r = NULL;
    int e = kw_net_raw_connect(net, &co, &r, why, sizeof why);
    if (e == KW_ERR_RESOLVE) { failf(err, errlen, "%s: %s", url, why); goto out; }
    if (e || kw_net_raw_write(r, g.req, g.reqlen)) { failf(err, errlen, "out of memory"); goto out; }
    for (;;) {
        int64_t left = deadline - kw__mono_ms();
        if (g.done || left <= 0) break;
        if (kw_net_poll(net, left > INT32_MAX ? INT32_MAX : (int)left) < 0) break; /* as a timeout */
    }
    if (!g.done) {
        if (!g.connected) failf(err, errlen, "%s: cannot connect: %s", url, strerror(ETIMEDOUT));
        else if (kw_net_raw_pending(r)) failf(err, errlen, "%s: timed out sending", url);
        else failf(err, errlen, "%s: no complete answer within %d ms", url, timeout_ms);
        goto out;
    }
    if (g.too_large) { failf(err, errlen, "%s: the answer is too large", url); goto out; }
    if (g.oom) { failf(err, errlen, "out of memory"); goto out; }
    if (g.err) {
        if (!g.connected) failf(err, errlen, "%s: cannot connect: %s", url, strerror(g.sys_errno));
        else failf(err, errlen, "%s: %s", url, strerror(g.sys_errno));
        goto out;
    }
    int status;
    size_t boff, blen;
    if (kw_http_answer((const char *)g.ans.data, g.ans.len, &status, &boff, &blen, err, errlen)) goto out;
    if (status != 200) {
        failf(err, errlen, "%s: HTTP %d: %.*s", url, status, (int)(blen < 200 ? blen : 200),
              (const char *)g.ans.data + boff);
        goto out;
    }
    kw_buf_put(body, g.ans.data + boff, blen);
    rc = body->err ? failf(err, errlen, "out of memory") : 0;
out:
    kw_net_free(net); /* closes the connection if still open */
    kw_buf_free(&g.ans);
    return rc;
}
