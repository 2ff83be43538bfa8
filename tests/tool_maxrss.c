/*
 * tests/tool_maxrss.c — run a command and report its peak resident set size.
 *
 *   tool_maxrss OUTFILE COMMAND [ARG...]
 *
 * Runs COMMAND as a child and, when it ends, writes one line "<kB> <source>" to OUTFILE
 * and exits with the child's status (128+N when killed by signal N). The peak is the
 * child's VmHWM (/proc/PID/status), read at its exit: the child runs under ptrace with
 * PTRACE_O_TRACEEXIT, which stops it just before its memory is released. The source is
 * "vmhwm". A fork()ed child's getrusage ru_maxrss would also count the pages it shared
 * with this program before exec, so it is only the fallback when ptrace is not
 * permitted (source "ru_maxrss"). Only the child itself is traced (not its children);
 * every signal it receives is passed on to it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* VmHWM of pid in kB, or -1. */
static long vmhwm(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

static int exit_code(int st)
{
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tool_maxrss OUTFILE COMMAND [ARG...]\n");
        return 2;
    }
    int fds[2];
    if (pipe(fds)) { perror("tool_maxrss: pipe"); return 1; }
    pid_t pid = fork();
    if (pid < 0) { perror("tool_maxrss: fork"); return 1; }
    if (pid == 0) {
        /* tell the parent whether tracing is on, then wait to be set up */
        char traced = ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0;
        close(fds[0]);
        if (write(fds[1], &traced, 1) != 1) _exit(127);
        close(fds[1]);
        if (traced) raise(SIGSTOP);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "tool_maxrss: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char traced = 0;
    if (read(fds[0], &traced, 1) != 1) traced = 0;
    close(fds[0]);
    long kb = -1;
    int st = 0;
    if (traced) {
        if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) { fprintf(stderr, "tool_maxrss: child did not stop\n"); return 1; }
        ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
        ptrace(PTRACE_CONT, pid, NULL, NULL);
        for (;;) {
            if (waitpid(pid, &st, 0) != pid) {
                if (errno == EINTR) continue;
                perror("tool_maxrss: waitpid");
                return 1;
            }
            if (WIFEXITED(st) || WIFSIGNALED(st)) break;
            if (!WIFSTOPPED(st)) continue;
            int sig = WSTOPSIG(st), event = st >> 16;
            if (sig == SIGTRAP && event == PTRACE_EVENT_EXIT) {
                kb = vmhwm(pid);
                sig = 0;
            } else if (sig == SIGTRAP && event) {
                sig = 0; /* the exec event */
            }
            ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
        }
    } else {
        struct rusage ru;
        if (wait4(pid, &st, 0, &ru) != pid) { perror("tool_maxrss: wait4"); return 1; }
        kb = ru.ru_maxrss;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out || fprintf(out, "%ld %s\n", kb, traced ? "vmhwm" : "ru_maxrss") < 0 || fclose(out)) {
        fprintf(stderr, "tool_maxrss: cannot write %s\n", argv[1]);
        return 1;
    }
    return exit_code(st);
}
