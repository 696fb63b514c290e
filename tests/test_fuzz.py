"""Property-based tests of what reads user input — periods, units, numbers — and of the whole round
trip: template → filled with arbitrary valid values → import → history gives back exactly those.

(More number properties, arbitrary text and formatted decimals, are in test_numbers.py.)
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import Cell, MergedCell

from pingtai import layout
from pingtai.importer import Receipt, import_files
from pingtai.ledger import Ledger
from pingtai.loader import load_catalog
from pingtai.periods import Period, PeriodError, last_ended_month
from pingtai.returns import parse_number
from pingtai.safe_write import set_text
from pingtai.series import MAX_VALUE, Acceptance
from pingtai.service import Store
from pingtai.template import write_template
from pingtai.units import UNITS, conversion_factor, lookup, normalize_unit

YEARS = st.integers(min_value=1900, max_value=2200)
PERIODS = st.one_of(
    st.builds(Period, YEARS),
    st.builds(lambda y, i: Period(y, "H", i), YEARS, st.integers(1, 2)),
    st.builds(lambda y, i: Period(y, "Q", i), YEARS, st.integers(1, 4)),
    st.builds(lambda y, i: Period(y, "M", i), YEARS, st.integers(1, 12)),
)
PERIOD_ALPHABET = "0123456789 年月季度上下半第一二三四五六七八九十HhQqYy-—–~至到份全期报告:：０１２３４５６７８９"
FULL_WIDTH = str.maketrans("0123456789-HQ", "０１２３４５６７８９－ＨＱ")


# --- periods -------------------------------------------------------------------------------------


@given(st.one_of(st.text(max_size=40), st.text(alphabet=PERIOD_ALPHABET, max_size=16)))
@example("2024年十三月")  # once a KeyError
@example("2024年1-九九月")
@example("0000Q1")
def test_period_parse_raises_nothing_but_period_error(text: str) -> None:
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        assert str(exc).startswith(("无法识别的报告期", "年份超出范围", "期别超出范围"))
    else:
        assert Period.parse(str(period)) == period


@given(PERIODS)
def test_canonical_and_chinese_spellings_round_trip(period: Period) -> None:
    assert Period.parse(str(period)) == period
    assert str(Period.parse(str(period))) == str(period)
    assert Period.parse(period.label()) == period
    assert Period.parse(str(period).translate(FULL_WIDTH)) == period  # as typed on a Chinese keyboard
    assert Period.parse(f" 报告期：{period.label()} ") == period


@given(PERIODS)
def test_a_point_is_the_coarsest_period_ending_in_the_same_month(period: Period) -> None:
    point = period.as_point()
    assert point.end == period.end and point.as_point() == point
    assert point.sort_key() <= period.sort_key()


@given(PERIODS, PERIODS)
def test_months_key_points_and_order_periods_as_the_engine_needs(a: Period, b: Period) -> None:
    # the engine keys a series by Period.months: equal exactly for the same point, ordered as periods
    assert (a.months == b.months) == (a.as_point() == b.as_point())
    assert (a.months < b.months) == (a.end < b.end)
    assert a.months == a.as_point().months == a.months  # the second read comes from the instance
    with pytest.raises(AttributeError):
        a.months = 0  # still a frozen dataclass


@given(PERIODS, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2201, 1, 31)))
def test_last_ended_month_says_which_periods_have_ended(period: Period, day: dt.date) -> None:
    assert (period.months <= last_ended_month(day)) == (period.end <= day)


# --- units ---------------------------------------------------------------------------------------


@given(st.text(max_size=20))
def test_unit_lookup_never_raises(text: str) -> None:
    unit = lookup(text)
    assert unit is None or unit.symbol == normalize_unit(text) or normalize_unit(text) in {"％", "百分比"}


@given(st.sampled_from(sorted(UNITS)), st.sampled_from(sorted(UNITS)))
def test_conversion_only_within_a_family_and_invertible(source: str, target: str) -> None:
    there, back = conversion_factor(source, target), conversion_factor(target, source)
    if UNITS[source].family != UNITS[target].family:
        assert there is None and back is None
    else:
        assert there is not None and back is not None
        assert there * back == pytest.approx(1.0, rel=1e-12)
        assert conversion_factor(source, source) == 1.0


@given(st.sampled_from(sorted(UNITS)), st.sampled_from(["（{}）", "({})", "【{}】", " {} ", "{}"]))
def test_units_written_in_brackets_or_full_width_are_found(symbol: str, wrapping: str) -> None:
    written = unicodedata.normalize("NFKC", wrapping.format(symbol))
    assert lookup(written) == UNITS[symbol]


# --- numbers -------------------------------------------------------------------------------------

FINITE = st.floats(min_value=0, allow_nan=False, allow_infinity=False)


@given(FINITE, st.booleans(), st.booleans())
@example(5e-324, False, False)
@example(1.7976931348623157e308, True, False)
@example(123456789.123, True, True)
def test_any_float_as_python_writes_it_reads_back_exactly(number: float, grouped: bool, negative: bool) -> None:
    text = format(number, ",") if grouped else repr(number)
    parsed = parse_number(("-" if negative else "") + text)
    assert parsed.value == (-number if negative else number)
    assert (parsed.unit, parsed.multiplier, parsed.error) == ("", 1.0, "")


# --- template → filled → import → history ----------------------------------------------------------

NOW = dt.datetime(2025, 1, 20, 9, 30, tzinfo=dt.UTC)
STATUS_CODES = dict(zip(layout.TASK_STATUSES, ("not_started", "in_progress", "done", "late"), strict=True))
# A cell's value as an agency may type it: blank, a number as a spreadsheet holds it (15
# significant digits: Excel's precision, and what openpyxl writes back exactly), or text — any
# digits, grouped, sometimes full-width.
CELLS = st.one_of(
    st.none(),
    FINITE.map(lambda x: float(f"{x:.15g}")).filter(math.isfinite).map(lambda x: ("number", x)),
    st.integers(min_value=0, max_value=2**53).map(lambda n: ("number", float(n))),
    FINITE.map(lambda x: ("text", x)),
)
TEXTS = st.text(alphabet="平台经济推进中已完成=+-@进展问题打算ABCxyz0123456789，。、", min_size=1, max_size=40)


@pytest.fixture(scope="module")
def blank_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "填报表_市商务局_2024Q4.xlsx"
    write_template(load_catalog(), "市商务局", "2024Q4", path, generated=NOW.date())
    return path


def _cell(cell: Cell | MergedCell) -> Cell:
    assert isinstance(cell, Cell)
    return cell


def _text(number: float) -> str:
    """A number as typed: grouped by thousands, sometimes in full-width digits."""
    grouped = format(number, ",")
    return grouped.translate(str.maketrans("0123456789,.", "０１２３４５６７８９，．")) if len(grouped) % 2 else grouped


# Each example writes and imports a real workbook (~0.1 s): no shrinking, which would take minutes.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(cells=st.lists(CELLS, min_size=5, max_size=5), tasks=st.lists(st.tuples(st.sampled_from(layout.TASK_STATUSES),
                                                                                 TEXTS), min_size=4, max_size=4))
def test_values_written_in_a_template_come_back_exactly(blank_template: Path, cells: list[tuple[str, float] | None],
                                                        tasks: list[tuple[str, str]]) -> None:
    book = openpyxl.load_workbook(blank_template)
    written: dict[str, float] = {}
    rows = [row for row in book[layout.VALUES_SHEET].iter_rows(min_row=4) if row[0].value and row[2].value]
    assert len(rows) == len(cells)
    for row, cell in zip(rows, cells, strict=True):
        if cell is None:
            continue
        how, number = cell
        if how == "number":
            row[4].value = number
        else:
            set_text(_cell(row[4]), _text(number))
        written[str(row[0].value)] = number
    task_rows = [row for row in book[layout.TASKS_SHEET].iter_rows(min_row=4) if isinstance(row[1].value, int)]
    for row, (status, text) in zip(task_rows, tasks, strict=True):
        row[3].value = status
        set_text(_cell(row[4]), text)  # texts starting with = + - @ stay text, as an agency typed them
    with tempfile.TemporaryDirectory() as folder:
        filled = Path(folder) / blank_template.name
        book.save(filled)
        db = Path(folder) / "ledger.sqlite3"
        # any figure an indicator can hold comes back exactly; one the gate would refuse as out of
        # scale is let through (what --accept-all does), one beyond any indicator's range is refused
        let_through = Receipt(acceptance=Acceptance(every=True, reason="检验"))
        [result] = import_files([filled], load_catalog(), Store(db), now=NOW, receipt=let_through).files
        if any(number > MAX_VALUE for number in written.values()):
            assert result.status == "rejected" and {p.code for p in result.errors} == {"out-of-range"}
            return
        assert result.status == "accepted", result.errors
        with Ledger.open(db, readonly=True) as ledger:
            back = {ident: [(v.value, str(v.period), v.agency) for v in ledger.history(ident)] for ident in
                    (str(row[0].value) for row in rows)}
            progress = [(t.status, t.progress) for t in ledger.current_tasks()]
    assert back == {ident: ([(written[ident], "2024", "市商务局")] if ident in written else []) for ident in back}
    assert sorted(progress) == sorted((STATUS_CODES[status], text) for status, text in tasks)
