from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anjian.rules.identifiers import (
    CREDIT_CODE_CHARS,
    child_code_length,
    credit_code_check_char,
    credit_code_is_valid,
    id_card_is_valid,
    region_ancestors,
    region_code_is_valid,
    region_level,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T"])
def test_valid_credit_codes(code):
    assert credit_code_is_valid(code)
    assert credit_code_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19
        "91350100M000100y43",  # lower case
        "91350100M000I00Y43",  # I is not in the set
        "91350100M000O00Y43",
        "91350100M000S00Y43",
        "91350100M000V00Y43",
        "91350100M000Z00Y43",
        "91ABCDEFM000100Y43",  # positions 3-8 are not a region code
        "",
        "９1350100M000100Y43",
    ],
)
def test_invalid_credit_codes(code):
    assert not credit_code_is_valid(code)


def test_check_31_maps_to_0():
    """A body whose weighted sum is divisible by 31 has check 31 − 0 = 31 → '0'."""
    body = "0" * 17
    assert credit_code_check_char(body) == "0"
    # a real-looking body with remainder 0: search deterministically
    for n in range(100000):
        candidate = f"91130202MA{n:07d}"
        total = sum(
            CREDIT_CODE_CHARS.index(ch) * w
            for ch, w in zip(
                candidate,
                (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28),
                strict=True,
            )
        )
        if total % 31 == 0:
            assert credit_code_check_char(candidate) == "0"
            assert credit_code_is_valid(candidate + "0")
            break
    else:  # pragma: no cover
        pytest.fail("no body with remainder 0 found")


def test_check_char_rejects_bad_bodies():
    with pytest.raises(ValueError):
        credit_code_check_char("9135010")
    with pytest.raises(ValueError):
        credit_code_check_char("91350100M000I00Y4")


@given(
    st.text(alphabet=CREDIT_CODE_CHARS, min_size=17, max_size=17).map(
        lambda s: s[:2] + "130202" + s[8:]
    )
)
def test_every_body_with_its_check_char_is_valid(body):
    assert credit_code_is_valid(body + credit_code_check_char(body))


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105194912310021", False),  # wrong check
        ("11010519491331002X", False),  # month 13
        ("11010519490230002X", False),  # 30 February
        ("1101051949123100", False),
        ("11010530001231002X", False),  # born in the future
        ("A1010519491231002X", False),
    ],
)
def test_id_cards(number, valid):
    assert id_card_is_valid(number, today=date(2026, 11, 22)) is valid


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("13", True),
        ("1302", True),
        ("130202", True),
        ("130202001", True),
        ("130202001001", True),
        ("1", False),
        ("130", False),
        ("13020", False),
        ("1302020", False),
        ("13020200", False),
        ("1302020010", False),
        ("99", False),
        ("00", False),
        ("13a2", False),
        ("", False),
        ("１３", False),
    ],
)
def test_region_codes(code, valid):
    assert region_code_is_valid(code) is valid


def test_region_levels_and_ancestors():
    assert [region_level(c) for c in ("13", "1302", "130202", "130202001", "130202001001")] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert region_ancestors("130202001") == ["13", "1302", "130202", "130202001"]
    with pytest.raises(ValueError):
        region_level("13020")


@pytest.mark.parametrize(
    ("prefix", "length"),
    [("", 2), ("13", 4), ("1302", 6), ("130202", 9), ("130202001", 12), ("130202001001", 12)],
)
def test_child_code_length(prefix, length):
    assert child_code_length(prefix) == length
