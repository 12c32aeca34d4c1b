"""Chinese phone numbers: parse what people type into one canonical form.

Mobile: 11 digits `1[3-9]xxxxxxxxx`, optionally prefixed +86 / 0086 / 86 → "13812345678".
Landline: area code (010 and 02x are three digits, every other code four: 0574, 0311) plus a
7–8 digit local number not starting with 0 or 1 → "0574-87654321". Spaces, dashes, dots and
parentheses are separators. Canonical forms are what uniqueness and duplicate detection compare.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[\s\-\.()（）—_]+")  # i18n: data
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0(?:10|2\d|[3-9]\d{2}))([2-9]\d{6,7})")


def parse_phone(raw: str) -> str | None:
    """The canonical form of `raw`, or None if it is neither a Chinese mobile nor a landline."""
    if raw is None:
        return None
    digits = _SEPARATORS.sub("", str(raw).strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits.isdigit():
        return None
    if _MOBILE.fullmatch(digits):
        return digits
    # Trunk prefix "0" plus area code: 3-digit codes (010, 02x) or 4-digit codes (0xxx).
    if digits[:3] == "010" or digits[:2] == "02":
        area, local = digits[:3], digits[3:]
    else:
        area, local = digits[:4], digits[4:]
    match = _LANDLINE.fullmatch(area + local)
    if match and match.group(1) == area:
        return f"{area}-{local}"
    return None


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """Canonical phone or a ValidationError with a message the user understands."""
    phone = parse_phone(raw)
    if phone is None:
        raise ValidationError(
            _("电话号码“%(raw)s”格式不正确：请填写11位手机号或带区号的固定电话（如 0574-87654321）")
            % {"raw": raw},
            field=field,
            log_message=f"invalid phone {raw!r}",
        )
    return phone
