"""Chinese resident identity card numbers (居民身份证号码, GB 11643-1999) as plain functions.

An 18-character number is a 6-digit area code, the birth date YYYYMMDD, a 3-digit sequence (odd for
men, even for women) and a check character: the weighted sum of the first 17 digits modulo 11 picks
it from "10X98765432". A first-generation 15-digit number (YYMMDD, no check character) is upgraded
to 18 characters (born in the 1900s). No database, no settings: unit-tested on their own.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


class IdNumber(NamedTuple):
    number: str
    birthday: dt.date
    gender: str  # "male" / "female" (pipeline Gender values)


def check_char(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse_id_number(value: Any, *, today: dt.date | None = None) -> tuple[IdNumber | None, str | None]:
    """(IdNumber, None) or (None, a Chinese message naming what is wrong); blank → (None, None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, float):
        # Excel stores an 18-digit number as a float and loses its last digits.
        return None, _(
            "身份证号“%(value)s”被表格当成了数字，末几位已丢失：请把该列设为文本格式后重新填写"
        ) % {"value": f"{value:.0f}"}
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(value))).upper()
    if re.fullmatch(r"\d{15}", text):
        text = text[:6] + "19" + text[6:]
        text += check_char(text)
    elif not re.fullmatch(r"\d{17}[\dX]", text):
        return None, _("身份证号“%(value)s”应为 18 位（最后一位可以是 X）") % {"value": value}
    try:
        birthday = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None, _("身份证号“%(value)s”中的出生日期 %(day)s 不存在") % {"value": value, "day": text[6:14]}
    today = today or dt.date.today()
    if birthday > today or birthday.year < 1880:
        return None, _("身份证号“%(value)s”中的出生日期 %(day)s 不合理") % {"value": value, "day": text[6:14]}
    if check_char(text[:17]) != text[17]:
        return None, _("身份证号“%(value)s”校验位不正确，请核对") % {"value": value}
    return IdNumber(text, birthday, "male" if int(text[16]) % 2 else "female"), None
