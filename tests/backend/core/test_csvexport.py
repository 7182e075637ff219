"""CSV exports: formula cells are neutralised, everything else reads back as written."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from backend.core.csvexport import FORMULA_STARTS, csv_response, csv_text, safe_cell

texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)
dangerous = st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), texts)
cells = st.one_of(texts, dangerous, st.integers(-(10**12), 10**12))


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@given(st.lists(st.lists(cells, min_size=1, max_size=6), max_size=8))
def test_formula_cells_are_neutralised_and_the_rest_round_trips(rows):
    header = [f"c{n}" for n in range(max((len(r) for r in rows), default=1))]
    read = _read(csv_text(header, rows))
    assert read[0] == header
    assert len(read) == len(rows) + 1
    for written, back in zip(rows, read[1:], strict=True):
        for cell, got in zip(written, back, strict=True):
            if isinstance(cell, int):
                assert got == str(cell)
            elif cell.startswith(FORMULA_STARTS):
                assert got == "'" + cell
            else:
                assert got == cell
            assert not (isinstance(cell, str) and got.startswith(FORMULA_STARTS))


def test_known_attacks_are_defused():
    for attack in ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(attack) == "'" + attack
    assert safe_cell("Nimal") == "Nimal" and safe_cell(None) == "" and safe_cell(-5) == "-5"


def test_the_download_names_the_file_and_starts_with_a_byte_order_mark():
    response = csv_response("report 1.csv", ["name"], [["=cmd"]])
    assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''report%201.csv"
    assert response.media_type.startswith("text/csv")
    assert _read(response.body.decode("utf-8-sig")) == [["name"], ["'=cmd"]]
