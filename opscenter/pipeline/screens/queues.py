"""The work queues (issue 12 item 5): the appointment calendar (day / week, per consultant and per
site) and list, the visits and deals lists, the assessments awaiting a ruling with their age, and
the counts the home page shows. Everything reads through the scoped selectors; each function
issues a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.core.lists import Column
from opscenter.org.selectors import scope_for
from opscenter.pipeline import selectors
from opscenter.pipeline.choices import AppointmentStatus
from opscenter.pipeline.models import Appointment, Assessment, Deal, Visit

DAY_START_HOUR, DAY_END_HOUR = 8, 20  # the day view's rows; earlier/later bookings go to the edges


def sees_many_sites(user) -> bool:
    """Whether the user's lists mix sites (then every table shows the site column)."""
    scope = scope_for(user)
    return scope.is_superuser or scope.all_sites or len(scope.site_ids) > 1


def _day_bounds(first: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=days), dt.time.min))
    return start, end


def week_start(day: dt.date) -> dt.date:
    """Monday of the day's week (Chinese calendars start the week on Monday)."""
    return day - dt.timedelta(days=day.weekday())


# --- appointments ----------------------------------------------------------------------------


def appointment_search(
    *,
    user,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    site_id: int | None = None,
    consultant_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Appointment]:
    """Appointments by their scheduled day (local), with the columns the calendar and list show.
    Rescheduled rows are left out (their replacement is listed); `consultant_id` is the consultant
    the appointment belongs to (the customer's owner when it was booked)."""
    qs = selectors.appointment_list(user=user, site_id=site_id).select_related("customer", "owner", "site")
    qs = qs.exclude(status=AppointmentStatus.RESCHEDULED)
    if date_from is not None:
        qs = qs.filter(scheduled_for__gte=_day_bounds(date_from, 0)[0])
    if date_to is not None:
        qs = qs.filter(scheduled_for__lt=_day_bounds(date_to, 1)[1])
    if consultant_id is not None:
        qs = qs.filter(owner_id=consultant_id)
    if status:
        qs = qs.filter(status=status)
    return qs


@dataclass
class CalendarDay:
    day: dt.date
    is_today: bool
    appointments: list[Appointment] = field(default_factory=list)


@dataclass
class CalendarLane:
    """One consultant's column of the day view: their appointments hour by hour."""

    key: str
    label: str
    by_hour: dict[int, list[Appointment]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Calendar:
    view: str  # "day" or "week"
    first: dt.date
    last: dt.date
    days: list[CalendarDay]
    lanes: list[CalendarLane]
    hours: list[int]
    total: int
    by_status: dict[str, int]

    @property
    def previous(self) -> dt.date:
        return self.first - dt.timedelta(days=1 if self.view == "day" else 7)

    @property
    def next(self) -> dt.date:
        return self.first + dt.timedelta(days=1 if self.view == "day" else 7)


def _hour_of(appointment: Appointment) -> int:
    hour = timezone.localtime(appointment.scheduled_for).hour
    return min(max(hour, DAY_START_HOUR), DAY_END_HOUR)


def appointment_calendar(
    *,
    user,
    view: str,
    day: dt.date,
    site_id: int | None = None,
    consultant_id: int | None = None,
    status: str | None = None,
) -> Calendar:
    """The day (one lane per consultant, rows by hour) or the week (Monday–Sunday, a column per
    day) of appointments, in one query."""
    first = day if view == "day" else week_start(day)
    length = 1 if view == "day" else 7
    last = first + dt.timedelta(days=length - 1)
    rows = list(
        appointment_search(
            user=user,
            date_from=first,
            date_to=last,
            site_id=site_id,
            consultant_id=consultant_id,
            status=status,
        ).order_by("scheduled_for", "pk")
    )
    today = timezone.localdate()
    days = {
        first + dt.timedelta(days=n): CalendarDay(first + dt.timedelta(days=n), False) for n in range(length)
    }
    for d in days.values():
        d.is_today = d.day == today
    lanes: dict[str, CalendarLane] = {}
    by_status: dict[str, int] = defaultdict(int)
    for appointment in rows:
        local_day = timezone.localtime(appointment.scheduled_for).date()
        days[local_day].appointments.append(appointment)
        by_status[appointment.status] += 1
        key = str(appointment.owner_id or 0)
        if key not in lanes:
            owner = appointment.owner.name if appointment.owner_id else _("未分配咨询师")
            lanes[key] = CalendarLane(key, owner)
        lanes[key].by_hour[_hour_of(appointment)].append(appointment)
    return Calendar(
        view=view,
        first=first,
        last=last,
        days=list(days.values()),
        lanes=sorted(lanes.values(), key=lambda lane: lane.label),
        hours=list(range(DAY_START_HOUR, DAY_END_HOUR + 1)),
        total=len(rows),
        by_status=dict(by_status),
    )


def appointment_columns(*, with_site: bool) -> tuple[Column, ...]:
    site = (Column("site", gettext_lazy("院区"), ("site__name",)),) if with_site else ()
    return (
        Column("scheduled", gettext_lazy("预约到院时间"), ("scheduled_for",)),
        Column("customer", gettext_lazy("客户"), ("customer__name",)),
        Column("phone", gettext_lazy("电话")),
        *site,
        Column("mode", gettext_lazy("预约方式"), ("mode",)),
        Column("status", gettext_lazy("状态"), ("status",)),
        Column("owner", gettext_lazy("归属咨询师"), ("owner__name",)),
        Column("note", gettext_lazy("备注"), css="col-optional"),
    )


# --- visits and deals ------------------------------------------------------------------------


def visit_search(
    *,
    user,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    site_id: int | None = None,
    consultant_id: int | None = None,
    source: str | None = None,
    outcome: str | None = None,
    untriaged: bool = False,
) -> QuerySet[Visit]:
    """Visits by arrival day (local); `consultant_id` matches the on-site consultant or the owner."""
    qs = selectors.visit_list(user=user, site_id=site_id, untriaged=untriaged).select_related(
        "customer", "onsite_consultant", "owner", "site"
    )
    if date_from is not None:
        qs = qs.filter(arrived_at__gte=_day_bounds(date_from, 0)[0])
    if date_to is not None:
        qs = qs.filter(arrived_at__lt=_day_bounds(date_to, 1)[1])
    if consultant_id is not None:
        qs = qs.filter(Q(onsite_consultant_id=consultant_id) | Q(owner_id=consultant_id))
    if source:
        qs = qs.filter(source=source)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs


def visit_columns(*, with_site: bool) -> tuple[Column, ...]:
    site = (Column("site", gettext_lazy("院区"), ("site__name",)),) if with_site else ()
    return (
        Column("arrived", gettext_lazy("到院时间"), ("arrived_at",)),
        Column("customer", gettext_lazy("客户"), ("customer__name",)),
        *site,
        Column("source", gettext_lazy("上门来源"), ("source",)),
        Column("kind", gettext_lazy("类型"), ("kind",), css="col-optional"),
        Column("consultant", gettext_lazy("现场咨询师"), ("onsite_consultant__name",)),
        Column("owner", gettext_lazy("归属咨询师"), ("owner__name",), css="col-optional"),
        Column("outcome", gettext_lazy("结果"), ("outcome",)),
    )


def deal_search(
    *,
    user,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    site_id: int | None = None,
    consultant_id: int | None = None,
    status: str | None = None,
    stay_type: str | None = None,
    new_only: bool = False,
) -> QuerySet[Deal]:
    """Deals by signing date, cancelled ones included unless `status` says otherwise."""
    qs = (
        selectors.deal_list(user=user, site_id=site_id)
        .prefetch_related(None)
        .select_related("customer", "consultant", "site")
    )
    if date_from is not None:
        qs = qs.filter(signed_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(signed_on__lte=date_to)
    if consultant_id is not None:
        qs = qs.filter(consultant_id=consultant_id)
    if status:
        qs = qs.filter(status=status)
    if stay_type:
        qs = qs.filter(stay_type=stay_type)
    if new_only:
        qs = qs.filter(is_new_customer=True)
    return qs


def deal_columns(*, with_site: bool, elder_care: bool) -> tuple[Column, ...]:
    site = (Column("site", gettext_lazy("院区"), ("site__name",)),) if with_site else ()
    stay = (Column("stay", gettext_lazy("入住类型"), ("stay_type",)),) if elder_care else ()
    return (
        Column("signed", gettext_lazy("签约日期"), ("signed_on",)),
        Column("customer", gettext_lazy("客户"), ("customer__name",)),
        *site,
        *stay,
        Column("amount", gettext_lazy("金额（元）"), ("amount_fen",), num=True),
        Column("new", gettext_lazy("新顾客成交"), ("is_new_customer",)),
        Column("status", gettext_lazy("状态"), ("status",)),
        Column("consultant", gettext_lazy("成交咨询师"), ("consultant__name",)),
    )


# --- assessments awaiting a ruling -----------------------------------------------------------


def assessment_queue(*, user, site_id: int | None = None) -> QuerySet[Assessment]:
    """Second opinions not yet resolved, with the opinion they dispute (one query). The page shows
    each one's age (`days_since` of `assessed_at`, when the dissent was recorded), oldest first."""
    return selectors.assessment_list(user=user, site_id=site_id, disputed=True).select_related(
        "customer", "assessor", "second_opinion_of__assessor", "site"
    )


def assessment_columns(*, with_site: bool) -> tuple[Column, ...]:
    site = (Column("site", gettext_lazy("院区"), ("site__name",)),) if with_site else ()
    return (
        Column("customer", gettext_lazy("客户"), ("customer__name",)),
        *site,
        Column("original", gettext_lazy("原评估")),
        Column("dissent", gettext_lazy("异议意见")),
        Column("raised", gettext_lazy("提出时间"), ("assessed_at",)),
        Column("age", gettext_lazy("已等待"), num=True),
        Column("actions", gettext_lazy("操作")),
    )


# --- the home page's counts ------------------------------------------------------------------


@dataclass(frozen=True)
class Counter:
    key: str
    label: str
    count: int
    url: str
    tone: str = ""


def home_counters(*, user) -> list[Counter]:
    """The work-queue counts on the home page, each linking to its queue (four or five queries)."""
    scope = scope_for(user)
    if not scope.can("pipeline.view_customer"):
        return []
    today = timezone.localdate()
    appointments = appointment_search(user=user, date_from=today, date_to=today).count()
    arrivals = visit_search(user=user, date_from=today, date_to=today).aggregate(
        total=Count("pk"), untriaged=Count("pk", filter=Q(onsite_consultant__isnull=True))
    )
    visits, untriaged = arrivals["total"], arrivals["untriaged"]
    followups = selectors.followup_list(user=user, done=False, due_by=today).count()
    awaiting = selectors.assessment_list(user=user, disputed=True).count()
    day = f"{today:%Y-%m-%d}"
    counters = [
        Counter(
            "appointments",
            _("今日预约"),
            appointments,
            f"{reverse('pipeline:appointment_calendar')}?view=day&date={day}",
            "primary",
        ),
        Counter(
            "visits",
            _("今日到院"),
            visits,
            f"{reverse('pipeline:visit_list')}?date_from={day}&date_to={day}",
        ),
        Counter(
            "untriaged",
            _("待分诊"),
            untriaged,
            f"{reverse('pipeline:visit_list')}?date_from={day}&date_to={day}&untriaged=on",
            "warning" if untriaged else "",
        ),
        Counter("followups", _("待回访"), followups, reverse("pipeline:followups_due")),
    ]
    if scope.can("pipeline.view_assessment") and (awaiting or _has_elder_care(user)):
        counters.append(
            Counter(
                "assessments",
                _("待裁定评估"),
                awaiting,
                reverse("pipeline:assessment_queue"),
                "warning" if awaiting else "",
            )
        )
    return counters


def _has_elder_care(user) -> bool:
    from opscenter.org.choices import SiteKind
    from opscenter.org.selectors import site_list

    return site_list(user=user).filter(kind=SiteKind.ELDER_CARE).exists()
