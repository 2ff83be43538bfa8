/* fuzz/fuzz_decompress_zstd.c — kw_decompress on arbitrary bytes as zstd (see decompress_target.h). */
#define CODEC KW_CODEC_ZSTD
#include "decompress_target.h"
