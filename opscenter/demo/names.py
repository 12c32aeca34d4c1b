"""Deterministic, realistic Chinese people for the demo: names, mobile numbers, hire dates.

Everything comes from one `random.Random(seed)`, so the same seed gives the same organization.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

# The most common surnames, roughly by frequency; the first ones are drawn more often.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建文志国成博"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲燕红琳婷雪慧莉倩颖洁佳萍琴晶晓彤梦瑶蕾璐欣悦怡露丹"
# Mobile prefixes in use in mainland China (China Mobile, Unicom, Telecom, Broadnet).
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "191", "193", "195", "198", "199",
)  # fmt: skip
HIRED_FROM = dt.date(2015, 3, 1)
HIRED_TO = dt.date(2024, 12, 31)


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    hired_on: dt.date


class PeopleFactory:
    """Hands out people with names and phones unique within one demo organization."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._names: set[str] = set()
        self._phones: set[str] = set()

    def _surname(self) -> str:
        # Triangular weighting: 王/李/张 come up far more than 汤, as in real rosters.
        index = int(self._rng.triangular(0, len(SURNAMES), 0))
        return SURNAMES[min(index, len(SURNAMES) - 1)]

    def _name(self, *, female: bool | None = None) -> str:
        if female is None:
            female = self._rng.random() < 0.55
        pool = GIVEN_FEMALE if female else GIVEN_MALE
        while True:
            length = 1 if self._rng.random() < 0.3 else 2
            name = self._surname() + "".join(self._rng.choice(pool) for _ in range(length))
            if name not in self._names and len(set(name[1:])) == len(name) - 1:
                self._names.add(name)
                return name

    def _phone(self) -> str:
        while True:
            phone = self._rng.choice(MOBILE_PREFIXES) + f"{self._rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def _hired_on(self) -> dt.date:
        span = (HIRED_TO - HIRED_FROM).days
        return HIRED_FROM + dt.timedelta(days=self._rng.randrange(span + 1))

    def person(self, *, female: bool | None = None) -> Person:
        return Person(name=self._name(female=female), phone=self._phone(), hired_on=self._hired_on())
