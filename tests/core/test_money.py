"""One money convention: stored in 元, shown in 万元 (statistics, accidents) or 元
(records entered in 元), always with two decimals and the unit in the heading."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from anjian.core.money import format_wan, format_yuan, to_wan


@pytest.mark.parametrize(
    ("amount", "wan"),
    [
        (Decimal("805050"), "80.51"),
        (Decimal("50"), "0.01"),  # half a cent of a 万元 rounds up
        (Decimal("49.99"), "0.00"),
        (0, "0.00"),
        (None, "0.00"),
        ("1234567.00", "123.46"),
    ],
)
def test_wan_has_two_decimals(amount, wan):
    assert format_wan(amount) == wan
    assert to_wan(amount) == Decimal(wan)


def test_yuan_has_two_decimals_and_empty_is_a_dash():
    assert format_yuan(Decimal("2000")) == "2000.00"
    assert format_yuan(Decimal("0.005")) == "0.01"
    assert format_yuan(None) == "—" and format_yuan("abc") == "—"


def test_template_filters():
    rendered = Template("{% load anjian %}{{ a|wan }} {{ a|yuan }}").render(
        Context({"a": Decimal("15000")})
    )
    assert rendered == "1.50 15000.00"
