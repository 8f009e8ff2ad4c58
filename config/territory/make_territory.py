#!/usr/bin/env python3
"""Writes territory.tsv: every canton and parish of Ecuador with its province.

    python3 make_territory.py DATA_DIR > territory.tsv

DATA_DIR holds the three CSV files of the territorial division (INEC codes of the "División
Político Administrativa") as the Odoo module `l10n_ec_ote` ships them in its `data/` folder:
`res.country.state.csv`, `l10n_ec_ote.canton.csv` and `l10n_ec_ote.parish.csv`. Only the facts
are carried over (codes, names, which canton and province each belongs to).

Output, one place a line, tab-separated:

    code  province  canton  name  kind  alias

- code: INEC code (2 digits province, 4 canton, 6 parish);
- province: the proper name used in cuentas's facets (accents restored);
- canton: the canton's name; name: the place's own name (the canton's for kind `canton`);
- kind: `canton`; for parishes, from the last two digits of the code: `urban` (01-49),
  `seat` (50, the cantonal seat) or `rural` (51-99);
- alias: the second name that the source writes in parentheses ("CHECA (JIDCAY)"), if any.

Names are written in title case ("San José" stays "San Jose": the source has few accents;
matching in cuentas folds accents anyway).
"""
import csv
import sys

PROVINCES = {
    "01": "Azuay", "02": "Bolívar", "03": "Cañar", "04": "Carchi", "05": "Cotopaxi",
    "06": "Chimborazo", "07": "El Oro", "08": "Esmeraldas", "09": "Guayas", "10": "Imbabura",
    "11": "Loja", "12": "Los Ríos", "13": "Manabí", "14": "Morona Santiago", "15": "Napo",
    "16": "Pastaza", "17": "Pichincha", "18": "Tungurahua", "19": "Zamora Chinchipe",
    "20": "Galápagos", "21": "Sucumbíos", "22": "Orellana",
    "23": "Santo Domingo de los Tsáchilas", "24": "Santa Elena",
}

CONNECTORS = {"de", "del", "la", "las", "los", "el", "y", "e", "en"}


def title(name):
    words = name.strip().split()
    out = []
    for i, w in enumerate(words):
        lw = w.lower()
        out.append(lw if i > 0 and lw in CONNECTORS else lw[:1].upper() + lw[1:])
    return " ".join(out)


def split_alias(name):
    """'CHECA (JIDCAY)' -> ('CHECA', 'JIDCAY'); '(CAB. EN X)' is the seat's village: kept."""
    if "(" not in name:
        return name, ""
    main, rest = name.split("(", 1)
    alias = rest.split(")", 1)[0].strip()
    for prefix in ("CAB. EN ", "CAB.EN ", "CAB EN "):
        if alias.upper().startswith(prefix):
            alias = alias[len(prefix):]
    return main.strip(), alias.strip()


def main():
    src = sys.argv[1]
    states = {r["id"]: r["code"] for r in csv.DictReader(open(f"{src}/res.country.state.csv", encoding="utf-8"))}
    cantons = {}
    rows = []
    for r in csv.DictReader(open(f"{src}/l10n_ec_ote.canton.csv", encoding="utf-8")):
        province = PROVINCES[states[r["state_id:id"]]]
        name, alias = split_alias(r["name"])
        cantons[r["id"]] = (province, title(name))
        rows.append((r["code"], province, title(name), title(name), "canton", title(alias) if alias else ""))
    for r in csv.DictReader(open(f"{src}/l10n_ec_ote.parish.csv", encoding="utf-8")):
        province, canton = cantons[r["canton_id:id"]]
        digits = int(r["code"][-2:])
        kind = "urban" if digits < 50 else "seat" if digits == 50 else "rural"
        name, alias = split_alias(r["name"])
        rows.append((r["code"], province, canton, title(name), kind, title(alias) if alias else ""))
    rows.sort()
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["code", "province", "canton", "name", "kind", "alias"])
    out.writerows(rows)


if __name__ == "__main__":
    main()
