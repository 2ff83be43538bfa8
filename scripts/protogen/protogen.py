#!/usr/bin/env python3
"""scripts/protogen/protogen.py — kwire's generator of message descriptions.

Reads Kafka's message specifications (common/message/*.json inside a kafka-clients jar)
and writes, for every API key, proto/msg_<api>.h (C structs) and proto/msg_<api>.c
(field tables in the proto/desc.h format), proto/msg_common.h (structs shared by
several APIs) and proto/api_table.h (API keys, version ranges, first flexible
versions, versions removed by Kafka 4.0). Only facts are taken from the specifications
(names, types, versions, nullable versions, tags, defaults); their "about" texts are not.

usage: protogen.py --jar kafka-clients-4.4.0.jar --old-jar kafka-clients-3.9.2.jar
                   --v40-jar kafka-clients-4.0.0.jar --out DIR
API keys the newest jar lists without versions (the ZooKeeper-era inter-broker APIs
removed in 4.0) are described from the old jar, so captures of older clusters decode.
"""
import argparse
import json
import re
import sys
import zipfile

C_KEYWORDS = {"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
              "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
              "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
              "volatile", "while", "bool"}

PRIM = {  # Kafka type -> (KW_T_*, C type)
    "bool": ("KW_T_BOOL", "uint8_t"), "int8": ("KW_T_INT8", "int8_t"), "int16": ("KW_T_INT16", "int16_t"),
    "uint16": ("KW_T_UINT16", "uint16_t"), "int32": ("KW_T_INT32", "int32_t"), "uint32": ("KW_T_UINT32", "uint32_t"),
    "int64": ("KW_T_INT64", "int64_t"), "float64": ("KW_T_FLOAT64", "double"), "uuid": ("KW_T_UUID", "kw_uuid"),
    "string": ("KW_T_STRING", "kw_str"), "bytes": ("KW_T_BYTES", "kw_bytes"), "records": ("KW_T_RECORDS", "kw_bytes"),
}

# The C names kwire's client code already uses for the structs of the APIs it sends
# (Kafka struct name -> C type), per API and direction. Two Kafka structs may share a
# C type (OffsetFetch's v0-7 and v8+ topic lists): the type then has the members of both.
# Types in SHARED live in proto/msg_common.h and serve several APIs.
NAME_MAP = {
    "Produce": {"req": {"TopicProduceData": "kw_produce_topic", "PartitionProduceData": "kw_produce_partition"},
                "resp": {"TopicProduceResponse": "kw_produce_topic_resp",
                         "PartitionProduceResponse": "kw_produce_partition_resp",
                         "BatchIndexAndErrorMessage": "kw_produce_record_error",
                         "LeaderIdAndEpoch": "kw_leader_epoch", "NodeEndpoint": "kw_node_endpoint"}},
    "Fetch": {"req": {"FetchTopic": "kw_fetch_topic", "FetchPartition": "kw_fetch_partition",
                      "ForgottenTopic": "kw_fetch_forgotten", "ReplicaState": "kw_fetch_replica_state"},
              "resp": {"FetchableTopicResponse": "kw_fetch_topic_resp", "PartitionData": "kw_fetch_partition_resp",
                       "EpochEndOffset": "kw_fetch_epoch_end", "LeaderIdAndEpoch": "kw_leader_epoch",
                       "SnapshotId": "kw_fetch_snapshot_id", "AbortedTransaction": "kw_fetch_aborted",
                       "NodeEndpoint": "kw_node_endpoint"}},
    "ListOffsets": {"req": {"ListOffsetsTopic": "kw_listoffsets_req_topic",
                            "ListOffsetsPartition": "kw_listoffsets_req_partition"},
                    "resp": {"ListOffsetsTopicResponse": "kw_listoffsets_resp_topic",
                             "ListOffsetsPartitionResponse": "kw_listoffsets_resp_partition"}},
    "Metadata": {"req": {"MetadataRequestTopic": "kw_metadata_req_topic"},
                 "resp": {"MetadataResponseBroker": "kw_metadata_broker", "MetadataResponseTopic": "kw_metadata_topic",
                          "MetadataResponsePartition": "kw_metadata_partition"}},
    "OffsetCommit": {"req": {"OffsetCommitRequestTopic": "kw_offsetcommit_req_topic",
                             "OffsetCommitRequestPartition": "kw_offsetcommit_req_partition"},
                     "resp": {"OffsetCommitResponseTopic": "kw_offsetcommit_resp_topic",
                              "OffsetCommitResponsePartition": "kw_offsetcommit_resp_partition"}},
    "OffsetFetch": {"req": {"OffsetFetchRequestTopic": "kw_offsetfetch_req_topic",
                            "OffsetFetchRequestTopics": "kw_offsetfetch_req_topic",
                            "OffsetFetchRequestGroup": "kw_offsetfetch_req_group"},
                    "resp": {"OffsetFetchResponseTopic": "kw_offsetfetch_resp_topic",
                             "OffsetFetchResponseTopics": "kw_offsetfetch_resp_topic",
                             "OffsetFetchResponsePartition": "kw_offsetfetch_resp_partition",
                             "OffsetFetchResponsePartitions": "kw_offsetfetch_resp_partition",
                             "OffsetFetchResponseGroup": "kw_offsetfetch_resp_group"}},
    "FindCoordinator": {"resp": {"Coordinator": "kw_findcoordinator_coord"}},
    "DescribeGroups": {"resp": {"DescribedGroup": "kw_describegroups_group",
                                "DescribedGroupMember": "kw_describegroups_member"}},
    "ListGroups": {"resp": {"ListedGroup": "kw_listgroups_group"}},
    "ApiVersions": {"resp": {"ApiVersion": "kw_apiversions_key", "SupportedFeatureKey": "kw_apiversions_feature",
                             "FinalizedFeatureKey": "kw_apiversions_finalized"}},
    "CreateTopics": {"req": {"CreatableTopic": "kw_createtopics_topic",
                             "CreatableReplicaAssignment": "kw_createtopics_assignment",
                             "CreatableTopicConfig": "kw_createtopics_config"},
                     "resp": {"CreatableTopicResult": "kw_createtopics_result",
                              "CreatableTopicConfigs": "kw_createtopics_result_config"}},
}
SHARED = {"kw_leader_epoch", "kw_node_endpoint"}
# Older names of API keys, still accepted on the command line.
ALIASES = {"ListClientMetricsResources": 74}


def die(msg):
    sys.exit("protogen: " + msg)


def load_jar(path):
    """{file name: parsed JSON} for common/message/*.json in a jar."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.startswith("common/message/") and n.endswith(".json"):
                text = z.read(n).decode("utf-8")
                text = re.sub(r"^\s*//.*$", "", text, flags=re.M)  # whole-line comments
                out[n.rsplit("/", 1)[1]] = json.loads(text)
    if not out:
        die(f"{path}: no common/message/*.json")
    return out


def vrange(s, what):
    """'3+' -> (3, None), '1-5' -> (1, 5), '4' -> (4, 4), 'none' -> None."""
    s = str(s).strip()
    if s == "none":
        return None
    m = re.fullmatch(r"(\d+)\+", s)
    if m:
        return (int(m.group(1)), None)
    m = re.fullmatch(r"(\d+)-(\d+)", s)
    if m:
        return (int(m.group(1)), int(m.group(2)))
    m = re.fullmatch(r"(\d+)", s)
    if m:
        return (int(s), int(s))
    die(f"bad version range '{s}' in {what}")


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def parse_int(v, what):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    s = str(v).strip()
    if s.lower() in ("true", "false"):
        return 1 if s.lower() == "true" else 0
    try:
        return int(s, 0)
    except ValueError:
        die(f"bad integer default '{v}' in {what}")


def c_int(v):
    if v == -(1 << 63):
        return "INT64_MIN"
    if v == (1 << 63) - 1:
        return "INT64_MAX"
    if v == -(1 << 31):
        return "INT32_MIN"
    if v == (1 << 31) - 1:
        return "INT32_MAX"
    return str(v)


class Field:
    pass


class Struct:
    def __init__(self, kname, ctype, dirn):
        self.kname = kname    # Kafka's struct name
        self.ctype = ctype    # C type name
        self.dirn = dirn      # "req" / "resp"
        self.fields = []      # Field, in table order (ordinary in wire order, then tagged by tag)
        self.var = None       # description variable


class Api:
    pass


def vtext(lo, hi):
    return f"v{lo}+" if hi is None else (f"v{lo}" if lo == hi else f"v{lo}-{hi}")


def build_api(key, req, resp):
    a = Api()
    a.key = key
    a.name = req["name"][: -len("Request")]
    a.lower = a.name.lower()
    vv = vrange(req["validVersions"], req["name"])
    if vv != vrange(resp["validVersions"], resp["name"]):
        die(f"{a.name}: request and response valid versions differ")
    a.lo, a.hi = vv
    fr = vrange(req.get("flexibleVersions", "none"), req["name"])
    if fr != vrange(resp.get("flexibleVersions", "none"), resp["name"]):
        die(f"{a.name}: request and response flexible versions differ")
    a.flex = -1 if fr is None else fr[0]
    if fr is not None and fr[1] is not None:
        die(f"{a.name}: bounded flexible versions")
    a.unstable = bool(req.get("latestVersionUnstable"))
    a.structs = []  # every Struct, dependencies first
    names = NAME_MAP.get(a.name, {})
    # struct names used in both directions get req_/resp_ in their C names
    kn = {"req": set(), "resp": set()}

    def collect(fields, acc):
        for f in fields:
            base = f["type"][2:] if f["type"].startswith("[]") else f["type"]
            if base[0].isupper():
                acc.add(base)
            if "fields" in f:
                collect(f["fields"], acc)

    for dirn, msg in (("req", req), ("resp", resp)):
        collect(msg.get("fields", []), kn[dirn])
        for cs in msg.get("commonStructs", []):
            kn[dirn].add(cs["name"])
    both = kn["req"] & kn["resp"]
    a.top = {}
    for dirn, msg in (("req", req), ("resp", resp)):
        common = {cs["name"]: cs for cs in msg.get("commonStructs", [])}
        made = {}

        def cname(kname):
            if kname in names.get(dirn, {}):
                return names[dirn][kname]
            short = kname
            if short.startswith(a.name) and len(short) > len(a.name):
                short = short[len(a.name):]
            short = re.sub(r"^Request(?=[A-Z])", "Req", short)
            short = re.sub(r"^Response(?=[A-Z])", "Resp", short)
            s = snake(short)
            if kname in both and not s.startswith(("req_", "resp_")):
                s = dirn + "_" + s
            return f"kw_{a.lower}_{s}"

        def make(kname, fields, ctype):
            if kname in made:
                return made[kname]
            st = Struct(kname, ctype, dirn)
            made[kname] = st
            ordinary, tagged = [], []
            for fj in fields:
                f = field(fj, f"{a.name} {dirn} {kname}.{fj['name']}")
                if f is None:
                    continue
                (tagged if f.tag >= 0 else ordinary).append(f)
            tagged.sort(key=lambda f: f.tag)
            st.fields = ordinary + tagged
            a.structs.append(st)  # after its sub-structs: field() made those first
            return st

        def field(fj, what):
            f = Field()
            f.kname = fj["name"]
            f.name = snake(f.kname)
            if f.name in C_KEYWORDS:
                die(f"{what}: field name is a C keyword")
            vr = vrange(fj["versions"], what)
            if vr is None:
                return None
            lo, hi = vr
            if hi is not None and hi < a.lo:
                return None  # only in versions this API no longer has
            f.lo, f.hi = lo, hi
            nv = vrange(fj["nullableVersions"], what) if "nullableVersions" in fj else None
            if nv is not None and nv[1] is not None:
                if nv[1] < a.lo:
                    nv = None  # nullable only in versions this API no longer has
                elif hi is None or nv[1] < hi:
                    die(f"{what}: nullable versions end before the field's")
            f.nf = None if nv is None else max(nv[0], lo)
            f.tag = int(fj.get("tag", -1))
            if f.tag >= 0:
                tv = vrange(fj.get("taggedVersions", fj["versions"]), what)
                if tv != vr:
                    die(f"{what}: tagged versions differ from versions")
            fl = fj.get("flexibleVersions")
            f.classic = fl is not None and vrange(fl, what) is None
            t = fj["type"]
            f.array = t.startswith("[]")
            base = t[2:] if f.array else t
            f.sub = None
            f.elem = None
            dflt = fj.get("default")
            f.defnull = isinstance(dflt, str) and dflt == "null"
            if f.defnull and f.nf is None:
                die(f"{what}: default null on a field never nullable")
            if base in PRIM:
                f.ktype, f.ctype = PRIM[base]
                if f.array:
                    f.elem = f.ktype
            elif base[0].isupper():
                if "fields" in fj:
                    sub = make(base, fj["fields"], cname(base))
                elif base in common:
                    sub = make(base, common[base]["fields"], cname(base))
                elif base in made:
                    sub = made[base]
                else:
                    die(f"{what}: unknown struct type {base}")
                f.sub = sub
                f.ctype = sub.ctype
            else:
                die(f"{what}: unknown type {t}")
            f.raw = base == "records" and f.kname == "UnalignedRecords"
            # the default, as desc.h keeps it
            if f.array or base in ("string", "bytes", "records") or f.sub is not None:
                f.df = -1 if (f.defnull or (base == "records" and f.nf is not None)) else 0
                if dflt is not None and not f.defnull and str(dflt) != "":
                    die(f"{what}: unexpected default {dflt!r}")
            elif base == "uuid":
                f.df = 0
            elif base == "float64":
                f.df = 0 if dflt is None else float(dflt)
            else:
                f.df = 0 if dflt is None else parse_int(dflt, what)
            if f.sub is not None and not f.array and f.nf is not None:
                if f.nf != f.lo:
                    die(f"{what}: nullable struct not nullable in all its versions")
                if f.tag >= 0:
                    die(f"{what}: tagged nullable struct")
            return f

        ctop = f"kw_{a.lower}_{dirn}"
        a.top[dirn] = make(msg["name"], msg.get("fields", []), ctop)
    return a


def member_decl(f):
    """C declaration of a field's member(s)."""
    if f.array:
        et = f.sub.ctype if f.sub else f.ctype
        return f"{et} *{f.name}; int32_t n_{f.name};"
    if f.sub is not None and f.nf is not None:
        return f"{f.ctype} *{f.name};"
    return f"{f.ctype} {f.name};"


def member_note(f):
    parts = []
    if f.lo > 0 or f.hi is not None:
        parts.append(vtext(f.lo, f.hi))
    if f.tag >= 0:
        parts.append(f"tag {f.tag}")
    if f.nf is not None:
        parts.append(f"nullable v{f.nf}+")
    if f.df == -1 and (f.array or f.ktype_is_slice() or f.sub is not None):
        parts.append("default null")
    elif isinstance(f.df, (int, float)) and f.df != 0 and not (f.array or f.sub is not None):
        parts.append(f"default {c_int(f.df) if isinstance(f.df, int) else f.df}")
    if f.raw:
        parts.append("bytes at any offset of a snapshot")
    return ", ".join(parts)


def _slice(self):
    return not self.array and self.sub is None and self.ktype in ("KW_T_STRING", "KW_T_BYTES", "KW_T_RECORDS")


Field.ktype_is_slice = _slice


def vmax(hi):
    return "V" if hi is None else str(hi)


def nf_text(f):
    return "KW_NEVER" if f.nf is None else str(f.nf)


def table_entry(S, f):
    lo, hi = str(f.lo), vmax(f.hi)
    m = f.name
    if f.tag >= 0:
        if f.array and f.sub:
            if f.df != 0 or f.nf is not None:
                die(f"{S}.{m}: tagged nullable array of structs")
            return f"KW_TA({S}, {m}, {f.sub.var}, {lo}, {hi}, {f.tag})"
        if f.array:
            return f"KW_TAP({S}, {m}, {f.elem}, {lo}, {hi}, {f.tag}, {nf_text(f)}, {f.df})"
        if f.sub:
            return f"KW_TS({S}, {m}, {f.sub.var}, {lo}, {hi}, {f.tag})"
        return f"KW_TF({S}, {m}, {f.ktype}, {lo}, {hi}, {f.tag}, {c_int(f.df)}, {nf_text(f)})"
    if f.array and f.sub:
        if f.nf is None:
            return f"KW_A({S}, {m}, {f.sub.var}, {lo}, {hi})"
        if f.df == -1:
            return f"KW_ANULL({S}, {m}, {f.sub.var}, {lo}, {hi}, {f.nf})"
        return f"KW_AN({S}, {m}, {f.sub.var}, {lo}, {hi}, {f.nf})"
    if f.array:
        if f.nf is None:
            return f"KW_AP({S}, {m}, {f.elem}, {lo}, {hi})"
        return f"KW_APN({S}, {m}, {f.elem}, {lo}, {hi}, {f.nf}, {f.df})"
    if f.sub:
        if f.nf is not None:
            return f"KW_SN({S}, {m}, {f.sub.var}, {lo}, {hi}, {f.nf})"
        return f"KW_S({S}, {m}, {f.sub.var}, {lo}, {hi})"
    flags = []
    if f.classic:
        flags.append("KW_FL_CLASSIC")
    if f.raw:
        flags.append("KW_FL_RAW")
    df = c_int(f.df) if isinstance(f.df, int) else repr(f.df)
    if flags:
        return f"KW_FG({S}, {m}, {f.ktype}, {lo}, {hi}, {nf_text(f)}, {df}, {'|'.join(flags)})"
    if f.nf is None:
        return f"KW_FD({S}, {m}, {f.ktype}, {lo}, {hi}, {df})" if f.df != 0 else f"KW_F({S}, {m}, {f.ktype}, {lo}, {hi})"
    if f.df == -1 and f.ktype_is_slice():
        return f"KW_FNULL({S}, {m}, {f.ktype}, {lo}, {hi}, {f.nf})"
    if f.df != 0:
        return f"KW_FG({S}, {m}, {f.ktype}, {lo}, {hi}, {f.nf}, {df}, 0)"
    return f"KW_FN({S}, {m}, {f.ktype}, {lo}, {hi}, {f.nf})"


GEN_NOTE = ("Generated by scripts/protogen/protogen.py from Kafka {ver}'s message specifications\n"
            " * (the JSON files under common/message/); regenerate with `make proto-gen`, do not edit.")


def merged_types(apis):
    """C type -> ordered list of (member name, decl, note) over every Struct using it."""
    types = {}
    for a in apis:
        for st in a.structs:
            t = types.setdefault(st.ctype, {"members": [], "seen": {}, "apis": set()})
            t["apis"].add(a.name)
            for f in st.fields:
                d = member_decl(f)
                if f.name in t["seen"]:
                    if t["seen"][f.name] != d:
                        die(f"{st.ctype}.{f.name}: member types differ between uses ({t['seen'][f.name]} / {d})")
                    continue
                t["seen"][f.name] = d
                t["members"].append((f.name, d, member_note(f)))
            names = set(t["seen"])
            for n in names:
                if "n_" + n in names:
                    die(f"{st.ctype}: member n_{n} collides with the count of {n}")
    return types


def emit_struct(out, ctype, members):
    out.append(f"typedef struct {ctype} {{")
    if not members:
        out.append("    uint8_t unused_; /* no fields in any version */")
    w = max([len(d) for _, d, _ in members] + [0])
    for _, d, note in members:
        out.append(f"    {d:<{w}} /* {note} */" if note else f"    {d}")
    out.append(f"}} {ctype};")
    out.append("")


def type_order(a):
    """C types in dependency order, each once."""
    seen, order = set(), []
    for st in a.structs:
        if st.ctype not in seen:
            seen.add(st.ctype)
            order.append(st.ctype)
    return order


def write(path, text):
    with open(path, "w") as fh:
        fh.write(text)


def gen_api(a, types, out_dir, ver):
    rng = f"{a.lo}–{a.hi}" if a.lo != a.hi else f"{a.lo}"
    flex = f"flexible from v{a.flex}" if a.flex >= 0 else "never flexible"
    src = ver if not a.old else f"{ver} (removed in Kafka 4.0)"
    note = GEN_NOTE.format(ver=src)
    uses_shared = any(t in SHARED for t in type_order(a))
    h = [f"/*",
         f" * proto/msg_{a.lower}.h — {a.name} (key {a.key}) request and response, versions {rng}, as C",
         f" * structs (descriptions in proto/msg_{a.lower}.c; conventions in proto/desc.h).",
         f" * {note}",
         f" */",
         f"#ifndef KW_PROTO_MSG_{a.lower.upper()}_H",
         f"#define KW_PROTO_MSG_{a.lower.upper()}_H",
         "",
         '#include "proto/msg_common.h"' if uses_shared else '#include "proto/desc.h"',
         ""]
    for ct in type_order(a):
        if ct in SHARED:
            continue
        emit_struct(h, ct, types[ct]["members"])
    h.append("#endif")
    write(f"{out_dir}/msg_{a.lower}.h", "\n".join(h) + "\n")

    c = [f"/*",
         f" * proto/msg_{a.lower}.c — description of {a.name} (key {a.key}), versions {rng}; {flex}.",
         f" * {note}",
         f" */",
         f'#include "proto/msg_{a.lower}.h"',
         "",
         "#define V KW_VMAX",
         ""]
    for st in a.structs:
        top = st is a.top[st.dirn]
        tbl = st.tbl
        c.append(f"static const kw_field {tbl}[] = {{")
        if not st.fields:
            die(f"{a.name} {st.kname}: a struct without fields")
        for f in st.fields:
            c.append(f"    {table_entry(st.ctype, f)},")
        c.append("};")
        if top:
            c.append(f"KW_MSG_DESC(kw__{a.name}_{st.dirn}, {st.ctype}, {tbl});")
        else:
            c.append(f"static KW_MSG_DESC({st.var}, {st.ctype}, {tbl});")
        c.append("")
    write(f"{out_dir}/msg_{a.lower}.c", "\n".join(c).rstrip("\n") + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    ap.add_argument("--jar-version", required=True)
    ap.add_argument("--old-jar", required=True)
    ap.add_argument("--old-version", required=True)
    ap.add_argument("--v40-jar", required=True)
    ap.add_argument("--out", required=True)
    o = ap.parse_args()
    new, old, v40 = load_jar(o.jar), load_jar(o.old_jar), load_jar(o.v40_jar)

    def pairs(specs):
        req, resp = {}, {}
        for d in specs.values():
            if d.get("type") == "request":
                req[d["apiKey"]] = d
            elif d.get("type") == "response":
                resp[d["apiKey"]] = d
        if set(req) != set(resp):
            die("requests and responses name different api keys")
        return req, resp

    nreq, nresp = pairs(new)
    oreq, oresp = pairs(old)
    vreq, _ = pairs(v40)
    apis = []
    for key in sorted(nreq):
        old_api = vrange(nreq[key]["validVersions"], nreq[key]["name"]) is None
        if old_api:
            if key not in oreq or vrange(oreq[key]["validVersions"], "") is None:
                continue
            a = build_api(key, oreq[key], oresp[key])
        else:
            a = build_api(key, nreq[key], nresp[key])
        a.old = old_api
        apis.append(a)
    for a in apis:
        used = set()
        for st in a.structs:
            if st is a.top[st.dirn]:
                st.var, st.tbl = f"kw__{a.name}_{st.dirn}", f"{st.dirn}_f"
                continue
            base = st.ctype[3:]
            if base in used:
                base = f"{st.dirn}_{snake(st.kname)}"
            used.add(base)
            st.var, st.tbl = base + "_d", base + "_f"
    types = merged_types(apis)
    for ct in SHARED:
        if ct not in types:
            die(f"shared type {ct} unused")

    # proto/msg_common.h
    h = ["/*",
         " * proto/msg_common.h — C structs shared by several APIs' messages (each API's",
         " * description has its own field table for them): a leader id and epoch, and a node",
         " * endpoint (KIP-951), as Produce and Fetch responses carry them.",
         " * " + GEN_NOTE.format(ver=o.jar_version),
         " */",
         "#ifndef KW_PROTO_MSG_COMMON_H",
         "#define KW_PROTO_MSG_COMMON_H",
         "",
         '#include "proto/desc.h"',
         ""]
    for ct in sorted(SHARED):
        emit_struct(h, ct, types[ct]["members"])
    h.append("#endif")
    write(f"{o.out}/msg_common.h", "\n".join(h) + "\n")

    for a in apis:
        gen_api(a, types, o.out, o.old_version if a.old else o.jar_version)

    # versions Kafka 4.0 removed (KIP-896 and the ZooKeeper-era APIs): old range minus 4.0's
    removed = []
    for key in sorted(oreq):
        ov = vrange(oreq[key]["validVersions"], "")
        if ov is None:
            continue
        nv = vrange(vreq[key]["validVersions"], "") if key in vreq else None
        lo, hi = ov
        if nv is None:
            removed.append((key, lo, hi))
        elif nv[0] > lo:
            removed.append((key, lo, nv[0] - 1))
    t = ["/*",
         " * proto/api_table.h — every API key kwire describes, as X-macros:",
         " *   KW_API_MAP(X)      X(key, Name, lowest, highest, first flexible version or -1)",
         " *                      (the versions described; the client's own use is in proto/api.c)",
         " *   KW_API_REMOVED(X)  X(key, lowest, highest): versions Kafka " + o.old_version +
         " accepted that 4.0",
         " *                      removed (KIP-896, and the ZooKeeper-era inter-broker APIs)",
         " *   KW_API_ALIASES(X)  X(\"OlderName\", key): earlier names of an API key",
         f" * Unstable latest versions ({', '.join(a.name + ' v' + str(a.hi) for a in apis if a.unstable)}) are described too.",
         " * " + GEN_NOTE.format(ver=o.jar_version + "; keys 4-7 from " + o.old_version),
         " */",
         "#ifndef KW_PROTO_API_TABLE_H",
         "#define KW_PROTO_API_TABLE_H",
         "",
         "#define KW_API_MAP(X) \\"]
    for a in apis:
        t.append(f"    X({a.key}, {a.name}, {a.lo}, {a.hi}, {a.flex}) \\")
    t += ["", "#define KW_API_REMOVED(X) \\"]
    for key, lo, hi in removed:
        t.append(f"    X({key}, {lo}, {hi}) \\")
    t += ["", "#define KW_API_ALIASES(X) \\"]
    for n, k in ALIASES.items():
        t.append(f'    X("{n}", {k}) \\')
    t += ["", "#endif"]
    write(f"{o.out}/api_table.h", "\n".join(t) + "\n")
    print(f"protogen: {len(apis)} APIs, {sum(len(a.structs) for a in apis)} structs, "
          f"{sum(len(s.fields) for a in apis for s in a.structs)} fields")


if __name__ == "__main__":
    main()
