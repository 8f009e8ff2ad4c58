#!/usr/bin/env python3
"""Accuracy of report metadata (year, province, unit) against the generator's MANIFEST.tsv.

    python3 benches/metadata_eval.py CORPUS_DIR REPORTS_JSON

REPORTS_JSON is the output of `cuentas --index IDX reports --json` for an index of CORPUS_DIR.
Prints one JSON line: reports compared and the share right per field, with a few misses.
"""
import csv
import json
import sys


def slug(s):
    t = (s or "").lower()
    for a, b in (("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("ñ", "n"), ("ü", "u")):
        t = t.replace(a, b)
    return "-".join(x for x in "".join(ch if ch.isalnum() else "-" for ch in t).split("-") if x)


def unit_ok(expected, got):
    got = slug(got)
    if expected == "direccion-provincial":
        return got.startswith("direccion-provincial")
    if expected in ("seguro-social-campesino", "riesgos-del-trabajo"):
        return expected in got
    if expected == "prestaciones-pensiones":
        return "prestaciones-de-pensiones" in got
    return got == expected


def main():
    corpus, reports_json = sys.argv[1], sys.argv[2]
    manifest = {r["file"]: r for r in csv.DictReader(open(f"{corpus}/MANIFEST.tsv", encoding="utf-8"), delimiter="\t")}
    reports = json.load(open(reports_json, encoding="utf-8"))["reports"]
    right = {"year": 0, "province": 0, "unit": 0}
    misses = []
    n = 0
    for r in reports:
        m = manifest.get(r["source"])
        if not m:
            continue
        n += 1
        checks = {
            "year": str(r["year"]) == m["year"],
            "province": slug(r["province"]) == m["province"],
            "unit": unit_ok(m["unit"], r["unit"]),
        }
        for k, ok in checks.items():
            right[k] += ok
            if not ok and len(misses) < 5:
                misses.append({"source": r["source"], "field": k, "got": r[k]})
    print(json.dumps({"reports": n, **{k: round(v / max(n, 1), 4) for k, v in right.items()}, "misses": misses},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
