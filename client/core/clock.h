/*
 * client/core/clock.h — the clocks kwire reads, in one place: the monotonic clock for
 * intervals and deadlines, the wall clock for timestamps (record times, log lines), in
 * the units callers use. Header-only.
 */
#ifndef KW_CLIENT_CORE_CLOCK_H
#define KW_CLIENT_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t kw__clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Monotonic: seconds (fractional), milliseconds. */
static inline double kw__mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
static inline int64_t kw__mono_ms(void) { return kw__clock_us(CLOCK_MONOTONIC) / 1000; }

/* Wall clock (Unix time): milliseconds, microseconds. */
static inline int64_t kw__wall_ms(void) { return kw__clock_us(CLOCK_REALTIME) / 1000; }
static inline int64_t kw__wall_us(void) { return kw__clock_us(CLOCK_REALTIME); }

#endif
