/*
 * fuzz/fuzz_proto_resp.c — response body decoding: fuzz_proto_req.c's checks with the
 * response descriptions. Input: api key (1 byte), version (int16 big-endian), body.
 */
#define FUZZ_DIR KW_RESP
#include "fuzz_proto_req.c"
