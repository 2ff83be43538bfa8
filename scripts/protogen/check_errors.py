#!/usr/bin/env python3
"""scripts/protogen/check_errors.py — compare include/kwire/kafka_errors.h with the error codes
of a kafka-clients jar (scripts/protogen/ErrorCodes.java's output on stdin: "code NAME
retriable" per line): every code listed, same name, same retriable flag. Exits 1 naming
each difference. The texts are kwire's own and are not compared."""
import re
import sys

header = sys.argv[1] if len(sys.argv) > 1 else "include/kwire/kafka_errors.h"
ours = {}
for m in re.finditer(r'X\((\d+), (\w+), ([01]), "', open(header).read()):
    ours[int(m.group(1))] = (m.group(2), int(m.group(3)))
bad = 0
n = 0
for line in sys.stdin:
    parts = line.split()
    if len(parts) != 3 or not re.fullmatch(r"-?\d+", parts[0]):
        continue
    code, name, retr = int(parts[0]), parts[1], int(parts[2])
    if code == 0:
        continue
    n += 1
    key = 1000 if code == -1 else code  # kwire keeps the negative range for local errors
    if key not in ours:
        print(f"check_errors: {header} lacks {code} {name} (retriable {retr})")
        bad = 1
    elif ours[key] != (name, retr):
        print(f"check_errors: {header} has {key} {ours[key]}, the jar {name} retriable {retr}")
        bad = 1
if n == 0:
    sys.exit("check_errors: no error codes read")
print(f"check_errors: {n} error codes match {header}" if not bad else "check_errors: differences above")
sys.exit(bad)
