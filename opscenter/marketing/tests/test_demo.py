"""The marketing demo year: populated ROI, first ≠ last touch somewhere, idempotent, reasonably fast."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest

from opscenter.core.models import User
from opscenter.demo.org import build_org
from opscenter.marketing import demo, selectors
from opscenter.marketing.models import (
    Campaign,
    ChannelGrade,
    CommissionStatement,
    ContentPost,
    CostLine,
    Touch,
)
from opscenter.org.models import Site
from opscenter.pipeline import demo as pipeline_demo
from opscenter.pipeline.selectors import FunnelFilters

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


def test_demo_year_populates_roi_and_is_idempotent():
    build_org(seed=2026, stdout=io.StringIO())
    pipeline_demo.generate(seed=7, stdout=io.StringIO(), sites=("sunshine",), today=TODAY)
    started = time.perf_counter()
    demo.generate(seed=7, stdout=io.StringIO(), today=TODAY)
    elapsed = time.perf_counter() - started
    site = Site.objects.get(code="sunshine")
    assert Campaign.objects.filter(site=site).count() >= 40
    assert CostLine.objects.filter(site=site).count() >= 60
    assert ContentPost.objects.filter(site=site).count() == 43
    assert CommissionStatement.objects.filter(partner__site=site).exists()
    assert ChannelGrade.objects.filter(site=site).exists()
    counts = (Campaign.objects.count(), CostLine.objects.count(), Touch.objects.count())
    demo.generate(seed=7, stdout=io.StringIO(), today=TODAY)
    assert (Campaign.objects.count(), CostLine.objects.count(), Touch.objects.count()) == counts
    user = User.objects.get(username="demo-ops")
    rows = selectors.roi_by_campaign(
        user=user, filters=FunnelFilters(month_from=202512, month_to=202611, view="cohort", site_id=site.pk)
    )
    assert sum(r.first.counts.deals for r in rows) > 0
    assert any(r.first.counts.deals != r.last.counts.deals for r in rows)
    assert all(r.first.spend_fen >= 0 for r in rows)
    assert elapsed < 60
