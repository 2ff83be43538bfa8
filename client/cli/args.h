/*
 * client/cli/args.h — getopt-style command lines for the kwire command, as kcat accepts them.
 *
 * kw_args_normalize rewrites a command's arguments so that every option stands alone
 * and its value is the next word, the form the command parsers read:
 *   -tT -> -t T     -p2 -> -p 2     -o-1 -> -o -1     -ec5 -> -e -c 5 (flags bundled)
 *   --watch=5 -> --watch 5          -- ends the options (kept, with every word after it)
 * A word that is the value of the option before it is never split ("-o -1" stays). Words
 * that are not options of the spec (unknown letters, other long names) are kept as they
 * are, so the command names them in its own message; "--flag=value" for an option that
 * takes no value, and an unknown letter inside a bundle of known ones, are errors.
 */
#ifndef KW_CLIENT_ARGS_H
#define KW_CLIENT_ARGS_H

#include <stddef.h>

typedef struct kw_argspec {
    const char *shorts; /* getopt's form: "t:p:e" (':' after a letter: it takes a value) */
    const char *longs;  /* comma-separated long names without dashes, "=" after those that
                           take a value: "commit,watch=,threshold=" */
} kw_argspec;

typedef struct kw_args {
    int argc;
    char **argv;   /* argv[argc] is NULL */
    char *store;   /* the split-off pieces */
} kw_args;

/* Normalize argv[first..argc) (argv[0..first) copied unchanged). 0, or -1 with err set
 * (errlen bytes) for a usage error, or -2 out of memory. Free with kw_args_free. */
int kw_args_normalize(const kw_argspec *spec, int argc, char **argv, int first, kw_args *out, char *err,
                      size_t errlen);
void kw_args_free(kw_args *a);

#endif
