"""The write path of the enterprise register: atomic, checked, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from anjian.core import audit, copies
from anjian.core.access import scope_for
from anjian.core.idempotency import idempotent
from anjian.core.models import AuditEntry
from anjian.enterprises import permissions
from anjian.enterprises.models import ChangeRequest, Enterprise, EnterpriseStatus, ImportJob
from anjian.orgs.models import Organisation, SupervisionOverride, User

#: Organisation fields edited through the register; the key ones need approval when
#: the enterprise itself changes them.
ORG_FIELDS = ("name", "credit_code", "region", "industry", "grid", "address", "phone")
KEY_FIELDS = ("name", "credit_code", "industry", "region")
#: Set by the township or the bureau only (`permissions.can_assign_grid`): the
#: enterprise can neither change nor request it; it is their grid workers' assignment.
GRID_FIELDS = ("grid",)
PROFILE_FIELDS = tuple(
    f.name
    for f in Enterprise._meta.concrete_fields
    if f.name not in {"organisation", "status", "created_at", "updated_at"}
)

#: Allowed status changes. Closing or deregistering deactivates the organisation,
#: so its users see nothing; reopening reactivates it.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    EnterpriseStatus.OPERATING: {
        EnterpriseStatus.SUSPENDED,
        EnterpriseStatus.CLOSED,
        EnterpriseStatus.DEREGISTERED,
    },
    EnterpriseStatus.SUSPENDED: {
        EnterpriseStatus.OPERATING,
        EnterpriseStatus.CLOSED,
        EnterpriseStatus.DEREGISTERED,
    },
    EnterpriseStatus.CLOSED: {EnterpriseStatus.OPERATING, EnterpriseStatus.DEREGISTERED},
    EnterpriseStatus.DEREGISTERED: {EnterpriseStatus.OPERATING},
}
INACTIVE_STATUSES = {EnterpriseStatus.CLOSED, EnterpriseStatus.DEREGISTERED}


def locked_fields(actor: User) -> tuple[str, ...]:
    """Organisation fields the actor may not change directly (the edit form shows them
    read-only, the service refuses a change)."""
    locked = () if permissions.edits_key_fields_directly(actor) else KEY_FIELDS
    return locked if permissions.can_assign_grid(actor) else (*locked, *GRID_FIELDS)


def _check_placement(actor: User, organisation: Organisation) -> None:
    """The enterprise must stay where the actor can see it: region and industry."""
    scope = scope_for(actor)
    if not organisation.region_id:
        raise ValidationError({"region": "请选择所在区划。"})
    if not scope.covers_region(organisation.region_id):
        raise ValidationError({"region": "只能选择本辖区内的行政区划。"})
    if organisation.region_id and len(organisation.region_id) < 9:
        raise ValidationError({"region": "企业的所在区划须选择到乡镇（街道）。"})
    codes = scope.industry_codes
    if codes is not None and organisation.industry_id not in codes:
        raise ValidationError({"industry": "只能登记本部门监管行业的企业。"})


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        {k: v for k, v in data.items() if k in ORG_FIELDS},
        {k: v for k, v in data.items() if k in PROFILE_FIELDS},
    )


@idempotent(Enterprise)
@transaction.atomic
def enterprise_register(
    *, actor: User, data: dict[str, Any], idempotency_key: str | None = None
) -> Enterprise:
    if not permissions.can_register(actor):
        raise PermissionDenied("无权登记企业。")
    org_values, profile_values = _split(data)
    organisation = Organisation(kind=Organisation.Kind.ENTERPRISE, **org_values)
    _check_placement(actor, organisation)
    organisation.full_clean()
    enterprise = Enterprise(**profile_values)
    enterprise.full_clean(exclude=["organisation"])
    organisation.save()
    enterprise.organisation = organisation
    enterprise.save()
    changes = audit.diff(Organisation, {}, audit.snapshot(organisation, ORG_FIELDS)) | audit.diff(
        Enterprise, {}, audit.snapshot(enterprise, PROFILE_FIELDS)
    )
    # A new record's entry lists what was filled in, not every unticked flag.
    changes = {k: v for k, v in changes.items() if v["to"] is not False}
    audit.record(actor=actor, instance=enterprise, action=AuditEntry.Action.CREATE, changes=changes)
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor: User, enterprise: Enterprise, data: dict[str, Any], reason: str = ""
) -> Enterprise:
    """Change register fields. The enterprise itself may not change key fields here
    (they go through `change_request_submit`), and only the township or the bureau
    assigns the grid (`locked_fields`). Records that copy the enterprise's region,
    industry or grid follow it in this transaction."""
    if not permissions.can_edit(actor, enterprise):
        raise PermissionDenied("无权修改该企业。")
    enterprise = (
        Enterprise.objects.select_for_update().select_related("organisation").get(pk=enterprise.pk)
    )
    organisation = enterprise.organisation
    org_values, profile_values = _split(data)
    changed = [
        k
        for k in locked_fields(actor)
        if k in org_values and _differs(organisation, k, org_values[k])
    ]
    if any(k in KEY_FIELDS for k in changed):
        raise PermissionDenied("名称、信用代码、行业和区划的变更须提交审核。")
    if changed:
        raise PermissionDenied("所属网格由乡镇（街道）或应急管理部门划定，不能在此修改。")
    if (
        "region" in org_values
        and "grid" not in org_values
        and _differs(organisation, "region", org_values["region"])
    ):
        _leave_grid_outside(organisation, _raw_value(org_values["region"]), org_values)
    org_changes = (
        audit.save_with_audit(
            actor=actor,
            instance=organisation,
            values=org_values,
            reason=reason,
            check=lambda org: (
                _check_placement(actor, org)
                if permissions.edits_key_fields_directly(actor)
                else None
            ),
        )
        if org_values
        else {}
    )
    profile_changes = (
        audit.save_with_audit(
            actor=actor, instance=enterprise, values=profile_values, reason=reason
        )
        if profile_values
        else {}
    )
    if org_changes or profile_changes:
        Enterprise.objects.filter(pk=enterprise.pk).update(updated_at=timezone.now())
    _follow(organisation, org_changes)
    return enterprise


def _follow(organisation: Organisation, changes: dict[str, Any]) -> None:
    """The records' copies of the enterprise (a hazard's region, industry, grid) follow
    it in the caller's transaction (DESIGN §5), the hazard rollup with them."""
    if changes:
        copies.follow(Organisation, [organisation.pk], changed=changes)


def _leave_grid_outside(organisation: Organisation, region: Any, values: dict[str, Any]) -> None:
    # A grid belongs to one township: moving the enterprise out leaves it, unless the
    # caller names the new grid.
    grid = organisation.grid
    if grid is not None and not grid.region_id.startswith(str(region or "")[:9]):
        values["grid"] = None


def _differs(organisation: Organisation, key: str, value: Any) -> bool:
    return bool(_raw(organisation, key) != _raw_value(value))


def _raw(organisation: Organisation, key: str) -> Any:
    return (
        getattr(organisation, f"{key}_id")
        if key in {"region", "industry", "grid"}
        else getattr(organisation, key)
    )


def _raw_value(value: Any) -> Any:
    return getattr(value, "pk", value)


@transaction.atomic
def enterprise_set_status(
    *, actor: User, enterprise: Enterprise, status: str, reason: str
) -> Enterprise:
    if not permissions.can_change_status(actor):
        raise PermissionDenied("无权变更企业经营状态。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写原因。"})
    enterprise = (
        Enterprise.objects.select_for_update().select_related("organisation").get(pk=enterprise.pk)
    )
    if status not in STATUS_TRANSITIONS.get(enterprise.status, set()):
        raise ValidationError(
            {"status": f"不能从“{enterprise.get_status_display()}”变更为该状态。"}
        )
    audit.save_with_audit(
        actor=actor,
        instance=enterprise,
        values={"status": status},
        action=AuditEntry.Action.TRANSITION,
        reason=reason,
    )
    active = status not in INACTIVE_STATUSES
    if enterprise.organisation.is_active != active:
        audit.save_with_audit(
            actor=actor,
            instance=enterprise.organisation,
            values={"is_active": active},
            action=AuditEntry.Action.ACTIVATE if active else AuditEntry.Action.DEACTIVATE,
            reason=reason,
        )
    return enterprise


@idempotent(ChangeRequest)
@transaction.atomic
def change_request_submit(
    *,
    actor: User,
    enterprise: Enterprise,
    data: dict[str, Any],
    reason: str,
    idempotency_key: str | None = None,
) -> ChangeRequest:
    """The enterprise asks to change key fields; nothing changes until it is approved."""
    if not permissions.can_edit(actor, enterprise):
        raise PermissionDenied("无权为该企业提交变更申请。")
    organisation = enterprise.organisation
    proposed = Organisation.objects.get(pk=organisation.pk)
    values = {
        k: v for k, v in data.items() if k in KEY_FIELDS and _raw(organisation, k) != _raw_value(v)
    }
    if not values:
        raise ValidationError({"__all__": "没有需要变更的关键信息。"})
    if "region" in values:
        new_region = _raw_value(values["region"])
        if len(new_region) < 9 or not new_region.startswith(organisation.region_id[:6]):
            raise ValidationError(
                {
                    "region": "新区划须在本县（区）内并选择到乡镇（街道）；跨县迁移请联系应急管理部门。"
                }
            )
        grid = organisation.grid
        if grid is not None and not grid.region_id.startswith(new_region[:9]):
            values["grid"] = None  # a grid belongs to one township: moving out leaves it
    before = audit.snapshot(proposed, values)
    for key, value in values.items():
        setattr(proposed, key, value)
    proposed.full_clean()
    after = audit.snapshot(proposed, values)
    changes = {
        key: {
            "label": change["label"],
            "from": change["from"],
            "to": change["to"],
            "value": _raw_value(values[key]),
        }
        for key, change in audit.diff(Organisation, before, after).items()
    }
    try:
        with transaction.atomic():
            request = ChangeRequest.objects.create(
                enterprise=enterprise, requested_by=actor, changes=changes, reason=reason
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"__all__": "已有一份待审核的变更申请，请等待审核或先撤回。"}
        ) from exc
    audit.record(
        actor=actor,
        instance=enterprise,
        action=AuditEntry.Action.TRANSITION,
        changes={"change_request": {"label": "关键信息变更申请", "from": None, "to": "待审核"}},
        reason=reason,
    )
    return request


@transaction.atomic
def change_request_decide(
    *, actor: User, request: ChangeRequest, approve: bool, note: str = ""
) -> ChangeRequest:
    if not permissions.can_decide_changes(actor):
        raise PermissionDenied("无权审核变更申请。")
    request = (
        ChangeRequest.objects.select_for_update()
        .select_related("enterprise__organisation")
        .get(pk=request.pk)
    )
    if request.status != ChangeRequest.Status.PENDING:
        raise ValidationError({"__all__": "该申请已处理。"})
    if not approve and not note.strip():
        raise ValidationError({"note": "驳回时请填写审核意见。"})
    if approve:
        from anjian.orgs.models import Industry
        from anjian.regions.models import Region

        values: dict[str, Any] = {}
        for key, change in request.changes.items():
            value = change["value"]
            if key == "region":
                value = Region.objects.get(code=value)
            elif key == "industry":
                value = Industry.objects.get(code=value)
            values[key] = value
        changes = audit.save_with_audit(
            actor=actor,
            instance=request.enterprise.organisation,
            values=values,
            check=lambda org: _check_placement(actor, org),
            reason=f"审核通过 {request.requested_by.get_full_name()} 的变更申请：{request.reason}（{note}）".strip(),
        )
        _follow(request.enterprise.organisation, changes)
    request.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    audit.record(
        actor=actor,
        instance=request.enterprise,
        action=AuditEntry.Action.TRANSITION,
        changes={
            "change_request": {
                "label": "关键信息变更申请",
                "from": "待审核",
                "to": request.get_status_display(),
            }
        },
        reason=note,
    )
    return request


@transaction.atomic
def change_request_withdraw(*, actor: User, request: ChangeRequest) -> ChangeRequest:
    request = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.requested_by_id != actor.pk:
        raise PermissionDenied("只能撤回自己提交的申请。")
    if request.status != ChangeRequest.Status.PENDING:
        raise ValidationError({"__all__": "该申请已处理。"})
    request.status = ChangeRequest.Status.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    return request


@transaction.atomic
def supervision_set(
    *, actor: User, enterprise: Enterprise, department: Organisation, mode: str | None, reason: str
) -> None:
    """Add or exclude a department for one enterprise, or return it to the industry mapping."""
    if not permissions.can_manage_supervision(actor):
        raise PermissionDenied("无权调整监管部门。")
    if department.kind != Organisation.Kind.DEPARTMENT or not scope_for(actor).covers_region(
        department.region_id
    ):
        raise ValidationError({"department": "请选择本辖区的行业主管部门。"})
    if not enterprise.organisation.region_id.startswith(department.region_id):
        raise ValidationError({"department": "该部门的辖区不包含这家企业。"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写原因。"})
    current = SupervisionOverride.objects.filter(
        enterprise_id=enterprise.pk, department=department
    ).first()
    before = current.get_mode_display() if current else "按行业"
    if mode is None:
        if current:
            current.delete()
    else:
        SupervisionOverride.objects.update_or_create(
            enterprise_id=enterprise.pk,
            department=department,
            defaults={"mode": mode, "reason": reason},
        )
    after = dict(SupervisionOverride.Mode.choices).get(mode, "按行业") if mode else "按行业"
    if before != after:
        audit.record(
            actor=actor,
            instance=enterprise,
            action=AuditEntry.Action.UPDATE,
            changes={
                "supervision": {
                    "label": f"监管部门：{department.name}",
                    "from": before,
                    "to": after,
                }
            },
            reason=reason,
        )


# Imports -------------------------------------------------------------------------


@idempotent(ImportJob)
@transaction.atomic
def import_start(*, actor: User, uploaded: Any, idempotency_key: str | None = None) -> ImportJob:
    """Store the upload and queue the check pass. Nothing reaches the register yet."""
    from django.conf import settings

    if not permissions.can_register(actor):
        raise PermissionDenied("无权导入企业。")
    name = getattr(uploaded, "name", "") or "upload.xlsx"
    if not name.lower().endswith(".xlsx"):
        raise ValidationError({"file": "请上传 .xlsx 格式的 Excel 文件（可先下载模板）。"})
    if uploaded.size > settings.ANJIAN_IMPORT_MAX_BYTES:
        raise ValidationError(
            {"file": f"文件过大（上限 {settings.ANJIAN_IMPORT_MAX_BYTES // 1024 // 1024} MB）。"}
        )
    job = ImportJob.objects.create(created_by=actor, file=uploaded, original_name=name[:255])
    from anjian.enterprises.tasks import check_import

    check_import.enqueue(job.pk)
    return job


@transaction.atomic
def import_confirm(*, actor: User, job: ImportJob, mode: str) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != actor.pk:
        raise PermissionDenied("只能确认自己上传的导入。")
    if job.status != ImportJob.Status.CHECKED:
        raise ValidationError({"__all__": "该导入当前不能确认。"})
    if mode not in ImportJob.Mode.values:
        raise ValidationError({"mode": "请选择导入方式。"})
    if mode == ImportJob.Mode.ALL_OR_NOTHING and job.error_rows:
        raise ValidationError(
            {
                "mode": f"有 {job.error_rows} 行数据有误，不能全部导入。请修改后重新上传，或选择只导入有效行。"
            }
        )
    if not job.valid_rows:
        raise ValidationError({"mode": "没有可以导入的有效行。"})
    job.mode, job.status, job.processed_rows = mode, ImportJob.Status.IMPORTING, 0
    job.save(update_fields=["mode", "status", "processed_rows", "updated_at"])
    from anjian.enterprises.tasks import apply_import

    apply_import.enqueue(job.pk)
    return job


@transaction.atomic
def import_cancel(*, actor: User, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != actor.pk:
        raise PermissionDenied("只能取消自己上传的导入。")
    if job.status != ImportJob.Status.CHECKED:
        raise ValidationError({"__all__": "该导入当前不能取消。"})
    job.status = ImportJob.Status.CANCELLED
    job.save(update_fields=["status", "updated_at"])
    return job
