"""Cell parsers: examples from real ledgers, and round-trip properties with Hypothesis."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opscenter.core.bounds import MAX_AMOUNT_FEN
from opscenter.imports import values as v
from opscenter.imports.constants import (
    CONSULTATION_MODE_ALIASES,
    INTENT_ALIASES,
    STAY_TYPE_ALIASES,
)


@pytest.mark.parametrize(
    "raw",
    [
        "2024/3/2",
        "2024-03-02",
        "2024.3.2",
        "2024年3月2日",
        "20240302",
        "2024 年 3 月 2 日",
        45353,
        45353.0,
        "45353",
        dt.date(2024, 3, 2),
        dt.datetime(2024, 3, 2, 23, 0),
        "２０２４／３／２",
        "2024/03/02 09:13:00",
    ],
)
def test_common_chinese_date_formats_parse_to_the_same_day(raw):
    assert v.parse_date(raw) == (dt.date(2024, 3, 2), None)


def test_date_without_year_needs_a_default_year():
    assert v.parse_date("10月24日", default_year=2015) == (dt.date(2015, 10, 24), None)
    assert v.parse_date("3/2", default_year=2015) == (dt.date(2015, 3, 2), None)
    value, error = v.parse_date("10月24日")
    assert value is None and "缺少年份" in error


def test_impossible_and_unreadable_dates_are_errors_in_chinese():
    assert v.parse_date("2015-02-30") == (None, "日期“2015-02-30”不存在")
    assert v.parse_date("下周三")[1].startswith("无法识别的日期")
    assert v.parse_date(None) == (None, None)
    assert v.parse_date("  ") == (None, None)


def test_excel_1900_leap_year_bug_is_honoured():
    assert v.parse_date(59) == (dt.date(1900, 2, 28), None)
    assert v.parse_date(60)[1] is not None  # 1900-02-29 never existed
    assert v.parse_date(61) == (dt.date(1900, 3, 1), None)
    assert v.parse_date(1) == (dt.date(1900, 1, 1), None)
    assert v.parse_date(42262.0) == (dt.date(2015, 9, 15), None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-01 12:59", dt.datetime(2024, 3, 1, 12, 59)),
        ("2024/03/02 09:13:00", dt.datetime(2024, 3, 2, 9, 13)),
        ("03月09日 12:42", dt.datetime(2024, 3, 9, 12, 42)),
        ("2024年3月2日 9时13分", dt.datetime(2024, 3, 2, 9, 13)),
        ("2024-03-02", dt.datetime(2024, 3, 2, 0, 0)),
        (45353.5, dt.datetime(2024, 3, 2, 12, 0)),
        (dt.datetime(2024, 3, 2, 8, 30), dt.datetime(2024, 3, 2, 8, 30)),
    ],
)
def test_datetimes_are_local_shanghai_time_and_aware(raw, expected):
    value, error = v.parse_datetime(raw, default_year=2024)
    assert error is None
    assert value == expected.replace(tzinfo=v.SHANGHAI)
    assert value.utcoffset() == dt.timedelta(hours=8)


def test_impossible_time_is_an_error():
    assert v.parse_datetime("2024-03-02 25:10")[1] == "时间“2024-03-02 25:10”不存在"


@pytest.mark.parametrize(
    ("raw", "fen"),
    [
        ("¥3,800", 380000),
        ("￥3800", 380000),
        ("3800元", 380000),
        ("3,800元", 380000),
        ("0.38万", 380000),
        ("1万", 1000000),
        ("1万元", 1000000),
        ("１２３", 12300),
        ("3,800.50", 380050),
        ("-100", -10000),
        ("（100）", -10000),
        ("(1,000.5)", -100050),
        ("人民币3800元整", 380000),
        (4500.0, 450000),
        (20000, 2000000),
        (0.1, 10),
    ],
)
def test_amounts_in_every_spelling_become_integer_fen(raw, fen):
    assert v.parse_amount_fen(raw) == (fen, None)


@pytest.mark.parametrize("raw", ["abc", "3,80", "1..2", "万", "¥"])
def test_unreadable_amounts_are_errors(raw):
    value, error = v.parse_amount_fen(raw)
    assert value is None and "金额" in error


def test_fractions_of_a_fen_are_refused_not_rounded():
    assert v.parse_amount_fen("0.001")[1] is not None
    assert v.parse_amount_fen("0.0000001万")[1] is not None


@pytest.mark.parametrize(
    ("raw", "number", "note"),
    [
        ("13044827680(女儿)", "13044827680", "女儿"),
        ("13044827680（女儿）", "13044827680", "女儿"),
        ("185 9632 5645", "18596325645", ""),
        ("181-7612-1255", "18176121255", ""),
        ("+86 138 0000 0000", "13800000000", ""),
        ("0574-87654321", "0574-87654321", ""),
        (15186296509.0, "15186296509", ""),
        ("138-0000-0000/13900000000", "13800000000", "13900000000"),
        ("女儿 13800000000", "13800000000", "女儿"),
    ],
)
def test_phones_are_canonical_with_their_note(raw, number, note):
    assert v.parse_phone(raw) == (v.Phone(number, note), None)


@pytest.mark.parametrize("raw", ["12508877003", "10500551014", "12345", "abc"])
def test_invalid_phones_are_errors(raw):
    value, error = v.parse_phone(raw)
    assert value is None and "电话号码" in error


def test_missing_phone_words_count_as_empty():
    assert v.parse_phone("无") == (None, None)
    assert v.parse_phone("") == (None, None)


@pytest.mark.parametrize(
    ("raw", "age"),
    [("96", 96), ("96岁", 96), (96.0, 96), ("八十五", 85), ("八十", 80), ("一百零二", 102), ("十", 10)],
)
def test_ages_in_digits_and_chinese_numerals(raw, age):
    assert v.parse_age(raw) == (age, None)


def test_age_out_of_range_or_not_a_number_is_an_error():
    assert v.parse_age("200")[1] == "年龄“200”超出范围（0–130）"
    assert v.parse_age("高龄")[1] == "年龄“高龄”不是整数"
    assert v.parse_int(2.5)[1] is not None


def test_choices_map_through_alias_tables():
    assert v.parse_choice("长期", STAY_TYPE_ALIASES) == ("long", None)
    assert v.parse_choice("长住", STAY_TYPE_ALIASES) == ("long", None)
    assert v.parse_choice("400电话", CONSULTATION_MODE_ALIASES) == ("phone", None)
    assert v.parse_choice("网咨", CONSULTATION_MODE_ALIASES) == ("online", None)
    assert v.parse_choice("微信", CONSULTATION_MODE_ALIASES) == ("online", None)
    assert v.parse_choice("现场", CONSULTATION_MODE_ALIASES) == ("onsite", None)
    assert v.parse_choice("a", INTENT_ALIASES) == ("high", None)
    assert v.parse_choice("低", INTENT_ALIASES) == ("low", None)
    value, error = v.parse_choice("月租", STAY_TYPE_ALIASES, label="入住类型")
    assert value is None and error.startswith("入住类型“月租”无法识别，可填：试住")


def test_text_keeps_formula_looking_text_as_text():
    assert v.parse_text("=1+1") == ("=1+1", None)
    assert v.parse_text(113.0) == ("113", None)
    assert v.parse_text("x" * 11, max_length=10, label="备注")[1] == "备注过长（最多 10 个字）"


# --- properties ---------------------------------------------------------------------------------
dates = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2199, 12, 31))
DATE_FORMATS = [
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: d.isoformat(),
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: v.date_to_excel_serial(d),
    lambda d: float(v.date_to_excel_serial(d)),
    lambda d: dt.datetime.combine(d, dt.time(13, 5)),
]


@given(dates, st.sampled_from(DATE_FORMATS))
def test_any_date_in_any_supported_format_parses_back(day, fmt):
    assert v.parse_date(fmt(day)) == (day, None)


@given(dates, st.sampled_from([lambda d: f"{d.month}月{d.day}日", lambda d: f"{d.month}/{d.day}"]))
def test_dates_without_year_take_the_default_year(day, fmt):
    assert v.parse_date(fmt(day), default_year=day.year) == (day, None)


@given(dates, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
def test_datetimes_round_trip_through_text(day, hour, minute, second):
    moment = dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=v.SHANGHAI)
    assert v.parse_datetime(moment.strftime("%Y-%m-%d %H:%M:%S")) == (moment, None)
    assert v.parse_datetime(f"{day.year}/{day.month}/{day.day} {hour}:{minute:02d}:{second:02d}") == (
        moment,
        None,
    )


def _grouped(n: int) -> str:
    return f"{n:,}"


AMOUNT_FORMATS = [
    lambda f: f"¥{_grouped(f // 100)}.{f % 100:02d}",
    lambda f: f"{f // 100}.{f % 100:02d}元",
    lambda f: f"{_grouped(f // 100)}.{f % 100:02d}元",
    lambda f: f"￥{f // 100}.{f % 100:02d}",
    lambda f: f"{v.format_fen(f * 1)}",
]


@given(st.integers(0, MAX_AMOUNT_FEN), st.sampled_from(AMOUNT_FORMATS))
def test_amounts_formatted_any_way_parse_back_exactly(fen, fmt):
    assert v.parse_amount_fen(fmt(fen)) == (fen, None)


@given(st.integers(MAX_AMOUNT_FEN + 1, 10**30), st.sampled_from(AMOUNT_FORMATS))
def test_amounts_above_the_documented_limit_are_an_error_not_a_number(fen, fmt):
    value, error = v.parse_amount_fen(fmt(fen))
    assert value is None and "超出上限" in error


@given(st.integers(0, 10**10))
def test_amounts_in_wan_parse_back_exactly(fen):
    # fen / 1_000_000 is the amount in 万 (1万 = 1,000,000 fen); written with enough decimals to be exact.
    wan = f"{fen // 1_000_000}.{fen % 1_000_000:06d}万"
    assert v.parse_amount_fen(wan) == (fen, None)


@given(st.integers(-(10**10), -1))
def test_negative_amounts_parse_in_both_notations(fen):
    text = v.format_fen(-fen)
    assert v.parse_amount_fen("-" + text) == (fen, None)
    assert v.parse_amount_fen(f"（{text}）") == (fen, None)


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["{}", "{} (女儿)", "+86 {}", "{}-"])
)
def test_mobiles_with_noise_parse_to_the_digits(number, fmt):
    spaced = f"{number[:3]} {number[3:7]} {number[7:]}"
    value, error = v.parse_phone(fmt.format(spaced).rstrip("-"))
    assert error is None and value.number == number


@given(st.integers(0, 9999))
def test_chinese_numerals_round_trip(n):
    assert v.chinese_numeral(_to_chinese(n)) == n


def _to_chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d:
            if zero:
                out += "零"
            out += digits[d] + name
            zero = False
        elif out:
            zero = True
    return out
