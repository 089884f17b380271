"""Excel import of the enterprise register: template, check pass, apply pass.

The check pass reads the uploaded file through the bounded reader
(anjian.core.spreadsheets: measured before python-calamine parses it), checks every row
and cell, and writes the clean rows to a spool file beside the upload; nothing
is written to the register. The apply pass reads the spool and upserts by
统一社会信用代码 in one transaction: all rows or none. A row whose values equal
the register's changes nothing and writes no audit entry, so importing the same
file twice changes nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any, TextIO

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from anjian.core import copies
from anjian.core.access import scoped
from anjian.core.audit import person_name
from anjian.core.exports import safe_append
from anjian.core.models import AuditEntry
from anjian.core.spreadsheets import UNREADABLE, SpreadsheetRefused, read_xlsx_rows
from anjian.enterprises.checks import CheckContext, check_row, text_of
from anjian.enterprises.columns import COLUMN_BY_KEY, COLUMNS, ORG_KEYS, PROFILE_KEYS
from anjian.enterprises.models import Enterprise, EnterpriseStatus, ImportJob, MajorHazardGrade
from anjian.orgs.models import Grid, Industry, Organisation
from anjian.regions.models import Region

CHUNK = 1000
ERROR_LIMIT = 1000  # errors kept on the job; the error workbook repeats the check in full
PROGRESS_EVERY = 2000
#: The organisation fields that records copy (anjian.core.copies).
PLACEMENT = ("region", "industry", "grid")


class ImportFileError(Exception):
    """The file as a whole cannot be read (not xlsx, no header, missing columns)."""


def template_workbook(user: Any) -> bytes:
    """The import template: Chinese headers, one example row, and code lists."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业台账"
    bold, required = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    safe_append(sheet, [c.header for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        if column.required:
            cell.fill = required
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.header) * 2)
    safe_append(sheet, [c.example for c in COLUMNS])
    ctx = CheckContext.for_user(user)
    regions = workbook.create_sheet("区划代码")
    safe_append(regions, ["区划代码", "名称"])
    for code, name in Region.objects.filter(code__in=ctx.region_codes).values_list(
        "code", "full_name"
    ):
        safe_append(regions, [code, name])
    industries = workbook.create_sheet("行业代码")
    safe_append(industries, ["大类代码", "名称", "门类"])
    for code, name, section in Industry.objects.filter(kind=Industry.Kind.DIVISION).values_list(
        "code", "name", "section__name"
    ):
        if ctx.allowed_divisions is None or code in ctx.allowed_divisions:
            safe_append(industries, [code, name, section])
    grids = workbook.create_sheet("网格")
    safe_append(grids, ["乡镇（街道）区划代码", "网格名称"])
    for township, name in sorted(ctx.grids):
        safe_append(grids, [township, name])
    notes = workbook.create_sheet("填写说明")
    for line in (
        "1. 第一行是表头，请勿修改；第二行是示例，导入前请删除或改成真实数据。",
        "2. 黄色表头为必填项。统一社会信用代码是企业的唯一标识：已登记的企业按它更新，未登记的新增。",
        "3. 区划代码填写到乡镇（街道）一级（9位），见“区划代码”表；行业填写国民经济行业分类大类代码，见“行业代码”表。",
        "4. 是/否列填写“是”或“否”，空白视为“否”。",
        "5. 上传后系统先逐行校验，全部数据不会在校验时写入；确认后再导入。",
    ):
        safe_append(notes, [line])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_map(header: list[Any]) -> dict[int, str]:
    by_header = {c.header: c.key for c in COLUMNS}
    mapping: dict[int, str] = {}
    for index, cell in enumerate(header):
        text = text_of(cell).lstrip("*＊").strip()
        if text in by_header:
            mapping[index] = by_header[text]
    missing = [c.header for c in COLUMNS if c.required and c.key not in mapping.values()]
    if missing:
        raise ImportFileError("缺少必填列：" + "、".join(missing) + "。请使用下载的模板。")
    return mapping


def read_rows(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(Excel row number, {column key: raw value}) for every non-empty data row."""
    try:
        rows = read_xlsx_rows(path)
        header = next(rows, None)
    except SpreadsheetRefused as exc:
        raise ImportFileError(str(exc)) from exc
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ImportFileError(UNREADABLE) from exc
    if header is None:
        raise ImportFileError("文件是空的。")
    mapping = _header_map(list(header))
    for number, values in enumerate(rows, start=2):
        raw = {key: values[index] for index, key in mapping.items() if index < len(values)}
        if any(text_of(v) for v in raw.values()):
            yield number, raw


def _spool_path(job: ImportJob) -> Path:
    return Path(job.file.path + ".rows.jsonl")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def _existing_by_code(codes: list[str]) -> dict[str, tuple[int, str]]:
    """{credit code: (organisation id, kind)} for codes already registered anywhere."""
    return {
        code: (pk, kind)
        for code, pk, kind in Organisation.objects.filter(credit_code__in=codes).values_list(
            "credit_code", "pk", "kind"
        )
    }


def _check_chunk(
    user: Any, rows: list[tuple[int, dict[str, Any]]], errors: list[dict[str, Any]]
) -> set[int]:
    """Checks that need the database, for one chunk of clean rows. Returns bad row numbers."""
    bad: set[int] = set()
    codes = [row["credit_code"] for _, row in rows]
    existing = _existing_by_code(codes)
    ids = [pk for pk, kind in existing.values() if kind == Organisation.Kind.ENTERPRISE]
    visible = set(scoped(Enterprise.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
    names = {row["name"] for _, row in rows}
    taken = {
        (region, name): code
        for region, name, code in Organisation.objects.filter(name__in=names).values_list(
            "region_id", "name", "credit_code"
        )
    }
    code_header, name_header = COLUMN_BY_KEY["credit_code"].header, COLUMN_BY_KEY["name"].header
    for number, row in rows:
        found = existing.get(row["credit_code"])
        if found and found[1] != Organisation.Kind.ENTERPRISE:
            errors.append(
                {
                    "row": number,
                    "column": code_header,
                    "value": row["credit_code"],
                    "message": "该代码已登记为非企业单位",
                }
            )
            bad.add(number)
        elif found and found[0] not in visible:
            errors.append(
                {
                    "row": number,
                    "column": code_header,
                    "value": row["credit_code"],
                    "message": "该企业已由其他辖区或部门登记，您无权修改",
                }
            )
            bad.add(number)
        holder = taken.get((row["region"], row["name"]))
        if holder is not None and holder != row["credit_code"]:
            errors.append(
                {
                    "row": number,
                    "column": name_header,
                    "value": row["name"],
                    "message": "同一乡镇（街道）已有同名的其他单位",
                }
            )
            bad.add(number)
    return bad


def check_file(job: ImportJob) -> ImportJob:
    """The check pass: fills the job's counts and errors and writes the spool of clean rows."""
    user = job.created_by
    ctx = CheckContext.for_user(user)
    errors: list[dict[str, Any]] = []
    error_numbers: set[int] = set()
    total = valid = 0
    pending: list[tuple[int, dict[str, Any]]] = []
    spool = _spool_path(job)

    def flush(out: TextIO) -> None:
        nonlocal valid
        bad = _check_chunk(user, pending, errors)
        error_numbers.update(bad)
        for number, row in pending:
            if number not in bad:
                out.write(
                    json.dumps([number, row], ensure_ascii=False, default=_json_default) + "\n"
                )
                valid += 1
        pending.clear()

    with open(spool, "w", encoding="utf-8") as out:
        for number, raw in read_rows(job.file.path):
            total += 1
            clean, row_errors = check_row(number, raw, ctx)
            if row_errors:
                errors.extend(row_errors)
                error_numbers.add(number)
            else:
                pending.append((number, clean))
            if len(pending) >= CHUNK:
                flush(out)
            if total % PROGRESS_EVERY == 0:
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=total)
        flush(out)
    errors.sort(key=lambda e: (e["row"], e["column"]))
    job.total_rows = job.processed_rows = total
    job.valid_rows = valid
    job.error_rows = len(error_numbers)
    job.errors = errors[:ERROR_LIMIT]
    job.status = ImportJob.Status.CHECKED
    job.message = "" if total else "文件中没有数据行。"
    job.save(
        update_fields=[
            "total_rows",
            "processed_rows",
            "valid_rows",
            "error_rows",
            "errors",
            "status",
            "message",
            "updated_at",
        ]
    )
    return job


def _spooled(job: ImportJob) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    chunk: list[tuple[int, dict[str, Any]]] = []
    with open(_spool_path(job), encoding="utf-8") as fh:
        for line in fh:
            number, row = json.loads(line)
            for key in ("longitude", "latitude"):
                if row.get(key) is not None:
                    row[key] = Decimal(row[key])
            chunk.append((number, row))
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


class _Labels:
    """Readable values for audit entries without a query per row."""

    def __init__(self) -> None:
        self.regions: dict[str, str] = {}
        self.industries = dict(Industry.objects.values_list("code", "name"))
        self.grids = dict(Grid.objects.values_list("pk", "name"))
        self.choices = {
            "status": {str(v): str(label) for v, label in EnterpriseStatus.choices},
            "major_hazard_grade": {str(v): str(label) for v, label in MajorHazardGrade.choices},
        }

    def region(self, code: str) -> str:
        if code not in self.regions:
            self.regions[code] = (
                Region.objects.filter(code=code).values_list("full_name", flat=True).first() or code
            )
        return self.regions[code]

    def show(self, key: str, value: Any) -> Any:
        if value in (None, ""):
            return None
        if key == "region":
            return self.region(value)
        if key == "industry":
            return f"{value} {self.industries.get(value, '')}".strip()
        if key == "grid":
            return self.grids.get(value, str(value))
        if key in self.choices:
            return self.choices[key].get(value, value)
        if isinstance(value, Decimal):
            return str(value)
        return value


def _current(enterprise: Enterprise) -> dict[str, Any]:
    org = enterprise.organisation
    values = {
        "name": org.name,
        "credit_code": org.credit_code,
        "region": org.region_id,
        "industry": org.industry_id,
        "grid": org.grid_id,
        "address": org.address,
        "phone": org.phone,
    }
    values.update({key: getattr(enterprise, key) for key in PROFILE_KEYS})
    return values


def _label(key: str) -> str:
    return COLUMN_BY_KEY[key].header.split("（")[0]


def apply_file(job: ImportJob) -> ImportJob:
    """The apply pass, in one transaction: all spooled rows or none."""
    created, updated, unchanged = apply_rows(
        job.created_by, _spooled(job), reason=f"Excel导入：{job.original_name}"
    )
    job.created_count, job.updated_count, job.unchanged_count = created, updated, unchanged
    job.processed_rows = job.total_rows
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "created_count",
            "updated_count",
            "unchanged_count",
            "processed_rows",
            "status",
            "finished_at",
            "updated_at",
        ]
    )
    _spool_path(job).unlink(missing_ok=True)
    return job


def apply_rows(
    user: Any, chunks: Iterator[list[tuple[int, dict[str, Any]]]], *, reason: str
) -> tuple[int, int, int]:
    """Upsert checked rows by credit code in one transaction, with one audit entry per
    created or changed enterprise. Returns (created, updated, unchanged)."""
    labels = _Labels()
    ct = ContentType.objects.get_for_model(Enterprise)
    actor_name = person_name(user)
    created = updated = unchanged = 0
    now = timezone.now()
    with transaction.atomic():
        for chunk in chunks:
            codes = [row["credit_code"] for _, row in chunk]
            existing = {
                e.organisation.credit_code: e
                for e in scoped(Enterprise.objects.select_related("organisation"), user).filter(
                    organisation__credit_code__in=codes
                )
            }
            new_orgs: list[Organisation] = []
            new_rows: list[dict[str, Any]] = []
            changed_orgs: list[Organisation] = []
            changed_profiles: list[Enterprise] = []
            entries: list[AuditEntry] = []
            for _, row in chunk:
                enterprise = existing.get(row["credit_code"])
                if enterprise is None:
                    new_orgs.append(
                        Organisation(
                            kind=Organisation.Kind.ENTERPRISE,
                            name=row["name"],
                            credit_code=row["credit_code"],
                            region_id=row["region"],
                            industry_id=row["industry"],
                            grid_id=row["grid"] or None,
                            address=row["address"],
                            phone=row["phone"],
                        )
                    )
                    new_rows.append(row)
                    continue
                before = _current(enterprise)
                after = {
                    **before,
                    **{k: (row[k] or None) if k == "grid" else row[k] for k in before},
                }
                diffs = {
                    k: {
                        "label": _label(k),
                        "from": labels.show(k, before[k]),
                        "to": labels.show(k, after[k]),
                    }
                    for k in before
                    if before[k] != after[k]
                }
                if not diffs:
                    unchanged += 1
                    continue
                org = enterprise.organisation
                for key in ORG_KEYS:
                    setattr(
                        org,
                        {"region": "region_id", "industry": "industry_id", "grid": "grid_id"}.get(
                            key, key
                        ),
                        after[key],
                    )
                org.updated_at = now
                enterprise.updated_at = now
                for key in PROFILE_KEYS:
                    setattr(enterprise, key, after[key])
                changed_orgs.append(org)
                changed_profiles.append(enterprise)
                entries.append(
                    AuditEntry(
                        actor=user,
                        actor_name=actor_name,
                        action=AuditEntry.Action.UPDATE,
                        content_type=ct,
                        object_id=str(enterprise.pk),
                        object_repr=org.name[:255],
                        changes=diffs,
                        reason=reason,
                    )
                )
                updated += 1
            if changed_orgs:
                Organisation.objects.bulk_update(
                    changed_orgs,
                    [
                        "name",
                        "credit_code",
                        "region_id",
                        "industry_id",
                        "grid_id",
                        "address",
                        "phone",
                        "updated_at",
                    ],
                )
                Enterprise.objects.bulk_update(changed_profiles, [*PROFILE_KEYS, "updated_at"])
                # Records copying a moved enterprise's region, industry or grid follow it.
                copies.follow(Organisation, [org.pk for org in changed_orgs], changed=PLACEMENT)
            if new_orgs:
                Organisation.objects.bulk_create(new_orgs)
                Enterprise.objects.bulk_create(
                    [
                        Enterprise(organisation_id=org.pk, **{k: row[k] for k in PROFILE_KEYS})
                        for org, row in zip(new_orgs, new_rows, strict=True)
                    ]
                )
                for org, row in zip(new_orgs, new_rows, strict=True):
                    changes = {
                        k: {"label": _label(k), "from": None, "to": labels.show(k, row[k])}
                        for k in ("name", "credit_code", "region", "industry", *PROFILE_KEYS)
                        if row[k] not in (None, "", False)
                    }
                    entries.append(
                        AuditEntry(
                            actor=user,
                            actor_name=actor_name,
                            action=AuditEntry.Action.CREATE,
                            content_type=ct,
                            object_id=str(org.pk),
                            object_repr=org.name[:255],
                            changes=changes,
                            reason=reason,
                        )
                    )
                created += len(new_orgs)
            AuditEntry.objects.bulk_create(entries, batch_size=CHUNK)
    return created, updated, unchanged
