"""Lead import: good, bad and duplicate rows; the exact error report; re-import adds nothing twice."""

from __future__ import annotations

import csv
import io

import pytest

from contactcenter.campaigns import imports
from contactcenter.campaigns.models import ImportBatch, Lead
from contactcenter.people import services as people_services

pytestmark = pytest.mark.django_db

CSV = """\
Name,Mobile,order_id,item,amount,pincode,time_zone
Asha,+91 98000 00001,A1,a bottle,499,560038,
Ravi,098000 00002,A2,a lamp,899,560001,
Bad Phone,12345,A3,a mat,699,,
No Order,+919800000004,,a fan,1899,,
Asha Again,+919800000001,A5,a bag,1499,,
Blocked,+919800000006,A6,a cup,99,,
,,,,,,
Bad Zone,+919800000008,A8,a pen,10,,Mars/Olympus
Kai,+14155550100,A9,a hat,20,,America/New_York
"""

EXPECTED_REPORT = [
    {"row": "4", "status": "invalid", "field": "phone", "value": "12345",
     "reason": "wrong number of digits for its country"},
    {"row": "5", "status": "invalid", "field": "order_id", "value": "",
     "reason": "order_id is required by the order_confirmation flow"},
    {"row": "6", "status": "duplicate", "field": "phone", "value": "+919800000001", "reason": "same number as row 2"},
    {"row": "7", "status": "dnc", "field": "phone", "value": "+919800000006", "reason": "on the do-not-call list"},
    {"row": "9", "status": "invalid", "field": "time_zone", "value": "Mars/Olympus",
     "reason": "unknown time zone 'Mars/Olympus'"},
]  # fmt: skip


def report_rows(batch: ImportBatch) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(imports.error_report_csv(batch))))
    return [{k: r[k] for k in imports.REPORT_COLUMNS} for r in rows]


def test_good_rows_go_in_and_the_report_lists_every_other_row_exactly(make_campaign) -> None:
    campaign = make_campaign()
    people_services.do_add_dnc("+919800000006")
    batch = imports.import_leads(campaign, "leads.csv", CSV.encode())
    assert (batch.rows, batch.imported, batch.invalid, batch.duplicates, batch.dnc) == (8, 3, 3, 1, 1)
    assert report_rows(batch) == EXPECTED_REPORT
    # The report keeps the row as uploaded, so it can be fixed and uploaded again.
    first = next(csv.DictReader(io.StringIO(imports.error_report_csv(batch))))
    assert (first["Name"], first["Mobile"]) == ("Bad Phone", "12345")
    leads = {lead.phone: lead for lead in Lead.objects.filter(campaign=campaign)}
    assert set(leads) == {"+919800000001", "+919800000002", "+14155550100"}
    asha = leads["+919800000001"]
    assert (asha.first_name, asha.source_row, asha.time_zones) == ("Asha", 2, ["Asia/Calcutta"])
    assert asha.fields == {"order_id": "A1", "item": "a bottle", "amount": "499", "pincode": "560038"}
    assert leads["+14155550100"].time_zones == ["America/New_York"]  # given beats derived


def test_uploading_the_same_file_again_adds_nothing(make_campaign) -> None:
    campaign = make_campaign()
    people_services.do_add_dnc("+919800000006")
    imports.import_leads(campaign, "leads.csv", CSV.encode())
    again = imports.import_leads(campaign, "leads.csv", CSV.encode())
    assert (again.imported, again.duplicates) == (0, 4)
    assert Lead.objects.filter(campaign=campaign).count() == 3
    assert [r for r in report_rows(again) if r["status"] == "duplicate"] == [
        {"row": "2", "status": "duplicate", "field": "phone", "value": "+919800000001",
         "reason": f"already imported (lead {Lead.objects.get(phone='+919800000001').pk})"},
        {"row": "3", "status": "duplicate", "field": "phone", "value": "+919800000002",
         "reason": f"already imported (lead {Lead.objects.get(phone='+919800000002').pk})"},
        {"row": "6", "status": "duplicate", "field": "phone", "value": "+919800000001", "reason": "same number as row 2"},
        {"row": "10", "status": "duplicate", "field": "phone", "value": "+14155550100",
         "reason": f"already imported (lead {Lead.objects.get(phone='+14155550100').pk})"},
    ]  # fmt: skip
    # A fixed file adds only what was missing.
    fixed = CSV.replace("Bad Phone,12345", "Bad Phone,+919800000003").replace("No Order,+919800000004,,",
                                                                               "No Order,+919800000004,A4,")
    third = imports.import_leads(campaign, "fixed.csv", fixed.encode())
    assert third.imported == 2 and Lead.objects.filter(campaign=campaign).count() == 5


def test_the_same_number_in_another_campaign_is_not_a_duplicate(make_campaign) -> None:
    first, second = make_campaign(), make_campaign()
    imports.import_leads(first, "a.csv", CSV.encode())
    assert imports.import_leads(second, "a.csv", CSV.encode()).imported == 4  # row 7 is not on DNC here


def test_xlsx_with_a_column_mapping(make_campaign) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Customer", "Phone No", "Order No", "Product", "Price"])
    sheet.append(["Meera", 919800000011, "B1", "a sheet", 899])  # a number cell, as Excel stores it
    sheet.append(["Vik", "+919800000012", "B2", "a lamp", 1299.0])
    sheet.append(["Nope", "+91", "B3", "a fan", 1])
    data = io.BytesIO()
    book.save(data)
    campaign = make_campaign(default_region="IN")
    mapping = {"first_name": "Customer", "phone": "Phone No", "order_id": "Order No", "item": "Product",
               "amount": "Price"}  # fmt: skip
    batch = imports.import_leads(campaign, "leads.xlsx", data.getvalue(), mapping)
    assert (batch.imported, batch.invalid) == (2, 1)
    assert report_rows(batch)[0]["row"] == "4"
    meera = Lead.objects.get(phone="+919800000011")
    assert meera.fields == {"order_id": "B1", "item": "a sheet", "amount": "899"}


def test_file_level_problems_are_refused_whole(make_campaign) -> None:
    campaign = make_campaign()
    with pytest.raises(imports.ImportFileError, match="no phone column"):
        imports.import_leads(campaign, "x.csv", b"name,order_id\nA,1\n")
    with pytest.raises(imports.ImportFileError, match="lacks: Nope"):
        imports.import_leads(campaign, "x.csv", CSV.encode(), {"phone": "Nope"})
    with pytest.raises(imports.ImportFileError, match="XLSX"):
        imports.import_leads(campaign, "x.xlsx", b"not a zip")
    assert Lead.objects.count() == 0
