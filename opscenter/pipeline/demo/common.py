"""Shared pieces of the demo generators: the calendar window, people, phones, batched inserts.

The window is relative to the day the demo is loaded (`set_window(today)`, called by `generate`):
the 365 days up to yesterday (`LAST_DAY`), seasonal by calendar month, and the
appointments and follow-ups that fall due from today on (`UPCOMING_DAYS`) left open, as a real
site would have them. A given seed and date always give the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections import defaultdict

from django.db.models import Model

from opscenter.org.models import Site, Staff
from opscenter.pipeline.constants import DEFAULT_CHANNELS, DEFAULT_EXIT_REASONS
from opscenter.pipeline.models import Channel, ExitReason
from opscenter.pipeline.periods import month_key

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
UPCOMING_DAYS = 7  # appointments and follow-ups booked for today and the coming week
BATCH = 2000
TODAY: dt.date
FIRST_DAY: dt.date
LAST_DAY: dt.date
DAYS: int
MONTHS: list[tuple[int, int]]


def set_window(today: dt.date) -> None:
    """Place the demo year: the 365 days up to yesterday, whatever the date it is loaded."""
    global TODAY, FIRST_DAY, LAST_DAY, DAYS, MONTHS
    TODAY = today
    LAST_DAY = today - dt.timedelta(days=1)
    FIRST_DAY = today - dt.timedelta(days=365)
    DAYS = (LAST_DAY - FIRST_DAY).days + 1
    months, year, month = [], FIRST_DAY.year, FIRST_DAY.month
    while (year, month) <= (LAST_DAY.year, LAST_DAY.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    MONTHS = months


set_window(dt.date(2026, 11, 24))  # replaced by `generate` with the day the demo is loaded

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林阳建文志国成博德福寿荣"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲燕红琳婷雪慧莉倩颖洁佳萍琴晶晓彤梦瑶蕾璐欣悦怡露丹兰英桂凤"
MOBILE_PREFIXES = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159",
                   "177", "180", "181", "183", "186", "187", "188", "189", "199")  # fmt: skip


class Faker:
    """Names, genders and phones (unique within the site) from one seeded Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()

    def name(self, female: bool) -> str:
        given = GIVEN_FEMALE if female else GIVEN_MALE
        length = 1 if self.rng.random() < 0.3 else 2
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(given) for _ in range(length))

    def phone(self, landline_share: float = 0.0) -> str:
        while True:
            if self.rng.random() < landline_share:
                phone = f"0574-8{self.rng.randrange(10**7):07d}"
            else:
                phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def moment(self, day: dt.date, start_hour: int = 9, end_hour: int = 18) -> dt.datetime:
        minutes = self.rng.randrange(start_hour * 60, end_hour * 60)
        return dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=TZ)

    def day(self, weights: list[float] | None = None) -> dt.date:
        """A day in the window; `weights` (12, by calendar month Dec, Jan … Nov) shape the season
        (a month's weight × its days inside the window, so the partial months at the ends count less)."""
        if weights is None:
            return FIRST_DAY + dt.timedelta(days=self.rng.randrange(DAYS))
        spans = []  # each calendar month of the window, clipped to it, weighted by season × length
        for year, month in MONTHS:
            start = max(dt.date(year, month, 1), FIRST_DAY)
            end = min(dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1), LAST_DAY)
            spans.append((start, end, weights[month % 12] * ((end - start).days + 1)))
        first, last, _weight = self.rng.choices(spans, weights=[w for _s, _e, w in spans])[0]
        return first + dt.timedelta(days=self.rng.randrange((last - first).days + 1))

    def birthday(self, low_age: int, high_age: int) -> dt.date:
        year = TODAY.year - self.rng.randint(low_age, high_age)
        return dt.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))

    def after(self, day: dt.date, low: int, high: int, *, upcoming: bool = False) -> dt.date | None:
        """A day `low`..`high` days after `day`, or None if that falls after yesterday — or, for
        something booked ahead (`upcoming`: an appointment, a follow-up), after the coming week."""
        result = day + dt.timedelta(days=self.rng.randint(low, high))
        last = TODAY + dt.timedelta(days=UPCOMING_DAYS) if upcoming else LAST_DAY
        return result if result <= last else None

    def pick(self, options: dict, k: int = 1):
        keys = list(options)
        picked = self.rng.choices(keys, weights=[options[key] for key in keys], k=k)
        return picked[0] if k == 1 else picked


class Rows:
    """Objects to insert, per model and phase, written in dependency order with bulk_create.

    A phase-1 row may point at a phase-0 row of the same model (a rescheduled appointment's
    replacement, a second opinion): phase 0 is inserted first so its primary keys exist.
    """

    def __init__(self) -> None:
        self.by_model: dict[type[Model], dict[int, list[Model]]] = defaultdict(lambda: defaultdict(list))

    def add(self, obj: Model, phase: int = 0) -> Model:
        self.by_model[type(obj)][phase].append(obj)
        return obj

    def flush(self, *models: type[Model]) -> dict[str, int]:
        counts = {}
        for model in models:
            phases = self.by_model.pop(model, {})
            total = 0
            for phase in sorted(phases):
                objs = phases[phase]
                relations = [f for f in model._meta.concrete_fields if f.is_relation]
                for obj in objs:
                    # Parents were inserted earlier: copy their new primary keys into the FK columns.
                    for field in relations:
                        if field.is_cached(obj):
                            related = field.get_cached_value(obj)
                            if related is not None:
                                setattr(obj, field.attname, related.pk)
                model.objects.bulk_create(objs, batch_size=BATCH)
                total += len(objs)
            counts[model._meta.verbose_name] = total
        return counts


def consultants(site: Site, team_name: str) -> list[Staff]:
    """Consultants (users in the 咨询师 group) of one team of the site, by employee number."""
    staff = list(
        Staff.objects.filter(
            department__site=site, team__name=team_name, is_active=True, user__groups__name="咨询师"
        ).order_by("employee_no")
    )
    if not staff:
        staff = list(
            Staff.objects.filter(department__site=site, team__name=team_name).order_by("employee_no")
        )
    return staff


def site_channel(site: Site, name: str, kind: str, partner: str = "") -> Channel:
    channel, _ = Channel.objects.get_or_create(
        site=site, name=name, defaults={"kind": kind, "partner": partner}
    )
    return channel


def shared_channels() -> dict[str, Channel]:
    """The shared default channels by kind (re-created if a flush removed what migration 0002 shipped)."""
    for order, (name, kind) in enumerate(DEFAULT_CHANNELS, start=1):
        Channel.objects.get_or_create(site=None, name=name, defaults={"kind": kind, "sort_order": order * 10})
    return {c.kind: c for c in Channel.objects.filter(site__isnull=True).order_by("sort_order", "pk")}


def exit_reasons() -> dict[str, ExitReason]:
    """The exit-reason list by code (re-created likewise)."""
    for code, name, order in DEFAULT_EXIT_REASONS:
        ExitReason.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    return {r.code: r for r in ExitReason.objects.all()}


def mk(day: dt.date | dt.datetime) -> int:
    return month_key(day)
