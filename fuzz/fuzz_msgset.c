/*
 * fuzz/fuzz_msgset.c — legacy message set reader (magic 0/1, compressed wrappers,
 * decompression capped at 1 MiB) and the annotator on arbitrary bytes; key and value
 * slices are touched so ASan sees any read outside the input or the decompressed copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/batch.h"

static volatile uint8_t sink;

static int on_event(void *ud, const kw_ann *a)
{
    (void)ud;
    if (a->bytes && a->len) sink ^= a->bytes[0] ^ a->bytes[a->len - 1];
    if (a->value) sink ^= (uint8_t)strlen(a->value);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_batch_reader_opts o = {size > 0 && (data[0] & 1), 1u << 20};
    kw_msgset_reader r;
    kw_msgset_reader_init(&r, data, size, &o);
    kw_legacy_msg m;
    int rc, n = 0;
    while ((rc = kw_msgset_next(&r, &m)) == 1) {
        if (m.magic != 0 && m.magic != 1) abort();
        if ((m.key_len < 0) != (m.key == NULL) || (m.value_len < 0) != (m.value == NULL)) abort();
        if (m.key_len > 0) sink ^= m.key[0] ^ m.key[m.key_len - 1];
        if (m.value_len > 0) sink ^= m.value[0] ^ m.value[m.value_len - 1];
        if (++n > 1000000) abort();
    }
    int bomb = rc == KW_ERR_BOMB;
    kw_msgset_reader_free(&r);
    if (!bomb) (void)kw_records_annotate(data, size, 0, on_event, NULL);
    return 0;
}
