#!/usr/bin/env python3
"""Derive a directive catalogue (crates/model/data/directives/*.json) from a released config.c.

Usage: catalogue-from-source.py SERVER VERSION TAG CONFIG_C URL > out.json

SERVER is redis or valkey, VERSION the catalogue version (7.2), TAG the release tag read
(7.2.6), CONFIG_C the file's text (e.g. `git show 7.2.6:src/config.c` of a clone of
github.com/redis/redis), URL where a reader can open it. The table `static_configs[]` gives each
directive's name, alias, flags, type, bounds and enum; loadServerConfigFromString adds the
directives it handles itself (include, rename-command, user, loadmodule) and the deprecated
names it accepts and ignores. Entries of LOG_REQ_RES builds are left out.
"""
import json
import re
import sys

LIMITS = {
    "INT_MAX": 2**31 - 1, "INT_MIN": -(2**31), "UINT_MAX": 2**32 - 1,
    "LONG_MAX": 2**63 - 1, "LONG_MIN": -(2**63), "LLONG_MAX": 2**63 - 1, "LLONG_MIN": -(2**63),
    "ULONG_MAX": 2**64 - 1, "ULLONG_MAX": 2**64 - 1, "SSIZE_MAX": 2**63 - 1, "SIZE_MAX": 2**64 - 1,
}


def number(expr):
    e = expr.strip()
    for k, v in LIMITS.items():
        e = re.sub(r"\b%s\b" % k, str(v), e)
    e = re.sub(r"\b(\d+)(?:ll|LL|ULL|ull|UL|ul|L|l|U|u)\b", r"\1", e)
    if re.fullmatch(r"0[0-7]+", e):
        return int(e, 8)
    if not re.fullmatch(r"[-+*/()<<>> \d]+", e):
        raise ValueError("cannot evaluate %r" % expr)
    return int(eval(e))  # arithmetic on integer literals only (checked above)


def split_args(s):
    """Top-level comma split of a C argument list."""
    out, depth, cur, q = [], 0, "", False
    for ch in s:
        if ch == '"' and not cur.endswith("\\"):
            q = not q
        if not q:
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch == "," and depth == 0:
                out.append(cur.strip())
                cur = ""
                continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def enums(text):
    out = {}
    for m in re.finditer(r"configEnum (\w+)\[\] = \{(.*?)\{NULL", text, re.S):
        out[m.group(1)] = re.findall(r'\{\s*"([^"]+)"', m.group(2))
    return out


def main():
    server, version, tag, path, url = sys.argv[1:6]
    text = open(path, encoding="utf-8").read()
    table_at = text.index("standardConfig static_configs[] = {")
    table = text[table_at:text.index("\n};", table_at)]
    # Request/response logging builds only (LOG_REQ_RES) are left out; TLS entries
    # (USE_OPENSSL in 7.0) are kept: the released images are built with TLS.
    table = re.sub(r"#ifdef LOG_REQ_RES.*?#endif", "", table, flags=re.S)
    table = re.sub(r"^#.*$", "", table, flags=re.M)
    table = re.sub(r"/\*.*?\*/", "", table, flags=re.S)
    en = enums(text)
    out = []
    for m in re.finditer(r"create(\w+)Config\((.*?)\)\s*,\s*\n", table, re.S):
        kind, args = m.group(1), split_args(m.group(2))
        name = args[0].strip('"')
        alias = None if args[1] == "NULL" else args[1].strip('"')
        flags = args[2]
        e = {"name": name, "aliases": [alias] if alias else []}
        if "HIDDEN_CONFIG" in flags:
            e["hidden"] = True
        if "MULTI_ARG_CONFIG" in flags:
            e["multi"] = True
        if kind == "Bool":
            e["kind"] = "bool"
        elif kind in ("String", "SDS"):
            e["kind"] = "string"
        elif kind == "Enum":
            e["kind"] = "flags" if "MULTI_ARG_CONFIG" in flags else "enum"
            e["values"] = en[args[3]]
        elif kind == "Special":
            e["kind"] = "special"
        else:
            lo, hi, fmt = number(args[3]), number(args[4]), args[7]
            if "MEMORY_CONFIG" in fmt and "PERCENT_CONFIG" in fmt:
                e["kind"] = "memory-percent"
            elif "MEMORY_CONFIG" in fmt:
                e["kind"] = "memory"
            elif "OCTAL_CONFIG" in fmt:
                e["kind"] = "octal"
            else:
                e["kind"] = "int"
            e["min"], e["max"] = lo, hi
        out.append(e)
    # Directives loadServerConfigFromString handles itself.
    for name, kind in (("include", "file-only"), ("rename-command", "file-only"),
                       ("user", "file-only"), ("loadmodule", "file-only")):
        out.append({"name": name, "aliases": [], "kind": kind})
    dep = re.search(r"deprecatedConfig deprecated_configs\[\] = \{(.*?)\{NULL", text, re.S)
    if dep:
        for d in re.findall(r'\{\s*"([^"]+)"\s*,\s*(\d+)\s*,\s*(\d+)', dep.group(1)):
            out.append({"name": d[0], "aliases": [], "kind": "deprecated",
                        "min": int(d[1]) - 1, "max": int(d[2]) - 1})
    out.sort(key=lambda e: e["name"])
    doc = {
        "server": server,
        "version": version,
        "release": tag,
        "basis": "source",
        "derived_from": url,
        "directives": out,
    }
    json.dump(doc, sys.stdout, indent=2)
    sys.stdout.write("\n")


main()
