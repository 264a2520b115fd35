"""Write the corpus files too big to keep in git (50 MB CSV, 10 MB line, a million columns, …).

Run `python tests/corpus/make_big.py OUT_DIR` to write them by hand; tests/test_corpus.py
writes them into a temporary folder. Every file is the same on every run (seeded, no clock).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

HEADER = "incident_id,occurred_at,lat,lon,category,crossing,people_count,source,description\n"
ROW = "b-{n},2026-03-05T14:00:00Z,-18.316,-70.315,protest,chacalluta,3,press,{text}\n"
MEGABYTE = 1_000_000
BAD_EVERY = 10_000  # in the 50 MB file every 10,000th row has an unknown category


def big_csv(path: Path, megabytes: int = 50) -> None:
    """Write a valid CSV of about `megabytes` MB; every BAD_EVERY-th row has a bad category.

    Rows differ in id, minute, position (inside Arica y Parinacota) and description.
    """
    row_bytes = 120
    count = megabytes * MEGABYTE // row_bytes
    rng = np.random.default_rng(6)
    numbers = np.arange(1, count + 1)
    minutes = (numbers % 60).astype(str)
    lat = np.round(rng.uniform(-18.45, -18.30, count), 5).astype(str)
    lon = np.round(rng.uniform(-70.33, -70.29, count), 5).astype(str)
    category = np.where(numbers % BAD_EVERY == 0, "not-a-category", "stranded_group")
    ids = np.char.add("b-", numbers.astype(str))
    columns = [
        ids, np.char.add("2026-03-05T14:", np.char.add(np.char.zfill(minutes, 2), ":00Z")),
        lat, lon, category, np.full(count, "chacalluta"), (numbers % 40).astype(str),
        np.full(count, "press"), np.char.add("grupo varado en la ruta; fila ", numbers.astype(str)),
    ]  # fmt: skip
    lines = columns[0]
    for column in columns[1:]:
        lines = np.char.add(np.char.add(lines, ","), column)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        out.write("\n".join(lines.tolist()))
        out.write("\n")


def long_line_csv(path: Path, megabytes: int = 10) -> None:
    """Write a header, one good row, then a row whose description is `megabytes` MB long."""
    text = "x" * (megabytes * MEGABYTE)
    path.write_text(HEADER + ROW.format(n=1, text="ok") + ROW.format(n=2, text=text), "utf-8")


def million_columns_csv(path: Path, columns: int = 1_000_000) -> None:
    """Write a header of a million column names on one line, and one short row."""
    names = ",".join(f"c{index}" for index in range(columns))
    path.write_text(names + "\n1,2,3\n", encoding="utf-8")


def long_field_csv(path: Path, kilobytes: int = 600) -> None:
    """Write a row whose quoted description is `kilobytes` kB: under the 1 MiB line limit."""
    text = '"' + "y" * (kilobytes * 1000) + '"'
    path.write_text(HEADER + ROW.format(n=1, text="ok") + ROW.format(n=2, text=text), "utf-8")


def long_field_multiline_csv(path: Path, kilobytes: int = 600) -> None:
    """As long_field_csv, plus a quoted line break in another row (the csv module reads it)."""
    text = '"' + "y" * (kilobytes * 1000) + '"'
    rows = ROW.format(n=1, text='"dos\nlíneas"') + ROW.format(n=2, text=text)
    path.write_text(HEADER + rows, "utf-8")


def deep_nesting_geojson(path: Path, depth: int = 100_000) -> None:
    """Write a feature whose coordinates are `depth` nested arrays (a recursion bomb)."""
    start = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"occurred_at": "2026-03-05T14:00:00Z", "category": "protest"}, '
        '"geometry": {"type": "Point", "coordinates": '
    )
    path.write_text(start + "[" * depth + "]" * depth + "}}]}\n", encoding="utf-8")


def huge_number_geojson(path: Path, digits: int = 100_000) -> None:
    """Write a feature whose people_count is an integer of `digits` digits."""
    feature = {
        "type": "Feature",
        "properties": {"occurred_at": "2026-03-05T14:00:00Z", "category": "protest",
                       "people_count": "HUGE"},
        "geometry": {"type": "Point", "coordinates": [-70.315, -18.316]},
    }  # fmt: skip
    text = json.dumps({"type": "FeatureCollection", "features": [feature]})
    path.write_text(text.replace('"HUGE"', "9" * digits), encoding="utf-8")


BIG_FILES: dict[str, Callable[[Path], None]] = {
    "big_50mb.csv": big_csv,
    "line_10mb.csv": long_line_csv,
    "million_columns.csv": million_columns_csv,
    "long_field_600kb.csv": long_field_csv,
    "long_field_600kb_multiline.csv": long_field_multiline_csv,
    "deep_nesting.geojson": deep_nesting_geojson,
    "huge_number.geojson": huge_number_geojson,
}


def write_big_files(folder: Path) -> dict[str, Path]:
    """Write every big corpus file into `folder`; return file name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, write in BIG_FILES.items():
        write(folder / name)
        written[name] = folder / name
    return written


def main() -> None:
    """Write the big files into the folder named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    for name, path in write_big_files(parser.parse_args().folder).items():
        print(f"{path.stat().st_size:>12,} bytes  {name}")


if __name__ == "__main__":
    main()
