"""Accident grading, reporting and investigation deadlines.

Source: 《生产安全事故报告和调查处理条例》(国务院令第493号, 2007), and
《关于生产安全事故调查处理中有关问题的规定》(原国家安全监管总局, 2013) where stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import IntEnum, StrEnum

from anjian.rules._checks import non_negative_amount, non_negative_int


class AccidentLevel(IntEnum):
    """Accident levels of 493号令 第三条, ordered from least to most severe."""

    GENERAL = 1
    LARGER = 2
    MAJOR = 3
    EXTRAORDINARY = 4

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    AccidentLevel.GENERAL: "一般",
    AccidentLevel.LARGER: "较大",
    AccidentLevel.MAJOR: "重大",
    AccidentLevel.EXTRAORDINARY: "特别重大",
}

# (level, deaths ≥, serious injuries ≥, direct loss ≥ yuan) — 493号令 第三条.
# "以上" includes the bound and "以下" excludes it, so every bound is a lower ≥ bound.
LEVEL_THRESHOLDS: tuple[tuple[AccidentLevel, int, int, int], ...] = (
    (AccidentLevel.EXTRAORDINARY, 30, 100, 100_000_000),
    (AccidentLevel.MAJOR, 10, 50, 50_000_000),
    (AccidentLevel.LARGER, 3, 10, 10_000_000),
)


def accident_level(
    deaths: int, serious_injuries: int, direct_loss_yuan: int | Decimal
) -> AccidentLevel:
    """The accident level: the highest level reached by ANY of the three measures.

    R-ACC-1, 《生产安全事故报告和调查处理条例》(国务院令第493号) 第三条:
    特别重大 ≥30 deaths or ≥100 serious injuries (incl. 急性工业中毒) or ≥1亿元 loss;
    重大 10–29 / 50–99 / 5000万–1亿元; 较大 3–9 / 10–49 / 1000万–5000万元; else 一般.
    "以上" includes the bound, "以下" excludes it. Missing persons (下落不明) are
    reported beside deaths (第十二条) and are not counted here.

    Raises ValueError for negative or non-integer counts and a negative loss.
    """
    deaths = non_negative_int("deaths", deaths)
    serious_injuries = non_negative_int("serious_injuries", serious_injuries)
    loss = non_negative_amount("direct_loss_yuan", direct_loss_yuan)
    for level, min_deaths, min_injuries, min_loss in LEVEL_THRESHOLDS:
        if deaths >= min_deaths or serious_injuries >= min_injuries or loss >= min_loss:
            return level
    return AccidentLevel.GENERAL


class AuthorityLevel(StrEnum):
    """Government levels an accident report travels through (493号令 第九条–第十一条)."""

    COUNTY = "县级"
    CITY = "市级"
    PROVINCE = "省级"
    NATIONAL = "国务院"

    @property
    def label(self) -> str:
        return self.value


#: How far up each level is reported — 493号令 第十条.
REPORT_UP_TO: dict[AccidentLevel, AuthorityLevel] = {
    AccidentLevel.GENERAL: AuthorityLevel.CITY,
    AccidentLevel.LARGER: AuthorityLevel.PROVINCE,
    AccidentLevel.MAJOR: AuthorityLevel.NATIONAL,
    AccidentLevel.EXTRAORDINARY: AuthorityLevel.NATIONAL,
}
UNIT_REPORT_LIMIT = timedelta(hours=1)  # 第九条
ESCALATION_LIMIT = timedelta(hours=2)  # 第十一条
#: Every report also notifies these bodies (第十条).
ALSO_NOTIFIED = ("公安机关", "劳动保障行政部门", "工会", "人民检察院")


@dataclass(frozen=True)
class ReportStep:
    """One required report: to `authority`, due at `due_at`."""

    authority: AuthorityLevel
    due_at: datetime

    @property
    def label(self) -> str:
        return self.authority.label


def reporting_chain(level: AccidentLevel, occurred_at: datetime) -> list[ReportStep]:
    """The reports an accident of `level` requires, with their latest due times.

    R-ACC-2, 493号令: the unit reports to the county-level 应急管理部门 within 1 hour
    of learning of the accident (第九条); each escalation takes at most 2 hours
    (第十一条); 一般 goes up to the city (设区的市), 较大 to the province, 重大 and
    特别重大 to 国务院 (第十条). `occurred_at` is taken as the time the unit learnt of
    the accident; the due times carry its time zone.
    """
    level = AccidentLevel(level)
    due = occurred_at + UNIT_REPORT_LIMIT
    steps = [ReportStep(AuthorityLevel.COUNTY, due)]
    order = list(AuthorityLevel)
    top = order.index(REPORT_UP_TO[level])
    for authority in order[1 : top + 1]:
        due = due + ESCALATION_LIMIT
        steps.append(ReportStep(authority, due))
    return steps


SUPPLEMENT_WINDOW = timedelta(days=30)  # 第十三条
SUPPLEMENT_WINDOW_ROAD_FIRE = timedelta(days=7)  # 第十三条, 道路交通 and 火灾
ROAD_TRAFFIC = "道路交通"
FIRE = "火灾"


def _category_key(category: str) -> str:
    key = category.strip()
    for suffix in ("事故", "伤害"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
    return key


def supplement_deadline(occurred_at: datetime, category: str) -> datetime:
    """The last moment casualty changes are reported as a 补报.

    R-ACC-3, 493号令 第十三条: within 30 days of the accident; road traffic (道路交通)
    and fire (火灾) accidents within 7 days. `category` is the accident's kind by
    name ("道路交通", "道路交通事故", "火灾", "火灾事故" …).
    """
    key = _category_key(category)
    window = SUPPLEMENT_WINDOW_ROAD_FIRE if key in {ROAD_TRAFFIC, FIRE} else SUPPLEMENT_WINDOW
    return occurred_at + window


class InvestigationBasis(StrEnum):
    """Which source fixes the investigation period (R-ACC-5: the sources differ)."""

    #: 《生产安全事故报告和调查处理条例》第二十九条: 60 days, extension ≤ 60 days.
    ORDER_493 = "493号令"
    #: 《关于生产安全事故调查处理中有关问题的规定》(2013): 较大 and 一般 30 days (+≤30);
    #: 重大 and 特别重大 keep the 条例's 60 (+≤60).
    RULE_2013 = "2013年规定"


#: The default follows the stricter 2013 rule (从严), which implements the 条例 for
#: 较大 and 一般 accidents; deployments that follow the 条例 alone choose ORDER_493.
DEFAULT_INVESTIGATION_BASIS = InvestigationBasis.RULE_2013


def investigation_period(
    level: AccidentLevel, *, basis: InvestigationBasis = DEFAULT_INVESTIGATION_BASIS
) -> tuple[timedelta, timedelta]:
    """(period, longest extension) for the investigation report — R-ACC-5.

    493号令 第二十九条: 60 days from the accident, extendable by at most 60 days.
    2013 rule: 30 days, extendable by at most 30 days, for 较大 and 一般 accidents.
    """
    level = AccidentLevel(level)
    if InvestigationBasis(basis) is InvestigationBasis.RULE_2013 and level <= AccidentLevel.LARGER:
        return timedelta(days=30), timedelta(days=30)
    return timedelta(days=60), timedelta(days=60)


def investigation_deadline(
    level: AccidentLevel,
    occurred_at: datetime,
    *,
    basis: InvestigationBasis = DEFAULT_INVESTIGATION_BASIS,
    extension_days: int = 0,
) -> datetime:
    """When the investigation report is due — R-ACC-5.

    493号令 第二十九条 (60 days, +≤60) or the 2013 rule (较大/一般: 30 days, +≤30),
    chosen by `basis` (default DEFAULT_INVESTIGATION_BASIS). `extension_days` is an
    approved extension; one beyond the allowed maximum raises ValueError.
    """
    period, longest = investigation_period(level, basis=basis)
    extension = timedelta(days=non_negative_int("extension_days", extension_days))
    if extension > longest:
        raise ValueError(
            f"extension of {extension.days} days exceeds the maximum of {longest.days} days"
        )
    return occurred_at + period + extension


#: Days for the government's reply to the investigation report — 493号令 第三十二条.
REPLY_DAYS: dict[AccidentLevel, int] = {
    AccidentLevel.GENERAL: 15,
    AccidentLevel.LARGER: 15,
    AccidentLevel.MAJOR: 15,
    AccidentLevel.EXTRAORDINARY: 30,
}
REPLY_MAX_EXTENSION_DAYS_EXTRAORDINARY = 30

#: Who investigates — 493号令 第十九条.
INVESTIGATING_AUTHORITY: dict[AccidentLevel, str] = {
    AccidentLevel.GENERAL: "县级人民政府",
    AccidentLevel.LARGER: "设区的市级人民政府",
    AccidentLevel.MAJOR: "省级人民政府",
    AccidentLevel.EXTRAORDINARY: "国务院或者国务院授权的有关部门",
}

#: 四不放过: an investigation closes only when none of these is left open.
FOUR_NOT_LET_GO = (
    "事故原因未查清不放过",
    "责任人员未处理不放过",
    "整改措施未落实不放过",
    "有关人员未受到教育不放过",
)


class InjurySeverity(StrEnum):
    """Injury severity by lost workdays — GB 6441-1986."""

    MINOR = "轻伤"
    SERIOUS = "重伤"
    DEATH = "死亡"

    @property
    def label(self) -> str:
        return self.value


def injury_severity(lost_workdays: int) -> InjurySeverity:
    """轻伤 1–104 lost workdays, 重伤 105–5999, 死亡 6000 (GB 6441-1986, R-ACC-6).

    Raises ValueError below 1 day (not an injury under the standard).
    """
    days = non_negative_int("lost_workdays", lost_workdays)
    if days < 1:
        raise ValueError("an injury under GB 6441-1986 loses at least 1 workday")
    if days >= 6000:
        return InjurySeverity.DEATH
    if days >= 105:
        return InjurySeverity.SERIOUS
    return InjurySeverity.MINOR
