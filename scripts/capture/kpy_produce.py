#!/usr/bin/python3
"""kpy_produce.py BOOTSTRAP CODEC MAGIC — produce the fixed kwire test records with kafka-python.

CODEC: none, gzip, snappy, lz4, zstd. MAGIC: 2 (api_version probed from the broker),
1 (api_version=(0,10,0): Produce v2, message set magic 1) or 0 (api_version=(0,9):
Produce v0, magic 0). All records go to topic "batch" partition 0 in one batch
(linger_ms=1000). Magic 0/1 have no headers, so headers are left out there; magic 0 has no
timestamps (kafka-python ignores timestamp_ms then).
"""
import sys

from kafka import KafkaProducer

BASE_TS = 1700000000000
LONG = b"value-4-" + b"abcdefgh" * 16
# (key, value, headers, timestamp_ms)
RECORDS = [
    (b"key-0", b"value-0", [("h1", b"v1")], BASE_TS),
    (b"key-1", b"", [], BASE_TS + 1),
    (None, b"value-2", [("h1", b"v1"), ("h2", b"")], BASE_TS + 2),
    (b"key-3", None, [], BASE_TS + 10),
    (b"key-4", LONG, [("h-\u00e9", b"\x00\xff")], BASE_TS + 100),
]


def main():
    boot, codec, magic = sys.argv[1], sys.argv[2], int(sys.argv[3])
    kw = dict(bootstrap_servers=boot.split(","), client_id="kpy-capture", acks=1, retries=0,
              linger_ms=1000, compression_type=None if codec == "none" else codec,
              request_timeout_ms=10000, max_block_ms=10000)
    if magic == 1:
        kw["api_version"] = (0, 10, 0)
    elif magic == 0:
        kw["api_version"] = (0, 9)
    p = KafkaProducer(**kw)
    futs = []
    for key, value, headers, ts in RECORDS:
        futs.append(p.send("batch", key=key, value=value, partition=0, timestamp_ms=ts,
                           headers=headers if magic == 2 else None))
    p.flush(timeout=15)
    status = 0
    for f in futs:
        try:
            md = f.get(timeout=1)
            print("offset", md.offset)
        except Exception as e:  # the mock may refuse legacy message sets
            print("send failed:", repr(e), file=sys.stderr)
            status = 3
    p.close(timeout=5)
    return status


if __name__ == "__main__":
    sys.exit(main())
