"""Identifier checks: 统一社会信用代码, 居民身份证号码, 区划代码."""

from __future__ import annotations

from datetime import date

#: GB 32100-2015 character set: digits and capitals without I, O, S, V, Z.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_CHARS)}


def credit_code_check_char(first17: str) -> str:
    """The check character (position 18) of a 统一社会信用代码.

    R-ID-1, GB 32100-2015: check = 31 − (Σ value × weight mod 31), with weights
    1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28; a result of 31 maps to 0
    (the step public validators often forget).
    Raises ValueError unless `first17` is 17 characters from the code's set.
    """
    if len(first17) != 17:
        raise ValueError(f"expected the first 17 characters, got {len(first17)}")
    try:
        total = sum(
            _CREDIT_VALUE[ch] * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
        )
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not allowed in a credit code") from exc
    check = 31 - total % 31
    return CREDIT_CODE_CHARS[0 if check == 31 else check]


def credit_code_is_valid(code: str) -> bool:
    """Whether `code` is a well-formed 统一社会信用代码 with a correct check character.

    R-ID-1, GB 32100-2015: 18 characters from 0-9 and A-Y without I, O, S, V, Z
    (capitals only); positions 3–8 are a GB/T 2260 region code (six digits);
    position 18 is the check character computed by `credit_code_check_char`.
    """
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(ch not in _CREDIT_VALUE for ch in code):
        return False
    if not code[2:8].isdigit():
        return False
    return credit_code_check_char(code[:17]) == code[17]


ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK = "10X98765432"


def id_card_is_valid(number: str, *, today: date | None = None) -> bool:
    """Whether `number` is a valid 18-digit 居民身份证号码.

    R-ID-2, GB 11643-1999: 17 digits (6 region, 8 birth date, 3 sequence) and a
    check character "10X98765432"[Σ digit × weight mod 11] with weights
    7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2. The birth date must be a real date not
    after `today`. A lower-case x is accepted as the check character X.
    """
    if not isinstance(number, str) or len(number) != 18:
        return False
    body, check = number[:17], number[17].upper()
    if not body.isdigit() or not body.isascii():
        return False
    try:
        born = date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return False
    if born > (today or date.today()) or born.year < 1850:
        return False
    total = sum(int(d) * w for d, w in zip(body, ID_CARD_WEIGHTS, strict=True))
    return ID_CARD_CHECK[total % 11] == check


#: First two digits of GB/T 2260 codes: provinces, autonomous regions,
#: municipalities, and 71 台湾, 81 香港, 82 澳门.
PROVINCE_PREFIXES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"}
    | {"65", "71", "81", "82"}
)
#: Code length → level in the region tree (R-ID-3).
REGION_LEVEL_BY_LENGTH = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}
REGION_LEVEL_NAMES = {1: "省级", 2: "地级", 3: "县级", 4: "乡级", 5: "村级"}


def region_code_is_valid(code: str) -> bool:
    """Whether `code` is a region code in path form (R-ID-3).

    GB/T 2260 gives 2 digits for the province, 2 for the city, 2 for the county;
    统计用区划代码 adds 3 for the township and 3 for the village, so a code is a
    path of 2, 4, 6, 9 or 12 digits whose first two digits name a province.
    """
    return (
        isinstance(code, str)
        and code.isascii()
        and code.isdigit()
        and len(code) in REGION_LEVEL_BY_LENGTH
        and code[:2] in PROVINCE_PREFIXES
    )


def region_level(code: str) -> int:
    """The tree level of a path-form region code: 1 province … 5 village (R-ID-3)."""
    if not region_code_is_valid(code):
        raise ValueError(f"not a region code: {code!r}")
    return REGION_LEVEL_BY_LENGTH[len(code)]


def child_code_length(prefix: str) -> int:
    """The code length one level below `prefix` ("" → provinces; R-ID-3): 2 → 4 → 6 → 9 → 12.
    A village has no level below; its own length (12) is returned."""
    lengths = sorted(REGION_LEVEL_BY_LENGTH)
    return next((n for n in lengths if n > len(prefix)), lengths[-1])


def region_ancestors(code: str) -> list[str]:
    """The codes from the province down to `code` itself (R-ID-3: a code is a path)."""
    level = region_level(code)
    lengths = [n for n, lv in REGION_LEVEL_BY_LENGTH.items() if lv <= level]
    return [code[:n] for n in lengths]
