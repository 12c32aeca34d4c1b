"""ROI per campaign, channel and month (seed 004: does the media spend pay? does paid search?).

* Spend: cost lines (reversals included) of the period's months, by the line's own month —
  spend has no cohort.
* Results reuse the pipeline funnel's own rows and conditions (`pipeline.selectors.funnel_rows`:
  consultations, visits, signed non-history deals, revenue = their amounts) under the user's scope
  and the funnel's view: **cohort** (the month of the customer's first consultation) or **event**
  (the event's own month) — pages always say which.
* Per campaign, by touches (`Touch`): **first touch** credits an event to the earliest campaign that
  touched the customer on or before the event's day; **last touch** to the latest. One correlated
  subquery per event table picks the campaign; the counts are one GROUP BY per table.
* Per channel: the customer's source channel (渠道归属), the funnel's own grouping
  (`funnel_by_channel`); spend by the line's channel (a campaign's line carries its channel).
* Per month: the funnel's months against that month's spend.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError
from opscenter.marketing.choices import AttributionModel
from opscenter.marketing.models import Campaign, Touch
from opscenter.marketing.roi import Counts, RoiRow
from opscenter.marketing.selectors.records import campaign_list, cost_line_list
from opscenter.pipeline import selectors as pipeline
from opscenter.pipeline.models import Channel
from opscenter.pipeline.periods import month_label

# metric → (funnel metric key, expression of the event's local day)
EVENTS = ("consultations", "visits", "deals")


def _event_day(metric: str):
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if metric == "consultations":
        return TruncDate("occurred_at", tzinfo=tz)
    if metric == "visits":
        return TruncDate("arrived_at", tzinfo=tz)
    return F("signed_on")


def attributed(*, user, filters: pipeline.FunnelFilters, metric: str, model: str) -> QuerySet:
    """The funnel's rows of `metric` (consultations, visits, deals) annotated with `campaign_credit`,
    the campaign first- or last-touch attribution credits (None: no campaign touched the customer
    by then)."""
    if metric not in EVENTS:
        raise ValidationError(_("未知的归因指标：%(metric)s") % {"metric": metric}, field="metric")
    if model not in AttributionModel.values:
        raise ValidationError(_("归因模型不正确"), field="model")
    order = ("touched_on", "pk") if model == AttributionModel.FIRST_TOUCH else ("-touched_on", "-pk")
    touches = Touch.objects.filter(
        customer_id=OuterRef("customer_id"), touched_on__lte=OuterRef("event_day"), withdrawn_at__isnull=True
    ).order_by(*order)
    return (
        pipeline.funnel_rows(user=user, metric=metric, filters=filters)
        .annotate(event_day=_event_day(metric))
        .annotate(campaign_credit=Subquery(touches.values("campaign_id")[:1]))
    )


def attributed_counts(
    *, user, filters: pipeline.FunnelFilters, model: str, campaign_id: int | None = None
) -> dict[int, Counts]:
    """{campaign id: Counts} under one attribution model: three grouped queries. With `campaign_id`
    only the customers that campaign touched are read (its own numbers are the same; the other
    campaigns' counts are then partial) — what a campaign's page needs."""
    out: dict[int, Counts] = {}
    for metric in EVENTS:
        aggregates = {"n": Count("pk")}
        if metric == "deals":
            aggregates["revenue"] = Sum("amount_fen")
        rows = attributed(user=user, filters=filters, metric=metric, model=model)
        if campaign_id is not None:
            rows = rows.filter(
                customer_id__in=Touch.objects.filter(campaign_id=campaign_id).values("customer_id")
            )
        # No `.exclude(campaign_credit=None)`: it would evaluate the correlated subquery a second
        # time per row (in WHERE); the uncredited group is skipped here instead.
        grouped = rows.values("campaign_credit").annotate(**aggregates).order_by()
        for row in grouped:
            if row["campaign_credit"] is None:
                continue
            counts = out.setdefault(row["campaign_credit"], Counts())
            setattr(counts, metric, row["n"])
            if metric == "deals":
                counts.revenue_fen = row["revenue"] or 0
    return out


@dataclass
class CampaignRoi:
    """A campaign's spend and its results under first touch and last touch, side by side."""

    campaign: Campaign
    first: RoiRow
    last: RoiRow

    @property
    def spend_fen(self) -> int:
        return self.first.spend_fen


def _spend_by(user, filters: pipeline.FunnelFilters, field: str) -> dict:
    qs = cost_line_list(
        user=user, site_id=filters.site_id, month_from=filters.month_from, month_to=filters.month_to
    )
    return dict(qs.values_list(field).annotate(total=Sum("amount_fen")).order_by())


def roi_by_campaign(*, user, filters: pipeline.FunnelFilters) -> list[CampaignRoi]:
    """Every campaign in scope with spend or credited results in the period (seven queries)."""
    spend = _spend_by(user, filters, "campaign_id")
    first = attributed_counts(user=user, filters=filters, model=AttributionModel.FIRST_TOUCH)
    last = attributed_counts(user=user, filters=filters, model=AttributionModel.LAST_TOUCH)
    wanted = {pk for pk in spend if pk} | set(first) | set(last)
    campaigns = (
        campaign_list(user=user, site_id=filters.site_id).filter(pk__in=wanted).order_by("-starts_on", "pk")
    )
    rows = []
    for campaign in campaigns:
        amount = spend.get(campaign.pk, 0)
        rows.append(
            CampaignRoi(
                campaign=campaign,
                first=RoiRow(campaign.pk, campaign.name, amount, first.get(campaign.pk, Counts())),
                last=RoiRow(campaign.pk, campaign.name, amount, last.get(campaign.pk, Counts())),
            )
        )
    return rows


def _counts(row: pipeline.FunnelRow, revenue_fen: int) -> Counts:
    """The funnel row's counts; revenue is passed in because the funnel's own revenue includes
    imported history deals, while ROI adds up exactly the `deals` rows it counts and drills into."""
    return Counts(
        consultations=row.counts["consultations"],
        visits=row.counts["visits"],
        deals=row.counts["deals"],
        revenue_fen=revenue_fen,
    )


def roi_by_channel(*, user, filters: pipeline.FunnelFilters) -> tuple[list[RoiRow], RoiRow]:
    """Per source channel: spend of the channel's lines and the funnel's results of its customers."""
    by_channel = pipeline.funnel_by_channel(user=user, filters=filters)
    spend = _spend_by(user, filters, "channel_id")
    revenue = _revenue_by(user, filters, "channel_id")
    ids = {pk for pk in by_channel.rows if pk is not None} | {pk for pk in spend if pk is not None}
    names = dict(Channel.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for pk in sorted(ids, key=lambda i: names.get(i, "")):
        counts = _counts(by_channel.row(pk), revenue.get(pk, 0))
        rows.append(RoiRow(pk, names.get(pk, ""), spend.get(pk, 0), counts))
    if None in by_channel.rows or None in spend:
        counts = _counts(by_channel.row(None), revenue.get(None, 0))
        rows.append(RoiRow(None, _("未指定渠道"), spend.get(None, 0), counts))
    total = RoiRow("total", _("合计"), sum(r.spend_fen for r in rows), Counts())
    for row in rows:
        total.counts.add(row.counts)
    return rows, total


def _revenue_by(user, filters: pipeline.FunnelFilters, field: str) -> dict:
    """Revenue of the funnel's `deals` rows (signed, not imported history) grouped by `field`."""
    qs = pipeline.funnel_rows(user=user, metric="deals", filters=filters)
    return dict(qs.values_list(field).annotate(total=Sum("amount_fen")).order_by())


def roi_by_month(*, user, filters: pipeline.FunnelFilters) -> tuple[list[RoiRow], RoiRow]:
    """Per month of the period: that month's spend against the funnel's month (cohort or event)."""
    funnel = pipeline.funnel(user=user, filters=filters)
    spend = _spend_by(user, filters, "month")
    revenue = _revenue_by(user, filters, filters.month_field)
    rows = []
    for month_row in funnel.months:
        counts = _counts(month_row, revenue.get(month_row.month, 0))
        rows.append(
            RoiRow(month_row.month, month_label(month_row.month), spend.get(month_row.month, 0), counts)
        )
    total = RoiRow("total", _("合计"), sum(r.spend_fen for r in rows), Counts())
    for row in rows:
        total.counts.add(row.counts)
    return rows, total


def spend_share(spend_fen: int, revenue_fen: int) -> Decimal | None:
    """Share of spend in revenue (营销费用占收入比), percent with one decimal."""
    if not revenue_fen:
        return None
    return (Decimal(spend_fen) * 100 / Decimal(revenue_fen)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def campaign_spend_total(*, user, campaign_id: int) -> int:
    return cost_line_list(user=user, campaign_id=campaign_id).aggregate(t=Sum("amount_fen"))["t"] or 0
