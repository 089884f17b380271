"""Money on screen: one convention for the whole platform.

Amounts are stored in 元 (DecimalField, two places). Statistics pages, statistics
exports and the accident module (快报 quote losses in 万元) show 万元 with two
decimals; records entered in 元 (a hazard's rectification funds: plan form, ledger,
detail, export) show 元 with two decimals. A page uses one unit and names it once, in
the heading of the figure or column ("直接经济损失（万元）"), never beside each number.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10_000)


def _decimal(amount: Any) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        return Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return None


def to_wan(amount: Any) -> Decimal:
    """元 → 万元, rounded half up to two decimals (None counts as 0)."""
    value = _decimal(amount) or Decimal(0)
    return (value / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)


def format_wan(amount: Any) -> str:
    """An amount in 元 shown in 万元: "80.00" (the unit goes in the heading)."""
    return f"{to_wan(amount):.2f}"


def format_yuan(amount: Any) -> str:
    """An amount in 元 shown in 元: "2000.00"; an empty amount as "—"."""
    value = _decimal(amount)
    return "—" if value is None else f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"
