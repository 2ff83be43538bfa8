/* fuzz/fuzz_decompress_lz4.c — kw_decompress on arbitrary bytes as lz4 (see decompress_target.h). */
#define CODEC KW_CODEC_LZ4
#include "decompress_target.h"
