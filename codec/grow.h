/*
 * codec/grow.h — the one growable-array helper: make room for `need` elements in an
 * array whose length and capacity the caller keeps, doubling the capacity from a first
 * one, so that appending n elements one at a time costs O(n) copies in all.
 *
 *     if (s->n == s->cap) {
 *         item *v = kw__grow(s->v, sizeof *v, (size_t)s->n + 1, &s->cap, 8);
 *         if (!v) return KW_ERR_NOMEM;
 *         s->v = v;
 *     }
 *
 * Contract (both variants):
 * - need <= *cap with arr not NULL: nothing happens, arr is returned.
 * - otherwise the capacity becomes the first of first (when *cap is 0) or *cap, doubled
 *   as often as it takes to reach need; the array is realloc'ed to it and the new
 *   pointer returned, *cap set to the new capacity. Elements past the old capacity are
 *   not initialised. arr NULL with *cap 0 starts an array.
 * - the capacity never passes what the capacity's type holds (INT_MAX for kw__grow) nor
 *   SIZE_MAX / elem elements, so the size in bytes never wraps: a doubling that would
 *   pass that limit stops at it, and a need above it is refused.
 * - on failure (need above the limit, elem 0, realloc failing) NULL is returned, arr is
 *   left as it was (still owned by the caller, contents kept) and *cap unchanged.
 *
 * Parallel arrays that share one capacity grow each from a copy of it, and store the
 * capacity once all succeeded (every array got the same new capacity):
 *
 *     int ca = s->cap, cb = s->cap;
 *     a *va = kw__grow(s->a, sizeof *va, need, &ca, 8);
 *     if (!va) return KW_ERR_NOMEM;
 *     s->a = va;
 *     b *vb = kw__grow(s->b, sizeof *vb, need, &cb, 8);
 *     if (!vb) return KW_ERR_NOMEM;
 *     s->b = vb;
 *     s->cap = ca;
 *
 * Byte buffers that are written into use kw_buf (codec/buf.h) instead.
 */
#ifndef KW_CODEC_GROW_H
#define KW_CODEC_GROW_H

#include <stddef.h>

/* Capacity kept in an int (most of kwire's arrays): at most INT_MAX elements. */
void *kw__grow(void *arr, size_t elem, size_t need, int *cap, int first);
/* Capacity kept in a size_t: at most SIZE_MAX / elem elements. */
void *kw__grow_sz(void *arr, size_t elem, size_t need, size_t *cap, size_t first);

#endif
