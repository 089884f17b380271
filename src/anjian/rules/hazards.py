"""Hazard investigation and rectification.

Source: 《安全生产事故隐患排查治理暂行规定》(原国家安全监管总局令第16号, 2008).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class HazardLevel(StrEnum):
    """事故隐患 levels of 第三条 (R-HAZ-1).

    一般事故隐患: small harm and difficulty, can be rectified at once after discovery.
    重大事故隐患: large harm or difficulty, needs full or partial suspension and a
    period of rectification, or cannot be removed by the unit itself.
    """

    GENERAL = "一般事故隐患"
    MAJOR = "重大事故隐患"

    @property
    def label(self) -> str:
        return self.value


#: 五落实 of every rectification (R-HAZ-2, speeches and provincial practice).
FIVE_IMPLEMENTATIONS = ("措施", "责任", "资金", "时限", "预案")

#: The six parts of a 重大事故隐患治理方案 (R-HAZ-3, 第十五条).
MAJOR_HAZARD_PLAN_PARTS = (
    "治理的目标和任务",
    "采取的方法和措施",
    "经费和物资的落实",
    "负责治理的机构和人员",
    "治理的时限和要求",
    "安全措施和应急预案",
)

_QUARTER_ENDS = {(3, 31), (6, 30), (9, 30), (12, 31)}


def statistics_due(period_end: date) -> date:
    """The last day to file the hazard statistics for a period (R-HAZ-4, 第十四条).

    Quarterly statistics are filed before the 15th of the first month of the next
    quarter ("下一季度15日前", read as on or before the 15th); the year's statistics
    before 31 January of the next year, which also covers the fourth quarter.
    `period_end` must be the last day of a quarter (31 Mar, 30 Jun, 30 Sep, 31 Dec).
    """
    if (period_end.month, period_end.day) not in _QUARTER_ENDS:
        raise ValueError(f"{period_end.isoformat()} is not the last day of a quarter")
    if period_end.month == 12:
        return date(period_end.year + 1, 1, 31)
    return date(period_end.year, period_end.month + 1, 15)
