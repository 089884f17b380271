"""Demo inspections in 路南区 through the inspection services: the seeded checklists, a
岁末年初 campaign, a township's quarterly plan, QR points at the gas company, and two
months of township, department, joint and self inspections (some items failing)."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

from django.utils import timezone

from anjian.enterprises.models import Enterprise
from anjian.hazards.models import HazardDomain
from anjian.inspections import services
from anjian.inspections.models import ChecklistTemplate, Inspection, InspectionPlan
from anjian.inspections.seed import ensure_checklists
from anjian.orgs.models import User
from anjian.regions.models import Region

NOTES = ["现场检查发现问题，已责令整改", "记录不全", "未能提供相关证照", "设施损坏未修复"]
#: checklist for an enterprise's 大类
BY_INDUSTRY = {
    "47": "房屋市政工程重大事故隐患检查表",
    "48": "房屋市政工程重大事故隐患检查表",
    "26": "化工和危险化学品重大事故隐患检查表",
    "45": "消防安全通用检查表",
}


def build() -> list[tuple[str, str, str]]:
    if Inspection.objects.filter(region_code__startswith="130202").exists():
        return []
    ensure_checklists()
    rng = random.Random(23)
    township = User.objects.get(username="xueyuan")
    department = User.objects.get(username="zhujian")
    bureau = User.objects.get(username="yjj")
    company = User.objects.get(username="qiye")
    today = timezone.localdate()
    templates = {t.name: t for t in ChecklistTemplate.objects.filter(is_current=True)}
    general = templates["消防安全通用检查表"]

    campaign = services.campaign_create(
        actor=bureau,
        data={
            "name": f"{today.year}年岁末年初安全生产专项整治",
            "start": date(today.year, 11, 1) if today.month >= 11 else today.replace(day=1),
            "end": date(today.year + 1, 2, 28) if today.month >= 11 else today + timedelta(days=90),
            "region": Region.objects.get(code="130202"),
            "industry_codes": "E,45",
            "flag": "",
            "lead": bureau.organisation,
        },
        domains=list(HazardDomain.objects.filter(code__in=["construction", "fire", "gas"])),
        cooperating=[department.organisation],
    )
    local = list(
        Enterprise.objects.filter(organisation__region__code__startswith="130202001")
        .select_related("organisation")
        .order_by("pk")[:12]
    )
    plan = services.plan_create(
        actor=township,
        data={
            "name": "学院南路街道企业季度检查",
            "inspector": township,
            "template": general,
            "kind": "township",
            "frequency": InspectionPlan.Frequency.QUARTERLY,
            "start": date(today.year, 1, 1),
        },
        enterprises=local[:8],
    )
    gas = Enterprise.objects.get(organisation__name="唐山鑫源燃气有限公司")
    for name, lat, lon in (
        ("调压站", "39.612300", "118.183400"),
        ("储罐区", "39.612800", "118.184100"),
    ):
        services.point_create(
            actor=company,
            enterprise=gas,
            data={
                "name": name,
                "template": general,
                "latitude": lat,
                "longitude": lon,
                "radius_m": 80,
            },
        )

    district = list(
        Enterprise.objects.filter(
            organisation__region__code__startswith="130202",
            organisation__industry_id__in=["47", "48", "45", "26"],
        )
        .select_related("organisation")
        .order_by("pk")[:16]
    )
    now = timezone.now()
    for index, enterprise in enumerate(district):
        template = templates.get(
            BY_INDUSTRY.get(enterprise.organisation.industry_id or "", ""), general
        )
        at = now - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 6))
        in_campaign = timezone.localtime(at).date() >= campaign.start
        actor, kind, participants = department, "department", None
        if index % 4 == 1:
            actor, kind, participants = (
                bureau,
                "joint",
                [department.organisation, bureau.organisation],
            )
        _inspect(
            rng,
            actor,
            kind,
            enterprise,
            template,
            at,
            campaign if in_campaign else None,
            participants,
        )
    for enterprise in local[:6]:
        at = now - timedelta(days=rng.randint(1, 50), hours=rng.randint(0, 6))
        _inspect(rng, township, "township", enterprise, general, at, None, None, plan=plan)
    _inspect(rng, company, "self", gas, general, now - timedelta(days=2), None, None)
    return []


def _inspect(
    rng, actor, kind, enterprise, template, at: datetime, campaign, participants, plan=None
):
    items = list(template.items())
    # most findings are 一般; a 重大 criterion fails now and then
    minor = [n for n, item in enumerate(items) if not item.major]
    pool = minor if minor and rng.random() > 0.15 else list(range(len(items)))
    failing = set(rng.sample(pool, k=min(len(pool), rng.choice((0, 1, 1, 2)))))
    answers = [
        services.AnswerIn(
            item_id=item.pk,
            result="fail" if n in failing else "pass",
            note=rng.choice(NOTES) if n in failing else "",
        )
        for n, item in enumerate(items)
    ]
    services.inspection_submit(
        actor=actor,
        enterprise=enterprise,
        template=template,
        kind=kind,
        client_id=uuid.uuid4(),
        answers=answers,
        place=enterprise.organisation.address or enterprise.organisation.name,
        signed_by=actor.get_full_name(),
        started_at=at - timedelta(minutes=40),
        enterprise_signed_by="企业负责人",
        participants=participants,
        campaign=campaign,
        plan=plan,
        at=at,
    )
