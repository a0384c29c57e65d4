"""No Excel or CSV the product writes holds a live formula (OWASP "CSV injection")."""

import csv
import io
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from core.exports import FORMULA_PREFIXES, cell_safe, csv_writer, sheet_append

DANGEROUS = ["=1+1", '=HYPERLINK("http://x","点")', "+86 138", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =1+1", " @x"]


def test_text_starting_like_a_formula_gets_a_quote_and_keeps_its_text():
    for text in DANGEROUS:
        assert cell_safe(text) == "'" + text


def test_numbers_dates_and_plain_text_stay_as_they_are():
    from datetime import date, datetime

    for value in (-5, -2.5, Decimal("-3.10"), 0, True, None, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4)):
        assert cell_safe(value) is value
    for text in ("张三", "13812345678", "京A12345", "a=b", "1-2", ""):
        assert cell_safe(text) == text


@given(st.text())
def test_no_text_is_ever_left_starting_like_a_formula(text):
    safe = cell_safe(text)
    assert not safe.lstrip(" ").startswith(FORMULA_PREFIXES)
    assert safe in (text, "'" + text)


@settings(deadline=None, max_examples=40)
@given(st.lists(st.one_of(st.text(), st.integers(), st.decimals(allow_nan=False, allow_infinity=False)), max_size=6))
def test_a_sheet_row_reread_has_no_formula_cell(values):
    for write_only in (False, True):
        workbook = Workbook(write_only=write_only)
        sheet = workbook.create_sheet("s") if write_only else workbook.active
        sheet_append(sheet, values)
        out = io.BytesIO()
        workbook.save(out)
        reread = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
        for row in reread.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip(" ").startswith(FORMULA_PREFIXES)


def test_numbers_in_a_sheet_stay_numbers():
    workbook = Workbook()
    sheet_append(workbook.active, [-5, Decimal("-1.5"), "-5"])
    out = io.BytesIO()
    workbook.save(out)
    cells = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())[0]
    assert [c.value for c in cells] == [-5, -1.5, "'-5"]
    assert [c.data_type for c in cells] == ["n", "n", "s"]


def test_the_csv_writer_neutralises_every_cell():
    stream = io.StringIO()
    csv_writer(stream).writerows([DANGEROUS, [-1, "ok"]])
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert all(cell.startswith("'") for cell in rows[0])
    assert rows[1] == ["-1", "ok"]
