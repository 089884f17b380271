"""Demo accidents in 路南区 for 2024 to this year, through the accident services: on-time
and late reports, a 瞒报, supplements (one after the window), a 较大 accident with its
一票否决, closed and open investigations, and the district's control targets."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from anjian.accidents import services
from anjian.accidents.categories import ensure_categories
from anjian.accidents.models import Accident, AccidentCategory, Domain
from anjian.enterprises.models import Enterprise
from anjian.orgs.models import User
from anjian.regions.models import Region

#: (大类 or None, domain, category, place, course)
KINDS = [
    (
        "47",
        Domain.INDUSTRY_TRADE,
        "高处坠落",
        "在建住宅楼外墙脚手架",
        "作业人员拆除脚手架时未系安全带，从6层坠落。",
    ),
    (
        "47",
        Domain.INDUSTRY_TRADE,
        "物体打击",
        "施工现场塔吊作业区",
        "塔吊吊运钢管时钢管滑落，砸中下方作业人员。",
    ),
    (
        "47",
        Domain.INDUSTRY_TRADE,
        "坍塌",
        "商业综合体基坑",
        "基坑东侧土方局部坍塌，掩埋1名作业人员。",
    ),
    (
        "30",
        Domain.INDUSTRY_TRADE,
        "机械伤害",
        "耐火材料厂成型车间",
        "操作工在压砖机运行中清理模具，手臂被卷入。",
    ),
    (
        "33",
        Domain.INDUSTRY_TRADE,
        "中毒和窒息",
        "金属制品厂污水池",
        "员工未经检测进入污水池清淤，晕倒，一人施救时亦晕倒。",
    ),
    (
        "45",
        Domain.INDUSTRY_TRADE,
        "其它爆炸",
        "燃气调压站",
        "检修调压设备时燃气泄漏，遇火花发生爆燃。",
    ),
    ("52", Domain.FIRE, "火灾", "商场仓库", "仓库电气线路短路引燃货物，火势蔓延至二层。"),
    (None, Domain.ROAD, "车辆伤害", "南新道与建设路交叉口", "重型货车右转时与电动自行车碰撞。"),
    (None, Domain.ROAD, "车辆伤害", "唐柏路K12处", "小型客车与停放的货车追尾。"),
]
#: (year, death target, GDP 亿元, 工矿商贸就业人员, 机动车)
TARGETS = [
    (2024, 15, Decimal("486.30"), 126_000, 168_000),
    (2025, 13, Decimal("505.80"), 127_500, 175_000),
    (2026, 11, Decimal("528.00"), 129_000, 182_000),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _at(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(
        datetime(day.year, day.month, day.day, rng.randint(7, 19), rng.randint(0, 59))
    )


def _figures(deaths: int, serious: int, minor: int, loss_10k: int) -> dict:
    return {
        "deaths": deaths,
        "missing": 0,
        "serious_injuries": serious,
        "minor_injuries": minor,
        "direct_loss": Decimal(loss_10k * 10_000),
    }


def build() -> list[tuple[str, str, str]]:
    if Accident.objects.filter(region__code__startswith="130202").exists():
        return []
    ensure_categories()
    rng = random.Random(11)
    bureau = User.objects.get(username="yjj")
    district = Region.objects.get(code="130202")
    townships = list(Region.objects.filter(parent=district).order_by("code"))
    categories = {c.name: c for c in AccidentCategory.objects.all()}
    by_industry: dict[str, list[Enterprise]] = {}
    for enterprise in (
        Enterprise.objects.filter(organisation__region__code__startswith="130202")
        .select_related("organisation__region", "organisation__industry")
        .order_by("pk")
    ):
        by_industry.setdefault(enterprise.organisation.industry_id or "", []).append(enterprise)
    for year, target, gdp, employed, vehicles in TARGETS:
        services.target_set(
            actor=bureau,
            region=district,
            year=year,
            values={
                "death_target": target,
                "gdp_100m": gdp,
                "employed_persons": employed,
                "motor_vehicles": vehicles,
            },
        )

    today = timezone.localdate()
    plan = {2024: 12, 2025: 10, today.year: 7}
    made: list[Accident] = []
    for year, count in plan.items():
        last = min(date(year, 12, 31), today - timedelta(days=5))
        days = sorted(
            date(year, 1, 1) + timedelta(days=rng.randint(0, (last - date(year, 1, 1)).days))
            for _ in range(count)
        )
        if year == today.year:  # two recent ones keep their investigations open
            days[-2:] = [today - timedelta(days=31), today - timedelta(days=9)]
        for index, day in enumerate(days):
            industry, domain, category, place, course = KINDS[(index * 5 + year) % len(KINDS)]
            candidates = by_industry.get(industry or "", [])
            enterprise = rng.choice(candidates) if industry and candidates else None
            occurred = _at(day, rng)
            learnt = occurred + timedelta(minutes=rng.choice((5, 10, 15, 20)))
            late = index % 6 == 5
            received = learnt + timedelta(
                minutes=rng.choice((95, 180)) if late else rng.randint(20, 55)
            )
            deaths = rng.choice((0, 1, 1, 1, 2) if year < today.year else (1, 1, 2, 0))
            if domain == Domain.FIRE:
                deaths = 0
            serious = rng.choice((0, 0, 1, 2))
            if year == 2024 and index == 3:
                deaths, category, course = 3, "中毒和窒息", KINDS[4][4].replace("一人", "两人")
                industry, domain, place = "33", Domain.INDUSTRY_TRADE, KINDS[4][3]
                enterprise = (
                    rng.choice(by_industry.get("33") or [None]) if by_industry.get("33") else None
                )
            data = {
                "domain": domain,
                "category": categories[category],
                "occurred_at": occurred,
                "learnt_at": learnt,
                "place": place,
                "course": course,
                "measures": "立即组织救援，送医救治，保护现场，停止相关作业。",
            }
            if enterprise is None:
                data.update(
                    unit_name=rng.choice(("个体运输户", "个体驾驶员", "某物流公司"))
                    + f"（{place}）",
                    region=rng.choice(townships) if townships else district,
                )
            accident = services.accident_report(
                actor=bureau,
                enterprise=enterprise,
                data=data,
                figures=_figures(
                    deaths, serious, rng.randint(0, 3), rng.choice((8, 15, 30, 60, 120))
                ),
                received_at=received,
            )
            _receive_up_the_chain(accident, bureau, received, rng)
            made.append(accident)

    _supplements(made, bureau, rng)
    _concealment(made, bureau)
    _investigations(made, bureau, rng, today)
    return []


def _receive_up_the_chain(
    accident: Accident, bureau: User, received: datetime, rng: random.Random
) -> None:
    """The city (and for 较大 the province) confirm receipt, each within two hours."""
    for step in accident.steps.filter(received_at__isnull=True).order_by("order"):
        received = received + timedelta(minutes=rng.randint(20, 90))
        services.step_receive(
            actor=bureau, accident=accident, authority=step.authority, received_at=received
        )


def _supplements(made: list[Accident], bureau: User, rng: random.Random) -> None:
    recent = [a for a in made if a.occurred_at.year == made[-1].occurred_at.year]
    first = next((a for a in recent if a.deaths <= 1), recent[0])
    services.accident_supplement(
        actor=bureau,
        accident=first,
        figures={
            **_figures(
                first.deaths + 1, max(first.serious_injuries - 1, 0), first.minor_injuries, 0
            ),
            "direct_loss": first.direct_loss,
        },
        note="1名重伤人员经抢救无效死亡。",
        at=first.occurred_at + timedelta(days=3),
    )
    road = next(
        (a for a in made if a.domain == Domain.ROAD and a.occurred_at < recent[0].occurred_at), None
    )
    if road is not None:
        services.accident_supplement(
            actor=bureau,
            accident=road,
            figures={
                **_figures(road.deaths + 1, road.serious_injuries, road.minor_injuries, 0),
                "direct_loss": road.direct_loss,
            },
            reason="伤者在重症监护室治疗，于事故后第9日死亡，医院当日通报。",
            at=road.occurred_at + timedelta(days=9),
        )


def _concealment(made: list[Accident], bureau: User) -> None:
    late = [a for a in made if a.report_delay() is not None and a.enterprise_id]
    if late:
        accident = late[0]
        services.mark_concealment(
            actor=bureau,
            accident=accident,
            kind="omitted",
            channel="医院报告",
            known_at=accident.learnt_at + timedelta(minutes=50),
            evidence="市工人医院急诊接诊后电话报告区应急管理局，早于单位报告。",
        )


def _investigations(made: list[Accident], bureau: User, rng: random.Random, today: date) -> None:
    for accident in made:
        investigation = accident.investigation
        old = (today - timezone.localtime(accident.occurred_at).date()).days > 75
        services.investigation_update(
            actor=bureau,
            investigation=investigation,
            values={
                "team": "组长：区应急管理局副局长；成员：区住建局、区公安分局、区总工会、属地街道"
            },
        )
        if not old:
            continue
        services.investigation_update(
            actor=bureau,
            investigation=investigation,
            values={
                "cause": "作业人员违章作业，企业安全管理制度落实不到位，现场安全管理缺失。",
                **dict.fromkeys(investigation.FOUR_FIELDS, True),
            },
        )
        services.investigation_report(
            actor=bureau,
            investigation=investigation,
            report=ContentFile(PDF, name="事故调查报告.pdf"),
            at=accident.occurred_at + timedelta(days=25),
        )
        services.finding_add(
            actor=bureau,
            investigation=investigation,
            data={
                "kind": "unit",
                "name": accident.unit_name,
                "responsibility": "对事故发生负有责任",
                "handling": "依法给予行政处罚",
            },
        )
        services.investigation_close(
            actor=bureau, investigation=investigation, at=accident.occurred_at + timedelta(days=28)
        )
