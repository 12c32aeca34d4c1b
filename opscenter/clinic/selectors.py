"""Reads of the clinic app, scoped to the acting user (site, and own customers for consultants).

Other apps read clinic numbers only through here or the metric registry (`clinic.metrics`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.clinic.choices import PackageStatus, QuoteStatus
from opscenter.clinic.models import GiftOrder, Package, PointsEntry, PointsRule, Quote, SessionUse
from opscenter.core.exceptions import NotFound
from opscenter.org.models import Staff
from opscenter.org.selectors import scope_for
from opscenter.pipeline.choices import FollowUpKind, ItemCategory, TransactionKind
from opscenter.pipeline.models import FollowUp, Transaction
from opscenter.pipeline.periods import month_span
from opscenter.pipeline.selectors import FunnelFilters


def _owned(user, qs: QuerySet, perm: str, *, customer_field: str = "customer") -> QuerySet:
    scope = scope_for(user)
    if not scope.can(perm):
        return qs.none()
    return scope.filter_owned(qs, owner_field=f"{customer_field}__owner")


# ---- credited revenue (targets' actuals) ----------------------------------------------------


def credited_rows(*, user, filters: FunnelFilters) -> QuerySet[Transaction]:
    """Exactly the purchase and refund rows a unit's credited revenue sums (see clinic.metrics)."""
    qs = _owned(user, Transaction.objects.all(), "pipeline.view_transaction")
    qs = qs.filter(
        kind__in=[TransactionKind.PURCHASE, TransactionKind.REFUND],
        month__gte=filters.month_from,
        month__lte=filters.month_to,
    )
    if filters.site_id is not None:
        qs = qs.filter(site_id=filters.site_id)
    if filters.department_id is not None:
        qs = qs.filter(
            Q(center_id=filters.department_id) | Q(consultant__department_id=filters.department_id)
        )
    if filters.team_id is not None:
        qs = qs.filter(consultant_id__in=Staff.objects.filter(team_id=filters.team_id).values("pk"))
    if filters.consultant_id is not None:
        qs = qs.filter(Q(doctor_id=filters.consultant_id) | Q(consultant_id=filters.consultant_id))
    if filters.channel_id is not None:
        qs = qs.filter(customer__channel_id=filters.channel_id)
    return qs


_NET = Sum(
    Case(
        When(kind=TransactionKind.REFUND, then=-F("amount_fen")),
        default=F("amount_fen"),
        output_field=BigIntegerField(),
    )
)


def credited_revenue_by_month(*, user, filters: FunnelFilters) -> dict[int, int]:
    """Net credited revenue (fen) month by month, zeros included: one grouped query."""
    months = dict.fromkeys(month_span(filters.month_from, filters.month_to), 0)
    for row in credited_rows(user=user, filters=filters).values("month").annotate(net=_NET).order_by():
        months[row["month"]] = row["net"] or 0
    return months


def credited_split(*, user, site_id: int, month_from: int, month_to: int) -> dict[str, list[dict]]:
    """Net revenue of a site's period split by center, by doctor and by consultant (three grouped
    queries): what the credited-revenue page shows, each figure linking to its rows."""
    base = credited_rows(
        user=user, filters=FunnelFilters(month_from=month_from, month_to=month_to, site_id=site_id)
    )
    out = {}
    for key, field, label in (
        ("centers", "center_id", "center__name"),
        ("doctors", "doctor_id", "doctor__name"),
        ("consultants", "consultant_id", "consultant__name"),
    ):
        out[key] = list(
            base.exclude(**{f"{field}__isnull": True})
            .values(field, label)
            .annotate(net=_NET)
            .order_by("-net")
        )
    return out


# ---- quotes ----------------------------------------------------------------------------------


def quote_list(*, user, site_id: int | None = None, status: str | None = None) -> QuerySet[Quote]:
    qs = _owned(user, Quote.objects.select_related("customer", "consultant", "deal"), "clinic.view_quote")
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def quote_get(*, user, quote_id: int) -> Quote:
    quote = (
        quote_list(user=user)
        .select_related("site", "rule_set")
        .prefetch_related("lines__center", "lines__doctor")
        .filter(pk=quote_id)
        .first()
    )
    if quote is None:
        raise NotFound(_("报价不存在或无权访问"))
    return quote


@dataclass(frozen=True)
class QuoteConversion:
    """Quote-to-order conversion (报价成交率) of a period: quotes made, accepted, rate."""

    quotes: int
    accepted: int

    @property
    def rate(self) -> Decimal | None:
        return None if not self.quotes else Decimal(self.accepted) / Decimal(self.quotes)

    @property
    def percent(self) -> str:
        """The rate as shown: one decimal place ("25.0")."""
        rate = self.rate
        return "—" if rate is None else f"{rate * 100:.1f}"


def quote_conversion(*, user, site_id: int | None, month_from: int, month_to: int) -> QuoteConversion:
    """The funnel step quote → order for quotes made in the months (cohort of the quote month;
    cancelled quotes count as not converted). One aggregate query."""
    qs = quote_list(user=user, site_id=site_id).filter(month__gte=month_from, month__lte=month_to)
    row = qs.aggregate(n=Count("pk"), won=Count("pk", filter=Q(status=QuoteStatus.ACCEPTED)))
    return QuoteConversion(row["n"], row["won"])


# ---- packages and sessions -------------------------------------------------------------------


def package_list(*, user, customer_id: int | None = None, site_id: int | None = None) -> QuerySet[Package]:
    qs = _owned(user, Package.objects.select_related("customer", "center", "doctor"), "clinic.view_package")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    return qs


def package_get(*, user, package_id: int) -> Package:
    package = package_list(user=user).filter(pk=package_id).first()
    if package is None:
        raise NotFound(_("疗程套餐不存在或无权访问"))
    return package


def session_uses(*, user, package_id: int) -> QuerySet[SessionUse]:
    qs = _owned(user, SessionUse.objects.select_related("performed_by"), "clinic.view_sessionuse")
    return qs.filter(package_id=package_id).order_by("number")


def liability_fen(amount_fen: int, used: int, total: int) -> int:
    """What is still owed on a package: its amount less the share already delivered, rounded
    half up to the fen per package (amount × used ÷ total)."""
    delivered = (Decimal(amount_fen) * used / total).quantize(Decimal(1), rounding="ROUND_HALF_UP")
    return amount_fen - int(delivered)


def unused_liability(*, user, site_id: int | None = None, on: dt.date | None = None) -> list[dict]:
    """Unused-session liability per site (未消耗疗程负债): open, unexpired packages with the
    sessions left and what they are worth. One query; the per-package rounding is in Python over
    the few columns read."""
    on = on or timezone.localdate()
    qs = package_list(user=user, site_id=site_id).filter(status=PackageStatus.ACTIVE, valid_until__gte=on)
    per_site: dict[int, dict] = {}
    for site_id_, site_name, amount, used, total in qs.values_list(
        "site_id", "site__name", "amount_fen", "sessions_used", "sessions_total"
    ):
        row = per_site.setdefault(
            site_id_, {"site_id": site_id_, "site": site_name, "packages": 0, "sessions": 0, "fen": 0}
        )
        row["packages"] += 1
        row["sessions"] += total - used
        row["fen"] += liability_fen(amount, used, total)
    return list(per_site.values())


def course_session_counts(
    *,
    site_id: int,
    categories,
    as_of: dt.date,
    month_from: int | None = None,
    month_to: int | None = None,
    customer_ids=None,
) -> QuerySet:
    """Sessions consumed (疗程消耗, not sessions bought) per customer of a site in packages of the
    categories, up to the end of `as_of` (local time) and within the months [month_from,
    month_to] when given: a grouped queryset of (customer_id, n). What the members' tier
    condition 疗程已消耗次数 reads (registered in `members.sources`); it joins it into its one SQL
    statement, so the members app never names a clinic table. Not user-scoped: bookkeeping."""
    end = dt.datetime.combine(
        as_of + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_default_timezone()
    )
    qs = SessionUse.objects.filter(site_id=site_id, package__category__in=list(categories), used_at__lt=end)
    if month_from is not None:
        qs = qs.filter(month__gte=month_from, month__lte=month_to)
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=list(customer_ids))
    return qs.values("customer_id").annotate(n=Count("pk")).order_by()


def course_sessions(
    *, customer_ids, category: str = ItemCategory.SKIN_PACKAGE, as_of: dt.date | None = None
) -> dict[int, int]:
    """Sessions consumed per customer in packages of a category (e.g. 皮肤疗程) up to `as_of`
    (today by default), every site: {customer_id: n}. One grouped query."""
    end = dt.datetime.combine(
        (as_of or timezone.localdate()) + dt.timedelta(days=1), dt.time.min,
        tzinfo=timezone.get_default_timezone(),
    )  # fmt: skip
    rows = (
        SessionUse.objects.filter(
            customer_id__in=list(customer_ids), package__category=category, used_at__lt=end
        )
        .values("customer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["customer_id"]: r["n"] for r in rows}


def course_session_facts(*, site_id: int, customer_id: int) -> list:
    """A customer's consumed sessions at a site, oldest first, as the members' explanation lists
    them (day, package category, "item 第 n 次")."""
    from opscenter.members.sources import Fact

    rows = (
        SessionUse.objects.filter(site_id=site_id, customer_id=customer_id)
        .order_by("used_at", "pk")
        .values_list("used_at", "package__category", "package__item", "number")
    )
    return [
        Fact(timezone.localtime(used_at).date(), category, _("%(item)s 第 %(n)s 次") % {"item": item, "n": n})
        for used_at, category, item, n in rows
    ]


# ---- gifts, points, clinical follow-ups ------------------------------------------------------


def refundable_purchases(*, user, customer_id: int) -> list[Transaction]:
    """The customer's purchases with what is left to refund (`left_fen`), newest first: one query."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce

    qs = _owned(user, Transaction.objects.filter(customer_id=customer_id, kind=TransactionKind.PURCHASE),
                "pipeline.view_transaction")  # fmt: skip
    refunded = Sum("reversals__amount_fen", filter=Q(reversals__kind=TransactionKind.REFUND))
    rows = (
        qs.select_related("center", "doctor")
        .annotate(refunded=Coalesce(refunded, Value(0)))
        .order_by("-occurred_on", "-pk")[:100]
    )
    out = []
    for row in rows:
        row.left_fen = row.amount_fen - row.refunded
        if row.left_fen > 0:
            out.append(row)
    return out


def gift_list(*, user, site_id: int | None = None) -> QuerySet[GiftOrder]:
    qs = _owned(
        user,
        GiftOrder.objects.select_related("customer", "approver", "requested_by"),
        "clinic.view_giftorder",
    )
    return qs if site_id is None else qs.filter(site_id=site_id)


def points_history(*, user, customer_id: int) -> QuerySet[PointsEntry]:
    qs = _owned(user, PointsEntry.objects.all(), "clinic.view_pointsentry")
    return qs.filter(customer_id=customer_id).order_by("-occurred_on", "-pk")


def points_balance(*, user, customer_id: int) -> int:
    return points_history(user=user, customer_id=customer_id).aggregate(s=Sum("points"))["s"] or 0


def clinical_queue(*, user, staff_id: int | None = None, open_only: bool = True) -> QuerySet[FollowUp]:
    """Clinical follow-ups assigned to a doctor (the acting user's own by default), due first."""
    scope = scope_for(user)
    if not scope.can("pipeline.view_followup"):
        return FollowUp.objects.none()
    qs = scope.filter_sites(FollowUp.objects.filter(kind=FollowUpKind.CLINICAL)).select_related(
        "customer", "staff"
    )
    staff_id = staff_id if staff_id is not None else scope.staff_id
    qs = qs.filter(staff_id=staff_id) if staff_id is not None else qs
    if open_only:
        qs = qs.filter(done_on__isnull=True)
    return qs.order_by("due_at", "pk")


def clinical_followups(*, user, customer_id: int) -> QuerySet[FollowUp]:
    """A customer's clinical follow-ups with the doctors' answers, newest first (the customer
    must be visible to the user: consultants see their own customers')."""
    scope = scope_for(user)
    if not scope.can("pipeline.view_followup"):
        return FollowUp.objects.none()
    qs = scope.filter_owned(
        FollowUp.objects.filter(kind=FollowUpKind.CLINICAL), owner_field="customer__owner"
    )
    return qs.filter(customer_id=customer_id).select_related("staff").order_by("-due_at", "-pk")


def site_centers(*, site_id: int):
    """The departments that can be treatment centers of a site (medical kind first)."""
    from opscenter.org.models import Department

    return Department.objects.filter(site_id=site_id).order_by(
        Case(When(kind="medical", then=0), default=1), "name"
    )


def site_staff_choices(*, site_id: int) -> QuerySet[Staff]:
    return (
        Staff.objects.filter(department__site_id=site_id, is_active=True)
        .select_related("department")
        .order_by("department__name", "name")
    )


# ---- points rules, redemption, gift orders (screens) ------------------------------------------


def points_rule_tiers(*, site_id: int) -> dict[str, str]:
    """The tiers a points rule can name: those of the site's active member rule set (code → label)."""
    from opscenter.members.rules import tier_labels
    from opscenter.members.selectors import active_rule_set

    rule_set = active_rule_set(site_id=site_id)
    return tier_labels(rule_set.definition) if rule_set is not None else {}


def points_rules(*, user, site_id: int) -> QuerySet[PointsRule]:
    """Every version of a site's points rules, newest first per tier (the user must see the site)."""
    scope = scope_for(user)
    if not scope.can("clinic.view_pointsrule") or not scope.sees_site(site_id):
        return PointsRule.objects.none()
    return (
        PointsRule.objects.filter(site_id=site_id).select_related("created_by").order_by("tier", "-version")
    )


def points_rule_current(*, user, site_id: int) -> list[dict]:
    """Per tier with a rule (and every tier of the active member rules), the latest version —
    what the edit form starts from and the version it checks against."""
    latest: dict[str, PointsRule] = {}
    for rule in points_rules(user=user, site_id=site_id):
        latest.setdefault(rule.tier, rule)
    tiers = {"": _("全部等级（默认）"), **points_rule_tiers(site_id=site_id)}
    for code in latest:
        tiers.setdefault(code, code)
    return [{"tier": code, "label": label, "rule": latest.get(code)} for code, label in tiers.items()]


def redeemable_deals(*, user, customer_id: int) -> list:
    """The customer's signed orders that points can still pay part of: amount less what points
    already paid (`left_fen`), newest first; one query."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from opscenter.pipeline.choices import DealStatus
    from opscenter.pipeline.models import Deal

    scope = scope_for(user)
    if not scope.can("pipeline.view_deal"):
        return []
    paid = (
        PointsEntry.objects.filter(deal=OuterRef("pk"), kind="redeem")
        .values("deal")
        .annotate(s=Sum("value_fen"))
        .values("s")
    )
    rows = (
        scope.filter_owned(
            Deal.objects.filter(customer_id=customer_id, status=DealStatus.SIGNED),
            owner_field="customer__owner",
        )
        .annotate(points_paid=Coalesce(Subquery(paid), Value(0)))
        .order_by("-signed_on", "-pk")[:50]
    )
    out = []
    for deal in rows:
        deal.left_fen = deal.amount_fen - deal.points_paid
        if deal.left_fen > 0:
            out.append(deal)
    return out


def gift_get(*, user, gift_id: int) -> GiftOrder:
    gift = (
        gift_list(user=user)
        .select_related("site", "dispute")
        .prefetch_related("transactions__center")
        .filter(pk=gift_id)
        .first()
    )
    if gift is None:
        raise NotFound(_("赠送单不存在或无权访问"))
    return gift


def gift_approvers(*, site_id: int) -> QuerySet[Staff]:
    """Who may approve a gift order: managers of a department of the site (gift_order_create)."""
    from opscenter.org.models import Department

    managers = Department.objects.filter(site_id=site_id, manager__isnull=False).values("manager_id")
    return Staff.objects.filter(pk__in=managers, is_active=True).select_related("department").order_by("name")


# ---- the quote step of the funnel --------------------------------------------------------------


def quote_rows(
    *,
    user,
    date_from: dt.date,
    date_to: dt.date,
    site_id: int | None = None,
    department_id: int | None = None,
    team_id: int | None = None,
    staff_id: int | None = None,
    status: str = "",
) -> QuerySet[Quote]:
    """Exactly the quotes a funnel figure counts (`clinic.funnel`): made between the dates, of
    the unit (the quoting consultant's department / team, or the consultant), accepted only when
    `status` says so — scoped to what the user may see. Each row carries its order (deal)."""
    qs = quote_list(user=user, site_id=site_id, status=status or None).filter(
        quoted_on__gte=date_from, quoted_on__lte=date_to
    )
    if department_id is not None:
        qs = qs.filter(consultant__department_id=department_id)
    if team_id is not None:
        qs = qs.filter(consultant__team_id=team_id)
    if staff_id is not None:
        qs = qs.filter(consultant_id=staff_id)
    return qs.select_related("site").order_by("quoted_on", "pk")


@dataclass(frozen=True)
class FunnelCell:
    value: str
    url: str
    hint: str = ""


def quote_funnel(
    *, user, site_id: int, months: list[int]
) -> tuple[list[tuple[str, list[FunnelCell]]], list[str]]:
    """The clinic's funnel rows for a site, one per month (newest first) and the total: 上门 →
    报价 (报价率 = 报价 ÷ 上门) → 报价成交 (报价成交率 = 成交 ÷ 报价), read from the metric registry
    (`targets.visits`, `clinic.quotes`, `clinic.quote_orders`): three registry calls whatever the
    number of months. A consultant sees their own quotes and visits (staff grain)."""
    from opscenter.clinic import funnel
    from opscenter.metrics.registry import metric_values
    from opscenter.pipeline.screens.funnel import fmt_rate

    scope = scope_for(user)
    grain, unit = ("staff", scope.staff_id) if scope.own_only else ("site", site_id)
    start = dt.date(months[0] // 100, months[0] % 100, 1)
    end = funnel.period_end(dt.date(months[-1] // 100, months[-1] % 100, 1), "month")
    asked = {"grain": grain, "period": "month", "start": start, "end": end, "unit_ids": [unit]}
    visits = metric_values("targets.visits", **asked)
    quotes = metric_values(funnel.QUOTES, **asked)
    orders = metric_values(funnel.QUOTE_ORDERS, **asked)

    def num(values, day):
        v = values.get((unit, day))
        return v.numerator if v is not None else 0

    units = {"site": site_id} if grain == "site" else {"site": site_id, "staff": unit}
    visits_drill = get_visits_drill(grain, unit)

    def row(day_from: dt.date, day_to: dt.date, days: list[dt.date]) -> list[FunnelCell]:
        v, q, o = (sum(num(x, d) for d in days) for x in (visits, quotes, orders))
        quote_url = funnel.rows_url(date_from=day_from, date_to=day_to, **units)
        order_url = funnel.rows_url(date_from=day_from, date_to=day_to, status="accepted", **units)
        return [
            FunnelCell(str(v), visits_drill(day_from, day_to)),
            FunnelCell(str(q), quote_url),
            FunnelCell(
                fmt_rate(Decimal(q) / v if v else None),
                quote_url,
                _("报价 %(q)s ÷ 上门 %(v)s") % {"q": q, "v": v},
            ),
            FunnelCell(str(o), order_url),
            FunnelCell(
                fmt_rate(Decimal(o) / q if q else None),
                order_url,
                _("成交 %(o)s ÷ 报价 %(q)s") % {"o": o, "q": q},
            ),
        ]

    rows = []
    firsts = [dt.date(m // 100, m % 100, 1) for m in months]
    for first in reversed(firsts):
        rows.append((f"{first:%Y-%m}", row(first, funnel.period_end(first, "month"), [first])))
    rows.append((_("合计"), row(start, end, firsts)))
    header = [_("上门"), _("报价"), _("报价率"), _("报价成交"), _("报价成交率")]
    return rows, header


def get_visits_drill(grain: str, unit: int):
    """The pipeline's drill-down of visits (event view) for a date range of whole months."""
    from urllib.parse import urlencode

    from django.urls import reverse

    def url(day_from: dt.date, day_to: dt.date) -> str:
        params = {
            "metric": "visits",
            "view": "event",
            "month_from": f"{day_from:%Y-%m}",
            "month_to": f"{day_to:%Y-%m}",
        }
        params["consultant" if grain == "staff" else "site"] = unit
        return f"{reverse('pipeline:funnel_rows')}?{urlencode(params)}"

    return url
