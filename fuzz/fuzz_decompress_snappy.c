/* fuzz/fuzz_decompress_snappy.c — kw_decompress on arbitrary bytes as snappy (see decompress_target.h). */
#define CODEC KW_CODEC_SNAPPY
#include "decompress_target.h"
