"""Argument checks shared by the rule modules (clear ValueErrors, never silent coercion)."""

from decimal import Decimal, InvalidOperation
from numbers import Real


def non_negative_int(name: str, value: object) -> int:
    """Return `value` if it is a whole number ≥ 0, else raise ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, (float, Decimal)) and value == int(value) and value >= 0:
            return int(value)
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def non_negative_amount(name: str, value: object) -> Decimal:
    """Return `value` as a Decimal if it is a finite number ≥ 0, else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, Real)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:  # pragma: no cover - str() of a Real is always parseable
        raise ValueError(f"{name} must be a number, got {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"{name} must be finite, got {value!r}")
    if amount < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return amount


def positive_amount(name: str, value: object) -> Decimal:
    """Return `value` as a Decimal if it is a finite number > 0 (a denominator)."""
    amount = non_negative_amount(name, value)
    if amount == 0:
        raise ValueError(f"{name} must be greater than zero")
    return amount
