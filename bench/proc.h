/*
 * bench/proc.h — run a benchmark peer as a child process and measure it: wall time from
 * fork to exit, user and system CPU and peak resident memory from wait4() (the child's
 * own and those of its waited-for descendants), its exit status; stdin, stdout and
 * stderr from/to files, a time limit after which it is killed. And the small file
 * helpers a harness reads the children's output with.
 *
 *   kw_proc_result r;
 *   kw_proc_opts o = {.out_path = "out.txt", .err_path = "err.txt", .timeout_s = 60};
 *   char *argv[] = {"kcat", "-C", ..., NULL};
 *   if (kw_proc_run(argv, &o, &r) == 0 && r.status == 0) ... r.seconds, r.cpu_s, r.rss_mb
 */
#ifndef KW_BENCH_PROC_H
#define KW_BENCH_PROC_H

#include <stddef.h>

typedef struct kw_proc_opts {
    const char *in_path;    /* stdin from this file; NULL: /dev/null */
    const char *out_path;   /* stdout to this file (truncated); NULL: /dev/null */
    const char *err_path;   /* stderr to this file (truncated); NULL: /dev/null */
    double timeout_s;       /* killed (SIGKILL) after this long; <= 0: no limit */
    const char *const *env; /* "NAME=value" set in the child only; NULL-terminated, or NULL */
} kw_proc_opts;

typedef struct kw_proc_result {
    int status;            /* exit status 0..255; 128+N when killed by signal N */
    int timed_out;         /* killed at timeout_s */
    double seconds;        /* wall time, fork to reaped */
    double user_s, sys_s;  /* CPU */
    double cpu_s;          /* user_s + sys_s */
    double rss_mb;         /* peak resident set, MiB (ru_maxrss) */
} kw_proc_result;

/* The exit status a child gives when argv[0] could not be executed (as a shell does). */
#define KW_PROC_NOT_FOUND 127

/*
 * Run argv (argv[0] looked up on PATH) and wait for it. 0 when it ran (its status,
 * figures in *r; status KW_PROC_NOT_FOUND with a line on stderr when argv[0] could not be
 * executed), -1 when it could not be started (fork failed; errno set).
 */
int kw_proc_run(char *const argv[], const kw_proc_opts *o, kw_proc_result *r);

/* Where `prog` is found: itself when it holds a '/', else the first executable of that name
 * on $PATH; into out. 0, or -1 when there is none. */
int kw_proc_which(const char *prog, char *out, size_t n);

/* Newlines in file `path`, or -1 when it cannot be read. */
long kw_file_lines(const char *path);

/* The last non-empty line of `path` into out (without its newline); "" when none. */
void kw_file_last_line(const char *path, char *out, size_t n);

/* The first line of `path` holding `needle` into out (may be NULL); 1 when found, else 0. */
int kw_file_find(const char *path, const char *needle, char *out, size_t n);

/* The whole file into a NUL-terminated malloc'd string of at most max bytes (the tail
 * when longer); NULL when it cannot be read. */
char *kw_file_read(const char *path, size_t max);

#endif
