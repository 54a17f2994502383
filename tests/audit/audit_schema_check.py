#!/usr/bin/python3
"""Validate a JSON file against a JSON Schema (the draft-07 subset that
spec/audit-report.schema.json uses). Debian's python3 has no jsonschema
package; this is a small independent reading of the spec's keywords.
Usage: audit_schema_check.py SCHEMA JSON  -> exit 0 valid, 1 invalid."""
import json, re, sys

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}

def is_type(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])

def validate(v, s, path, errs):
    if "const" in s and v != s["const"]:
        errs.append(f"{path}: {v!r} is not {s['const']!r}")
    if "enum" in s and v not in s["enum"]:
        errs.append(f"{path}: {v!r} not in {s['enum']}")
    if "type" in s:
        ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(is_type(v, t) for t in ts):
            errs.append(f"{path}: {type(v).__name__} is not {ts}")
            return
    if "oneOf" in s:
        ok = 0
        for sub in s["oneOf"]:
            e = []
            validate(v, sub, path, e)
            ok += not e
        if ok != 1:
            errs.append(f"{path}: matches {ok} of oneOf")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "minimum" in s and v < s["minimum"]:
            errs.append(f"{path}: {v} < {s['minimum']}")
        if "maximum" in s and v > s["maximum"]:
            errs.append(f"{path}: {v} > {s['maximum']}")
    if isinstance(v, str):
        if "pattern" in s and not re.search(s["pattern"], v):
            errs.append(f"{path}: {v!r} does not match {s['pattern']}")
        if "minLength" in s and len(v) < s["minLength"]:
            errs.append(f"{path}: shorter than {s['minLength']}")
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                errs.append(f"{path}: missing {k}")
        for k, sub in s.get("properties", {}).items():
            if k in v:
                validate(v[k], sub, f"{path}.{k}", errs)
    if isinstance(v, list):
        if "minItems" in s and len(v) < s["minItems"]:
            errs.append(f"{path}: fewer than {s['minItems']} items")
        if "maxItems" in s and len(v) > s["maxItems"]:
            errs.append(f"{path}: more than {s['maxItems']} items")
        if "items" in s:
            for i, x in enumerate(v):
                validate(x, s["items"], f"{path}[{i}]", errs)

schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
errs = []
validate(doc, schema, "$", errs)
for e in errs[:20]:
    print(e)
sys.exit(1 if errs else 0)
