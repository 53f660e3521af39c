"""Lead import from CSV or XLSX: column mapping, per-row validation, an exact error report.

Every row is judged on its own, so a bad row never blocks the good ones; rows that are not
imported are listed with their spreadsheet row number (the header is row 1), a status
(``invalid``, ``duplicate``, ``dnc``) and the reason. Numbers are unique per campaign (a
database constraint), so uploading the same file again adds nothing twice: its rows come
back as ``duplicate … already imported``.

The file is read by ``spreadsheets`` under named limits (size, cell, rows, encoding, zip
bombs) and refused whole past one; the rows are judged before anything is written.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction

from contactcenter.campaigns import compliance, dial_targets
from contactcenter.campaigns.csv_export import csv_text
from contactcenter.campaigns.models import Campaign, ContactList, ImportBatch, Lead
from contactcenter.campaigns.spreadsheets import ImportFileError, ReadLimits, UploadTooLarge, open_sheet
from contactcenter.people.models import DoNotCall
from pbx.api import required_fields

__all__ = ["ImportFileError", "UploadTooLarge", "import_leads", "error_report_csv", "resolve_mapping"]

MAX_ROWS = ReadLimits.max_rows
STANDARD_TARGETS = ("phone", "first_name", "time_zone", "external_id")
# The longest value a row may carry per target (the Lead's columns); a longer one makes the
# row invalid, never silently cut. Any cell over ReadLimits.max_cell_chars refuses the file.
FIELD_MAX_CHARS = {"phone": 40, "first_name": 80, "external_id": 80, "time_zone": 64}
CUSTOM_FIELD_MAX_CHARS = 1000
# The report keeps the first PROBLEMS_KEPT problem rows (by row number) and counts them all, so
# 200k bad rows cost a counter, not 200k dicts; each kept cell is cut to REPORT_CELL_CHARS.
PROBLEMS_KEPT = 1000
REPORT_CELL_CHARS = 200
# Rows written (and looked up for duplicates and do-not-call) per query.
CHUNK = 500
# Header spellings recognised without a mapping (after lower-casing, spaces → _).
SYNONYMS: dict[str, str] = {
    "phone": "phone", "phone_number": "phone", "mobile": "phone", "mobile_number": "phone", "msisdn": "phone",
    "number": "phone", "contact_number": "phone",
    "first_name": "first_name", "firstname": "first_name", "name": "first_name", "customer_name": "first_name",
    "time_zone": "time_zone", "timezone": "time_zone", "tz": "time_zone",
    "external_id": "external_id", "customer_id": "external_id", "lead_id": "external_id",
}  # fmt: skip
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_lead_fields(fields: object) -> dict[str, str | int | float]:
    """A lead's own fields as the API may set them: an object of at most ReadLimits.max_columns
    names like order_id, each a short text or number (what an import row could carry)."""
    if not isinstance(fields, dict):
        raise ValueError('give an object of name: value, e.g. {"order_id": "A1001"}')
    if len(fields) > ReadLimits.max_columns:
        raise ValueError(f"{len(fields)} fields; at most {ReadLimits.max_columns}")
    checked = {}
    for name, value in fields.items():
        if not _FIELD_NAME.match(name):
            raise ValueError(f"{name[:40]!r}: field names are identifiers like order_id (at most 40 characters)")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"{name}: give a text or a number")
        if len(str(value)) > CUSTOM_FIELD_MAX_CHARS:
            raise ValueError(f"{name}: {len(str(value))} characters; at most {CUSTOM_FIELD_MAX_CHARS}")
        checked[name] = value
    return checked


def normalise_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(header).strip().lower()).strip("_")


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


def check_columns(headers: list[str], columns: Mapping[str, str], needed: Iterable[str], flow: str) -> None:
    """Refuse a file whose columns cannot give good rows, naming the columns."""
    used = set(columns.values())
    twice = sorted({h for h in headers if h in used and headers.count(h) > 1})
    if twice:
        raise ImportFileError(f"the column {', '.join(repr(h) for h in twice)} appears more than once; rename or "
                              "map one of them")  # fmt: skip
    missing = [name for name in needed if name not in columns]
    if missing:
        raise ImportFileError(f"no column for {', '.join(missing)}, which the {flow} flow needs (columns: "
                              f"{', '.join(headers)}); add it or map one to it")  # fmt: skip


@dataclass(slots=True)
class _Row:
    number: int
    phone: str
    zones: list[str]
    values: dict[str, str]  # target -> value
    cells: tuple[str, ...]  # the row as uploaded, for the report


class _Problems:
    """The rows not imported: every one counted by status, the first PROBLEMS_KEPT (by row) kept."""

    def __init__(self, headers: list[str]) -> None:
        self.headers = headers
        self.counts: Counter[str] = Counter()
        self.kept: list[dict] = []
        self.cutoff = float("inf")  # once PROBLEMS_KEPT are kept, a later row is only counted

    def add(self, number: int, status: str, reasons: list[tuple[str, str, str]], cells: tuple[str, ...]) -> None:
        self.counts[status] += 1
        if number > self.cutoff:
            return
        self.kept.append(_problem(number, status, reasons, dict(zip(self.headers, cells, strict=False))))
        if len(self.kept) >= PROBLEMS_KEPT:
            self._trim()

    def _trim(self) -> list[dict]:
        self.kept.sort(key=lambda p: p["row"])
        del self.kept[PROBLEMS_KEPT:]
        if len(self.kept) == PROBLEMS_KEPT:
            self.cutoff = self.kept[-1]["row"]
        return self.kept

    def report(self) -> list[dict]:
        return self._trim()


def import_leads(campaign: Campaign, filename: str, data: bytes | BinaryIO, mapping: Mapping[str, str] | None = None,
                 list_name: str = "", user=None, encoding: str | None = None,
                 limits: ReadLimits | None = None) -> ImportBatch:  # fmt: skip
    """Read and judge every row first (the file is refused whole on a limit or an unreadable
    part, before anything is written), then write the good ones in one transaction."""
    limits = limits or site_limits()
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    sheet = open_sheet(filename, source, _size(source), encoding, limits)
    headers = sheet.headers
    columns = resolve_mapping(headers, mapping)
    needed = required_fields(campaign.flow_name)
    check_columns(headers, columns, needed, campaign.flow_name)
    where = {header: i for i, header in enumerate(headers)}
    position = {target: where[header] for target, header in columns.items()}
    patterns = dial_targets.trunk_destinations(campaign.trunk)
    problems = _Problems(headers)
    good: list[_Row] = []
    first_seen: dict[str, int] = {}
    rows = 0
    for number, cells in sheet.rows:
        if not any(cells):
            continue
        rows += 1
        raw = tuple(cells[: len(headers)])
        values = {target: (cells[i] if i < len(cells) else "") for target, i in position.items()}
        row, reasons = _parse_row(campaign, number, values, needed, patterns)
        if reasons:
            problems.add(number, "invalid", reasons, raw)
        elif row.phone in first_seen:
            problems.add(number, "duplicate", [("phone", values["phone"], f"same number as row {first_seen[row.phone]}")],
                         raw)  # fmt: skip
        else:
            row.cells = raw
            first_seen[row.phone] = number
            good.append(row)
    del first_seen

    with transaction.atomic():
        contact_list, _ = ContactList.objects.get_or_create(campaign=campaign, name=list_name or filename[:120])
        batch = ImportBatch.objects.create(campaign=campaign, contact_list=contact_list, filename=filename[:255],
                                           mapping=columns, rows=rows, encoding=sheet.encoding[:40],
                                           created_by=user if getattr(user, "is_authenticated", False) else None)  # fmt: skip
        created = 0
        for start in range(0, len(good), CHUNK):
            created += _write_chunk(campaign, contact_list, good[start:start + CHUNK], problems)
        batch.imported = created
        batch.invalid, batch.duplicates, batch.dnc = (problems.counts[s] for s in ("invalid", "duplicate", "dnc"))
        batch.problems = problems.report()
        batch.save()
    return batch


def site_limits() -> ReadLimits:
    """The defaults, with the site's upload limit (LEAD_IMPORT_MAX_BYTES, which the web server enforces too)."""
    return ReadLimits(max_bytes=settings.LEAD_IMPORT_MAX_BYTES)


def _size(source: BinaryIO) -> int:
    size = getattr(source, "size", None)  # Django's UploadedFile knows it
    if size is None:
        size = source.seek(0, io.SEEK_END)
        source.seek(0)
    return size


def _write_chunk(campaign: Campaign, contact_list: ContactList, rows: list[_Row], problems: _Problems) -> int:
    phones = [r.phone for r in rows]
    existing = dict(Lead.objects.filter(campaign=campaign, phone__in=phones).values_list("phone", "pk"))
    on_dnc = set(DoNotCall.objects.filter(phone__in=phones).values_list("phone", flat=True))
    to_create = []
    for row in rows:
        if row.phone in existing:
            problems.add(row.number, "duplicate", [("phone", row.phone, f"already imported (lead {existing[row.phone]})")],
                         row.cells)  # fmt: skip
        elif row.phone in on_dnc:
            problems.add(row.number, "dnc", [("phone", row.phone, "on the do-not-call list")], row.cells)
        else:
            to_create.append(row)
    return _create(campaign, contact_list, to_create, problems)


def _parse_row(campaign: Campaign, number: int, value: dict[str, str], needed: Iterable[str],
               patterns: tuple[str, ...]) -> tuple[_Row | None, list[tuple[str, str, str]]]:  # fmt: skip
    reasons: list[tuple[str, str, str]] = []
    for target, text in value.items():
        limit = FIELD_MAX_CHARS.get(target, CUSTOM_FIELD_MAX_CHARS)
        if len(text) > limit:
            reasons.append((target, text[:40] + "…", f"{target} is {len(text)} characters; at most {limit}"))
    if reasons:
        return None, reasons
    phone = ""
    try:
        phone = compliance.normalise_phone(value["phone"], campaign.default_region)
    except compliance.PhoneError as exc:
        reasons.append(("phone", value["phone"], str(exc)))
    else:
        if refusal := dial_targets.costly_number_refusal(phone, patterns, campaign.trunk):
            reasons.append(("phone", phone, refusal))
    zones: list[str] = []
    if value.get("time_zone"):
        try:
            zones = [compliance.check_time_zone(value["time_zone"])]
        except ValueError as exc:
            reasons.append(("time_zone", value["time_zone"], str(exc)))
    for name in needed:
        if not value.get(name):
            reasons.append((name, "", f"{name} is required by the {campaign.flow_name} flow"))
    if reasons:
        return None, reasons
    if not zones:
        zones = list(compliance.zones_for_number(phone)) or [campaign.default_time_zone]
    return _Row(number, phone, zones, value, ()), []


def _problem(number: int, status: str, reasons: list[tuple[str, str, str]], raw: Mapping[str, str]) -> dict:
    return {
        "row": number,
        "status": status,
        "field": ", ".join(r[0] for r in reasons),
        "value": ", ".join(r[1] for r in reasons)[:REPORT_CELL_CHARS],
        "reason": "; ".join(r[2] for r in reasons),
        "data": {k: v[:REPORT_CELL_CHARS] for k, v in raw.items()},
    }


def _lead(campaign: Campaign, contact_list: ContactList, row: _Row) -> Lead:
    custom = {k: v for k, v in row.values.items() if k not in STANDARD_TARGETS and v != ""}
    return Lead(campaign=campaign, contact_list=contact_list, phone=row.phone, time_zones=row.zones,
                first_name=row.values.get("first_name", ""), external_id=row.values.get("external_id", ""),
                fields=custom, source_row=row.number)  # fmt: skip


def _create(campaign: Campaign, contact_list: ContactList, rows: list[_Row], problems: _Problems) -> int:
    try:
        with transaction.atomic():
            Lead.objects.bulk_create([_lead(campaign, contact_list, r) for r in rows], batch_size=CHUNK)
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
            problems.add(row.number, "duplicate", [("phone", row.phone, "already imported")], row.cells)
    return created


REPORT_COLUMNS = ("row", "status", "field", "value", "reason")


def error_report_csv(batch: ImportBatch) -> str:
    """The rows that were not imported: row number, status, field, value, reason, then the row as
    uploaded; cells a spreadsheet would run as a formula are neutralised (``csv_export``)."""
    data_columns: list[str] = []
    for problem in batch.problems:
        for key in problem.get("data", {}):
            if key not in data_columns:
                data_columns.append(key)
    rows = ([*(problem[c] for c in REPORT_COLUMNS), *(problem.get("data", {}).get(c, "") for c in data_columns)]
            for problem in batch.problems)  # fmt: skip
    return csv_text([*REPORT_COLUMNS, *data_columns], rows)
