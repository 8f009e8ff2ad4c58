#!/usr/bin/env python3
"""How many of a search's hits come from the reports of the year it asks for.

    python3 benches/year_hits.py INDEX CUENTAS [CUENTAS …]

Runs `TOPIC PROVINCE YEAR` for 10 topics, 3 provinces and 3 years (90 queries) with
`CUENTAS --index INDEX search Q --json --limit 10` for each binary given, and prints one JSON
line per binary: the queries that found something, their hits, and the hits whose report is of
the year asked. Made for an index of the generated corpus (`../shared/bench/gen_corpus.py`),
whose reports cover 2010 to 2023 in every province.
"""
import json
import subprocess
import sys

TOPICS = [
    "discapacidad",
    "afiliados",
    "recaudación",
    "mora patronal",
    "atenciones",
    "presupuesto",
    "jubilados",
    "medicamentos",
    "cirugías",
    "vacunación",
]
PROVINCES = ["Manabí", "Guayas", "Pichincha"]
YEARS = [2015, 2018, 2020]


def main():
    index, binaries = sys.argv[1], sys.argv[2:]
    for binary in binaries:
        queries = hits = of_year = 0
        for topic in TOPICS:
            for province in PROVINCES:
                for year in YEARS:
                    q = f"{topic} {province} {year}"
                    out = subprocess.run(
                        [binary, "--index", index, "search", q, "--limit", "10", "--json"],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                    found = json.loads(out)["hits"]
                    if not found:
                        continue
                    queries += 1
                    hits += len(found)
                    of_year += sum(1 for h in found if h.get("year") == year)
        print(json.dumps({"binary": binary, "queries": queries, "hits": hits, "of_year": of_year}))


if __name__ == "__main__":
    main()
