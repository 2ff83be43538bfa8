#!/usr/bin/python3
"""kwire_extract.py — pull Kafka frames and record sets out of pcap captures.

Written for kwire's test data (tests/data/); uses only the Python standard library for
pcap/TCP/Kafka parsing, plus the snappy, lz4 and zstandard modules (python3-snappy,
python3-lz4, python3-zstandard) to *describe* compressed record sets.

Subcommands:
  frames OUTDIR PCAP[:NAME]...   reassemble every TCP stream of every capture, split it into
                                 Kafka frames by the int32 size prefix, pair each response
                                 with its request by correlation id (per connection), and
                                 write OUTDIR/<NNN>-<Api>-v<ver>-<req|resp>.bin (the whole
                                 frame: size prefix, header, body) plus OUTDIR/MANIFEST.tsv.
                                 Frames are numbered in capture order (time of the packet
                                 that carries a frame's first byte), captures in the order
                                 given. A partial frame at the end of a stream is skipped.
                                 MANIFEST columns: file, api_key, api_name, version,
                                 direction (req|resp), correlation_id, length (bytes of
                                 the file, size prefix included), source (capture name),
                                 connection (TCP connection index within that capture, in
                                 order of first packet; correlation ids are per connection).
  records PCAP OUT               write the `records` field of every Produce request in the
                                 capture (all topics/partitions, in order; identical
                                 retransmitted record sets only once) to OUT.
  describe FILE...               decode record sets (magic 0, 1 and 2; none, gzip, snappy
                                 raw or xerial, lz4, zstd) and print every record.
  versions PCAP...               print "client_id api version count" for every request.

Supported link types: Ethernet (1), raw IP (101), Linux cooked v1/v2 (113/276), BSD null (0).
"""
import gzip
import io
import os
import struct
import sys
import zlib

API_NAMES = {
    0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 4: "LeaderAndIsr",
    5: "StopReplica", 6: "UpdateMetadata", 7: "ControlledShutdown", 8: "OffsetCommit",
    9: "OffsetFetch", 10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat",
    13: "LeaveGroup", 14: "SyncGroup", 15: "DescribeGroups", 16: "ListGroups",
    17: "SaslHandshake", 18: "ApiVersions", 19: "CreateTopics", 20: "DeleteTopics",
    21: "DeleteRecords", 22: "InitProducerId", 23: "OffsetForLeaderEpoch",
    24: "AddPartitionsToTxn", 25: "AddOffsetsToTxn", 26: "EndTxn", 27: "WriteTxnMarkers",
    28: "TxnOffsetCommit", 29: "DescribeAcls", 30: "CreateAcls", 31: "DeleteAcls",
    32: "DescribeConfigs", 33: "AlterConfigs", 34: "AlterReplicaLogDirs",
    35: "DescribeLogDirs", 36: "SaslAuthenticate", 37: "CreatePartitions",
    38: "CreateDelegationToken", 39: "RenewDelegationToken", 40: "ExpireDelegationToken",
    41: "DescribeDelegationToken", 42: "DeleteGroups", 43: "ElectLeaders",
    44: "IncrementalAlterConfigs", 45: "AlterPartitionReassignments",
    46: "ListPartitionReassignments", 47: "OffsetDelete", 48: "DescribeClientQuotas",
    49: "AlterClientQuotas", 50: "DescribeUserScramCredentials",
    51: "AlterUserScramCredentials", 55: "DescribeQuorum", 57: "UpdateFeatures",
    60: "DescribeCluster", 61: "DescribeProducers", 64: "UnregisterBroker",
    65: "DescribeTransactions", 66: "ListTransactions", 68: "ConsumerGroupHeartbeat",
    69: "ConsumerGroupDescribe", 71: "GetTelemetrySubscriptions", 72: "PushTelemetry",
}

MAX_FRAME = 64 << 20


def die(msg):
    sys.stderr.write("kwire_extract: %s\n" % msg)
    sys.exit(1)


# ---------------------------------------------------------------- pcap and TCP reassembly

def read_pcap(path):
    """Yield (timestamp, linktype, packet bytes) from a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        die("%s: too short for a pcap header" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        die("%s: pcapng is not supported, write captures with -F pcap" % path)
    else:
        die("%s: not a pcap file" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            break
        ts = sec + frac / (1e9 if nano else 1e6)
        yield ts, linktype, data[off:off + incl]
        off += incl


def ip_payload(linktype, pkt):
    """Return (ethertype-ish version, ip packet) or None."""
    if linktype == 1:
        if len(pkt) < 14:
            return None
        et = struct.unpack(">H", pkt[12:14])[0]
        off = 14
        while et == 0x8100 and len(pkt) >= off + 4:
            et = struct.unpack(">H", pkt[off + 2:off + 4])[0]
            off += 4
        return pkt[off:] if et in (0x0800, 0x86DD) else None
    if linktype == 101:
        return pkt
    if linktype == 113:
        return pkt[16:] if len(pkt) >= 16 and pkt[14:16] in (b"\x08\x00", b"\x86\xdd") else None
    if linktype == 276:
        return pkt[20:] if len(pkt) >= 20 and pkt[0:2] in (b"\x08\x00", b"\x86\xdd") else None
    if linktype == 0:
        return pkt[4:] if len(pkt) >= 4 else None
    die("unsupported pcap link type %d" % linktype)


def tcp_segment(ip):
    """Return (src, sport, dst, dport, seq, flags, payload) or None."""
    if len(ip) < 20:
        return None
    ver = ip[0] >> 4
    if ver == 4:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        if ip[9] != 6 or ihl < 20 or total < ihl or total > len(ip):
            return None
        src, dst = ip[12:16], ip[16:20]
        seg = ip[ihl:total]
    elif ver == 6:
        if len(ip) < 40 or ip[6] != 6:
            return None  # extension headers are not used on loopback captures
        plen = struct.unpack(">H", ip[4:6])[0]
        src, dst = ip[8:24], ip[24:40]
        seg = ip[40:40 + plen]
    else:
        return None
    if len(seg) < 20:
        return None
    sport, dport, seq, _ack, offflags = struct.unpack(">HHIIH", seg[:14])
    doff = (offflags >> 12) * 4
    if doff < 20 or doff > len(seg):
        return None
    return src, sport, dst, dport, seq, offflags & 0x3F, seg[doff:]


class Direction:
    def __init__(self):
        self.isn = None
        self.segs = []  # (relative seq, ts, payload)

    def add(self, seq, ts, payload):
        if self.isn is None:
            self.isn = seq
        rel = (seq - self.isn) & 0xFFFFFFFF
        if rel > 0x7FFFFFFF:  # before the first seen byte: drop
            return
        self.segs.append((rel, ts, payload))

    def assemble(self):
        """Return (bytes, [(offset, ts)]) of the contiguous stream from its start."""
        out = bytearray()
        marks = []
        for rel, ts, payload in sorted(self.segs, key=lambda s: (s[0], s[1])):
            end = rel + len(payload)
            if end <= len(out):
                continue  # retransmission
            if rel > len(out):
                sys.stderr.write("kwire_extract: warning: gap in TCP stream at %d\n" % len(out))
                break
            marks.append((len(out), ts))
            out += payload[len(out) - rel:]
        return bytes(out), marks


def tcp_streams(path):
    """Yield connections: dict(client=(ip,port), server=(ip,port), c2s=(bytes,marks), s2c=...)."""
    conns = {}
    order = []
    for ts, lt, pkt in read_pcap(path):
        ip = ip_payload(lt, pkt)
        if ip is None:
            continue
        t = tcp_segment(ip)
        if t is None:
            continue
        src, sport, dst, dport, seq, flags, payload = t
        a, b = (src, sport), (dst, dport)
        key = (a, b) if (a, b) <= (b, a) else (b, a)
        syn, ack = flags & 0x02, flags & 0x10
        c = conns.get(key)
        if syn and not ack and c is not None and (c["dirs"][a].segs or c["dirs"][b].segs):
            order.append(c)  # port reused: the old connection is complete
            c = None
        if c is None:
            c = {"client": None, "dirs": {a: Direction(), b: Direction()}, "first": ts}
            conns[key] = c
            order.append(c)
        if syn:
            if not ack:
                c["client"] = a
            # the SYN consumes one sequence number
            d = c["dirs"][a]
            if d.isn is None:
                d.isn = (seq + 1) & 0xFFFFFFFF
        if payload:
            c["dirs"][a].add(seq, ts, payload)
    seen = set()
    for c in order:
        if id(c) in seen:
            continue
        seen.add(id(c))
        ends = list(c["dirs"].keys())
        client = c["client"]
        if client is None:
            # no SYN captured: the side whose first bytes look like a request is the client
            client = ends[0]
        server = ends[1] if ends[0] == client else ends[0]
        yield {"client": client, "server": server, "first": c["first"],
               "c2s": c["dirs"][client].assemble(), "s2c": c["dirs"][server].assemble()}


def split_frames(stream):
    data, marks = stream
    frames = []
    off = 0
    mi = 0
    while off + 4 <= len(data):
        size = struct.unpack(">i", data[off:off + 4])[0]
        if size < 0 or size > MAX_FRAME:
            sys.stderr.write("kwire_extract: warning: bad frame size %d, stream abandoned\n" % size)
            break
        if off + 4 + size > len(data):
            break  # partial frame at the end of the capture
        while mi + 1 < len(marks) and marks[mi + 1][0] <= off:
            mi += 1
        ts = marks[mi][1] if marks else 0.0
        frames.append((ts, off, data[off:off + 4 + size]))
        off += 4 + size
    return frames


def parse_request_header(frame):
    """(api_key, api_version, correlation_id, client_id) of a request frame."""
    if len(frame) < 14:
        return None
    key, ver, corr, clen = struct.unpack(">hhih", frame[4:14])
    cid = None
    if 0 <= clen <= len(frame) - 14:
        cid = frame[14:14 + clen].decode("utf-8", "replace")
    return key, ver, corr, cid


def connection_frames(conn):
    """Yield dicts for every frame of a connection, responses paired with requests."""
    reqs = split_frames(conn["c2s"])
    resps = split_frames(conn["s2c"])
    pending = {}
    out = []
    for ts, off, fr in reqs:
        h = parse_request_header(fr)
        if h is None:
            continue
        key, ver, corr, cid = h
        pending.setdefault(corr, []).append((key, ver))
        out.append({"ts": ts, "off": off, "dir": "req", "key": key, "ver": ver,
                    "corr": corr, "client_id": cid, "frame": fr})
    for ts, off, fr in resps:
        if len(fr) < 8:
            continue
        corr = struct.unpack(">i", fr[4:8])[0]
        lst = pending.get(corr)
        key, ver = lst.pop(0) if lst else (-1, -1)
        out.append({"ts": ts, "off": off, "dir": "resp", "key": key, "ver": ver,
                    "corr": corr, "client_id": None, "frame": fr})
    return out


# ---------------------------------------------------------------- Produce request parsing

class Rd:
    def __init__(self, b, off=0):
        self.b, self.o = b, off

    def take(self, n):
        if n < 0 or self.o + n > len(self.b):
            raise ValueError("truncated")
        v = self.b[self.o:self.o + n]
        self.o += n
        return v

    def i8(self):
        return struct.unpack(">b", self.take(1))[0]

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def uvarint(self):
        v = shift = 0
        while True:
            c = self.take(1)[0]
            v |= (c & 0x7F) << shift
            if not c & 0x80:
                return v
            shift += 7
            if shift > 63:
                raise ValueError("varint too long")

    def varint(self):
        u = self.uvarint()
        return (u >> 1) ^ -(u & 1)

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n)

    def cstring(self):
        n = self.uvarint() - 1
        return None if n < 0 else self.take(n)

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def produce_record_sets(frame):
    """[(topic, partition, records bytes)] of a Produce request frame (v0..v11)."""
    r = Rd(frame, 4)
    _key, ver, _corr = r.i16(), r.i16(), r.i32()
    flex = ver >= 9
    r.string()  # client_id (never compact)
    if flex:
        r.tags()
    if ver >= 3:
        r.cstring() if flex else r.string()  # transactional_id
    r.i16()  # acks
    r.i32()  # timeout_ms
    out = []
    ntopics = r.uvarint() - 1 if flex else r.i32()
    for _ in range(max(ntopics, 0)):
        topic = (r.cstring() if flex else r.string()).decode()
        nparts = r.uvarint() - 1 if flex else r.i32()
        for _ in range(max(nparts, 0)):
            part = r.i32()
            if flex:
                n = r.uvarint() - 1
            else:
                n = r.i32()
            recs = r.take(n) if n >= 0 else b""
            if flex:
                r.tags()
            out.append((topic, part, recs))
        if flex:
            r.tags()
    return out


# ---------------------------------------------------------------- record set decoding

CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}


def decompress(codec, data, magic):
    if codec == 1:
        return gzip.GzipFile(fileobj=io.BytesIO(data)).read()
    if codec == 2:
        import snappy
        if data[:8] == b"\x82SNAPPY\x00":  # xerial framing: 16-byte header, int32-sized blocks
            out = bytearray()
            r = Rd(data, 16)
            while r.o < len(data):
                out += snappy.uncompress(r.take(r.i32()))
            return bytes(out)
        return snappy.uncompress(data)
    if codec == 3:
        import lz4.frame
        return lz4.frame.decompress(data)
    if codec == 4:
        import zstandard
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    raise ValueError("codec %d" % codec)


def snappy_framing(data):
    return "xerial" if data[:8] == b"\x82SNAPPY\x00" else "raw"


def describe_legacy(r, end, depth, lines, indent):
    """Magic 0/1 message set from r.o to end."""
    while r.o + 12 <= end:
        offset = r.i64()
        size = r.i32()
        if r.o + size > end:
            lines.append(indent + "partial message at the end (%d bytes announced)" % size)
            r.o = end
            break
        m = Rd(r.take(size))
        crc = m.i32() & 0xFFFFFFFF
        body = m.b[4:]
        crc_ok = (zlib.crc32(body) & 0xFFFFFFFF) == crc
        magic = m.i8()
        attrs = m.i8()
        ts = m.i64() if magic >= 1 else None
        kl = m.i32()
        key = m.take(kl) if kl >= 0 else None
        vl = m.i32()
        val = m.take(vl) if vl >= 0 else None
        codec = attrs & 7
        lines.append(indent + "message offset=%d magic=%d codec=%s crc=%s ts=%s tstype=%s "
                     "key=%r value=%r" % (offset, magic, CODECS.get(codec, codec),
                                          "ok" if crc_ok else "BAD", ts,
                                          "log_append" if attrs & 8 else "create",
                                          key, val if codec == 0 else "<%d compressed bytes%s>"
                                          % (len(val), (", " + snappy_framing(val))
                                             if codec == 2 else "")))
        if codec != 0 and val is not None and depth == 0:
            inner = decompress(codec, val, magic)
            describe_legacy(Rd(inner), len(inner), 1, lines, indent + "    ")


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def describe_records(data):
    lines = []
    r = Rd(data)
    while r.o + 17 <= len(data):
        magic = data[r.o + 16]
        if magic < 2:
            describe_legacy(r, len(data), 0, lines, "")
            continue
        start = r.o
        base_offset = r.i64()
        blen = r.i32()
        end = r.o + blen
        if end > len(data):
            lines.append("partial batch at the end")
            break
        epoch = r.i32()
        r.i8()
        crc = r.i32() & 0xFFFFFFFF
        crc_ok = crc32c(data[r.o:end]) == crc
        attrs = r.i16()
        last_delta = r.i32()
        first_ts = r.i64()
        max_ts = r.i64()
        pid = r.i64()
        pepoch = r.i16()
        bseq = r.i32()
        count = r.i32()
        codec = attrs & 7
        comp = data[r.o:end]
        lines.append("batch base_offset=%d length=%d epoch=%d magic=2 crc=%s attributes=0x%04x "
                     "codec=%s%s tstype=%s transactional=%d control=%d last_offset_delta=%d "
                     "first_ts=%d max_ts=%d producer_id=%d producer_epoch=%d base_sequence=%d "
                     "records=%d batch_bytes=%d"
                     % (base_offset, blen, epoch, "ok" if crc_ok else "BAD", attrs,
                        CODECS.get(codec, codec),
                        ("(" + snappy_framing(comp) + ")") if codec == 2 else "",
                        "log_append" if attrs & 8 else "create", (attrs >> 4) & 1,
                        (attrs >> 5) & 1, last_delta, first_ts, max_ts, pid, pepoch, bseq,
                        count, end - start))
        recs = decompress(codec, comp, 2) if codec else comp
        rr = Rd(recs)
        for _ in range(count):
            ln = rr.varint()
            rec = Rd(rr.take(ln))
            rattrs = rec.i8()
            tsd = rec.varint()
            od = rec.varint()
            kl = rec.varint()
            key = rec.take(kl) if kl >= 0 else None
            vl = rec.varint()
            val = rec.take(vl) if vl >= 0 else None
            hdrs = []
            for _ in range(rec.varint()):
                hk = rec.take(rec.varint())
                hl = rec.varint()
                hdrs.append((hk, rec.take(hl) if hl >= 0 else None))
            lines.append("    record offset_delta=%d timestamp_delta=%d (ts=%d) attrs=%d key=%r "
                         "value=%r headers=%r" % (od, tsd, first_ts + tsd, rattrs, key, val, hdrs))
        if rr.o != len(recs):
            lines.append("    %d trailing bytes after the records" % (len(recs) - rr.o))
        r.o = end
    if r.o != len(data):
        lines.append("%d trailing bytes" % (len(data) - r.o))
    return lines


# ---------------------------------------------------------------- commands

def parse_sources(args):
    out = []
    for a in args:
        if ":" in a:
            path, name = a.rsplit(":", 1)
        else:
            path, name = a, os.path.basename(a)
        out.append((path, name))
    return out


def cmd_frames(outdir, sources):
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith(".bin") or f == "MANIFEST.tsv":
            os.unlink(os.path.join(outdir, f))
    rows = []
    n = 0
    for path, name in parse_sources(sources):
        frames = []
        for ci, conn in enumerate(tcp_streams(path)):
            for fr in connection_frames(conn):
                fr["conn"] = ci
                frames.append(fr)
        frames.sort(key=lambda f: (f["ts"], f["conn"], f["dir"] == "resp", f["off"]))
        for fr in frames:
            api = API_NAMES.get(fr["key"], "Unknown%d" % fr["key"] if fr["key"] >= 0 else
                                "Unpaired")
            fname = "%03d-%s-v%d-%s.bin" % (n, api, fr["ver"], fr["dir"])
            with open(os.path.join(outdir, fname), "wb") as f:
                f.write(fr["frame"])
            rows.append((fname, fr["key"], api, fr["ver"], fr["dir"], fr["corr"],
                         len(fr["frame"]), name, fr["conn"]))
            n += 1
    with open(os.path.join(outdir, "MANIFEST.tsv"), "w") as f:
        f.write("file\tapi_key\tapi_name\tversion\tdirection\tcorrelation_id\tlength\tsource\t"
                "connection\n")
        for row in rows:
            f.write("\t".join(str(x) for x in row) + "\n")
    print("%d frames written to %s" % (n, outdir))


def cmd_records(path, out):
    sets = []
    for conn in tcp_streams(path):
        for fr in connection_frames(conn):
            if fr["dir"] == "req" and fr["key"] == 0:
                for topic, part, recs in produce_record_sets(fr["frame"]):
                    if recs and recs not in sets:
                        sets.append(recs)
                    sys.stderr.write("kwire_extract: Produce v%d %s[%d]: %d record bytes\n"
                                     % (fr["ver"], topic, part, len(recs)))
    if not sets:
        die("%s: no Produce request with records" % path)
    if len(sets) > 1:
        sys.stderr.write("kwire_extract: warning: %d distinct record sets, concatenated\n"
                         % len(sets))
    with open(out, "wb") as f:
        f.write(b"".join(sets))
    print("%s: %d bytes" % (out, sum(len(s) for s in sets)))


def cmd_versions(paths):
    seen = {}
    for path in paths:
        for conn in tcp_streams(path):
            for fr in connection_frames(conn):
                if fr["dir"] == "req":
                    k = (fr["client_id"], fr["key"], fr["ver"])
                    seen[k] = seen.get(k, 0) + 1
    for (cid, key, ver), cnt in sorted(seen.items(), key=lambda x: (str(x[0][0]), x[0][1])):
        print("%s\t%s(%d)\tv%d\t%d" % (cid, API_NAMES.get(key, "?"), key, ver, cnt))


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "frames" and len(args) >= 2:
        cmd_frames(args[0], args[1:])
    elif cmd == "records" and len(args) == 2:
        cmd_records(args[0], args[1])
    elif cmd == "describe" and args:
        for p in args:
            with open(p, "rb") as f:
                data = f.read()
            print("== %s (%d bytes)" % (p, len(data)))
            for line in describe_records(data):
                print(line)
    elif cmd == "versions" and args:
        cmd_versions(args)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
