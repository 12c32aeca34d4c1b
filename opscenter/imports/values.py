"""Pure cell parsers: what people type into spreadsheets → typed values.

Every parser takes the raw cell (a str, int, float, date, datetime or None, as python-calamine or
the csv reader hands it over) and returns `(value, error)`: `error` is None or a message in
Chinese for the row-error report. An empty cell is `(None, None)`; whether a value is required is
the engine's business. No database, no settings: unit- and property-tested on their own.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.core.bounds import MAX_AMOUNT_FEN
from opscenter.imports.constants import BLANK_WORDS
from opscenter.pipeline.phones import parse_phone as canonical_phone

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
Result = tuple[Any, str | None]

# Excel's 1900 date system: serial 1 = 1900-01-01, and serial 60 is the 1900-02-29 that never
# was (Lotus 1-2-3's leap-year bug, kept by Excel). Serials above 60 count from 1899-12-30.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 2_958_465  # 9999-12-31


def normalize_text(value: Any) -> str:
    """NFKC (full-width digits and punctuation → ASCII), stripped; `None` → ''."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def normalize_key(value: Any) -> str:
    """A comparison key for aliases: NFKC, lower case, no whitespace."""
    return re.sub(r"\s+", "", normalize_text(value)).lower()


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


# --- dates ------------------------------------------------------------------------------------
def excel_serial_to_datetime(serial: float) -> dt.datetime | None:
    """A naive datetime from an Excel 1900-system serial, None for the phantom 1900-02-29 or out of range."""
    if not (1 <= serial <= _MAX_SERIAL):
        return None
    days = int(serial)
    if days == 60:
        return None
    base = dt.date(1899, 12, 31) if days < 60 else _EXCEL_EPOCH
    seconds = round((serial - days) * 86400)
    return dt.datetime.combine(base, dt.time()) + dt.timedelta(days=days, seconds=seconds)


def date_to_excel_serial(value: dt.date) -> int:
    """Inverse of the serial conversion (for tests and exports)."""
    days = (value - _EXCEL_EPOCH).days
    return days if days > 60 else days - 1


_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")  # i18n: data
_MD = re.compile(r"(\d{1,2})\s*[月/-]\s*(\d{1,2})\s*[日号]?")  # i18n: data
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(
    r"(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*(?:[:分]\s*(?:(\d{1,2})(?:\.\d+)?\s*秒?)?)?"
)  # i18n: data
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")


def _make_date(year: int, month: int, day: int, raw: Any) -> Result:
    try:
        return dt.date(year, month, day), None
    except ValueError:
        return None, _("日期“%(raw)s”不存在") % {"raw": raw}


def _split_date_time(text: str) -> tuple[str, str]:
    """'2024-03-01 12:59' → ('2024-03-01', '12:59'); 'T' separates too."""
    match = re.match(r"^(.*?\d[日号]?)(?:\s+|T)(\d{1,2}\s*[:时点].*)$", text)  # i18n: data
    if match:
        return match.group(1).strip(), match.group(2).strip()
    return text, ""


def _date_from_text(text: str, raw: Any, default_year: int | None) -> Result:
    if match := _YMD.fullmatch(text):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _COMPACT.fullmatch(text):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _MD.fullmatch(text):
        if default_year is None:
            return None, _("日期“%(raw)s”缺少年份") % {"raw": raw}
        return _make_date(default_year, int(match[1]), int(match[2]), raw)
    if _SERIAL.fullmatch(text):
        return _date_from_number(float(text), raw)
    return None, _("无法识别的日期“%(raw)s”，请使用 2024-03-02 或 2024年3月2日 等格式") % {"raw": raw}


def _date_from_number(number: float, raw: Any) -> Result:
    if number.is_integer() and 19000101 <= number <= 29991231:
        n = int(number)
        return _make_date(n // 10000, n // 100 % 100, n % 100, raw)
    converted = excel_serial_to_datetime(number)
    if converted is None:
        return None, _("日期“%(raw)s”不存在") % {"raw": raw}
    return converted.date(), None


def parse_date(value: Any, *, default_year: int | None = None) -> Result:
    """A `date` from a date cell, an Excel serial, 20240302, 2024/3/2, 2024-03-02, 2024.3.2,
    2024年3月2日, or 3月2日 / 3/2 when `default_year` is given. A time part is ignored."""
    if is_blank(value):
        return None, None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(SHANGHAI)
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, bool):
        return None, _("无法识别的日期“%(value)s”") % {"value": value}
    if isinstance(value, int | float):
        return _date_from_number(float(value), value)
    text = normalize_text(value)
    date_text, _time_text = _split_date_time(text)
    return _date_from_text(date_text, value, default_year)


def _time_from_text(text: str, raw: Any) -> Result:
    match = _TIME.fullmatch(text)
    if not match:
        return None, _("无法识别的时间“%(raw)s”") % {"raw": raw}
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None, _("时间“%(raw)s”不存在") % {"raw": raw}
    return dt.time(hour, minute, second), None


def parse_datetime(value: Any, *, default_year: int | None = None, tz: dt.tzinfo = SHANGHAI) -> Result:
    """An aware datetime. Naive inputs are local time (Asia/Shanghai); a date alone is midnight.

    Accepts everything `parse_date` does plus a time `12:59`, `09:13:00` or `9时13分`.
    """
    if is_blank(value):
        return None, None
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=tz)), None
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=tz), None
    if isinstance(value, bool):
        return None, _("无法识别的时间“%(value)s”") % {"value": value}
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() and 19000101 <= number <= 29991231:
            day, error = _date_from_number(number, value)
            return (None, error) if error else (dt.datetime.combine(day, dt.time(), tzinfo=tz), None)
        converted = excel_serial_to_datetime(number)
        if converted is None:
            return None, _("时间“%(value)s”不存在") % {"value": value}
        return converted.replace(tzinfo=tz), None
    text = normalize_text(value)
    date_text, time_text = _split_date_time(text)
    day, error = _date_from_text(date_text, value, default_year)
    if error:
        return None, error
    clock = dt.time()
    if time_text:
        clock, error = _time_from_text(time_text, value)
        if error:
            return None, error
    elif _SERIAL.fullmatch(date_text) and "." in date_text:
        converted = excel_serial_to_datetime(float(date_text))
        return (
            (converted.replace(tzinfo=tz), None)
            if converted
            else (None, _("时间“%(value)s”不存在") % {"value": value})
        )
    return dt.datetime.combine(day, clock, tzinfo=tz), None


# --- money ------------------------------------------------------------------------------------
_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?|\.\d+")
_CURRENCY_NOISE = re.compile(r"^(?:人民币|rmb|cny|¥|\$)|(?:元整|元|圆|块|rmb)$", re.IGNORECASE)  # i18n: data
_UNITS = {"万": Decimal(10000), "千": Decimal(1000), "w": Decimal(10000), "k": Decimal(1000)}  # i18n: data


def parse_amount_fen(value: Any) -> Result:
    """Integer fen from ¥3,800 / 3800元 / 0.38万 / 1万 / １２３ / 3,800.50 / -100 / (100) / （100）.

    Decimal arithmetic only; a float cell is read through its shortest repr (4500.0 → 4500).
    More than two decimals of a yuan (after 万) is an error rather than a silent rounding.
    """
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, _("无法识别的金额“%(value)s”") % {"value": value}
    if isinstance(value, int):
        return _to_fen(Decimal(value), value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, _("无法识别的金额“%(value)s”") % {"value": value}
        return _to_fen(Decimal(repr(value)), value)
    if isinstance(value, Decimal):
        return _to_fen(value, value)
    text = re.sub(r"\s+", "", normalize_text(value))
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    for _attempt in range(2):
        text = _CURRENCY_NOISE.sub("", text)
    if text.startswith("-") and not negative:
        negative, text = True, text[1:]
    multiplier = Decimal(1)
    if text and text[-1].lower() in _UNITS:
        multiplier, text = _UNITS[text[-1].lower()], text[:-1]
        text = _CURRENCY_NOISE.sub("", text)
    if not _AMOUNT.fullmatch(text):
        return None, _("无法识别的金额“%(value)s”") % {"value": value}
    try:
        amount = Decimal(text.replace(",", "")) * multiplier
    except InvalidOperation:
        return None, _("无法识别的金额“%(value)s”") % {"value": value}
    return _to_fen(-amount if negative else amount, value)


def _to_fen(yuan: Decimal, raw: Any) -> Result:
    fen = yuan * 100
    if abs(fen) > MAX_AMOUNT_FEN:
        return None, _("金额“%(raw)s”超出上限 ¥%(value)s") % {
            "raw": raw,
            "value": format(MAX_AMOUNT_FEN // 100, ","),
        }
    if fen != fen.to_integral_value():
        rounded = fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if abs(fen - rounded) >= Decimal("0.000001"):
            return None, _("金额“%(raw)s”精确到分以下，请最多保留两位小数") % {"raw": raw}
        fen = rounded
    return int(fen), None


def format_fen(fen: int) -> str:
    """12345 → '123.45' (plain, no separators)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


# --- phones -----------------------------------------------------------------------------------
class Phone(NamedTuple):
    """A canonical phone number and the note that came with it ("女儿" from "138…(女儿)")."""

    number: str
    note: str = ""


_NOTE = re.compile(r"[(\[【](.*?)[)\]】]")  # i18n: data
_PHONE_SPLIT = re.compile(r"[/,;、|]|\s{2,}")  # i18n: data


def parse_phone(value: Any) -> Result:
    """A `Phone` from 13044827680(女儿), 185 9632 5645, 181-7612-1255, +86 138…, 0574-87654321.

    Notes in brackets and words around the number are returned as `note`; of several numbers
    ("138…/139…") the first valid one is taken and the others go to the note.
    """
    if is_blank(value):
        return None, None
    if isinstance(value, float):
        if not value.is_integer():
            return None, _("电话号码“%(value)s”格式不正确") % {"value": value}
        value = int(value)
    text = normalize_text(value)
    if normalize_key(text) in BLANK_WORDS:
        return None, None
    notes = [m.strip() for m in _NOTE.findall(text) if m.strip()]
    text = _NOTE.sub(" ", text)
    # Leading/trailing words ("女儿 138…", "138… 张女士") are notes too.
    words = re.findall(r"[^\d\s+\-()]+", text)
    chunks = [c for c in _PHONE_SPLIT.split(text) if c.strip()]
    found: list[str] = []
    for chunk in chunks:
        digits = re.sub(r"[^\d+\-\s]", " ", chunk).strip()
        canonical = canonical_phone(digits) if digits else None
        if canonical is None and digits:
            canonical = canonical_phone(re.sub(r"\s+", "", digits))
        if canonical:
            found.append(canonical)
        elif digits and not re.fullmatch(r"[\s\-]*", digits):
            return None, _("电话号码“%(value)s”格式不正确：请填写11位手机号或带区号的固定电话") % {
                "value": value
            }
    if not found:
        return None, _("电话号码“%(value)s”格式不正确：请填写11位手机号或带区号的固定电话") % {"value": value}
    extra = [w.strip("-/,、 ") for w in words if w.strip("-/,、 ")]  # i18n: data
    note = "；".join([*notes, *extra, *found[1:]])  # i18n: data
    return Phone(found[0], note), None


# --- numbers and choices ----------------------------------------------------------------------
_CN_DIGITS = {
    "零": 0,  # i18n: data
    "〇": 0,  # i18n: data
    "一": 1,  # i18n: data
    "二": 2,  # i18n: data
    "两": 2,  # i18n: data
    "三": 3,  # i18n: data
    "四": 4,  # i18n: data
    "五": 5,  # i18n: data
    "六": 6,  # i18n: data
    "七": 7,  # i18n: data
    "八": 8,  # i18n: data
    "九": 9,  # i18n: data
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}  # i18n: data


def chinese_numeral(text: str) -> int | None:
    """八十五 → 85, 一百零二 → 102, 十 → 10, 九六 → 96 (digit by digit); None if not a numeral."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if not any(ch in _CN_UNITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


def parse_int(
    value: Any, *, minimum: int | None = None, maximum: int | None = None, label: str = gettext_lazy("数值")
) -> Result:
    """An int from 96, 96.0, "96", "96岁", "八十五"; out of [minimum, maximum] is an error."""
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, _("%(label)s“%(value)s”不是整数") % {"label": label, "value": value}
    if isinstance(value, float):
        if not value.is_integer():
            return None, _("%(label)s“%(value)s”不是整数") % {"label": label, "value": value}
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = re.sub(r"\s+", "", normalize_text(value))
        text = re.sub(r"(周岁|岁|次|个|人|天)$", "", text)  # i18n: data
        if re.fullmatch(r"[+-]?\d+(?:\.0+)?", text):
            number = int(Decimal(text))
        elif (cn := chinese_numeral(text)) is not None:
            number = cn
        else:
            return None, _("%(label)s“%(value)s”不是整数") % {"label": label, "value": value}
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None, _("%(label)s“%(value)s”超出范围（%(minimum)s–%(maximum)s）") % {
            "label": label,
            "value": value,
            "minimum": minimum,
            "maximum": maximum,
        }
    return number, None


def parse_age(value: Any) -> Result:
    return parse_int(value, minimum=0, maximum=130, label=_("年龄"))


def parse_choice(value: Any, aliases: Mapping[str, Any], *, label: str = gettext_lazy("取值")) -> Result:
    """The code for `value` from an alias table (keys compared by `normalize_key`)."""
    if is_blank(value):
        return None, None
    key = normalize_key(value)
    if isinstance(value, float) and value.is_integer():
        key = str(int(value))
    table = {normalize_key(k): v for k, v in aliases.items()}
    if key in table:
        code = table[key]
        return getattr(code, "value", code), None
    options = _("、").join(dict.fromkeys(str(k) for k in aliases if not k.isascii()))
    return None, _("%(label)s“%(value)s”无法识别") % {"label": label, "value": value} + (
        _("，可填：%(options)s") % {"options": options} if options else ""
    )


def parse_bool(value: Any, *, label: str = gettext_lazy("是否")) -> Result:
    from opscenter.imports.constants import BOOL_ALIASES

    if isinstance(value, bool):
        return value, None
    return parse_choice(value, BOOL_ALIASES, label=label)


_FORMULA_STARTS = frozenset("=+-@\t\r")  # core.excel.FORMULA_PREFIXES


def parse_text(value: Any, *, max_length: int | None = None, label: str = gettext_lazy("内容")) -> Result:
    """Stripped text; a whole-number float cell (a bed number read as 113.0) loses its '.0'."""
    if is_blank(value):
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value).strip()
        if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_STARTS:
            # Our exports write formula-like text as '=…; reading it back gives the text as it was.
            text = text[1:]
    if max_length is not None and len(text) > max_length:
        return None, _("%(label)s过长（最多 %(max_length)s 个字）") % {
            "label": label,
            "max_length": max_length,
        }
    return text, None
