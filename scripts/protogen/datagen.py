#!/usr/bin/env python3
"""scripts/protogen/datagen.py — descriptions of the "data" message specifications that
travel inside other messages' bytes fields: the consumer protocol's subscription and
assignment (ConsumerProtocolSubscription.json, ConsumerProtocolAssignment.json), which
JoinGroup's protocol metadata and SyncGroup's assignments carry for protocol type
"consumer". Writes proto/msg_consumerprotocol.h (C structs) and proto/msg_consumerprotocol.c
(field tables in the proto/desc.h format) with protogen.py's emitters; only facts are
taken from the specifications (names, types, versions, nullable versions, defaults).

usage: datagen.py --jar kafka-clients-4.4.0.jar --jar-version 4.4.0 --out DIR
"""
import argparse

import protogen as pg

# spec file -> (kw__ description name, C type of the top struct)
SPECS = [
    ("ConsumerProtocolSubscription.json", "kw__ConsumerProtocolSubscription", "kw_consumerprotocol_subscription"),
    ("ConsumerProtocolAssignment.json", "kw__ConsumerProtocolAssignment", "kw_consumerprotocol_assignment"),
]
# nested struct names -> C type (both specs' TopicPartition share one C type)
NESTED = {"TopicPartition": "kw_consumerprotocol_topic_partition"}


class Data:
    pass


def build(spec, var, ctop):
    d = Data()
    d.name = spec["name"]
    vv = pg.vrange(spec["validVersions"], d.name)
    d.lo, d.hi = vv
    if pg.vrange(spec.get("flexibleVersions", "none"), d.name) is not None:
        pg.die(f"{d.name}: flexible data specs are not handled")
    d.structs = []
    prefix = d.name[len("ConsumerProtocol"):].lower()

    def make(kname, fields, ctype, tbl, svar):
        st = pg.Struct(kname, ctype, "data")
        st.tbl, st.var = tbl, svar
        for fj in fields:
            f = field(fj, f"{d.name}.{fj['name']}")
            if f is not None:
                st.fields.append(f)
        d.structs.append(st)
        return st

    def field(fj, what):
        f = pg.Field()
        f.kname = fj["name"]
        f.name = pg.snake(f.kname)
        vr = pg.vrange(fj["versions"], what)
        if vr is None:
            return None
        f.lo, f.hi = vr
        nv = pg.vrange(fj["nullableVersions"], what) if "nullableVersions" in fj else None
        f.nf = None if nv is None else max(nv[0], f.lo)
        f.tag = int(fj.get("tag", -1))
        if f.tag >= 0:
            pg.die(f"{what}: tagged field in a non-flexible spec")
        f.classic = False
        f.raw = False
        t = fj["type"]
        f.array = t.startswith("[]")
        base = t[2:] if f.array else t
        f.sub = None
        f.elem = None
        dflt = fj.get("default")
        f.defnull = isinstance(dflt, str) and dflt == "null"
        if base in pg.PRIM:
            f.ktype, f.ctype = pg.PRIM[base]
            if f.array:
                f.elem = f.ktype
        elif base in NESTED and "fields" in fj:
            sub = make(base, fj["fields"], NESTED[base], f"{prefix}_{pg.snake(base)}_f",
                       f"{prefix}_{pg.snake(base)}_d")
            f.sub = sub
            f.ctype = sub.ctype
        else:
            pg.die(f"{what}: unexpected type {t}")
        if f.array or base in ("string", "bytes") or f.sub is not None:
            f.df = -1 if f.defnull else 0
        else:
            f.df = 0 if dflt is None else pg.parse_int(dflt, what)
        return f

    d.top = make(d.name, spec["fields"], ctop, f"{prefix}_f", var)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    ap.add_argument("--jar-version", required=True)
    ap.add_argument("--out", required=True)
    o = ap.parse_args()
    specs = pg.load_jar(o.jar)
    datas = []
    for fname, var, ctop in SPECS:
        if fname not in specs:
            pg.die(f"{o.jar}: no {fname}")
        datas.append(build(specs[fname], var, ctop))
    # C types, merged over both specs (members in first-seen order)
    types, order = {}, []
    for d in datas:
        for st in d.structs:
            if st.ctype not in types:
                types[st.ctype] = {"members": [], "seen": {}}
                order.append(st.ctype)
            t = types[st.ctype]
            for f in st.fields:
                decl = pg.member_decl(f)
                if f.name in t["seen"]:
                    if t["seen"][f.name] != decl:
                        pg.die(f"{st.ctype}.{f.name}: member types differ")
                    continue
                t["seen"][f.name] = decl
                note = pg.member_note(f)
                if st.ctype in NESTED.values():
                    note = ""  # versions differ per use: the tables say them
                t["members"].append((f.name, decl, note))
    note = pg.GEN_NOTE.replace("protogen.py", "datagen.py").format(ver=o.jar_version)
    rng = " and ".join(f"{d.name} v{d.lo}-{d.hi}" for d in datas)
    h = ["/*",
         " * proto/msg_consumerprotocol.h — the consumer protocol's embedded messages: a member's",
         " * subscription (JoinGroup protocol metadata) and assignment (SyncGroup assignment), as C",
         " * structs:",
         f" * {rng},",
         " * never flexible; on the wire each follows an int16 version. Descriptions in",
         " * proto/msg_consumerprotocol.c; use them through proto/consumer_protocol.h.",
         " * " + note,
         " */",
         "#ifndef KW_PROTO_MSG_CONSUMERPROTOCOL_H",
         "#define KW_PROTO_MSG_CONSUMERPROTOCOL_H",
         "",
         '#include "proto/desc.h"',
         ""]
    for ct in order:
        pg.emit_struct(h, ct, types[ct]["members"])
    h.append("extern const kw_struct " + ", ".join(d.top.var for d in datas) + ";")
    h.append("")
    h.append("#endif")
    pg.write(f"{o.out}/msg_consumerprotocol.h", "\n".join(h) + "\n")
    c = ["/*",
         " * proto/msg_consumerprotocol.c — descriptions of the consumer protocol's embedded messages:",
         f" * {rng}; never flexible.",
         " * " + note,
         " */",
         '#include "proto/msg_consumerprotocol.h"',
         "",
         "#define V KW_VMAX",
         ""]
    for d in datas:
        for st in d.structs:
            c.append(f"static const kw_field {st.tbl}[] = {{")
            for f in st.fields:
                c.append(f"    {pg.table_entry(st.ctype, f)},")
            c.append("};")
            if st is d.top:
                c.append(f"KW_MSG_DESC({st.var}, {st.ctype}, {st.tbl});")
            else:
                c.append(f"static KW_MSG_DESC({st.var}, {st.ctype}, {st.tbl});")
            c.append("")
    pg.write(f"{o.out}/msg_consumerprotocol.c", "\n".join(c).rstrip("\n") + "\n")
    print(f"datagen: {len(datas)} data specs, {sum(len(d.structs) for d in datas)} structs")


if __name__ == "__main__":
    main()
