"""Hostile lead files: every limit refuses with words naming it, encodings are detected or the
file refused (never replacement characters), XLSX zip bombs never inflate, 200k bad rows cost a
counter, and the reports and exports never carry a live formula."""

from __future__ import annotations

import codecs
import csv
import io
import tracemalloc
import zipfile

import pytest

from contactcenter.campaigns import imports, results
from contactcenter.campaigns.models import Lead
from contactcenter.campaigns.spreadsheets import ReadLimits
from contactcenter.telephony.models import Trunk

pytestmark = pytest.mark.django_db

HEADER = "phone,first_name,order_id,item,amount\n"


def row(phone: str = "+919800000001", name: str = "Asha", order: str = "A1", item: str = "a lamp") -> str:
    return f"{phone},{name},{order},{item},499\n"


def refused(campaign, data: bytes, filename: str = "x.csv", **kw) -> str:
    before = Lead.objects.count()
    with pytest.raises(imports.ImportFileError) as caught:
        imports.import_leads(campaign, filename, data, **kw)
    assert Lead.objects.count() == before  # refused whole: nothing written
    return str(caught.value)


# ------------------------------------------------------------------ sizes


@pytest.mark.parametrize("cell_chars", [200_000, 1024 * 1024, 20_000])
def test_a_huge_cell_refuses_the_file_naming_the_cell_limit(make_campaign, cell_chars) -> None:
    data = (HEADER + row() + row("+919800000002", item="x" * cell_chars)).encode()
    message = refused(make_campaign(), data)
    assert "row 3" in message and "at most 10000 characters per cell" in message


def test_a_huge_line_refuses_the_file_without_holding_it(make_campaign) -> None:
    data = (HEADER + "x," * 2_100_000 + "\n").encode()
    assert "line 2 is longer than 4194304 characters, the limit per line" in refused(make_campaign(), data)


def test_a_file_over_the_upload_limit_is_refused_naming_it(make_campaign, settings) -> None:
    settings.LEAD_IMPORT_MAX_BYTES = 1000
    with pytest.raises(imports.UploadTooLarge, match="at most 1000 bytes"):
        imports.import_leads(make_campaign(), "x.csv", (HEADER + row() * 40).encode())


def test_too_many_rows_or_columns_are_refused(make_campaign) -> None:
    campaign = make_campaign()
    small = ReadLimits(max_rows=3)
    data = (HEADER + "".join(row(f"+9198000000{i:02d}") for i in range(4))).encode()
    assert "more than 3 rows; at most 3 per file" in refused(campaign, data, limits=small)
    wide = HEADER.strip() + "," + ",".join(f"c{i}" for i in range(200)) + "\n" + row()
    assert "row 1 has 205 columns; at most 100" in refused(campaign, wide.encode())


def test_a_value_longer_than_its_column_makes_the_row_invalid_not_cut(make_campaign) -> None:
    data = HEADER + row(name="N" * 95) + row("+919800000002", item="i" * 1500) + row("+919800000003")
    batch = imports.import_leads(make_campaign(), "x.csv", data.encode())
    assert (batch.imported, batch.invalid) == (1, 2)
    assert [p["reason"] for p in batch.problems] == ["first_name is 95 characters; at most 80",
                                                     "item is 1500 characters; at most 1000"]  # fmt: skip


# ------------------------------------------------------------------ columns


def test_missing_and_doubled_columns_are_named(make_campaign) -> None:
    campaign = make_campaign()
    assert "no column for amount, item, order_id, which the order_confirmation flow needs" in refused(
        campaign, b"phone,first_name\n+919800000001,Asha\n")
    doubled = refused(campaign, b"phone,first_name,order_id,item,amount,phone\n+919800000001,Asha,A1,a,1,+919\n")
    assert "'phone' appears more than once" in doubled
    assert "no phone column (columns: name, order_id)" in refused(campaign, b"name,order_id\nA,1\n")


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize(("encoded", "encoding"), [
    (lambda t: t.encode("utf-8"), "utf-8"),
    (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig"),
    (lambda t: t.encode("utf-16"), "utf-16"),  # with its BOM, as Excel's "Unicode text" writes it
    (lambda t: t.encode("utf-16-be"), "utf_16_be"),  # no BOM: charset-normalizer tells
])  # fmt: skip
def test_unicode_files_are_read_and_their_encoding_reported(make_campaign, encoded, encoding) -> None:
    text = HEADER + row(name="Zoë Ünal") + row("+919800000002", name="अनीता")
    batch = imports.import_leads(make_campaign(), "x.csv", encoded(text))
    assert (batch.imported, batch.encoding) == (2, encoding)
    assert set(Lead.objects.values_list("first_name", flat=True)) == {"Zoë Ünal", "अनीता"}


def test_a_code_page_file_is_detected_when_sure_and_refused_when_not(make_campaign) -> None:
    campaign = make_campaign()
    german = HEADER + "".join(row(f"+4915112345{i:03d}", "Jürgen Müller", f"A{i}", "Größe Schürze") for i in range(300))
    batch = imports.import_leads(campaign, "de.csv", german.encode("cp1252"))
    assert (batch.imported, batch.encoding) == (300, "cp1252")
    assert Lead.objects.filter(first_name="Jürgen Müller").count() == 300
    spanish = HEADER + row("+34612345678", "José Núñez", "B1", "Señor Peña")
    message = refused(campaign, spanish.encode("cp1252"), "es.csv")
    assert "not UTF-8 and its encoding is not sure (it could be" in message and "cp1252" in message
    named = imports.import_leads(campaign, "es.csv", spanish.encode("cp1252"), encoding="cp1252")
    assert named.encoding == "cp1252 (named)" and Lead.objects.get(phone="+34612345678").first_name == "José Núñez"
    assert "unknown encoding 'klingon'" in refused(make_campaign(), spanish.encode(), encoding="klingon")


def test_a_byte_that_does_not_fit_further_down_refuses_the_file_never_replaced(make_campaign) -> None:
    good = HEADER + "".join(row(f"+9198000{i:05d}") for i in range(3000))  # > the 64 KiB sample
    data = good.encode() + row("+919899999999", "M\xfcller").encode("cp1252")
    message = refused(make_campaign(), data)
    assert "not valid utf-8 after row" in message and "name its encoding" in message


# ------------------------------------------------------------------ XLSX


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for values in rows:
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one member replaced."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return out.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_it_inflates(make_campaign) -> None:
    campaign = make_campaign()
    book = xlsx([["phone", "first_name", "order_id", "item", "amount"], ["+919800000001", "Asha", "A1", "a", 1]])
    bomb = with_member(book, "xl/worksheets/sheet1.xml", b" " * (20 * 1024 * 1024))
    assert len(bomb) < 100_000
    message = refused(campaign, bomb, "bomb.xlsx")
    assert "xl/worksheets/sheet1.xml inflates 20971520 bytes" in message and "at most 200 times" in message
    total = refused(campaign, bomb, "bomb.xlsx", limits=ReadLimits(max_xlsx_uncompressed_bytes=10 * 1024 * 1024))
    assert "at most 10485760 bytes uncompressed" in total


def test_xlsx_entities_are_refused_by_defusedxml(make_campaign) -> None:
    book = xlsx([["phone", "first_name", "order_id", "item", "amount"], ["+919800000001", "Asha", "A1", "a", 1]])
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    hostile = with_member(book, "xl/worksheets/sheet1.xml", laughs)
    assert "not a readable XLSX file (EntitiesForbidden)" in refused(make_campaign(), hostile, "laughs.xlsx")


def test_an_xlsx_cell_over_the_limit_is_refused(make_campaign) -> None:
    book = xlsx([["phone", "first_name", "order_id", "item", "amount"], ["+919800000001", "A" * 20_000, "A1", "a", 1]])
    assert "row 2 column 2: a cell of 20000 characters" in refused(make_campaign(), book, "big.xlsx")


# ------------------------------------------------------------------ 200k rows


def bad_rows(count: int) -> bytes:
    return (HEADER + "".join(f",Asha,A{i},a lamp,1\n" for i in range(count))).encode()  # no phone: a cheap bad row


def test_200k_bad_rows_are_counted_and_only_the_first_1000_kept(make_campaign) -> None:
    batch = imports.import_leads(make_campaign(), "bad.csv", bad_rows(200_000))
    assert (batch.rows, batch.invalid, batch.imported) == (200_000, 200_000, 0)
    assert len(batch.problems) == imports.PROBLEMS_KEPT == 1000
    assert [p["row"] for p in batch.problems[:2]] == [2, 3] and batch.problems[-1]["row"] == 1001


def test_bad_rows_cost_a_counter_not_memory(make_campaign) -> None:
    campaign, data = make_campaign(), bad_rows(20_000)  # tracemalloc is ~10x slower: 20k rows say it
    tracemalloc.start()
    try:
        batch = imports.import_leads(campaign, "bad.csv", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert batch.invalid == 20_000
    # Beyond the file itself: the 1000 kept problems, not 20k problem dicts (~30 MB).
    assert peak < 6 * 1024 * 1024, f"{peak / 1e6:.1f} MB at peak"


# ------------------------------------------------------------------ numbers


def test_premium_rate_numbers_need_a_trunk_pattern_that_names_them(make_campaign) -> None:
    campaign = make_campaign(default_region="IN")
    data = HEADER + row("+19005551234") + row("112", order="A2") + row("+14155550100", order="A3")
    batch = imports.import_leads(campaign, "x.csv", data.encode())
    assert (batch.imported, batch.invalid) == (1, 2)
    assert batch.problems[0]["reason"].startswith("a premium-rate number; the trunk trunk dials one only when")
    assert batch.problems[1]["reason"].startswith("a short code (112), not a subscriber number")
    Trunk.objects.update_or_create(name="us", defaults={"host": "127.0.0.1",
                                                        "destination_patterns": ["_+1NXXNXXXXXX"]})  # fmt: skip
    us = make_campaign(trunk="us")
    assert imports.import_leads(us, "x.csv", data.encode()).imported == 1  # a country-wide pattern names no range
    Trunk.objects.filter(name="us").update(destination_patterns=["_+1NXXNXXXXXX", "_+1900NXXXXXX"])
    assert imports.import_leads(make_campaign(trunk="us"), "x.csv", data.encode()).imported == 2


# ------------------------------------------------------------------ formulas


FORMULAS = ["=HYPERLINK(\"http://x.test\",\"a\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)",
            "\t=1", "\r=1"]  # fmt: skip


def test_the_error_report_neutralises_formulas(make_campaign) -> None:
    upload = io.StringIO(newline="")
    writer = csv.writer(upload)
    writer.writerow(["phone", "first_name", "order_id", "item", "amount", "=evil()"])
    writer.writerows([f"bad{i}", formula, f"A{i}", "a", 1, formula] for i, formula in enumerate(FORMULAS))
    batch = imports.import_leads(make_campaign(), "x.csv", upload.getvalue().encode())
    assert batch.invalid == len(FORMULAS)
    rows = list(csv.reader(io.StringIO(imports.error_report_csv(batch), newline="")))
    assert rows[0][-1] == "'=evil()"
    # first_name and the last column, as uploaded (a cell's edges are stripped on reading)
    assert [(r[6], r[10]) for r in rows[1:]] == [("'" + f.strip(),) * 2 for f in FORMULAS]


def test_the_results_export_neutralises_formulas_but_not_numbers(make_campaign) -> None:
    campaign = make_campaign()
    for i, formula in enumerate(FORMULAS):
        Lead.objects.create(campaign=campaign, phone=f"+9198000000{i:02d}", time_zones=["Asia/Kolkata"],
                            first_name=formula, fields={"amount": "-499.50", "note": formula})  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(results.results_csv(campaign), newline="")))
    assert [r["first_name"] for r in rows] == ["'" + f for f in FORMULAS]
    assert [r["note"] for r in rows] == ["'" + f for f in FORMULAS]
    assert rows[0]["phone"] == "+919800000000" and rows[0]["amount"] == "-499.50"  # numbers stay numbers
