"""Writes of checklists and inspections: one service per change, atomic and audited."""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from anjian.core import audit
from anjian.core.access import scope_for
from anjian.core.idempotency import idempotent
from anjian.core.models import AuditEntry
from anjian.core.periods import deadline_problem
from anjian.enterprises.models import Enterprise
from anjian.hazards import services as hazard_services
from anjian.hazards.models import Level, Source, default_deadline
from anjian.hazards.photos import check_photos
from anjian.inspections import permissions
from anjian.inspections.models import (
    HAZARD_SOURCE,
    Answer,
    AnswerPhoto,
    Campaign,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
    InspectionPlan,
    InspectionPoint,
    Kind,
    PointScan,
)
from anjian.orgs.models import Organisation, User

PNG = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 300 * 1024
CLOCK_SLACK = timedelta(minutes=5)
#: Organisations that take part in joint enforcement and lead campaigns.
GOVERNMENT_KINDS = {
    Organisation.Kind.GOVERNMENT,
    Organisation.Kind.SAFETY,
    Organisation.Kind.DEPARTMENT,
}
#: A phone may keep an inspection for a while before the connection returns.
LONGEST_OFFLINE = timedelta(days=7)


@dataclass
class AnswerIn:
    item_id: int
    result: str
    note: str = ""
    photos: list[Any] = field(default_factory=list)


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def distance_m(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> int:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6_371_000 * math.asin(math.sqrt(a)))


def _check_position(lat: Any, lon: Any) -> tuple[Decimal | None, Decimal | None]:
    if lat in (None, "") or lon in (None, ""):
        return None, None
    try:
        lat_d, lon_d = (
            Decimal(str(lat)).quantize(Decimal("0.000001")),
            Decimal(str(lon)).quantize(Decimal("0.000001")),
        )
    except ArithmeticError as exc:
        raise ValidationError({"latitude": "坐标格式不正确。"}) from exc
    if not (-90 <= lat_d <= 90 and -180 <= lon_d <= 180):
        raise ValidationError({"latitude": "坐标超出范围。"})
    return lat_d, lon_d


@transaction.atomic
def inspection_submit(
    *,
    actor: User,
    enterprise: Enterprise,
    template: ChecklistTemplate,
    kind: str,
    client_id: uuid.UUID | str,
    answers: list[AnswerIn],
    place: str,
    signed_by: str,
    started_at: datetime | None = None,
    enterprise_signed_by: str = "",
    summary: str = "",
    latitude: Any = None,
    longitude: Any = None,
    participants: list[Organisation] | None = None,
    campaign: Campaign | None = None,
    plan: InspectionPlan | None = None,
    point: InspectionPoint | None = None,
    at: datetime | None = None,
    signature: bytes | None = None,
    enterprise_signature: bytes | None = None,
) -> tuple[Inspection, bool]:
    """Record a finished inspection (`enterprise` fetched through a scoped selector).

    Idempotent: `client_id` is made by the phone when the inspection starts, so a
    submission repeated after a timeout returns the first inspection and creates
    nothing twice. Every 不合格 item becomes a hazard (重大 when the item says so),
    registered through the hazard service and linked to its answer. The finish time
    is the server's (`at` replays a history, for the demo). Returns
    (inspection, created)."""
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError as exc:
        raise ValidationError({"client_id": "提交编号不正确。"}) from exc
    existing = Inspection.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _same_submission(existing, actor, enterprise)
    if kind not in Kind.values:
        raise ValidationError({"kind": "检查类型不正确。"})
    if not permissions.can_inspect(actor, kind):
        raise PermissionDenied("无权进行此类检查。")
    if kind == Kind.SELF and actor.organisation_id != enterprise.pk and not actor.is_superuser:
        raise PermissionDenied("企业自查只能检查本企业。")
    now = at or timezone.now()
    started_at = started_at or now
    errors: dict[str, str] = {}
    if not place.strip():
        errors["place"] = "请填写检查地点。"
    if not signed_by.strip():
        errors["signed_by"] = "请签名。"
    if started_at > now + CLOCK_SLACK or started_at < now - LONGEST_OFFLINE:
        errors["started_at"] = "开始时间不正确。"
    if kind == Kind.JOINT and not participants:
        errors["participants"] = "联合执法须列明参加部门。"
    if any(org.kind not in GOVERNMENT_KINDS for org in participants or []):
        errors["participants"] = "参加单位须为政府、应急管理或行业主管部门。"
    if plan is not None and (
        plan.inspector_id != actor.pk
        or plan.template.family != template.family
        or not plan.enterprises.filter(pk=enterprise.pk).exists()
    ):
        errors["plan"] = "该检查不属于此检查计划。"
    if campaign is not None and not (campaign.start <= timezone.localdate(now) <= campaign.end):
        errors["campaign"] = "不在专项整治期间内。"
    for name, drawn in (("signature", signature), ("enterprise_signature", enterprise_signature)):
        if drawn is not None and (len(drawn) > MAX_SIGNATURE_BYTES or not drawn.startswith(PNG)):
            errors[name] = "签名图片无效。"
    lat, lon = _check_position(latitude, longitude)
    items = {i.pk: i for i in template.items()}
    given_ids = [a.item_id for a in answers]
    if sorted(given_ids) != sorted(items) or len(set(given_ids)) != len(given_ids):
        errors["answers"] = "请逐项填写检查结果（每项一次）。"
    for given in answers:
        if given.result not in Answer.Result.values:
            errors["answers"] = "检查结果只能是合格、不合格或不适用。"
        elif given.result == Answer.Result.FAIL and not (given.note.strip() or given.photos):
            errors[f"note_{given.item_id}"] = "不合格项请描述发现的问题或拍照。"
        check_photos(given.photos, field=f"photos_{given.item_id}")
    if errors:
        raise ValidationError(errors)

    org = enterprise.organisation
    inspection = Inspection(
        client_id=client_id,
        enterprise=enterprise,
        region_code=org.region_id,
        industry_code=org.industry_id or "",
        grid_id=org.grid_id,
        template=template,
        kind=kind,
        inspector=actor,
        inspector_org=actor.organisation,
        campaign=campaign,
        plan=plan,
        point=point,
        place=place,
        started_at=started_at,
        finished_at=now,
        latitude=lat,
        longitude=lon,
        signed_by=signed_by,
        enterprise_signed_by=enterprise_signed_by,
        summary=summary,
    )
    for name, drawn in (("signature", signature), ("enterprise_signature", enterprise_signature)):
        if drawn:
            getattr(inspection, name).save(
                f"{client_id}-{name}.png", ContentFile(drawn), save=False
            )
    inspection.full_clean()
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError:
        # the same phone submitted at the same moment twice: the other request won
        return _same_submission(Inspection.objects.get(client_id=client_id), actor, enterprise)
    if participants:
        inspection.participants.set(participants)
    hashes: list[str] = []
    for given_answer in answers:
        item = items[given_answer.item_id]
        answer = Answer.objects.create(
            inspection=inspection,
            item=item,
            result=given_answer.result,
            note=given_answer.note,
        )
        for upload in given_answer.photos:
            digest = _sha256(upload)
            hashes.append(digest)
            AnswerPhoto.objects.create(answer=answer, image=upload, sha256=digest)
        if answer.result == Answer.Result.FAIL:
            _hazard_from(answer, inspection, actor, given_answer.photos)
    if point is not None:
        _record_scan(inspection, point, lat, lon, hashes, now)
    audit.record(actor=actor, instance=inspection, action=AuditEntry.Action.CREATE, before={})
    transaction.on_commit(lambda: _enqueue_report(inspection.pk))
    return inspection, True


def _same_submission(
    existing: Inspection, actor: User, enterprise: Enterprise
) -> tuple[Inspection, bool]:
    if existing.inspector_id != actor.pk or existing.enterprise_id != enterprise.pk:
        raise ValidationError({"client_id": "提交编号已被使用。"})
    return existing, False


def _hazard_from(answer: Answer, inspection: Inspection, actor: User, photos: list[Any]) -> None:
    item: ChecklistItem = answer.item
    for upload in photos:
        upload.seek(0)
    source = Source.CAMPAIGN if inspection.campaign_id else HAZARD_SOURCE[Kind(inspection.kind)]
    hazard = hazard_services.hazard_register(
        actor=actor,
        enterprise=inspection.enterprise,
        data={
            # the checklist section says where in the unit (消防设施器材, 现场防护 …)
            "place": f"{item.section.title}（{inspection.place}）"[:200],
            "domain": inspection.template.domain,
            "factor_class": item.factor_class,
            "level": Level.MAJOR if item.major else Level.GENERAL,
            "description": f"{item.question}：{answer.note}" if answer.note else item.question,
            "source": source,
            "found_at": inspection.finished_at,
            "legal_basis": item.legal_basis,
            # 责令限期整改: the checklist gives no term per item, so the default term
            # of the level applies (an approved extension moves it).
            "deadline": default_deadline(
                Level.MAJOR if item.major else Level.GENERAL, inspection.finished_at
            ),
        },
        photos=photos,
    )
    answer.hazard = hazard
    answer.save(update_fields=["hazard"])


def _record_scan(
    inspection: Inspection,
    point: InspectionPoint,
    lat: Decimal | None,
    lon: Decimal | None,
    hashes: list[str],
    now: datetime,
) -> None:
    """Server time, distance from the point, and photos seen before (a photographed
    QR label or an old picture sent again)."""
    distance = (
        None
        if lat is None or lon is None
        else distance_m(point.latitude, point.longitude, lat, lon)
    )
    reused = (
        AnswerPhoto.objects.filter(sha256__in=hashes)
        .exclude(answer__inspection=inspection)
        .exists()
        if hashes
        else False
    )
    PointScan.objects.create(
        point=point,
        inspection=inspection,
        scanned_at=now,
        latitude=lat,
        longitude=lon,
        distance_m=distance,
        too_far=distance is not None and distance > point.radius_m,
        no_position=distance is None,
        reused_photo=reused,
    )


def _enqueue_report(inspection_id: int) -> None:
    from anjian.inspections.tasks import render_inspection_report

    render_inspection_report.enqueue(inspection_id)


@transaction.atomic
def template_revise(
    *,
    actor: User,
    template: ChecklistTemplate,
    name: str,
    sections: list[tuple[str, list[dict[str, Any]]]],
    basis: str = "",
) -> ChecklistTemplate:
    """Editing a checklist makes its next version; the old one stays as it was, with
    the inspections done on it."""
    if not permissions.can_manage(actor):
        raise PermissionDenied("无权修改检查表。")
    current = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if not current.is_current:
        raise ValidationError({"__all__": "只能在现行版本上修改（可能已被他人修改）。"})
    if not name.strip() or not sections or not all(items for _, items in sections):
        raise ValidationError({"__all__": "检查表须有名称，且每个分组至少一项。"})
    ChecklistTemplate.objects.filter(pk=current.pk).update(is_current=False)
    new = ChecklistTemplate.objects.create(
        family=current.family,
        version=current.version + 1,
        name=name,
        domain=current.domain,
        industry_codes=current.industry_codes,
        basis=basis or current.basis,
        created_by=actor,
    )
    for s_order, (title, items) in enumerate(sections, start=1):
        section = ChecklistSection.objects.create(template=new, title=title, order=s_order)
        for i_order, values in enumerate(items, start=1):
            item = ChecklistItem(section=section, order=i_order, **values)
            item.full_clean(exclude=["section"])
            item.save()
    audit.record(
        actor=actor,
        instance=new,
        action=AuditEntry.Action.CREATE,
        before={},
        reason=f"由第{current.version}版修订",
    )
    return new


def template_sections(template: ChecklistTemplate) -> list[tuple[str, list[dict[str, Any]]]]:
    """A version's content in the shape `template_revise` takes."""
    return [
        (
            section.title,
            [
                {
                    "question": i.question,
                    "how_to_check": i.how_to_check,
                    "legal_basis": i.legal_basis,
                    "major": i.major,
                    "factor_class": i.factor_class,
                }
                for i in section.items.all()
            ],
        )
        for section in template.sections.prefetch_related("items")
    ]


@idempotent(Campaign)
@transaction.atomic
def campaign_create(
    *,
    actor: User,
    data: dict[str, Any],
    domains: list[Any],
    cooperating: list[Organisation] | None = None,
    idempotency_key: str | None = None,
) -> Campaign:
    """专项整治: period, domains, targets by filter, lead and cooperating departments."""
    if not permissions.can_manage(actor):
        raise PermissionDenied("无权部署专项整治。")
    campaign = Campaign(created_by=actor, **data)
    errors = {}
    if campaign.region_id and not scope_for(actor).covers_region(campaign.region_id):
        errors["region"] = "范围不在本单位辖区内。"
    if campaign.start and campaign.end and campaign.end < campaign.start:
        errors["end"] = "结束日期不能早于开始日期。"
    for name in ("start", "end"):
        if problem := deadline_problem(getattr(campaign, name)):
            errors[name] = problem
    if not domains:
        errors["domains"] = "请选择整治领域。"
    if campaign.flag and campaign.flag not in ENTERPRISE_FLAGS:
        errors["flag"] = "企业类型不正确。"
    scope = scope_for(actor)
    if campaign.lead_id and (
        campaign.lead.kind not in GOVERNMENT_KINDS
        or not scope.covers_region(campaign.lead.region_id)
    ):
        errors["lead"] = "牵头部门须为本辖区的政府或部门。"
    if any(org.kind not in GOVERNMENT_KINDS for org in cooperating or []):
        errors["cooperating"] = "配合单位须为政府或部门。"
    if errors:
        raise ValidationError(errors)
    campaign.full_clean()
    campaign.save()
    campaign.domains.set(domains)
    campaign.cooperating.set(cooperating or [])
    audit.record(actor=actor, instance=campaign, action=AuditEntry.Action.CREATE, before={})
    return campaign


#: Enterprise flags a campaign may target (重点行业领域).
ENTERPRISE_FLAGS = {
    "is_mine": "矿山",
    "is_hazardous_chemicals": "危险化学品",
    "is_fireworks": "烟花爆竹",
    "is_metal_smelting": "金属冶炼",
    "is_construction": "建筑施工",
    "is_crowded_place": "人员密集场所",
    "is_flammable_explosive": "易燃易爆",
    "is_dust_explosion": "粉尘涉爆",
    "is_ammonia_refrigeration": "涉氨制冷",
    "is_confined_space": "有限空间",
}


@idempotent(InspectionPlan)
@transaction.atomic
def plan_create(
    *,
    actor: User,
    data: dict[str, Any],
    enterprises: list[Enterprise],
    idempotency_key: str | None = None,
) -> InspectionPlan:
    """An inspection plan (`enterprises` fetched through a scoped selector)."""
    if not permissions.can_manage(actor):
        raise PermissionDenied("无权制定检查计划。")
    if not enterprises:
        raise ValidationError({"enterprises": "请选择检查对象。"})
    inspector = data.get("inspector")
    kind = data.get("kind", "")
    if inspector is not None and not permissions.can_inspect(inspector, kind):
        raise ValidationError({"inspector": "该检查人不能进行此类检查。"})
    plan = InspectionPlan(owner=actor.organisation, **data)
    if plan.end and plan.start and plan.end < plan.start:
        raise ValidationError({"end": "结束日期不能早于开始日期。"})
    for name in ("start", "end"):
        if problem := deadline_problem(getattr(plan, name)):
            raise ValidationError({name: problem})
    plan.full_clean()
    plan.save()
    plan.enterprises.set(enterprises)
    audit.record(actor=actor, instance=plan, action=AuditEntry.Action.CREATE, before={})
    return plan


@idempotent(InspectionPoint)
@transaction.atomic
def point_create(
    *, actor: User, enterprise: Enterprise, data: dict[str, Any], idempotency_key: str | None = None
) -> InspectionPoint:
    """A QR inspection point (`enterprise` fetched through a scoped selector)."""
    import secrets

    if not (permissions.can_manage(actor) or actor.organisation_id == enterprise.pk):
        raise PermissionDenied("无权设置巡检点。")
    lat, lon = _check_position(data.get("latitude"), data.get("longitude"))
    if lat is None or lon is None:
        raise ValidationError({"latitude": "请填写巡检点坐标。"})
    org = enterprise.organisation
    point = InspectionPoint(
        enterprise=enterprise,
        name=data.get("name", ""),
        template=data["template"],
        radius_m=data.get("radius_m") or 100,
        latitude=lat,
        longitude=lon,
        token=secrets.token_hex(16),
        region_code=org.region_id,
        industry_code=org.industry_id or "",
    )
    point.full_clean()
    point.save()
    audit.record(actor=actor, instance=point, action=AuditEntry.Action.CREATE, before={})
    return point


@idempotent(ChecklistTemplate)
@transaction.atomic
def template_create(
    *,
    actor: User,
    name: str,
    domain: Any,
    sections: list[tuple[str, list[dict[str, Any]]]],
    industry_codes: str = "",
    basis: str = "",
    idempotency_key: str | None = None,
) -> ChecklistTemplate:
    """A new checklist (its first version)."""
    if not permissions.can_manage(actor):
        raise PermissionDenied("无权新建检查表。")
    if not name.strip() or not sections or not all(items for _, items in sections):
        raise ValidationError({"__all__": "检查表须有名称，且每个分组至少一项。"})
    if ChecklistTemplate.objects.filter(name=name.strip(), is_current=True).exists():
        raise ValidationError({"name": "已有同名检查表，请修订它或换一个名称。"})
    template = ChecklistTemplate.objects.create(
        name=name.strip(),
        domain=domain,
        industry_codes=industry_codes,
        basis=basis,
        created_by=actor,
    )
    for s_order, (title, items) in enumerate(sections, start=1):
        section = ChecklistSection.objects.create(template=template, title=title, order=s_order)
        for i_order, values in enumerate(items, start=1):
            item = ChecklistItem(section=section, order=i_order, **values)
            item.full_clean(exclude=["section"])
            item.save()
    audit.record(actor=actor, instance=template, action=AuditEntry.Action.CREATE, before={})
    return template
