/*
 * tests/testutil.h — small helpers several unit tests share (include after <cmocka.h>):
 * the text a tmpfile received, and a blocking loopback client socket. Everything is
 * static inline: each test program includes it once.
 */
#ifndef KW_TESTS_TESTUTIL_H
#define KW_TESTS_TESTUTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/* What f received (written through it, position at the end), as a NUL-terminated string
 * the caller frees; f is closed. */
static inline char *tu_drain(FILE *f)
{
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

/* A blocking TCP connection to 127.0.0.1:port (connected, or the test fails). */
static inline int tu_connect_loopback(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

#endif
