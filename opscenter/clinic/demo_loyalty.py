"""Demo data for 美莱 beyond credit and packages, consistent with the pipeline's deals (called by
`clinic.demo.generate`). Set-based and idempotent (each part is skipped when already there):

* quotes: four in five signed deals of the last year came from a quote made up to a week before
  (same lines and amounts, no discount: the demo's prices are what was paid); a third of the
  customers who visited and never signed got a quote too — cancelled when older than 30 days,
  else still open — so the quote funnel (上门 → 报价 → 成交) has real rates;
* gift orders: member benefits (580元皮肤护理 / 洁牙券) approved by the center's head, at cost, as
  gift transactions (zero price) — the members' aggregates of those customers are refreshed;
* points rules: next month's versions (the default and the AAA tier) as a scheduled change;
* redemptions: a few members paid part of their latest order with points (within the balance).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Sum
from django.utils import timezone

from opscenter.clinic.choices import BenefitChoice, GiftReason, PointsKind, QuoteStatus
from opscenter.clinic.models import GiftOrder, PointsEntry, PointsRule, Quote, QuoteLine
from opscenter.clinic.services.points import add_months
from opscenter.org.models import Site, Staff
from opscenter.pipeline.choices import DealStatus, TransactionKind
from opscenter.pipeline.models import Deal, DealLine, Transaction, Visit

BATCH = 2000
GIFTS = (  # (choice, item, category, center name, cost in fen)
    (BenefitChoice.SKIN_CARE, "580元皮肤护理", "skin", "皮肤美容中心", 18_000),  # i18n: data
    (BenefitChoice.DENTAL_VOUCHER, "洁牙券", "dental", "口腔美容中心", 8_000),  # i18n: data
)


def generate(site: Site, centers: dict, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return {
        "quotes": _quotes(site, centers, today),
        "gifts": _gifts(site, centers, today),
        "rules": _rules(site, today),
        "redeemed": _redemptions(site, today),
    }


def _month(day: dt.date) -> int:
    return day.year * 100 + day.month


def _quotes(site: Site, centers: dict, today: dt.date) -> int:
    if Quote.objects.filter(site=site).exists():
        return 0
    now = timezone.now()
    since = today - dt.timedelta(days=365)
    deals = list(
        Deal.objects.filter(site=site, status=DealStatus.SIGNED, is_history=False, signed_on__gte=since)
        .order_by("pk")
        .values_list("pk", "customer_id", "consultant_id", "signed_on", "amount_fen")
    )
    quotes, plans = [], []
    for deal_id, customer_id, consultant_id, signed_on, amount in deals:
        if deal_id % 5 == 0:
            continue
        quoted_on = signed_on - dt.timedelta(days=deal_id % 8)
        quotes.append(
            Quote(
                site=site, customer_id=customer_id, consultant_id=consultant_id, quoted_on=quoted_on,
                month=_month(quoted_on), valid_until=quoted_on + dt.timedelta(days=30), status=QuoteStatus.ACCEPTED,
                rule_note="原价", list_total_fen=amount, total_fen=amount, deal_id=deal_id, accepted_at=now,  # i18n: data
            )
        )  # fmt: skip
    signed = Deal.objects.filter(site=site, status=DealStatus.SIGNED).values("customer_id")
    open_visits = (
        Visit.objects.filter(site=site, arrived_at__date__gte=since, owner__isnull=False)
        .exclude(customer_id__in=signed)
        .values("customer_id")
        .annotate(day=Max("arrived_at"), owner=Max("owner_id"))
        .order_by("customer_id")
    )
    skin = centers["皮肤美容中心"]  # i18n: data
    for row in open_visits:
        if row["customer_id"] % 3:
            continue
        day = timezone.localtime(row["day"]).date()
        status = QuoteStatus.CANCELLED if (today - day).days > 30 else QuoteStatus.DRAFT
        quotes.append(
            Quote(
                site=site, customer_id=row["customer_id"], consultant_id=row["owner"], quoted_on=day,
                month=_month(day), valid_until=day + dt.timedelta(days=30), status=status, rule_note="原价",
                list_total_fen=380_000, total_fen=380_000,
                note="作废：客户再考虑" if status == QuoteStatus.CANCELLED else "",  # i18n: data
            )
        )  # fmt: skip
        plans.append(row["customer_id"])
    Quote.objects.bulk_create(quotes, batch_size=BATCH)
    made = {
        q.deal_id: q.pk for q in Quote.objects.filter(site=site, deal__isnull=False).only("pk", "deal_id")
    }
    lines = []
    for deal_id, item, category, center_id, doctor_id, sessions, amount in DealLine.objects.filter(
        deal_id__in=list(made)
    ).values_list("deal_id", "item", "category", "center_id", "doctor_id", "sessions", "amount_fen"):
        lines.append(
            QuoteLine(
                quote_id=made[deal_id], item=item, category=category, center_id=center_id or skin.pk,
                doctor_id=doctor_id, sessions=sessions, valid_days=180 if sessions > 1 else None,
                list_price_fen=amount, amount_fen=amount, rule="原价",  # i18n: data
            )
        )  # fmt: skip
    for quote_id in Quote.objects.filter(site=site, deal__isnull=True).values_list("pk", flat=True):
        lines.append(
            QuoteLine(
                quote_id=quote_id,
                item="水光针",  # i18n: data
                category="non_invasive",
                center_id=skin.pk,
                list_price_fen=380_000,
                amount_fen=380_000,
                rule="原价",  # i18n: data
            )
        )
    QuoteLine.objects.bulk_create(lines, batch_size=BATCH)
    return len(quotes)


def _gifts(site: Site, centers: dict, today: dt.date) -> int:
    if GiftOrder.objects.filter(site=site).exists():
        return 0
    from opscenter.members import aggregates

    buyers = list(
        Transaction.objects.filter(site=site, kind=TransactionKind.PURCHASE, customer__owner__isnull=False)
        .values_list("customer_id", "customer__owner_id")
        .distinct()
        .order_by("customer_id")[:40:2]
    )
    made = []
    for n, (customer_id, owner_id) in enumerate(buyers):
        choice, item, category, center_name, cost = GIFTS[n % 2]
        center = centers[center_name]
        doctor = (
            Staff.objects.filter(department=center, is_active=True)
            .exclude(pk=center.manager_id)
            .order_by("pk")
            .first()
        )
        if center.manager_id is None or center.manager_id == owner_id:
            continue
        given = today - dt.timedelta(days=10 + 15 * n)
        gift = GiftOrder.objects.create(
            site=site, customer_id=customer_id, reason=GiftReason.BENEFIT, benefit_choice=choice,
            requested_by_id=owner_id, approver_id=center.manager_id, given_on=given, cost_fen=cost,
            note="会员权益任选一项",  # i18n: data
        )  # fmt: skip
        txn = Transaction.objects.create(
            site=site, customer_id=customer_id, occurred_on=given, month=_month(given), item=item, category=category,
            amount_fen=0, cost_fen=cost, kind=TransactionKind.GIFT, center=center,
            doctor=doctor or center.manager, consultant_id=owner_id, channel_owner_id=owner_id,
            receipt_no=f"GIFT-{gift.pk}",
        )  # fmt: skip
        gift.transactions.add(txn)
        made.append(customer_id)
    aggregates.refresh_customers(made)
    return len(made)


def _rules(site: Site, today: dt.date) -> int:
    if (
        PointsRule.objects.filter(site=site, version__gt=1).exists()
        or PointsRule.objects.filter(site=site, tier="AAA").exists()
    ):
        return 0
    ops = Staff.objects.filter(department__site=site, department__kind="operations").order_by("pk").first()
    start = add_months(today.replace(day=1), 1)
    current = PointsRule.objects.filter(site=site, tier="").order_by("-version").first()
    rules = [
        PointsRule(
            site=site, tier="", version=(current.version if current else 0) + 1, points_per_yuan=1, fen_per_point=1,
            expiry_months=24, valid_from=start, created_by=ops, note="积分有效期延长至 24 个月",  # i18n: data
        ),
        PointsRule(
            site=site, tier="AAA", version=1, points_per_yuan=2, fen_per_point=1, expiry_months=24, valid_from=start,
            created_by=ops, note="AAA 级会员双倍积分",  # i18n: data
        ),
    ]  # fmt: skip
    PointsRule.objects.bulk_create(rules)
    return len(rules)


def _redemptions(site: Site, today: dt.date) -> int:
    """A few members used points on their latest order: up to a fifth of it, within the balance."""
    if PointsEntry.objects.filter(site=site, kind=PointsKind.REDEEM).exists():
        return 0
    balances = (
        PointsEntry.objects.filter(site=site)
        .values("customer_id")
        .annotate(balance=Sum("points"))
        .filter(balance__gte=1000)
        .order_by("customer_id")[:15]
    )
    rule = (
        PointsRule.objects.filter(site=site, tier="", valid_from__lte=today)
        .order_by("-valid_from", "-version")
        .first()
    )
    entries = []
    for row in balances:
        deal = (
            Deal.objects.filter(site=site, customer_id=row["customer_id"], status=DealStatus.SIGNED)
            .order_by("-signed_on", "-pk")
            .values("pk", "amount_fen", "signed_on")
            .first()
        )
        if deal is None:
            continue
        points = min(row["balance"], deal["amount_fen"] // 5) // 100 * 100
        if points <= 0:
            continue
        entries.append(
            PointsEntry(
                site=site, customer_id=row["customer_id"], kind=PointsKind.REDEEM, points=-points,
                occurred_on=deal["signed_on"], deal_id=deal["pk"], rule=rule, value_fen=points,
                note=f"订单抵扣 ¥{points / 100:.2f}",  # i18n: data
            )
        )  # fmt: skip
    PointsEntry.objects.bulk_create(entries)
    return len(entries)
