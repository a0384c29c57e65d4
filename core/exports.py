"""Every Excel and CSV file the product writes goes through here, so no cell is ever a live formula.

A spreadsheet program runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and a tab or carriage
return before one) as a formula: a customer named ``=HYPERLINK("http://…","点击")`` in the customer export
would be a link, or worse, on the desk of whoever opens it. As OWASP recommends ("CSV injection"), a text
cell whose first character, or first character after spaces, is one of ``= + - @ \\t \\r`` is written with a
single quote in front, so it reads as the text it is. Numbers stay numbers: ``-5`` given as an int, float or
Decimal is a number, not text, and is written as such.
"""

import csv
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBERS = (bool, int, float, Decimal)
# Characters an .xlsx cannot hold (openpyxl refuses them with an error): dropped, not a failed export.
_DROP = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def cell_safe(value):
    """The value to write in a cell: numbers, dates and None as they are; text never a formula."""
    if value is None or isinstance(value, (*_NUMBERS, date, datetime, time)):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_PREFIXES) or text.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def row_safe(values: Iterable) -> list:
    """A row of cells, each through ``cell_safe``."""
    return [cell_safe(value) for value in values]


def sheet_append(sheet, values: Iterable) -> None:
    """Append a row to an openpyxl worksheet (normal or write-only): text is always a text cell.

    Besides the quote of ``cell_safe``, every text cell is marked as text (data type ``s``), so openpyxl
    never stores a formula, whatever the text.
    """
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    write_only = isinstance(sheet, WriteOnlyWorksheet)
    cells = []
    for value in values:
        if isinstance(value, str):
            value = value.translate(_DROP)
        value = cell_safe(value)
        cell = WriteOnlyCell(sheet, value=value) if write_only else Cell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)


def csv_writer(stream, **kwargs):
    """A ``csv.writer`` whose rows go through ``cell_safe`` (for files people open in a spreadsheet)."""
    writer = csv.writer(stream, **kwargs)

    class _SafeWriter:
        def writerow(self, values):
            return writer.writerow(row_safe(values))

        def writerows(self, rows):
            for values in rows:
                self.writerow(values)

    return _SafeWriter()
