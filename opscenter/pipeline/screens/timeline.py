"""The customer page's timeline: every event of one customer, newest first, one query per kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.pipeline import selectors
from opscenter.pipeline.choices import AppointmentStatus, DealStatus, FollowUpKind, FollowUpOutcome
from opscenter.pipeline.models import Customer, OwnershipChange


@dataclass
class TimelineEntry:
    """One line of the customer's timeline. `at` orders it; `is_date` = only a date is known."""

    at: dt.datetime
    kind: str
    title: str
    obj: Any
    is_date: bool = False
    detail: str = ""
    who: str = ""
    badges: list[tuple[str, str]] = field(default_factory=list)  # (label, css modifier)
    written: dt.datetime | None = None  # when the line was entered, if not the row's created_at
    link: tuple[str, str] | None = None  # (label, url) of a record in another app behind the line

    @property
    def kind_label(self) -> str:
        return TIMELINE_KINDS[self.kind]

    @property
    def sort_key(self) -> tuple[dt.datetime, dt.datetime]:
        """Newest first by the minute shown; inside one minute, by when the row was written
        (quick forms record times to the minute, so a visit entered after a call still sorts after it).
        """
        written = (
            self.written
            or getattr(self.obj, "created_at", None)
            or getattr(self.obj, "changed_at", None)
            or self.at
        )
        return (self.at.replace(second=0, microsecond=0), written)


TIMELINE_KINDS = {
    "consultation": gettext_lazy("咨询"),
    "appointment": gettext_lazy("预约"),
    "visit": gettext_lazy("上门"),
    "assessment": gettext_lazy("评估"),
    "resolution": gettext_lazy("裁定"),
    "deal": gettext_lazy("成交"),
    "transaction": gettext_lazy("消费"),
    "followup": gettext_lazy("回访"),
    "exit": gettext_lazy("退出"),
    "ownership": gettext_lazy("归属"),
}


def _day_start(day: dt.date, written: dt.datetime | None = None) -> dt.datetime:
    """Where a date-only event sits on the timeline: when it was entered if that was the same
    day (a deal signed and entered today sorts after this morning's visit), else the day's start.
    """
    if written is not None and timezone.localtime(written).date() == day:
        return written
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _rows(
    selector: Callable[..., QuerySet],
    user,
    customer_id: int,
    *related: str,
    order: tuple[str, ...] = (),
    limit: int | None = None,
) -> QuerySet:
    """One kind of event of the customer (scoped by its selector), with only the joins shown;
    with `limit`, only its newest rows by `order` (the field the timeline sorts this kind by)."""
    qs = selector(user=user, customer_id=customer_id).select_related(None)
    qs = qs.select_related(*related) if related else qs
    return qs.order_by(*order)[:limit] if limit is not None else qs


def _user_label(user) -> str:
    staff = getattr(user, "staff", None)
    return staff.name if staff is not None else user.get_username()


def _consultation_entries(user, customer_id: int, limit: int | None = None) -> Iterator[TimelineEntry]:
    for c in _rows(
        selectors.consultation_list, user, customer_id, "staff", order=("-occurred_at", "-id"), limit=limit
    ):
        badges = [(c.get_intent_display() + _("意向"), "primary" if c.intent == "high" else "")]
        if c.is_first:
            badges.insert(0, (_("首次咨询"), "success"))
        next_step = _("下一步：%(next_step)s") % {"next_step": c.next_step} + (
            _("（%(next_step_on)s）") % {"next_step_on": format(c.next_step_on, "%Y-%m-%d")}
            if c.next_step_on
            else ""
        )
        detail = "\n".join(x for x in (c.content, next_step if c.next_step else "") if x)
        yield TimelineEntry(
            c.occurred_at,
            "consultation",
            c.get_mode_display(),
            c,
            detail=detail,
            who=c.staff.name,
            badges=badges,
        )


def _appointment_entries(user, customer_id: int, limit: int | None = None) -> Iterator[TimelineEntry]:
    tones = {
        AppointmentStatus.BOOKED: "primary",
        AppointmentStatus.ARRIVED: "success",
        AppointmentStatus.NO_SHOW: "danger",
    }
    for a in _rows(
        selectors.appointment_list, user, customer_id, "booked_by", order=("-booked_at", "-id"), limit=limit
    ):
        when = timezone.localtime(a.scheduled_for)
        yield TimelineEntry(
            a.booked_at,
            "appointment",
            _("%(get_mode_display)s：预约 %(when)s 到院")
            % {"get_mode_display": a.get_mode_display(), "when": format(when, "%Y-%m-%d %H:%M")},
            a,
            detail=a.note,
            who=a.booked_by.name,
            badges=[(a.get_status_display(), tones.get(a.status, ""))],
        )


def _visit_entries(user, customer_id: int, limit: int | None = None) -> Iterator[TimelineEntry]:
    for v in _rows(
        selectors.visit_list,
        user,
        customer_id,
        "onsite_consultant",
        order=("-arrived_at", "-id"),
        limit=limit,
    ):
        badges = [
            (v.get_source_display(), ""),
            (v.get_outcome_display(), "success" if v.outcome == "deal" else ""),
        ]
        if v.onsite_consultant_id is None:
            badges.append((_("待分诊"), "danger"))
        yield TimelineEntry(
            v.arrived_at,
            "visit",
            _("%(get_kind_display)s到院") % {"get_kind_display": v.get_kind_display()},
            v,
            detail=v.note,
            who=_("现场咨询师：%(name)s") % {"name": v.onsite_consultant.name}
            if v.onsite_consultant_id
            else "",
            badges=badges,
        )


def _assessment_entries(user, customer_id: int, limit: int | None = None) -> Iterator[TimelineEntry]:
    """Each opinion as given, and each settled disagreement as a line of its own (裁定)."""
    related = ("assessor", "second_opinion_of__assessor", "resolved_by__staff")
    for a in _rows(
        selectors.assessment_list, user, customer_id, *related, order=("-assessed_at", "-id"), limit=limit
    ):
        who = f"{a.get_assessor_role_display()} {a.assessor.name}"
        if a.second_opinion_of_id is None:
            title = _("%(get_assessor_role_display)s评估：%(get_zone_display)s") % {
                "get_assessor_role_display": a.get_assessor_role_display(),
                "get_zone_display": a.get_zone_display(),
            }
            yield TimelineEntry(a.assessed_at, "assessment", title, a, detail=a.notes, who=who)
            continue
        disputed = a.second_opinion_of
        badge = (
            (_("待裁定"), "danger")
            if a.is_disputed
            else (
                _("裁定：%(get_resolved_zone_display)s")
                % {"get_resolved_zone_display": a.get_resolved_zone_display()},
                "success",
            )
        )
        yield TimelineEntry(
            a.assessed_at,
            "assessment",
            _("异议意见：%(get_zone_display)s（原评估：%(get_zone_display2)s，%(name)s）")
            % {
                "get_zone_display": a.get_zone_display(),
                "get_zone_display2": disputed.get_zone_display(),
                "name": disputed.assessor.name,
            },
            a,
            detail=a.notes,
            who=who,
            badges=[badge],
        )
        if a.resolved_at is not None:
            yield TimelineEntry(
                a.resolved_at,
                "resolution",
                _("评估分歧裁定：%(get_resolved_zone_display)s")
                % {"get_resolved_zone_display": a.get_resolved_zone_display()},
                a,
                detail=a.resolution,
                who=_("裁定人：%(user_label)s") % {"user_label": _user_label(a.resolved_by)}
                if a.resolved_by_id
                else "",
                written=a.resolved_at,
            )


def _deal_entries(user, customer_id: int, limit: int | None = None) -> Iterator[TimelineEntry]:
    for d in _rows(
        selectors.deal_list,
        user,
        customer_id,
        "consultant",
        order=("-signed_on", "-created_at", "-id"),
        limit=limit,
    ):
        parts = [
            p
            for p in (
                d.get_stay_type_display() if d.stay_type else "",
                d.get_care_zone_display() if d.care_zone else "",
                _("%(contract_months)s个月") % {"contract_months": d.contract_months}
                if d.contract_months
                else "",
                _("月费 ¥%(value)s") % {"value": format(d.monthly_fee_fen / 100, ",.2f")}
                if d.monthly_fee_fen is not None
                else "",
                _("押金 ¥%(value)s") % {"value": format(d.deposit_fen / 100, ",.2f")}
                if d.deposit_fen is not None
                else "",
            )
            if p
        ]
        lines = _("、").join(f"{ln.item} ¥{ln.amount_fen / 100:,.2f}" for ln in d.lines.all())
        detail = "\n".join(x for x in (" · ".join(parts), lines, d.note) if x)
        badges = [(d.get_status_display(), "success" if d.status == DealStatus.SIGNED else "danger")]
        if d.is_new_customer:
            badges.append((_("新顾客成交"), "primary"))
        yield TimelineEntry(
            _day_start(d.signed_on, d.created_at),
            "deal",
            _("签约 ¥%(value)s") % {"value": format(d.amount_fen / 100, ",.2f")},
            d,
            is_date=True,
            detail=detail,
            who=d.consultant.name,
            badges=badges,
        )


def _transaction_entries(user, customer_id: int, limit: int | None = None) -> Iterator[TimelineEntry]:
    for t in _rows(
        selectors.transaction_list,
        user,
        customer_id,
        order=("-occurred_on", "-created_at", "-id"),
        limit=limit,
    ):
        sign = "-" if t.kind == "refund" else ""
        yield TimelineEntry(
            _day_start(t.occurred_on, t.created_at),
            "transaction",
            _("%(get_kind_display)s：%(item)s %(sign)s¥%(value)s")
            % {
                "get_kind_display": t.get_kind_display(),
                "item": t.item,
                "sign": sign,
                "value": format(t.amount_fen / 100, ",.2f"),
            },
            t,
            is_date=True,
            detail=_("%(get_category_display)s · %(sessions)s 次")
            % {"get_category_display": t.get_category_display(), "sessions": t.sessions},
        )


def _followup_entries(user, customer_id: int, limit: int | None = None) -> Iterator[TimelineEntry]:
    today = timezone.localdate()
    for f in _rows(
        selectors.followup_list,
        user,
        customer_id,
        "staff",
        order=("-scheduled_on", "-created_at", "-id"),
        limit=limit,
    ):
        if f.done_on is None:
            tone = "danger" if f.scheduled_on < today else "primary"
            badges = [(_("逾期") if f.scheduled_on < today else _("待回访"), tone)]
            title = _("计划%(get_channel_display)s回访") % {"get_channel_display": f.get_channel_display()}
        else:
            badges = [
                (f.get_outcome_display(), "danger" if f.outcome == FollowUpOutcome.COMPLAINT else "success")
            ]
            if f.satisfaction:
                badges.append((f.get_satisfaction_display(), ""))
            title = _("%(get_channel_display)s回访（完成于 %(done_on)s）") % {
                "get_channel_display": f.get_channel_display(),
                "done_on": format(f.done_on, "%Y-%m-%d"),
            }
        detail = f.note
        if f.kind == FollowUpKind.CLINICAL:
            # Clinical questions are answered by the doctor; the consultant reads the answer here.
            badges.insert(0, (f.get_kind_display(), "primary"))
            detail = _("问：%(question)s") % {"question": f.question}
            if f.answer:
                detail += "\n" + _("医生答复：%(answer)s") % {"answer": f.answer}
        yield TimelineEntry(
            _day_start(f.scheduled_on, f.created_at),
            "followup",
            title,
            f,
            is_date=True,
            detail=detail,
            who=f.staff.name if f.staff_id else "",
            badges=badges,
            link=(_("完成依据：%(via)s") % {"via": f.done_via}, f.done_via_url) if f.done_via else None,
        )


def _exit_entries(user, customer_id: int, limit: int | None = None) -> Iterator[TimelineEntry]:
    for e in _rows(
        selectors.exit_list, user, customer_id, "reason", order=("-exited_on", "-id"), limit=limit
    ):
        yield TimelineEntry(
            _day_start(e.exited_on),
            "exit",
            _("退出：%(name)s") % {"name": e.reason.name},
            e,
            is_date=True,
            detail=e.note,
        )


def _ownership_entries(customer: Customer, limit: int | None = None) -> Iterator[TimelineEntry]:
    changes = OwnershipChange.objects.filter(customer=customer).select_related(
        "from_owner", "to_owner", "changed_by__staff"
    )
    if limit is not None:
        changes = changes.order_by("-changed_at", "-id")[:limit]
    for c in changes:
        before = f"{c.from_owner.name} → " if c.from_owner_id else ""
        yield TimelineEntry(
            c.changed_at,
            "ownership",
            _("%(get_kind_display)s：%(before)s%(name)s")
            % {"get_kind_display": c.get_kind_display(), "before": before, "name": c.to_owner.name},
            c,
            detail=_("原因：%(reason)s") % {"reason": c.reason} if c.reason else "",
            who=_("操作人：%(user_label)s") % {"user_label": _user_label(c.changed_by)}
            if c.changed_by_id
            else "",
        )


TIMELINE_PAGE = 50  # entries per page of the customer page's timeline; "more" loads the next


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    page: int
    has_more: bool


def customer_timeline(
    *, user, customer: Customer, page: int | None = None
) -> list[TimelineEntry] | TimelinePage:
    """Every event of a customer, newest first, in one query per kind (ten in all).

    With `page` (1, 2 …) only that page of TIMELINE_PAGE entries: each kind reads at most its
    newest page × TIMELINE_PAGE rows, so a customer with thousands of consultations renders the
    first page as fast as any other, and the page loads the rest on demand.

    `customer` must come from `selectors.customer_get` (already scoped); the event selectors scope
    again, so a user without a model's view permission simply sees no rows of that kind.
    """
    upto = None if page is None else page * TIMELINE_PAGE
    limit = None if upto is None else upto + 1
    entries: list[TimelineEntry] = []
    for source in (
        _consultation_entries,
        _appointment_entries,
        _visit_entries,
        _assessment_entries,
        _deal_entries,
        _transaction_entries,
        _followup_entries,
        _exit_entries,
    ):
        entries.extend(source(user, customer.pk, limit))
    entries.extend(_ownership_entries(customer, limit))
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    if page is None:
        return entries
    return TimelinePage(entries=entries[upto - TIMELINE_PAGE : upto], page=page, has_more=len(entries) > upto)
