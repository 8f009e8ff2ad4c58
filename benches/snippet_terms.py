#!/usr/bin/env python3
"""How often a hit's snippet shows every word of the query, over queries of two or three words.

    python3 benches/snippet_terms.py INDEX CUENTAS [CUENTAS …]

Runs each query below with `CUENTAS --index INDEX search Q --json --limit 10` for each binary
given, and prints one JSON line per binary: the hits, those whose snippet marks every query
word (a mark counts for a word when their folded forms share their first four letters, so that
plurals count), and the marks in all. The queries are about the public-sector PDFs of
`../shared/pdf` and the sample reports: index those (`cuentas index --corpus DIR`) to compare.
"""
import json
import re
import subprocess
import sys
import unicodedata

QUERIES = [
    "multas contrato",
    "ejecución presupuestaria",
    "gastos personal",
    "transferencias 2013",
    "impuesto renta",
    "garantía contrato",
    "mora patronal",
    "afiliados pensiones",
    "presupuesto codificado",
    "gobierno parroquial obras",
    "municipios guayas",
    "monto contrato",
    "planificación desarrollo",
    "indicadores cumplimiento",
    "seguro campesino",
    "atención afiliados",
    "recaudación aportes",
    "discapacidad inclusión",
    "recursos fiscales",
    "plazo entrega",
    "fiscalizador obra",
    "anticipo contrato",
    "reformas presupuestarias",
    "inversión pública",
    "bienes servicios consumo",
]


def fold(s):
    return "".join(
        c for c in unicodedata.normalize("NFD", s.lower()) if unicodedata.category(c) != "Mn"
    )


def measure(binary, index):
    hits = full = marks = 0
    for q in QUERIES:
        out = subprocess.run(
            [binary, "--index", index, "search", q, "--json", "--limit", "10"],
            capture_output=True,
            text=True,
        )
        # Exit status 1 says no passage matched, as grep's does.
        if out.returncode not in (0, 1):
            sys.exit(out.stderr)
        out = out.stdout
        words = [fold(w) for w in q.split()]
        for hit in json.loads(out)["hits"]:
            marked = [fold(m) for m in re.findall(r"<mark>(.*?)</mark>", hit["snippet"])]
            hits += 1
            marks += len(marked)
            full += all(any(m.startswith(w[:4]) for m in marked) for w in words)
    return {"binary": binary, "hits": hits, "every_word_shown": full, "marks": marks}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    index = sys.argv[1]
    for binary in sys.argv[2:]:
        print(json.dumps(measure(binary, index)))


if __name__ == "__main__":
    main()
