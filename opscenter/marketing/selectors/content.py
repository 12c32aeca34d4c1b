"""WeChat content reach: totals, the monthly follower growth and consultations credited to articles."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from opscenter.marketing.models import ContentPost, Touch
from opscenter.pipeline.periods import month_label


@dataclass
class ContentReach:
    posts: int
    reads: int
    shares: int
    new_followers: int
    consultations: int
    points: list[tuple[str, int, int]]  # (month label, cumulative new followers, reads that month)
    by_campaign: dict[int, int]  # campaign id → consultations credited by its source code


def content_reach(*, user, posts: QuerySet[ContentPost]) -> ContentReach:
    """Over the given (already scoped) posts: three aggregate queries."""
    totals = posts.aggregate(
        n=Count("pk"), reads=Sum("reads"), shares=Sum("shares"), followers=Sum("new_followers")
    )
    monthly = (
        posts.order_by()
        .annotate(m=TruncMonth("published_on"))
        .values("m")
        .annotate(followers=Sum("new_followers"), reads=Sum("reads"))
        .order_by("m")
    )
    points, running = [], 0
    for row in monthly:
        running += row["followers"] or 0
        key = row["m"].year * 100 + row["m"].month
        points.append((month_label(key), running, row["reads"] or 0))
    credited = dict(
        Touch.objects.filter(
            campaign_id__in=posts.exclude(campaign=None).values("campaign_id"),
            consultation__isnull=False,
            withdrawn_at__isnull=True,
        )
        .values_list("campaign_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return ContentReach(
        posts=totals["n"],
        reads=totals["reads"] or 0,
        shares=totals["shares"] or 0,
        new_followers=totals["followers"] or 0,
        consultations=sum(credited.values()),
        points=points,
        by_campaign=credited,
    )
