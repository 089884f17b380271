"""Demo hazards in 路南区: every state, overdue ones, ones stalled without a plan
(未制定方案), repeats and 重大 hazards, with a history of the past months, all through
the hazard services."""

from __future__ import annotations

import base64
import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from anjian.enterprises.models import Enterprise
from anjian.hazards import services
from anjian.hazards.domains import ensure_domains
from anjian.hazards.models import Hazard, HazardDomain
from anjian.orgs.models import Organisation, User

#: 大类 → (domain, [(place, description, factor class)])
FINDINGS = {
    "47": (
        "construction",
        [
            ("塔吊", "塔吊力矩限制器失效", "物的因素"),
            ("脚手架", "连墙件缺失", "物的因素"),
            ("基坑", "临边防护不到位", "管理因素"),
        ],
    ),
    "50": ("construction", [("外墙作业面", "高处作业未系安全带", "人的因素")]),
    "45": (
        "gas",
        [
            ("调压站", "可燃气体报警器未定期检定", "管理因素"),
            ("储罐区", "静电接地断开", "物的因素"),
        ],
    ),
    "26": (
        "hazchem",
        [("反应釜区", "紧急切断阀失效", "物的因素"), ("罐区", "未设置围堰", "物的因素")],
    ),
    "52": ("fire", [("卖场", "疏散通道堆放货物", "管理因素"), ("仓库", "灭火器过期", "物的因素")]),
    "62": ("fire", [("后厨", "燃气软管老化", "物的因素"), ("后厨", "油烟管道未清洗", "管理因素")]),
    "61": (
        "fire",
        [("客房走廊", "应急照明损坏", "物的因素"), ("消防控制室", "值班人员无证上岗", "人的因素")],
    ),
    "90": ("public", [("包间", "安全出口锁闭", "管理因素")]),
    "30": ("industry_trade", [("打磨车间", "除尘系统未定期清理", "管理因素")]),
    "33": ("industry_trade", [("污水池", "有限空间未设警示标识", "管理因素")]),
    "59": ("fire", [("库房", "电气线路私拉乱接", "物的因素")]),
    "54": ("road", [("停车场", "车辆未按期年检", "管理因素")]),
}
SOURCES = ["township", "department", "joint", "campaign", "grid", "self"]
#: A 1×1 PNG stands in for the site photos of the demo.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _photo() -> ContentFile:
    return ContentFile(PNG, name="现场照片.png")


def build() -> list[tuple[str, str, str]]:
    if Hazard.objects.filter(region_code__startswith="130202").exists():
        return []
    ensure_domains()
    rng = random.Random(7)
    bureau, committee = User.objects.get(username="yjj"), User.objects.get(username="awb")
    domains = {d.code: d for d in HazardDomain.objects.all()}
    now = timezone.now()
    enterprises = list(
        Enterprise.objects.filter(
            organisation__region__code__startswith="130202", organisation__industry_id__in=FINDINGS
        )
        .select_related("organisation")
        .order_by("pk")[:90]
    )
    for index, enterprise in enumerate(enterprises):
        domain_code, findings = FINDINGS[enterprise.organisation.industry_id]
        for place, description, factor in rng.sample(
            findings, k=min(len(findings), rng.choice((1, 1, 2)))
        ):
            found = now - timedelta(days=rng.randint(3, 170), hours=rng.randint(0, 8))
            major = index % 23 == 0
            # 责令限期整改: the inspector's term; self-found ones take the default of the level.
            term = rng.choice((15, 30, 30, 60)) * (3 if major else 1)
            data = {
                "place": place,
                "domain": domains[domain_code],
                "factor_class": factor,
                "level": "major" if major else "general",
                "description": description,
                "source": rng.choice(SOURCES),
                "found_at": found,
                "found_by_name": bureau.full_name,
                "deadline": found + timedelta(days=term),
            }
            if data["source"] == "self" and rng.random() < 0.5:
                del data["deadline"]
            outcome = rng.random()
            if outcome < 0.15 and not major:
                services.hazard_register(
                    actor=bureau,
                    enterprise=enterprise,
                    data=data,
                    immediate=True,
                    rectification_note="现场立即整改完毕",
                    photos=[_photo()],
                )
                continue
            hazard = services.hazard_register(actor=bureau, enterprise=enterprise, data=data)
            if outcome < 0.22:
                # 已登记, waiting for a plan: past ANJIAN_HAZARD_PLAN_DAYS it shows as
                # 未制定方案, past its deadline as overdue too.
                continue
            planned = found + timedelta(days=1)
            plan_term = timedelta(days=rng.choice((7, 15, 30)) * (4 if major else 1))
            plan = {
                "measures": f"整改{description}",
                "responsible_person": enterprise.principal_name or "负责人",
                "responsible_phone": enterprise.principal_phone,
                "funds": Decimal(rng.choice((0, 500, 2000, 15000))),
                # The plan keeps within the term the registration set.
                "deadline": min(planned + plan_term, hazard.deadline),
                "contingency": "整改期间落实临时防范措施",
            }
            if major:
                plan.update(
                    {
                        f: "已按要求制定"
                        for f in (
                            "goals",
                            "methods",
                            "funds_and_materials",
                            "organisation_and_people",
                            "time_and_requirements",
                            "safety_and_contingency",
                        )
                    }
                )
            services.hazard_set_plan(actor=bureau, hazard=hazard, plan=plan, at=planned)
            if outcome < 0.45 or major:
                continue  # 整改中 (some past their deadline: overdue); 重大 ones stay under 治理
            submitted = min(plan["deadline"] - timedelta(days=1), now - timedelta(hours=2))
            services.hazard_submit_rectification(
                actor=bureau, hazard=hazard, note="已按方案整改", at=submitted, photos=[_photo()]
            )
            if outcome < 0.55:
                continue  # 待验收
            services.hazard_verify(
                actor=committee, hazard=hazard, note="复查合格", at=submitted + timedelta(hours=1)
            )
    # 重大 hazards still open are listed for supervision by the district government.
    government = Organisation.objects.get(name="唐山市路南区人民政府")
    for hazard in Hazard.objects.filter(region_code__startswith="130202", level="major").exclude(
        status="closed"
    ):
        services.hazard_list_for_supervision(
            actor=bureau,
            hazard=hazard,
            level="county",
            supervising_org=government,
            report_every_days=15,
            note="区政府挂牌督办，限期整改到位",
        )
        if hazard.status != "registered":
            services.progress_report(
                actor=bureau, hazard=hazard, text="已落实停产整改措施，治理工程施工中"
            )
    return []
