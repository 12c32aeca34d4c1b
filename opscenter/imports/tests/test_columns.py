"""Column parsers (fast paths and caches) give exactly what `Field.parse` gives, cell by cell."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from opscenter.imports.columns import column_parser, parse_column
from opscenter.imports.engine import Field, ImportOptions

OPTIONS = ImportOptions(default_year=2024)
FIELDS = [
    Field("amount", "金额", type="amount"),
    Field("day", "日期", type="date"),
    Field("phone", "电话", type="phone"),
    Field("text", "项目", max_length=10),
    Field("n", "次数", type="int", minimum=1, maximum=99),
]

amount_texts = st.builds(
    lambda sign, whole, cents: f"{sign}{whole}{cents}",
    st.sampled_from(["", "-", "¥", "+"]),
    st.integers(0, 10**9),
    st.sampled_from(["", ".5", ".50", ".05", ".123", "万", "元", ",000"]),
)
date_texts = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).map(
    lambda d: d.isoformat()
) | st.sampled_from(["2024-02-30", "2024-13-01", "0000-00-00", "2024/3/2", "3月2日"])
phone_texts = st.from_regex(r"1[0-9]{10}", fullmatch=True) | st.sampled_from(
    ["138 0000 0001", "13800000001(女儿)", "12345", "0574-87654321"]
)
cells = (
    st.none()
    | st.just("")
    | st.text(max_size=12)
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.dates()
    | amount_texts
    | date_texts
    | phone_texts
)


@settings(max_examples=400, deadline=None)  # a property, not a timing: no deadline on a loaded machine
@given(st.lists(cells, min_size=1, max_size=30))
def test_column_parsers_agree_with_the_field_parsers_even_on_repeats(column):
    for fld in FIELDS:
        parse = column_parser(fld, OPTIONS)
        for raw in [*column, *column]:  # the second pass answers from the cache
            assert parse(raw) == fld.parse(raw, OPTIONS), (fld.name, raw)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(cells | st.booleans() | st.sampled_from([1, 1.0, True, 0, 0.0, False]), min_size=1, max_size=40)
)
def test_a_whole_column_parses_as_its_cells_do_even_when_they_repeat_or_compare_equal(column):
    """`parse_column` parses each distinct cell once; 1, 1.0 and True are equal as dict keys but
    not as cells, so a column mixing them must still give each cell its own result."""
    for fld in FIELDS:
        parse = column_parser(fld, OPTIONS)
        expected = [fld.parse(raw, OPTIONS) for raw in column]
        # Once as a batch of its own, then again in a later batch (answered from the cache)…
        assert list(parse_column(parse, column)) == expected, fld.name
        assert list(parse_column(parse, column)) == expected, fld.name
        # …and repeated within one batch (each distinct cell parsed once unless types mix).
        assert list(parse_column(parse, column * 3)) == expected * 3, fld.name
