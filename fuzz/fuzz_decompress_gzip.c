/* fuzz/fuzz_decompress_gzip.c — kw_decompress on arbitrary bytes as gzip (see decompress_target.h). */
#define CODEC KW_CODEC_GZIP
#include "decompress_target.h"
