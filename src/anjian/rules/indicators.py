"""Safety indicators quoted against targets (R-STAT).

The formulas follow the indicators' names; GB 6441-2025 Annex A defines them
officially. Every denominator must be greater than zero (ValueError otherwise).
"""

from __future__ import annotations

from decimal import Decimal

from anjian.rules._checks import non_negative_int, positive_amount

Number = int | float | Decimal


def deaths_per_100m_gdp(deaths: int, gdp_100m_yuan: Number) -> float:
    """亿元GDP生产安全事故死亡率 = deaths ÷ GDP in 亿元 (R-STAT)."""
    return float(
        Decimal(non_negative_int("deaths", deaths))
        / positive_amount("gdp_100m_yuan", gdp_100m_yuan)
    )


def deaths_per_100k_workers(deaths: int, employed_persons: Number) -> float:
    """工矿商贸就业人员十万人生产安全事故死亡率 = deaths ÷ employed × 100,000 (R-STAT)."""
    rate = (
        Decimal(non_negative_int("deaths", deaths))
        * 100_000
        / positive_amount("employed_persons", employed_persons)
    )
    return float(rate)


def road_deaths_per_10k_vehicles(deaths: int, motor_vehicles: Number) -> float:
    """道路交通事故万车死亡率 = road deaths ÷ motor vehicles × 10,000 (R-STAT)."""
    rate = (
        Decimal(non_negative_int("deaths", deaths))
        * 10_000
        / positive_amount("motor_vehicles", motor_vehicles)
    )
    return float(rate)


def coal_deaths_per_million_tonnes(deaths: int, output_million_tonnes: Number) -> float:
    """煤矿百万吨死亡率 = coal-mine deaths ÷ raw coal output in 百万吨 (R-STAT)."""
    rate = Decimal(non_negative_int("deaths", deaths)) / positive_amount(
        "output_million_tonnes", output_million_tonnes
    )
    return float(rate)


def target_usage(deaths: int, target: int) -> float:
    """Share of a death-control target (控制指标) used, e.g. 12 of 18 → 0.666… (R-STAT).

    A target of 0 deaths has no share; it raises ValueError like any zero denominator.
    """
    return float(Decimal(non_negative_int("deaths", deaths)) / positive_amount("target", target))
