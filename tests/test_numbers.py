"""Numbers as agencies type them: examples of every convention, and properties over any text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pingtai.returns import ParsedNumber, parse_number
from pingtai.returns.numbers import format_number

FULL_WIDTH = str.maketrans("0123456789.,%", "０１２３４５６７８９．，％")


@pytest.mark.parametrize(
    ("text", "value", "unit", "multiplier"),
    [
        ("1234", 1234, "", 1),
        ("10,234,500", 10234500, "", 1),
        ("１０，２３４，５００", 10234500, "", 1),
        ("９８", 98, "", 1),
        (" 1 234.5 ", 1234.5, "", 1),
        ("1.2万", 12000, "", 1e4),
        ("3亿", 3e8, "", 1e8),
        ("1000亿元", 1000, "亿元", 1),
        ("1000（亿元）", 1000, "亿元", 1),
        ("12家", 12, "家", 1),
        ("8.9万家", 8.9, "万家", 1),
        ("12%", 12, "%", 1),
        ("12.5％", 12.5, "%", 1),
        ("-5", -5, "", 1),
        ("−5", -5, "", 1),
        ("1.5E+03", 1500, "", 1),
        (".5", 0.5, "", 1),
        ("0", 0, "", 1),
    ],
)
def test_numbers_as_written(text: str, value: float, unit: str, multiplier: float) -> None:
    parsed = parse_number(text)
    assert parsed == ParsedNumber(float(value), unit=unit, multiplier=multiplier), parsed


@pytest.mark.parametrize("text", ["", "  ", "-", "—", "——", "--", "/", "－"])
def test_blank_and_dashes_are_not_reported(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.blank and parsed.value is None and not parsed.error


@pytest.mark.parametrize("text", ["…", "……", "...", "......", "···"])
def test_ellipsis_is_below_the_smallest_unit(text: str) -> None:
    assert parse_number(text) == ParsedNumber(0.0, below_unit=True)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("约1000", "not-a-number", "不是数字：'约1000'（请填写确切数值）"),
        ("1000左右", "not-a-number", "不是数字：'1000左右'（请填写确切数值）"),
        (">100", "not-a-number", "不是数字：'>100'（请填写确切数值）"),
        ("1000余", "not-a-number", "不是数字：'1000余'（请填写确切数值）"),
        ("1000+", "not-a-number", "不是数字：'1000+'（请填写确切数值）"),
        ("待统计", "not-a-number", "不是数字：'待统计'"),
        ("一", "not-a-number", "不是数字：'一'"),
        ("1,23", "not-a-number", "不是数字：'1,23'"),
        ("12亿美元", "not-a-number", "不是数字：'12亿美元'（无法识别的单位 '亿美元'）"),
        ("#DIV/0!", "cell-error", "单元格是错误值 #DIV/0!：请检查公式"),
        ("#N/A", "cell-error", "单元格是错误值 #N/A：请检查公式"),
        ("Err:502", "cell-error", "单元格是错误值 Err:502：请检查公式"),
    ],
)
def test_text_that_is_not_a_number(text: str, code: str, message: str) -> None:
    parsed = parse_number(text)
    assert (parsed.value, parsed.code, parsed.error) == (None, code, message)


def test_format_number_drops_float_noise() -> None:
    assert [format_number(v) for v in (98.0, 1023.45, 0.1 + 0.2, 1e15)] == ["98", "1023.45", "0.3", "1e+15"]


# --- properties -------------------------------------------------------------------------------------

decimals = st.decimals(min_value=0, max_value=Decimal("1e12"), places=4, allow_nan=False, allow_infinity=False)


@given(decimals, st.booleans(), st.booleans(), st.sampled_from(["", "亿元", "万元", "家", "万家", "%", "个"]))
@example(Decimal("10234500"), True, False, "")
def test_formatted_numbers_round_trip(number: Decimal, grouped: bool, full_width: bool, unit: str) -> None:
    text = f"{number:,}" if grouped else f"{number}"
    if full_width:
        text = text.translate(FULL_WIDTH)
    parsed = parse_number(text + unit)
    assert parsed.ok and not parsed.error
    assert parsed.value == pytest.approx(float(number), rel=1e-12)
    assert parsed.unit == unit


@given(decimals.filter(lambda d: d < Decimal("1e8")), st.sampled_from([("万", 1e4), ("亿", 1e8)]))
def test_magnitude_suffixes_multiply(number: Decimal, suffix: tuple[str, float]) -> None:
    parsed = parse_number(f"{number}{suffix[0]}")
    assert parsed.multiplier == suffix[1]
    assert parsed.value == pytest.approx(float(number) * suffix[1], rel=1e-12)


@given(st.text(max_size=60))
@example("1" * 400)
@example("1e999")
@example("\x00\u3000…")
def test_arbitrary_text_never_raises(text: str) -> None:
    parsed = parse_number(text)
    assert isinstance(parsed, ParsedNumber)
    if parsed.value is None:
        assert parsed.blank != bool(parsed.error)  # exactly one: not reported, or why not a number
        assert bool(parsed.error) == bool(parsed.code)
    else:
        assert parsed.value == parsed.value  # never NaN
        assert not parsed.error
