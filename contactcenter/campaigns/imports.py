"""Lead import from CSV or XLSX: column mapping, per-row validation, an exact error report.

Every row is judged on its own, so a bad row never blocks the good ones; rows that are not
imported are listed with their spreadsheet row number (the header is row 1), a status
(``invalid``, ``duplicate``, ``dnc``) and the reason. Numbers are unique per campaign (a
database constraint), so uploading the same file again adds nothing twice: its rows come
back as ``duplicate … already imported``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from contactcenter.campaigns import compliance
from contactcenter.campaigns.models import Campaign, ContactList, ImportBatch, Lead
from contactcenter.people.models import DoNotCall
from pbx.api import required_fields

MAX_ROWS = 200_000
STANDARD_TARGETS = ("phone", "first_name", "time_zone", "external_id")
# Header spellings recognised without a mapping (after lower-casing, spaces → _).
SYNONYMS: dict[str, str] = {
    "phone": "phone", "phone_number": "phone", "mobile": "phone", "mobile_number": "phone", "msisdn": "phone",
    "number": "phone", "contact_number": "phone",
    "first_name": "first_name", "firstname": "first_name", "name": "first_name", "customer_name": "first_name",
    "time_zone": "time_zone", "timezone": "time_zone", "tz": "time_zone",
    "external_id": "external_id", "customer_id": "external_id", "lead_id": "external_id",
}  # fmt: skip
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, no phone column, bad mapping)."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, header -> value)


def normalise_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(header).strip().lower()).strip("_")


def read_table(filename: str, data: bytes) -> Table:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    records = list(csv.reader(io.StringIO(text), dialect))
    if not records:
        raise ImportFileError("the file is empty")
    headers = [h.strip() for h in records[0]]
    rows = []
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        rows.append((index, {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(headers)}))
    return Table(headers, rows)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"not a readable XLSX file ({type(exc).__name__})") from None
    sheet = book.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    try:
        headers = [_cell(h) for h in next(rows_iter)]
    except StopIteration:
        raise ImportFileError("the sheet is empty") from None
    rows = []
    for index, values in enumerate(rows_iter, start=2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        rows.append((index, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)}))
    book.close()
    return Table(headers, rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed as numbers
    return str(value).strip()


def resolve_mapping(headers: list[str], mapping: Mapping[str, str] | None) -> dict[str, str]:
    """``{target field: source column}``; without a mapping, headers map by name (and synonyms)."""
    if mapping:
        unknown = sorted(set(mapping.values()) - set(headers))
        if unknown:
            raise ImportFileError(f"mapping names columns the file lacks: {', '.join(unknown)}")
        bad = sorted(t for t in mapping if t not in STANDARD_TARGETS and not _FIELD_NAME.match(t))
        if bad:
            raise ImportFileError(f"mapping targets must be identifiers like order_id: {', '.join(bad)}")
        resolved = dict(mapping)
    else:
        resolved = {}
        for header in headers:
            name = normalise_header(header)
            target = SYNONYMS.get(name, name)
            if target and _FIELD_NAME.match(target) and target not in resolved:
                resolved[target] = header
    if "phone" not in resolved:
        raise ImportFileError(f"no phone column (columns: {', '.join(headers)}); map one to 'phone'")
    return resolved


@dataclass
class _Row:
    number: int
    phone: str
    zones: list[str]
    first_name: str
    external_id: str
    fields: dict[str, str]
    raw: dict[str, str]


def import_leads(campaign: Campaign, filename: str, data: bytes, mapping: Mapping[str, str] | None = None,
                 list_name: str = "", user=None, now: dt.datetime | None = None) -> ImportBatch:  # fmt: skip
    now = now or timezone.now()
    table = read_table(filename, data)
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(f"{len(table.rows)} rows; at most {MAX_ROWS} per file")
    columns = resolve_mapping(table.headers, mapping)
    needed = required_fields(campaign.flow_name)
    problems: list[dict] = []
    good: list[_Row] = []
    first_seen: dict[str, int] = {}
    for number, raw in table.rows:
        row, reasons = _parse_row(campaign, number, raw, columns, needed)
        if reasons:
            problems.append(_problem(number, "invalid", reasons, raw))
            continue
        assert row is not None
        if row.phone in first_seen:
            problems.append(_problem(number, "duplicate", [("phone", raw.get(columns["phone"], ""),
                                                             f"same number as row {first_seen[row.phone]}")], raw))  # fmt: skip
            continue
        first_seen[row.phone] = number
        good.append(row)

    with transaction.atomic():
        contact_list, _ = ContactList.objects.get_or_create(campaign=campaign, name=list_name or filename[:120])
        existing = dict(Lead.objects.filter(campaign=campaign, phone__in=[r.phone for r in good])
                        .values_list("phone", "pk"))  # fmt: skip
        on_dnc = set(DoNotCall.objects.filter(phone__in=[r.phone for r in good]).values_list("phone", flat=True))
        batch = ImportBatch.objects.create(campaign=campaign, contact_list=contact_list, filename=filename[:255],
                                           mapping=columns, rows=len(table.rows),
                                           created_by=user if getattr(user, "is_authenticated", False) else None)  # fmt: skip
        to_create = []
        for row in good:
            raw = row.raw
            if row.phone in existing:
                problems.append(_problem(row.number, "duplicate",
                                         [("phone", row.phone, f"already imported (lead {existing[row.phone]})")], raw))  # fmt: skip
            elif row.phone in on_dnc:
                problems.append(_problem(row.number, "dnc", [("phone", row.phone, "on the do-not-call list")], raw))
            else:
                to_create.append(row)
        created = _create(campaign, contact_list, to_create, problems)
        problems.sort(key=lambda p: p["row"])
        batch.imported = created
        batch.invalid = sum(1 for p in problems if p["status"] == "invalid")
        batch.duplicates = sum(1 for p in problems if p["status"] == "duplicate")
        batch.dnc = sum(1 for p in problems if p["status"] == "dnc")
        batch.problems = problems
        batch.save()
    return batch


def _parse_row(campaign: Campaign, number: int, raw: dict[str, str], columns: dict[str, str],
               needed: Iterable[str]) -> tuple[_Row | None, list[tuple[str, str, str]]]:  # fmt: skip
    reasons: list[tuple[str, str, str]] = []
    value = {target: raw.get(source, "").strip() for target, source in columns.items()}
    phone = ""
    try:
        phone = compliance.normalise_phone(value["phone"], campaign.default_region)
    except compliance.PhoneError as exc:
        reasons.append(("phone", value["phone"], str(exc)))
    zones: list[str] = []
    if value.get("time_zone"):
        try:
            zones = [compliance.check_time_zone(value["time_zone"])]
        except ValueError as exc:
            reasons.append(("time_zone", value["time_zone"], str(exc)))
    custom = {k: v for k, v in value.items() if k not in STANDARD_TARGETS and v != ""}
    for name in needed:
        present = value.get("first_name") if name == "first_name" else custom.get(name)
        if not present:
            reasons.append((name, "", f"{name} is required by the {campaign.flow_name} flow"))
    if reasons:
        return None, reasons
    if not zones:
        zones = list(compliance.zones_for_number(phone)) or [campaign.default_time_zone]
    return _Row(number, phone, zones, value.get("first_name", ""), value.get("external_id", ""), custom, raw), []


def _problem(number: int, status: str, reasons: list[tuple[str, str, str]], raw: Mapping[str, str]) -> dict:
    return {
        "row": number,
        "status": status,
        "field": ", ".join(r[0] for r in reasons),
        "value": ", ".join(r[1] for r in reasons),
        "reason": "; ".join(r[2] for r in reasons),
        "data": dict(raw),
    }


def _lead(campaign: Campaign, contact_list: ContactList, row: _Row) -> Lead:
    return Lead(campaign=campaign, contact_list=contact_list, phone=row.phone, time_zones=row.zones,
                first_name=row.first_name[:80], external_id=row.external_id[:80], fields=row.fields,
                source_row=row.number)  # fmt: skip


def _create(campaign: Campaign, contact_list: ContactList, rows: list[_Row], problems: list[dict]) -> int:
    try:
        with transaction.atomic():
            Lead.objects.bulk_create([_lead(campaign, contact_list, r) for r in rows], batch_size=500)
        return len(rows)
    except IntegrityError:
        pass  # an upload of the same numbers committed meanwhile: go row by row
    created = 0
    for row in rows:
        try:
            with transaction.atomic():
                _lead(campaign, contact_list, row).save()
            created += 1
        except IntegrityError:
            problems.append(_problem(row.number, "duplicate", [("phone", row.phone, "already imported")], row.raw))
    return created


REPORT_COLUMNS = ("row", "status", "field", "value", "reason")


def error_report_csv(batch: ImportBatch) -> str:
    """The rows that were not imported: row number, status, field, value, reason, then the row as uploaded."""
    data_columns: list[str] = []
    for problem in batch.problems:
        for key in problem.get("data", {}):
            if key not in data_columns:
                data_columns.append(key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*REPORT_COLUMNS, *data_columns])
    for problem in batch.problems:
        writer.writerow([*(problem[c] for c in REPORT_COLUMNS), *(problem.get("data", {}).get(c, "") for c in data_columns)])
    return out.getvalue()
