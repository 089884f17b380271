"""Writes of accident records: one service per step, each in one transaction, audited.

Times: `at` (default now) is when the step happens in the world; the demo and the
tests pass it to replay a history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from anjian.accidents import permissions
from anjian.accidents.models import (
    Accident,
    AccidentVersion,
    Concealment,
    ControlTarget,
    Finding,
    Investigation,
    ReportStep,
    VetoFact,
    WatchEntry,
)
from anjian.core import audit
from anjian.core.access import scope_for
from anjian.core.idempotency import idempotent
from anjian.core.models import AuditEntry
from anjian.core.notifications import notify
from anjian.enterprises.models import Enterprise
from anjian.enterprises.selectors import enterprise_named
from anjian.orgs.models import Role, User
from anjian.rules.accidents import (
    INVESTIGATING_AUTHORITY,
    AccidentLevel,
    AuthorityLevel,
    InvestigationBasis,
    accident_level,
    investigation_period,
    reporting_chain,
)
from anjian.rules.identifiers import region_ancestors

FIGURES = ("deaths", "missing", "serious_injuries", "minor_injuries", "direct_loss")
CASUALTIES = ("deaths", "missing", "serious_injuries", "minor_injuries")
REPORT_FIELDS = (
    "unit_name",
    "unit_overview",
    "region",
    "industry",
    "domain",
    "category",
    "occurred_at",
    "learnt_at",
    "place",
    "course",
    "measures",
    "other",
)
MAX_PEOPLE = 100_000
#: The loss column holds 14 digits before the point.
MAX_LOSS = Decimal(10) ** 14
#: Clocks differ a little between phones and the server.
CLOCK_SLACK = timedelta(minutes=5)


def _check_figures(figures: dict[str, Any]) -> dict[str, Any]:
    errors = {}
    clean: dict[str, Any] = {}
    for name in CASUALTIES:
        value = figures.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = "请填写不小于0的整数。"
        elif value > MAX_PEOPLE:
            errors[name] = "人数过大，请核对。"
        clean[name] = value
    loss = figures.get("direct_loss", 0)
    try:
        loss = Decimal(str(loss))
    except ArithmeticError:
        loss = Decimal("NaN")
    if not loss.is_finite() or loss < 0:
        errors["direct_loss"] = "直接经济损失须为不小于0的金额。"
    elif loss >= MAX_LOSS:
        errors["direct_loss"] = "直接经济损失金额过大，请核对（单位：元）。"
    else:
        loss = loss.quantize(Decimal("0.01"))  # the column's scale: equal values compare equal
    clean["direct_loss"] = loss
    if errors:
        raise ValidationError(errors)
    return clean


def _level(figures: dict[str, Any]) -> AccidentLevel:
    return accident_level(figures["deaths"], figures["serious_injuries"], figures["direct_loss"])


def _safety_people(accident: Accident) -> list[User]:
    """Users of the 应急管理部门 whose region covers the accident."""
    return list(
        User.objects.filter(
            is_active=True,
            role=Role.SAFETY,
            organisation__region_id__in=region_ancestors(accident.region_id),
        ).select_related("organisation")
    )


def _consequences(accident: Accident) -> None:
    """A 较大 or higher accident: 一票否决 for its unit and region, watch list for the enterprise."""
    if accident.level < AccidentLevel.LARGER:
        return
    VetoFact.objects.update_or_create(
        accident=accident,
        defaults={
            "year": timezone.localtime(accident.occurred_at).year,
            "region_id": accident.region_id,
            "enterprise_id": accident.enterprise_id,
            "unit_name": accident.unit_name,
            "level": accident.level,
        },
    )
    if accident.enterprise_id is not None:
        WatchEntry.objects.get_or_create(
            enterprise_id=accident.enterprise_id,
            accident=accident,
            defaults={"reason": f"发生{accident.get_level_display()}事故"},
        )


def _add_steps(accident: Accident, level: AccidentLevel, since: datetime, *, upgrade: bool) -> int:
    """The steps `level` requires that the accident does not have yet."""
    have = set(accident.steps.values_list("authority", flat=True))
    order = list(AuthorityLevel)
    added = 0
    for step in reporting_chain(level, since):
        if step.authority.value in have:
            continue
        ReportStep.objects.create(
            accident=accident,
            authority=step.authority.value,
            order=order.index(step.authority),
            due_at=step.due_at,
            added_on_upgrade=upgrade,
        )
        added += 1
    return added


@idempotent(Accident)
@transaction.atomic
def accident_report(
    *,
    actor: User,
    data: dict[str, Any],
    figures: dict[str, Any],
    enterprise: Enterprise | None = None,
    received_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Accident:
    """快报 (R-ACC-4). The level comes from `accident_level`; the chain of required
    reports from `reporting_chain` (R-ACC-2), counted from when the unit learnt of the
    accident; entering the report is the county-level receipt (at `received_at`,
    default now), so a report entered more than an hour later is 迟报."""
    if not permissions.can_report(actor):
        raise PermissionDenied("无权报告事故。")
    now = timezone.now()
    received_at = received_at or now
    values = {k: v for k, v in data.items() if k in REPORT_FIELDS}
    own_only = actor.role == Role.ENTERPRISE and not actor.is_superuser
    if own_only and (enterprise is None or enterprise.pk != actor.organisation_id):
        raise PermissionDenied("只能报告本单位的事故。")
    if enterprise is None and values.get("unit_name"):
        # a unit named exactly as a register entry of the scope is that entry
        enterprise = enterprise_named(actor, str(values["unit_name"]))
    if enterprise is not None:
        org = enterprise.organisation
        values["unit_name"] = org.name
        values.setdefault("region", org.region)
        values["industry"] = org.industry
    errors: dict[str, str] = {}
    region = values.get("region")
    if region is None:
        errors["region"] = "请选择事故发生地。"
    elif not scope_for(actor).covers_region(region.code):
        errors["region"] = "事故发生地不在本单位辖区内。"
    if not str(values.get("unit_name") or "").strip():
        errors["unit_name"] = "请填写事故单位。"
    occurred, learnt = values.get("occurred_at"), values.get("learnt_at")
    if occurred and occurred > now + CLOCK_SLACK:
        errors["occurred_at"] = "发生时间不能晚于现在。"
    if occurred and learnt and learnt < occurred:
        errors["learnt_at"] = "获知时间不能早于发生时间。"
    if learnt and received_at < learnt:
        errors["received_at"] = "接报时间不能早于单位获知时间。"
    if received_at > now + CLOCK_SLACK:
        errors["received_at"] = "接报时间不能晚于现在。"
    clean = _check_figures(figures)
    if errors:
        raise ValidationError(errors)
    level = _level(clean)
    accident = Accident(
        enterprise=enterprise,
        grid=enterprise.organisation.grid if enterprise else None,
        level=level,
        reported_by=actor,
        reported_at=received_at,
        **values,
        **clean,
    )
    accident.full_clean()
    accident.save()
    AccidentVersion.objects.create(
        accident=accident,
        number=1,
        kind=AccidentVersion.Kind.FIRST,
        level=level,
        created_by=actor,
        created_at=received_at,
        **clean,
    )
    _add_steps(accident, level, accident.learnt_at, upgrade=False)
    accident.steps.filter(authority=AuthorityLevel.COUNTY).update(
        received_at=received_at, received_by=actor, note="系统填报"
    )
    Investigation.objects.create(
        accident=accident,
        authority=INVESTIGATING_AUTHORITY[level],
        basis=InvestigationBasis(settings.ANJIAN_INVESTIGATION_BASIS).value,
    )
    _consequences(accident)
    audit.record(actor=actor, instance=accident, action=AuditEntry.Action.CREATE, before={})
    notify(
        [u for u in _safety_people(accident) if u.pk != actor.pk],
        kind="accident_reported",
        title=f"事故快报：{accident.unit_name}（{accident.get_level_display()}）",
        body=f"死亡{accident.deaths}人，下落不明{accident.missing}人，"
        f"重伤{accident.serious_injuries}人。{accident.course[:80]}",
        url=accident.get_absolute_url(),
    )
    return accident


@idempotent(AccidentVersion)
@transaction.atomic
def accident_supplement(
    *,
    actor: User,
    accident: Accident,
    figures: dict[str, Any],
    note: str = "",
    reason: str = "",
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> AccidentVersion:
    """续报/补报: the new figures become a new version; the old ones stay. A casualty
    change after the R-ACC-3 window (30 days; road traffic and fire 7) needs a reason.
    A higher level adds the higher reports to the chain, due from now (the moment the
    higher level became known), and moves the investigation to the higher authority."""
    if not permissions.can_supplement(actor, accident):
        raise PermissionDenied("无权续报该事故。")
    at = at or timezone.now()
    accident = Accident.objects.select_for_update().get(pk=accident.pk)
    clean = _check_figures(figures)
    changed = [name for name in FIGURES if clean[name] != getattr(accident, name)]
    casualty_change = any(name in CASUALTIES for name in changed)
    if not changed and not note.strip():
        raise ValidationError({"__all__": "伤亡和损失没有变化，请填写续报情况。"})
    after_window = casualty_change and at > accident.supplement_deadline()
    if after_window and not reason.strip():
        deadline = timezone.localtime(accident.supplement_deadline())
        raise ValidationError(
            {"reason": f"已超过补报时限（{deadline:%Y-%m-%d %H:%M}），请说明伤亡情况变化的原因。"}
        )
    old_level = AccidentLevel(accident.level)
    level = _level(clean)
    number = accident.versions.count() + 1
    version = AccidentVersion.objects.create(
        accident=accident,
        number=number,
        kind=AccidentVersion.Kind.SUPPLEMENT if casualty_change else AccidentVersion.Kind.FOLLOW_UP,
        level=level,
        note=note,
        reason=reason if after_window else "",
        after_window=after_window,
        created_by=actor,
        created_at=at,
        **clean,
    )
    audit.save_with_audit(
        actor=actor,
        instance=accident,
        values={**clean, "level": level},
        reason=reason or note,
    )
    if level > old_level:
        _add_steps(accident, level, at, upgrade=True)
        investigation = accident.investigation
        if investigation.closed_at is None:
            audit.save_with_audit(
                actor=actor,
                instance=investigation,
                values={"authority": INVESTIGATING_AUTHORITY[level]},
                reason=f"事故等级升为{level.label}",
            )
        _consequences(accident)
        notify(
            [u for u in _safety_people(accident) if u.pk != actor.pk],
            kind="accident_upgraded",
            title=f"事故等级上升为{level.label}：{accident.unit_name}",
            body=f"第{number}次报告：死亡{accident.deaths}人，重伤{accident.serious_injuries}人。",
            url=accident.get_absolute_url(),
        )
    return version


@transaction.atomic
def step_receive(
    *,
    actor: User,
    accident: Accident,
    authority: str,
    received_at: datetime | None = None,
    note: str = "",
) -> ReportStep:
    """Record that a level of the chain received the report (the time decides 迟报)."""
    if not permissions.can_supervise(actor):
        raise PermissionDenied("无权登记接报情况。")
    step = (
        ReportStep.objects.select_for_update()
        .filter(accident=accident, authority=authority)
        .first()
    )
    if step is None:
        raise ValidationError({"authority": "该事故不需要向这一层级报告。"})
    if step.received_at is not None:
        raise ValidationError({"authority": f"{step.get_authority_display()}已登记接报。"})
    received_at = received_at or timezone.now()
    if received_at < accident.learnt_at:
        raise ValidationError({"received_at": "接报时间不能早于单位获知时间。"})
    if received_at > timezone.now() + CLOCK_SLACK:
        raise ValidationError({"received_at": "接报时间不能晚于现在。"})
    audit.save_with_audit(
        actor=actor,
        instance=step,
        values={"received_at": received_at, "received_by": actor, "note": note},
        action=AuditEntry.Action.TRANSITION,
    )
    return step


@transaction.atomic
def mark_concealment(
    *,
    actor: User,
    accident: Accident,
    kind: str,
    channel: str,
    known_at: datetime,
    evidence: str,
) -> Accident:
    """瞒报/漏报: the bureau learnt of the accident from another channel (news, hospital,
    a public report) before or without the unit's report, and records the evidence."""
    if not permissions.can_supervise(actor):
        raise PermissionDenied("只有应急管理部门可以认定瞒报、漏报。")
    errors = {}
    if kind not in (Concealment.CONCEALED, Concealment.OMITTED):
        errors["kind"] = "请选择瞒报或漏报。"
    if not channel.strip():
        errors["channel"] = "请填写获知渠道（如新闻、医院、群众举报）。"
    if not evidence.strip():
        errors["evidence"] = "请填写认定证据。"
    if known_at > timezone.now() + CLOCK_SLACK:
        errors["known_at"] = "获知时间不能晚于现在。"
    if errors:
        raise ValidationError(errors)
    audit.save_with_audit(
        actor=actor,
        instance=accident,
        values={
            "concealment": kind,
            "concealment_channel": channel,
            "concealment_known_at": known_at,
            "concealment_evidence": evidence,
        },
        action=AuditEntry.Action.TRANSITION,
        reason=evidence,
    )
    return accident


def _open_investigation(actor: User, investigation: Investigation) -> Investigation:
    if not permissions.can_supervise(actor):
        raise PermissionDenied("无权办理事故调查。")
    locked = Investigation.objects.select_for_update().get(pk=investigation.pk)
    if locked.closed_at is not None:
        raise ValidationError({"__all__": "调查已结案，不能再修改。"})
    return locked


INVESTIGATION_FIELDS = ("authority", "basis", "team", "cause", *Investigation.FOUR_FIELDS)


@transaction.atomic
def investigation_update(
    *, actor: User, investigation: Investigation, values: dict[str, Any]
) -> Investigation:
    investigation = _open_investigation(actor, investigation)
    audit.save_with_audit(
        actor=actor,
        instance=investigation,
        values={k: v for k, v in values.items() if k in INVESTIGATION_FIELDS},
    )
    return investigation


@transaction.atomic
def investigation_extend(
    *, actor: User, investigation: Investigation, days: int, reason: str
) -> Investigation:
    """Extend the investigation period, within R-ACC-5's maximum for the level and basis."""
    investigation = _open_investigation(actor, investigation)
    _, longest = investigation_period(
        investigation.accident.level_enum, basis=InvestigationBasis(investigation.basis)
    )
    total = investigation.extension_days + days
    if days <= 0:
        raise ValidationError({"days": "请填写延长的天数。"})
    if total > longest.days:
        raise ValidationError(
            {
                "days": f"延长期限累计不得超过{longest.days}日（已延长{investigation.extension_days}日）。"
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": "请填写延期理由。"})
    audit.save_with_audit(
        actor=actor,
        instance=investigation,
        values={"extension_days": total, "extension_reason": reason},
        reason=reason,
    )
    return investigation


@transaction.atomic
def investigation_report(
    *, actor: User, investigation: Investigation, report: Any, at: datetime | None = None
) -> Investigation:
    investigation = _open_investigation(actor, investigation)
    if not report:
        raise ValidationError({"report": "请选择调查报告文件。"})
    investigation.report = report
    investigation.report_submitted_at = at or timezone.now()
    investigation.save(update_fields=["report", "report_submitted_at", "updated_at"])
    audit.record(
        actor=actor,
        instance=investigation,
        action=AuditEntry.Action.UPDATE,
        changes={"report": {"label": "调查报告", "from": None, "to": audit.FILE_PRESENT}},
    )
    return investigation


@idempotent(Finding)
@transaction.atomic
def finding_add(
    *,
    actor: User,
    investigation: Investigation,
    data: dict[str, Any],
    idempotency_key: str | None = None,
) -> Finding:
    investigation = _open_investigation(actor, investigation)
    finding = Finding(investigation=investigation, **data)
    finding.full_clean()
    finding.save()
    audit.record(actor=actor, instance=finding, action=AuditEntry.Action.CREATE, before={})
    return finding


@transaction.atomic
def investigation_close(
    *, actor: User, investigation: Investigation, at: datetime | None = None
) -> Investigation:
    """结案: only when the cause is written, the report is on file and no 四不放过 item is open."""
    investigation = _open_investigation(actor, investigation)
    errors = {}
    if not investigation.cause.strip():
        errors["cause"] = "请填写事故原因。"
    if not investigation.report:
        errors["report"] = "请上传调查报告。"
    still_open = investigation.open_items()
    if still_open:
        errors["__all__"] = "四不放过未落实：" + "、".join(still_open)
    if errors:
        raise ValidationError(errors)
    audit.save_with_audit(
        actor=actor,
        instance=investigation,
        values={"closed_at": at or timezone.now(), "closed_by": actor},
        action=AuditEntry.Action.TRANSITION,
    )
    return investigation


TARGET_FIELDS = ("death_target", "gdp_100m", "employed_persons", "motor_vehicles", "coal_output_mt")


@transaction.atomic
def target_set(*, actor: User, region: Any, year: int, values: dict[str, Any]) -> ControlTarget:
    """Set a region's 控制指标 and denominators for a year (one row per region and year)."""
    if not permissions.can_supervise(actor):
        raise PermissionDenied("无权设置控制指标。")
    if not scope_for(actor).covers_region(region.code):
        raise ValidationError({"region": "该区划不在本单位辖区内。"})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度不正确。"})
    clean = {k: v for k, v in values.items() if k in TARGET_FIELDS}
    target = ControlTarget.objects.select_for_update().filter(region=region, year=year).first()
    if target is None:
        target = ControlTarget(region=region, year=year, **clean)
        target.full_clean()
        target.save()
        audit.record(actor=actor, instance=target, action=AuditEntry.Action.CREATE, before={})
        return target
    audit.save_with_audit(actor=actor, instance=target, values=clean)
    return target
