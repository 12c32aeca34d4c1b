"""Channel grading (渠道分级): grade every channel of a site for a month by its trailing results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor, audit_context
from opscenter.core.exceptions import ValidationError
from opscenter.core.scoping import Scope
from opscenter.marketing.choices import Grade
from opscenter.marketing.grading import grade_for, validate_thresholds
from opscenter.marketing.models import ChannelGrade, CostLine, GradeScheme
from opscenter.marketing.roi import cost_per
from opscenter.marketing.services._common import scope_requiring
from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.periods import month_add
from opscenter.pipeline.selectors import FunnelFilters, funnel_by_channel


@as_actor
@transaction.atomic
def grade_scheme_create(
    *,
    actor,
    site_id: int,
    thresholds: dict[str, Any],
    window_months: int = 3,
    protection_days: dict[str, int] | None = None,
    commission_factor_pct: dict[str, Any] | None = None,
) -> GradeScheme:
    """A new version of the site's grade scheme; earlier versions stay (grades keep theirs)."""
    scope = scope_requiring(actor, "marketing.add_gradescheme")
    scope.require_site(site_id, write=True)
    clean = validate_thresholds(thresholds)
    if not 1 <= int(window_months) <= 24:
        raise ValidationError(_("统计月数应在 1 到 24 之间"), field="window_months")
    for mapping, field in (
        (protection_days or {}, "protection_days"),
        (commission_factor_pct or {}, "commission_factor_pct"),
    ):
        for grade, value in mapping.items():
            if grade not in Grade.values:
                raise ValidationError(_("等级“%(grade)s”不存在") % {"grade": grade}, field=field)
            if Decimal(str(value)) < 0:
                raise ValidationError(_("%(grade)s 级的设置不能为负数") % {"grade": grade}, field=field)
    last = GradeScheme.objects.select_for_update().filter(site_id=site_id).order_by("-version").first()
    GradeScheme.objects.filter(site_id=site_id, is_active=True).update(is_active=False)
    return GradeScheme.objects.create(
        site_id=site_id,
        version=(last.version + 1) if last else 1,
        window_months=int(window_months),
        thresholds=clean,
        protection_days={k: int(v) for k, v in (protection_days or {}).items()},
        commission_factor_pct={k: str(v) for k, v in (commission_factor_pct or {}).items()},
    )


class _SystemReader:
    """The reader of a scheduled grading run: the funnel's selectors scope by a user; this one
    carries an all-sites scope (set where `scope_for` looks first) and no permissions beyond it."""

    pk = None
    is_authenticated = True
    is_active = True
    _opscenter_scope = Scope(user_id=None, is_superuser=True)


@as_actor
@transaction.atomic
def channels_grade(*, actor, site_id: int, month: int) -> list[ChannelGrade]:
    """Grade every channel with results at the site for `month` under the active scheme, from the
    trailing `window_months` ending with `month` (event view: what happened in the window).
    Re-grading a month replaces that month's grades (the scheme version is recorded on each).
    `actor=None` is the scheduler (all sites)."""
    if actor is not None:
        scope = scope_requiring(actor, "marketing.add_channelgrade")
        scope.require_site(site_id, write=True)
    reader = actor if actor is not None else _SystemReader()
    scheme = GradeScheme.objects.filter(site_id=site_id, is_active=True).first()
    if scheme is None:
        raise ValidationError(_("本院区尚未设置渠道分级方案"), field="scheme")
    first = month_add(month, -(scheme.window_months - 1))
    filters = FunnelFilters(month_from=first, month_to=month, view=FunnelView.EVENT, site_id=site_id)
    by_channel = funnel_by_channel(user=reader, filters=filters)
    spend = dict(
        CostLine.objects.filter(site_id=site_id, month__gte=first, month__lte=month, channel__isnull=False)
        .values_list("channel_id")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    ChannelGrade.objects.filter(site_id=site_id, month=month).delete()
    rows = []
    for channel_id, row in by_channel.rows.items():
        if channel_id is None:
            continue
        deals, visits = row.counts["deals"], row.counts["visits"]
        results = {
            "consultations": row.counts["consultations"],
            "visits": visits,
            "deals": deals,
            "revenue_fen": row.revenue_fen,
            "spend_fen": spend.get(channel_id, 0),
            "conversion_pct": str((Decimal(deals) * 100 / visits).quantize(Decimal("0.1")))
            if visits
            else None,
            "cost_per_deal_fen": cost_per(spend.get(channel_id, 0), deals),
            "months": [first, month],
        }
        rows.append(
            ChannelGrade(
                site_id=site_id,
                channel_id=channel_id,
                scheme=scheme,
                month=month,
                grade=grade_for(scheme.thresholds, results),
                results=results,
            )
        )
    return ChannelGrade.objects.bulk_create(rows)


def channels_grade_due(*, today: dt.date | None = None) -> dict[int, int]:
    """The scheduled pass: grade last month at every site with an active scheme that has no grades
    for it yet ({site id: channels graded}). Idempotent: a graded month is skipped, so a second
    tick or worker does nothing; a site that failed is retried on the next tick."""
    today = today or timezone.localdate()
    month = month_add(today.year * 100 + today.month, -1)
    done: dict[int, int] = {}
    for site_id in (
        GradeScheme.objects.filter(is_active=True).values_list("site_id", flat=True).order_by("site_id")
    ):
        if ChannelGrade.objects.filter(site_id=site_id, month=month).exists():
            continue
        with audit_context(None, "task", "channels_grade_due"):
            done[site_id] = len(channels_grade(actor=None, site_id=site_id, month=month))
    return done
