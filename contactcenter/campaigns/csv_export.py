"""CSV downloads (results, import error reports) that a spreadsheet opens as data, never as code.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``), and leads,
names and uploaded rows come from outside. Such a cell is written with a leading ``'`` (OWASP's
advice), which the spreadsheet shows as text and does not evaluate.

One exception, chosen so that the exports stay usable by machines: a cell that is only a signed
number (``+919800000001``, ``-499.00``) is written as it is. Every phone number we export is
E.164, and a bare number is not a formula that can call or fetch anything; anything with a
letter, a space, a bracket or a second operator after the sign is prefixed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-][0-9]+(?:\.[0-9]+)?")


def neutralise(value: object) -> object:
    """``value`` as a spreadsheet should show it: text that could run as a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The CSV a line at a time, for a streamed download."""
    out = io.StringIO()
    # RFC 4180's CRLF: the writer then also quotes a cell holding a lone CR (with "\n" it did not,
    # and a CR in a name split the row).
    writer = csv.writer(out, lineterminator="\r\n")
    for row in _prepend(header, rows):
        writer.writerow([neutralise(cell) for cell in row])  # headers come from uploads too
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _prepend(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
    yield header
    yield from rows


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    return "".join(csv_lines(header, rows))
