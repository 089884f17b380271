"""The write path of the hazard closed loop: one service per step, atomic, audited.

TRANSITIONS is the workflow: step → (statuses it starts from, status it leads to).
Steps take an optional `at` (when it happened; default now) so that imports of
paper ledgers and the demo can record history; the checks use that time.
Every step locks the hazard row, checks the current status inside the lock (so two
people verifying at the same moment close it once), checks the actor's right,
writes a timeline event and an audit entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from anjian.core import audit
from anjian.core.idempotency import idempotent
from anjian.core.models import AuditEntry
from anjian.core.periods import deadline_problem
from anjian.enterprises.models import Enterprise
from anjian.hazards import notices, permissions, rollup
from anjian.hazards.models import (
    RUNNING_STATUSES,
    SELF_FOUND_SOURCES,
    ExtensionRequest,
    Hazard,
    HazardEvent,
    HazardPhoto,
    Level,
    Listing,
    ProgressReport,
    RectificationPlan,
    Source,
    Status,
    default_deadline,
)
from anjian.hazards.photos import check_photos, save_photos
from anjian.orgs.models import Role, User

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "plan": (frozenset({Status.REGISTERED}), Status.RECTIFYING),
    "submit": (frozenset({Status.RECTIFYING}), Status.PENDING),
    "verify": (frozenset({Status.PENDING}), Status.CLOSED),
    "reject": (frozenset({Status.PENDING}), Status.RECTIFYING),
}
REPEAT_WINDOW = timedelta(days=365)
HAZARD_FIELDS = (
    "place",
    "domain",
    "factor_class",
    "level",
    "description",
    "source",
    "found_at",
    "found_by_name",
    "legal_basis",
    "deadline",
)


def _normalise_place(place: str) -> str:
    return "".join(place.split()).lower()


def _event(
    hazard: Hazard,
    actor: User,
    kind: str,
    *,
    at: datetime | None = None,
    before: str = "",
    note: str = "",
    **data: Any,
) -> None:
    HazardEvent.objects.create(
        hazard=hazard,
        kind=kind,
        actor=actor,
        actor_name=actor.get_full_name(),
        at=at or timezone.now(),
        from_status=before,
        to_status=hazard.status if before else "",
        note=note,
        data=data,
    )


def _locked(hazard: Hazard, step: str) -> Hazard:
    locked: Hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    allowed_from, _ = TRANSITIONS[step]
    if locked.status not in allowed_from:
        raise ValidationError(
            {
                "__all__": f"该隐患当前为“{locked.get_status_display()}”，不能办理此环节（可能已被他人办理）。"
            }
        )
    return locked


def _check_deadline(values: dict[str, Any], immediate: bool) -> None:
    """责令限期整改: a regulator's finding carries the deadline the regulator set; a
    self-found hazard without one gets the default term of its level (a setting).
    A hazard rectified on the spot (立即整改) is closed at once and needs none."""
    deadline = values.get("deadline")
    if immediate:
        values["deadline"] = None
        return
    if deadline is None:
        if values.get("source") not in SELF_FOUND_SOURCES:
            raise ValidationError({"deadline": "检查发现的隐患须责令限期整改：请填写整改期限。"})
        if values.get("level") in Level.values:
            values["deadline"] = default_deadline(values["level"], values["found_at"])
    elif deadline <= values["found_at"]:
        raise ValidationError({"deadline": "整改期限须晚于发现时间。"})
    elif problem := deadline_problem(deadline):
        raise ValidationError({"deadline": problem})


@idempotent(Hazard)
@transaction.atomic
def hazard_register(
    *,
    actor: User,
    enterprise: Enterprise,
    data: dict[str, Any],
    immediate: bool = False,
    rectification_note: str = "",
    photos: list[Any] | None = None,
    idempotency_key: str | None = None,
) -> Hazard:
    """Register a hazard found at `enterprise` (which the caller fetched through a scoped
    selector). An 立即整改 一般 hazard is registered and closed at once."""
    if not permissions.can_register(actor):
        raise PermissionDenied("无权登记隐患。")
    org = enterprise.organisation
    values = {k: v for k, v in data.items() if k in HAZARD_FIELDS}
    if actor.role == Role.ENTERPRISE and not actor.is_superuser:
        if actor.organisation_id != enterprise.pk:
            raise PermissionDenied("只能登记本企业的隐患。")
        values["source"] = Source.SELF
    values.setdefault("found_at", timezone.now())
    values.setdefault("found_by_name", actor.get_full_name())
    if values["found_at"] > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"found_at": "发现时间不能晚于现在。"})
    _check_deadline(values, immediate)
    hazard = Hazard(
        enterprise=enterprise,
        region_code=org.region_id,
        industry_code=org.industry_id or "",
        grid_id=org.grid_id,
        found_by=actor,
        **values,
    )
    photos = photos or []
    check_photos(photos)
    if immediate:
        if not photos:
            raise ValidationError({"photos": "立即整改的，请上传整改后的现场照片。"})
        if hazard.level != Level.GENERAL:
            raise ValidationError(
                {"immediate": "只有一般隐患可以立即整改销号；重大隐患须制定治理方案。"}
            )
        if not rectification_note.strip():
            raise ValidationError({"rectification_note": "立即整改的，请填写整改情况。"})
    place = _normalise_place(hazard.place)
    since = hazard.found_at - REPEAT_WINDOW
    for earlier in Hazard.objects.filter(
        enterprise=enterprise,
        domain_id=hazard.domain_id,
        status=Status.CLOSED,
        closed_at__gte=since,
    ).order_by("-closed_at"):
        if _normalise_place(earlier.place) == place:
            hazard.is_repeat, hazard.repeat_of = True, earlier
            break
    hazard.full_clean()
    hazard.save()
    rollup.bump(hazard, found=1, closed=1 if immediate else 0)
    _event(
        hazard,
        actor,
        HazardEvent.Kind.REGISTERED,
        at=hazard.found_at,
        note="重复隐患（12个月内同一部位同类隐患已销号）" if hazard.is_repeat else "",
    )
    audit.record(actor=actor, instance=hazard, action=AuditEntry.Action.CREATE, before={})
    save_photos(
        hazard, photos, HazardPhoto.Stage.AFTER if immediate else HazardPhoto.Stage.BEFORE, actor
    )

    if immediate:
        before = hazard.status
        now = hazard.found_at
        audit.save_with_audit(
            actor=actor,
            instance=hazard,
            action=AuditEntry.Action.TRANSITION,
            reason="立即整改",
            values={
                "immediate": True,
                "status": Status.CLOSED,
                "rectified_by": actor,
                "rectification_note": rectification_note,
                "closed_by": actor,
                "closed_at": now,
            },
        )
        _event(
            hazard,
            actor,
            HazardEvent.Kind.CLOSED,
            at=now,
            before=before,
            note=f"立即整改：{rectification_note}",
        )
    notices.registered(hazard, actor)
    return hazard


@transaction.atomic
def hazard_set_plan(
    *, actor: User, hazard: Hazard, plan: dict[str, Any], at: datetime | None = None
) -> Hazard:
    """已登记 → 整改中: the 五落实 plan (R-HAZ-2); a 重大 hazard also needs the six parts of
    its 治理方案 (R-HAZ-3) before rectification starts."""
    if not permissions.can_plan(actor, hazard):
        raise PermissionDenied("无权确定整改方案。")
    hazard = _locked(hazard, "plan")
    record = RectificationPlan(hazard=hazard, accepted_by=actor, **plan)
    errors: dict[str, str] = {}
    for field in ("measures", "responsible_person", "contingency"):
        if not str(getattr(record, field) or "").strip():
            errors[field] = "五落实：此项必填。"
    if record.funds is None or record.funds < 0:
        errors["funds"] = "五落实：请填写整改资金（不需资金的填0）。"
    if record.deadline is None or record.deadline <= (at or timezone.now()):
        errors["deadline"] = "整改时限须晚于现在。"
    elif problem := deadline_problem(record.deadline):
        errors["deadline"] = problem
    elif hazard.deadline is not None and record.deadline > hazard.deadline:
        errors["deadline"] = (
            f"整改时限不能晚于责令整改期限（{timezone.localtime(hazard.deadline):%Y-%m-%d %H:%M}）；"
            "确需更长时间的，请先申请延期，经同意后再确定方案。"
        )
    if hazard.level == Level.MAJOR:
        for field in RectificationPlan.MAJOR_FIELDS:
            if not getattr(record, field).strip():
                errors[field] = "重大隐患治理方案：此项必填。"
    if errors:
        raise ValidationError(errors)
    record.full_clean()
    record.save()
    rollup.bump(hazard, funds=record.funds)
    before = hazard.status
    audit.save_with_audit(
        actor=actor,
        instance=hazard,
        action=AuditEntry.Action.TRANSITION,
        values={
            "status": TRANSITIONS["plan"][1],
            "deadline": record.deadline,
            "funds": record.funds,
        },
    )
    _event(
        hazard,
        actor,
        HazardEvent.Kind.PLAN,
        at=at,
        before=before,
        note=f"措施：{record.measures}；责任人：{record.responsible_person}；资金：{record.funds}元；"
        f"时限：{timezone.localtime(record.deadline):%Y-%m-%d %H:%M}",
    )
    return hazard


@transaction.atomic
def hazard_submit_rectification(
    *,
    actor: User,
    hazard: Hazard,
    note: str,
    photos: list[Any] | None = None,
    at: datetime | None = None,
) -> Hazard:
    if not permissions.can_submit(actor, hazard):
        raise PermissionDenied("无权提交整改。")
    if not note.strip():
        raise ValidationError({"note": "请填写整改完成情况。"})
    photos = photos or []
    check_photos(photos)
    hazard = _locked(hazard, "submit")
    if not photos and not hazard.photos.filter(stage=HazardPhoto.Stage.AFTER).exists():
        raise ValidationError({"photos": "请上传整改后的照片。"})
    save_photos(hazard, photos, HazardPhoto.Stage.AFTER, actor)
    before = hazard.status
    audit.save_with_audit(
        actor=actor,
        instance=hazard,
        action=AuditEntry.Action.TRANSITION,
        values={
            "status": TRANSITIONS["submit"][1],
            "rectified_by": actor,
            "rectification_note": note,
        },
    )
    _event(hazard, actor, HazardEvent.Kind.SUBMITTED, at=at, before=before, note=note)
    notices.submitted(hazard, actor)
    return hazard


@transaction.atomic
def hazard_verify(
    *, actor: User, hazard: Hazard, note: str = "", at: datetime | None = None
) -> Hazard:
    """待验收 → 已销号, by someone other than the person who rectified (R-HAZ-5)."""
    if not permissions.can_verify(actor, hazard):
        raise PermissionDenied("无权验收销号。")
    hazard = _locked(hazard, "verify")
    if hazard.rectified_by_id == actor.pk:
        raise ValidationError({"__all__": "验收人不能是整改提交人。"})
    listing = Listing.objects.filter(hazard=hazard).select_related("supervising_org").first()
    if (
        listing is not None
        and not actor.is_superuser
        and actor.organisation_id != listing.supervising_org_id
    ):
        raise PermissionDenied(
            f"挂牌督办的隐患须由督办单位（{listing.supervising_org.name}）验收销号。"
        )
    before = hazard.status
    audit.save_with_audit(
        actor=actor,
        instance=hazard,
        action=AuditEntry.Action.TRANSITION,
        reason=note,
        values={
            "status": TRANSITIONS["verify"][1],
            "closed_by": actor,
            "closed_at": at or timezone.now(),
        },
    )
    rollup.bump(hazard, closed=1)
    _event(hazard, actor, HazardEvent.Kind.CLOSED, at=at, before=before, note=note)
    return hazard


@transaction.atomic
def hazard_reject(*, actor: User, hazard: Hazard, reason: str) -> Hazard:
    """待验收 → 整改中: "问题不解决不销号"."""
    if not permissions.can_verify(actor, hazard):
        raise PermissionDenied("无权验收。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写不通过的原因。"})
    hazard = _locked(hazard, "reject")
    if hazard.rectified_by_id == actor.pk:
        raise ValidationError({"__all__": "验收人不能是整改提交人。"})
    before = hazard.status
    audit.save_with_audit(
        actor=actor,
        instance=hazard,
        action=AuditEntry.Action.TRANSITION,
        reason=reason,
        values={"status": TRANSITIONS["reject"][1]},
    )
    _event(hazard, actor, HazardEvent.Kind.REJECTED, before=before, note=reason)
    notices.rejected(hazard, actor, reason)
    return hazard


@idempotent(ExtensionRequest)
@transaction.atomic
def extension_request(
    *,
    actor: User,
    hazard: Hazard,
    new_deadline: datetime,
    reason: str,
    idempotency_key: str | None = None,
) -> ExtensionRequest:
    if not permissions.can_request_extension(actor, hazard):
        raise PermissionDenied("无权申请延期。")
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    # 已登记 too: the plan may not exceed the registered deadline without an extension.
    if hazard.status not in RUNNING_STATUSES or hazard.deadline is None:
        raise ValidationError({"__all__": "只有已登记或整改中、有整改期限的隐患可以申请延期。"})
    if new_deadline <= hazard.deadline:
        raise ValidationError({"new_deadline": "延期后的期限须晚于现有期限。"})
    if problem := deadline_problem(new_deadline):
        raise ValidationError({"new_deadline": problem})
    if not reason.strip():
        raise ValidationError({"reason": "请填写延期理由。"})
    try:
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                hazard=hazard,
                requested_by=actor,
                original_deadline=hazard.deadline,
                new_deadline=new_deadline,
                reason=reason,
            )
    except IntegrityError as exc:
        raise ValidationError({"__all__": "已有待审批的延期申请。"}) from exc
    _event(
        hazard,
        actor,
        HazardEvent.Kind.EXTENSION_REQUESTED,
        note=reason,
        new_deadline=new_deadline.isoformat(),
    )
    return request


@transaction.atomic
def extension_decide(
    *, actor: User, request: ExtensionRequest, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The supervising side approves or refuses; the original deadline stays in the history."""
    if not permissions.can_decide_extension(actor):
        raise PermissionDenied("无权审批延期。")
    request = (
        ExtensionRequest.objects.select_for_update().select_related("hazard").get(pk=request.pk)
    )
    if request.decision != ExtensionRequest.Decision.PENDING:
        raise ValidationError({"__all__": "该申请已审批。"})
    if not approve and not note.strip():
        raise ValidationError({"note": "不同意延期时请填写意见。"})
    hazard = Hazard.objects.select_for_update().get(pk=request.hazard_id)
    request.decision = (
        ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    )
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save(
        update_fields=["decision", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    if approve:
        audit.save_with_audit(
            actor=actor,
            instance=hazard,
            values={"deadline": request.new_deadline},
            reason=f"同意延期：{request.reason}（{note}）",
        )
        RectificationPlan.objects.filter(hazard=hazard).update(deadline=request.new_deadline)
    _event(
        hazard,
        actor,
        HazardEvent.Kind.EXTENSION_APPROVED if approve else HazardEvent.Kind.EXTENSION_REFUSED,
        note=note,
        original_deadline=request.original_deadline.isoformat(),
        new_deadline=request.new_deadline.isoformat(),
    )
    return request


@transaction.atomic
def hazard_list_for_supervision(
    *,
    actor: User,
    hazard: Hazard,
    level: str,
    supervising_org: Any,
    report_every_days: int = 15,
    note: str = "",
) -> Listing:
    """挂牌督办 of a 重大 hazard by a government level; its closing then needs that
    organisation's verification (R-HAZ-5)."""
    if not permissions.can_list(actor):
        raise PermissionDenied("无权挂牌督办。")
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if hazard.level != Level.MAJOR:
        raise ValidationError({"__all__": "只有重大事故隐患可以挂牌督办。"})
    if hazard.status == Status.CLOSED:
        raise ValidationError({"__all__": "已销号的隐患不能挂牌督办。"})
    if Listing.objects.filter(hazard=hazard).exists():
        raise ValidationError({"__all__": "该隐患已挂牌督办。"})
    from anjian.orgs.models import Organisation

    kinds = {Organisation.Kind.GOVERNMENT, Organisation.Kind.SAFETY}
    if supervising_org.kind not in kinds or not hazard.region_code.startswith(
        supervising_org.region_id
    ):
        raise ValidationError(
            {"supervising_org": "督办单位须是辖区包含该隐患的人民政府或应急管理部门。"}
        )
    code_length_of_level: dict[str, int] = {"county": 6, "city": 4, "province": 2}
    expected = code_length_of_level.get(level)
    if expected is None or len(supervising_org.region_id) != expected:
        raise ValidationError({"level": "督办层级须与督办单位所在的行政级别一致。"})
    if not 1 <= report_every_days <= 90:
        raise ValidationError({"report_every_days": "进展报告周期须在1到90天之间。"})
    listing = Listing.objects.create(
        hazard=hazard,
        level=level,
        supervising_org=supervising_org,
        listed_by=actor,
        report_every_days=report_every_days,
        note=note,
    )
    _event(
        hazard,
        actor,
        HazardEvent.Kind.LISTED,
        note=f"{listing.get_level_display()}挂牌督办，督办单位：{supervising_org.name}。{note}",
    )
    audit.record(
        actor=actor,
        instance=hazard,
        action=AuditEntry.Action.TRANSITION,
        reason=note,
        changes={
            "listing": {
                "label": "挂牌督办",
                "from": None,
                "to": f"{listing.get_level_display()}：{supervising_org.name}",
            }
        },
    )
    return listing


@idempotent(ProgressReport)
@transaction.atomic
def progress_report(
    *, actor: User, hazard: Hazard, text: str, idempotency_key: str | None = None
) -> ProgressReport:
    """The enterprise (or the supervising side for it) reports the 治理 progress of a listed hazard."""
    if not permissions.can_report_progress(actor, hazard):
        raise PermissionDenied("无权报告督办进展。")
    if not Listing.objects.filter(hazard=hazard).exists():
        raise ValidationError({"__all__": "该隐患未挂牌督办。"})
    if hazard.status == Status.CLOSED:
        raise ValidationError({"__all__": "隐患已销号。"})
    if not text.strip():
        raise ValidationError({"text": "请填写治理进展。"})
    report = ProgressReport.objects.create(hazard=hazard, reported_by=actor, text=text)
    _event(hazard, actor, HazardEvent.Kind.PROGRESS, note=text)
    return report
