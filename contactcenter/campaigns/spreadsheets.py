"""An uploaded lead file (CSV or XLSX) read without trusting it, one row at a time.

Every limit is a number in ``ReadLimits`` and every refusal names the limit it hit, so the
uploader knows what to change. What is refused, and why:

- a file over ``max_bytes`` (the web server's body limit refuses it first; this is the same
  check for callers that are not the web, e.g. a management command);
- a cell over ``max_cell_chars`` or a line over ``max_line_chars``: a hostile or broken file,
  refused as a whole (a long but sane value is judged per row by ``imports``);
- more than ``max_rows`` rows or ``max_columns`` columns;
- a CSV whose encoding is not sure: UTF-8 (with or without a BOM) and UTF-16/32 with a BOM are
  read as such; anything else is detected with charset-normalizer on the file's start and
  accepted only when every likely candidate reads it the same way, else refused naming the
  candidates (the uploader then names the encoding). Never decoded with replacement
  characters: a byte that does not fit the encoding further down refuses the file;
- an XLSX whose zip members would inflate past ``max_xlsx_uncompressed_bytes`` or by more
  than ``max_xlsx_ratio`` times. XML is parsed by openpyxl through defusedxml (installed as a
  dependency; openpyxl uses it when present), so entity expansion is refused too.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

MB = 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, over a limit, no phone column, bad mapping)."""


class UploadTooLarge(ImportFileError):
    """The upload itself is over the size limit (HTTP 413)."""


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = 50 * MB
    max_rows: int = 200_000
    max_columns: int = 100
    max_cell_chars: int = 10_000
    max_line_chars: int = 4 * MB  # above the cell limit: a long cell is named as such
    max_xlsx_uncompressed_bytes: int = 500 * MB
    max_xlsx_ratio: int = 200  # deflate reaches ~100x on repetitive sheets; bombs reach 1000x and more
    sample_bytes: int = 64 * 1024  # what the encoding is detected from


@dataclass
class Sheet:
    headers: list[str]
    encoding: str  # as detected or named ("utf-8", "cp1252 (named)", …), or "xlsx"
    rows: Iterator[tuple[int, list[str]]]  # (spreadsheet row number, header 1 = row 1; cells stripped)


def is_xlsx(filename: str) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm"))


def open_sheet(filename: str, source: BinaryIO, size: int, encoding: str | None = None,
               limits: ReadLimits = ReadLimits()) -> Sheet:  # fmt: skip
    """The file's header row now, its rows lazily (the iterator raises ImportFileError on a
    limit or a decoding error it meets further down)."""
    if size > limits.max_bytes:
        raise UploadTooLarge(f"the file is {size} bytes; at most {limits.max_bytes} bytes "
                             f"({limits.max_bytes // MB} MB) per import")  # fmt: skip
    if is_xlsx(filename):
        return _open_xlsx(source, limits)
    return _open_csv(source, encoding, limits)


# ------------------------------------------------------------------ encodings

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
# Candidates this close to the best are as likely as it: they must all read the sample alike.
_CHAOS_MARGIN = 0.05


def detect_encoding(sample: bytes) -> str:
    """The Python codec to read a file starting with ``sample``, or ImportFileError when unsure."""
    for bom, codec in _BOMS:  # UTF-32-LE's BOM starts with UTF-16-LE's: longest first
        if sample.startswith(bom):
            return codec
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)  # a cut character is fine
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample))
    if not matches:
        raise ImportFileError("the file is not UTF-8 and is not text in any encoding we know; save it as "
                              "CSV UTF-8")  # fmt: skip
    best = min(matches, key=lambda m: m.chaos)
    likely = [m for m in matches if m.chaos <= best.chaos + _CHAOS_MARGIN]
    readings = {str(m) for m in likely}
    if len(readings) > 1 or best.chaos > 0.2:
        names = ", ".join(dict.fromkeys(m.encoding for m in likely))
        raise ImportFileError(f"the file is not UTF-8 and its encoding is not sure (it could be {names}); "
                              "save it as CSV UTF-8, or name its encoding")  # fmt: skip
    # Several code pages read the start alike (German text is the same in cp1250 and cp1252): take
    # the one spreadsheets most often write, which is then also the likeliest for the rest.
    alike = {codecs.lookup(name).name for m in likely for name in (m.encoding, *m.could_be_from_charset)}
    return next((name for name in _USUAL if name in alike), best.encoding)


# What Excel and other tools save "CSV" as, most common first (Python's codec names).
_USUAL = tuple(codecs.lookup(name).name for name in ("cp1252", "iso8859-15", "latin-1", "cp1251", "cp1250",
                                                      "cp932", "gb18030", "big5", "cp949", "cp1256", "cp1253"))


def check_encoding_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ImportFileError(f"unknown encoding {name!r} (e.g. utf-8, cp1252, latin-1, utf-16)") from None


# ------------------------------------------------------------------ CSV


def _open_csv(source: BinaryIO, named: str | None, limits: ReadLimits) -> Sheet:
    sample = source.read(limits.sample_bytes)
    source.seek(0)
    if not sample.strip():
        raise ImportFileError("the file is empty")
    codec = check_encoding_name(named) if named else detect_encoding(sample)
    label = f"{codec} (named)" if named else codec
    if named and codec == "utf-8" and sample.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    text = io.TextIOWrapper(source, encoding=codec, errors="strict", newline="")
    try:
        head = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
    except UnicodeDecodeError:
        raise ImportFileError(f"the file's start is not valid {label}; name the right encoding") from None
    try:
        dialect = csv.Sniffer().sniff(head[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    records = _records(csv.reader(_lines(text, limits), dialect), label, limits)
    try:
        _, headers = next(records)
    except StopIteration:
        raise ImportFileError("the file is empty") from None
    return Sheet(headers, label, records)


def _lines(text: io.TextIOWrapper, limits: ReadLimits) -> Iterator[str]:
    """The file's lines, refusing one longer than the limit before it is held whole."""
    number = 0
    while line := text.readline(limits.max_line_chars + 1):
        number += 1
        if len(line) > limits.max_line_chars:
            raise ImportFileError(f"line {number} is longer than {limits.max_line_chars} characters, the limit "
                                  "per line")  # fmt: skip
        yield line


def _records(reader, label: str, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The csv module's own cap (128 KiB) fires before our cell check can see the cell.
            if "field larger than field limit" in str(exc):
                raise _cell_too_long(number + 1, "", limits) from None
            raise ImportFileError(f"row {number + 1}: not readable as CSV ({exc})") from None
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"the file is not valid {label} after row {number} ({exc.reason}); save it as "
                                  "CSV UTF-8, or name its encoding") from None  # fmt: skip
        number += 1
        yield number, _checked(number, record, limits)


# ------------------------------------------------------------------ XLSX


def _open_xlsx(source: BinaryIO, limits: ReadLimits) -> Sheet:
    check_zip(source, limits)
    source.seek(0)
    from openpyxl import load_workbook

    try:
        book = load_workbook(source, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # The file's own dimension tag could claim 16384 columns for every row: read rows as stored.
        sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        first = next(values, None)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl (and defusedxml) raise many kinds for a broken or hostile file
        raise ImportFileError(f"not a readable XLSX file ({_first_cause(exc)})") from None
    if first is None:
        raise ImportFileError("the sheet is empty")
    return Sheet(_checked(1, [_cell(v) for v in first], limits), "xlsx", _xlsx_rows(book, values, limits))


def check_zip(source: BinaryIO, limits: ReadLimits) -> None:
    """Refuse a zip bomb before anything inflates it. zipfile stops each member at its declared
    size (and checks its CRC), so the declared sizes bound what openpyxl can inflate."""
    try:
        members = zipfile.ZipFile(source).infolist()
    except (zipfile.BadZipFile, OSError):
        raise ImportFileError("not a readable XLSX file (not a zip archive)") from None
    total = sum(m.file_size for m in members)
    if total > limits.max_xlsx_uncompressed_bytes:
        raise ImportFileError(f"the XLSX inflates to {total} bytes; at most {limits.max_xlsx_uncompressed_bytes} "
                              "bytes uncompressed")  # fmt: skip
    for member in members:
        if member.file_size > MB and member.file_size > limits.max_xlsx_ratio * max(member.compress_size, 1):
            raise ImportFileError(f"the XLSX member {member.filename[:80]} inflates {member.file_size} bytes from "
                                  f"{member.compress_size}; at most {limits.max_xlsx_ratio} times (a zip bomb?)")  # fmt: skip


def _xlsx_rows(book, values, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    number = 1
    try:
        for row in values:
            number += 1
            yield number, _checked(number, [_cell(v) for v in row], limits)
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(f"row {number}: not a readable XLSX row ({_first_cause(exc)})") from None
    finally:
        book.close()


def _first_cause(exc: BaseException) -> str:
    """The name of what went wrong first (openpyxl wraps defusedxml's EntitiesForbidden in a ValueError)."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return type(exc).__name__


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed as numbers
    return str(value).strip()


# ------------------------------------------------------------------ limits per row


def _checked(number: int, cells: list[str], limits: ReadLimits) -> list[str]:
    if number > limits.max_rows + 1:  # the header is row 1
        raise ImportFileError(f"more than {limits.max_rows} rows; at most {limits.max_rows} per file")
    if len(cells) > limits.max_columns:
        while cells and not cells[-1]:  # trailing empty cells (a spreadsheet's padding) do not count
            cells.pop()
        if len(cells) > limits.max_columns:
            raise ImportFileError(f"row {number} has {len(cells)} columns; at most {limits.max_columns}")
    for index, cell in enumerate(cells):
        if len(cell) > limits.max_cell_chars:
            raise _cell_too_long(number, f" column {index + 1}", limits, len(cell))
    return [cell.strip() for cell in cells]


def _cell_too_long(number: int, where: str, limits: ReadLimits, length: int | None = None) -> ImportFileError:
    size = f"of {length} characters" if length else "over the limit"
    return ImportFileError(f"row {number}{where}: a cell {size}; at most {limits.max_cell_chars} characters "
                           "per cell")  # fmt: skip
