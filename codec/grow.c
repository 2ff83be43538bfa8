/*
 * codec/grow.c — the growable-array helper (see grow.h for the contract).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"

/* Both variants: grow arr from cap to hold need elements of elem bytes, never past max
 * elements; the new capacity in *out, or NULL with arr untouched. */
static void *grow(void *arr, size_t elem, size_t need, size_t cap, size_t first, size_t max, size_t *out)
{
    if (elem == 0) return NULL;
    if (SIZE_MAX / elem < max) max = SIZE_MAX / elem;
    if (arr && need <= cap) { *out = cap; return arr; }
    if (need > max) return NULL;
    size_t nc = cap ? cap : first ? first : 1;
    while (nc < need) nc = nc > max / 2 ? max : nc * 2;
    if (nc > max) nc = max;
    void *p = realloc(arr, nc * elem);
    if (!p) return NULL;
    *out = nc;
    return p;
}

void *kw__grow(void *arr, size_t elem, size_t need, int *cap, int first)
{
    size_t nc;
    void *p = grow(arr, elem, need, *cap > 0 ? (size_t)*cap : 0, first > 0 ? (size_t)first : 1, INT_MAX, &nc);
    if (p) *cap = (int)nc;
    return p;
}

void *kw__grow_sz(void *arr, size_t elem, size_t need, size_t *cap, size_t first)
{
    size_t nc;
    void *p = grow(arr, elem, need, *cap, first, SIZE_MAX, &nc);
    if (p) *cap = nc;
    return p;
}
