/*
 * codec/crc32c.h — CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by
 * record batch v2. A hardware path (SSE4.2 crc32 instruction, three interleaved
 * streams on long buffers) is chosen at run time when the CPU has it; otherwise a
 * table-driven software path ("slicing by 8").
 */
#ifndef KW_CODEC_CRC32C_H
#define KW_CODEC_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C of buf continuing from crc (pass 0 to start). kw_crc32c(0, "123456789", 9) == 0xE3069283. */
uint32_t kw_crc32c(uint32_t crc, const void *buf, size_t len);
/* The two paths, for tests and benchmarks. kw__crc32c_hw must only be called when available. */
uint32_t kw__crc32c_sw(uint32_t crc, const void *buf, size_t len);
uint32_t kw__crc32c_hw(uint32_t crc, const void *buf, size_t len);
int kw_crc32c_hw_available(void);

#endif
