/*
 * bench/trogdor.h — reading Trogdor's coordinator: its REST answer to
 * GET /coordinator/tasks ({"tasks": {ID: {"state": PENDING|RUNNING|STOPPING|DONE,
 * "spec": {...}, "startedMs", "doneMs", "error", "status", ...}}}), the tasks of one
 * prefix picked out of it, and a plain HTTP/1.0 GET to fetch it.
 */
#ifndef KW_BENCH_TROGDOR_H
#define KW_BENCH_TROGDOR_H

#include <stddef.h>
#include <stdint.h>

#include "bench/json.h"
#include "codec/buf.h"

#define KW_HTTP_MAX_BODY (64u << 20)   /* a coordinator answer larger than this is refused */

typedef struct kw_trogdor_task {
    const char *id;
    const char *state;         /* as the coordinator says it */
    const char *node;          /* spec.commandNode (ExternalCommandSpec), or "" */
    const char *error;         /* "" when none */
    const kw_jv *status;       /* NULL when the task has none yet */
} kw_trogdor_task;

/*
 * The tasks of root (a parsed GET /coordinator/tasks answer) whose id starts with
 * prefix, sorted by id, into a new array *out of *n (free() it; the strings point into
 * root). 0, or -1 with err when root is not such an answer. KW_ERR_NOMEM as -1 too.
 */
int kw_trogdor_tasks(const kw_jv *root, const char *prefix, kw_trogdor_task **out, int *n, char *err,
                     size_t errlen);

/*
 * An HTTP/1.x response in p[0..len) (all of it, the server having closed): the status
 * code and where the body starts and how long it is (Content-Length when given, else to
 * the end). 0, or -1 with err: not HTTP, headers cut short, a chunked body (this reader
 * asks with HTTP/1.0, which has none), a Content-Length past the end.
 */
int kw_http_answer(const char *p, size_t len, int *status, size_t *body_off, size_t *body_len, char *err,
                     size_t errlen);
/*
 * Split "http://HOST[:PORT][/PATH]" into host, port (default 80) and path (default
 * "/"). 0, or -1 with err.
 */
int kw_http_split_url(const char *url, char *host, size_t hostlen, char *port, size_t portlen, char *path,
                size_t pathlen, char *err, size_t errlen);
/*
 * GET url (http only) within timeout_ms and append the body of a 200 answer to body.
 * 0, or -1 with err (cannot resolve or connect, timeout, another status with the start
 * of its body, a body over KW_HTTP_MAX_BODY).
 */
int kw_http_fetch(const char *url, int timeout_ms, kw_buf *body, char *err, size_t errlen);

#endif
