"""WeChat content reach: totals, the cumulative follower line, consultations credited by the
article's source code."""

from __future__ import annotations

import datetime as dt

import pytest

from opscenter.core.exceptions import ValidationError
from opscenter.marketing import selectors, services

D = dt.date


def test_reach_totals_follower_growth_and_consultations_from_the_article_code(
    personas, channels, customer_at_a, journey
):
    actor, site = personas.marketing_a, personas.site_a
    services.campaign_create(
        actor=actor, site_id=site.pk, name="九月推文", code="wx-09", kind="wechat_article",
        channel_id=channels["online"].pk, starts_on=D(2026, 9, 1), ends_on=D(2026, 9, 30),
    )  # fmt: skip
    for title, day, reads, followers, code in (
        ("开业回顾", D(2026, 9, 3), 500, 300, "wx-09"),
        ("中秋活动", D(2026, 9, 20), 800, 371, "wx-09"),
        ("冬季养生", D(2026, 10, 8), 600, 254, ""),
    ):
        services.content_post_record(
            actor=actor, site_id=site.pk, title=title, published_on=day, reads=reads, shares=10,
            new_followers=followers, campaign_code=code,
        )  # fmt: skip
    customer = customer_at_a()
    consultation = journey.consult(customer, D(2026, 9, 21), mode="online")
    services.consultation_attribute(actor=actor, consultation_id=consultation.pk, code="wx-09")
    reach = selectors.content_reach(user=actor, posts=selectors.content_post_list(user=actor))
    assert (reach.posts, reach.reads, reach.shares, reach.new_followers) == (3, 1900, 30, 925)
    assert [(followers, reads) for _label, followers, reads in reach.points] == [(671, 1300), (925, 600)]
    assert reach.consultations == 1
    with pytest.raises(ValidationError, match="同一天已有同名图文"):
        services.content_post_record(
            actor=actor, site_id=site.pk, title="开业回顾", published_on=D(2026, 9, 3)
        )
