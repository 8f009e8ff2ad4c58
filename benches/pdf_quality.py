#!/usr/bin/env python3
"""Compares what cuentas reads in PDFs with poppler's pdftotext, file by file.

    python3 benches/pdf_quality.py [FOLDER]        # default: tests/fixtures/pdf
    CUENTAS=target/release/cuentas python3 benches/pdf_quality.py ../shared/pdf

For every PDF with a text layer, measures against `pdftotext` (Debian's poppler-utils):
- word recall: the share of poppler's words (letters and digits, case-folded) that cuentas
  reads too, counted with multiplicity;
- junk words: the share of cuentas's words that poppler does not have at all;
- amounts intact: the share of poppler's amounts (digit groups with separators, as
  `4.137.297.527,65` or `51,474.24`) that appear whole, as one token, in cuentas's text;
- amounts found by value: the share of those amounts, with their sign, that `cuentas inspect`
  lists as figures of that value (in the file, on the same page);
- ms per page for cuentas (`cuentas read-pdf`, one child process as `index` runs it) and poppler.
Prints one row a file and the totals. A PDF without a text layer (a scan) is listed apart.
"""

import collections
import json
import os
import re
import subprocess
import sys
import time

CUENTAS = os.environ.get("CUENTAS", "target/release/cuentas")
WORD = re.compile(r"[^\W_]+", re.UNICODE)
AMOUNT = re.compile(r"(?<![\w.,'])(-\s?|\()?(\d{1,3}(?:[.,']\d{3})+(?:[.,]\d{1,2})?|\d+[.,]\d{2})(?![\w]|[.,']\d)")


def words(text):
    # Words hyphenated at a line end are one word (cuentas mends them into passages, poppler
    # when it reads).
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return [w.casefold() for w in WORD.findall(text)]


def amount_value(s):
    """The value of an amount as written: the last separator followed by 1-2 digits is decimal."""
    m = re.match(r"^(.*?)([.,])(\d{1,2})$", s)
    if m and not re.fullmatch(r"\d{1,3}([.,']\d{3})+", s):
        return float(re.sub(r"[.,']", "", m.group(1)) + "." + m.group(3))
    return float(re.sub(r"[.,']", "", s))


def poppler_pages(path):
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=False)
    return out.stdout.decode("utf-8", "replace").split("\f")


def cuentas_pages(path):
    out = subprocess.run([CUENTAS, "read-pdf", path], capture_output=True, check=False)
    if out.returncode != 0:
        return None, out.stderr.decode("utf-8", "replace").strip()
    return json.loads(out.stdout)["pages"], ""


def cuentas_figures(path):
    out = subprocess.run([CUENTAS, "inspect", path], capture_output=True, check=False)
    if out.returncode != 0:
        return []
    report = json.loads(out.stdout)
    return [(p.get("page"), f["value"]) for p in report["passages"] for f in p["figures"]]


def timed(f, *args):
    t = time.perf_counter()
    r = f(*args)
    return r, time.perf_counter() - t


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/pdf"
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith(".pdf"))
    totals = collections.Counter()
    print(f"{'file':44} {'pages':>5} {'recall':>7} {'junk':>6} {'intact':>9} {'by value':>9} {'ms/page':>8} {'poppler':>8}")
    for name in files:
        path = os.path.join(folder, name)
        ppages, pt = timed(poppler_pages, path)
        (cpages, err), ct = timed(cuentas_pages, path)
        pwords = collections.Counter(w for p in ppages for w in words(p))
        if sum(pwords.values()) < 20:
            print(f"{name:44} scan or no text layer (poppler reads {sum(pwords.values())} words): {err or 'cuentas: no text'}")
            continue
        if cpages is None:
            print(f"{name:44} cuentas failed: {err}")
            totals["failed"] += 1
            continue
        cwords = collections.Counter(w for p in cpages for w in words(p))
        hit = sum(min(n, cwords[w]) for w, n in pwords.items())
        recall = hit / sum(pwords.values())
        junk = sum(n for w, n in cwords.items() if w not in pwords) / max(1, sum(cwords.values()))
        figures = cuentas_figures(path)
        amounts = intact = by_value = 0
        for page_no, ptext in enumerate(ppages, start=1):
            ctext = cpages[page_no - 1] if page_no - 1 < len(cpages) else ""
            tokens = {t.strip(".,;:()$-−\"'“”") for t in re.split(r"[\s|]+", ctext)}
            values = {round(v, 2) for (p, v) in figures if p == page_no}
            for m in AMOUNT.finditer(ptext):
                amounts += 1
                sign, digits = m.group(1) or "", m.group(2)
                if digits in tokens:
                    intact += 1
                elif os.environ.get("SHOW_MISSES"):
                    print(f"  not intact, page {page_no}: {m.group(0)!r}")
                value = amount_value(digits) * (-1 if sign.startswith("-") else 1)
                if round(value, 2) in values:
                    by_value += 1
                elif os.environ.get("SHOW_MISSES"):
                    print(f"  not found by value, page {page_no}: {m.group(0)!r} = {value}")
        n = len(ppages) - (1 if ppages and not ppages[-1].strip() else 0)
        row = (name, n, recall, junk, intact / max(1, amounts), by_value / max(1, amounts), 1000 * ct / max(1, n), 1000 * pt / max(1, n))
        print(f"{row[0]:44} {row[1]:5} {row[2]:7.3f} {row[3]:6.3f} {row[4]:6.3f}/{amounts:<3}{row[5]:6.3f}   {row[6]:8.1f} {row[7]:8.1f}")
        totals["pages"] += n
        totals["words"] += sum(pwords.values())
        totals["hit"] += hit
        totals["amounts"] += amounts
        totals["intact"] += intact
        totals["by_value"] += by_value
        totals["ct"] += ct
        totals["pt"] += pt
    if totals["pages"]:
        print(f"{'all text PDFs':44} {totals['pages']:5} {totals['hit'] / totals['words']:7.3f} {'':6} "
              f"{totals['intact'] / max(1, totals['amounts']):6.3f}/{totals['amounts']:<3}{totals['by_value'] / max(1, totals['amounts']):6.3f}   "
              f"{1000 * totals['ct'] / totals['pages']:8.1f} {1000 * totals['pt'] / totals['pages']:8.1f}")
        print(f"pages per second: cuentas {totals['pages'] / totals['ct']:.1f}, poppler {totals['pages'] / totals['pt']:.1f}")


if __name__ == "__main__":
    main()
