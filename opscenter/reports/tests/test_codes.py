"""Every metric code the cockpit and the registered report blocks name exists in the registry and
answers the grain and period it is asked for (a renamed or placeholder code fails here)."""

from opscenter.metrics import MetricUnit, all_metrics
from opscenter.reports import blocks, cockpit


def test_cockpit_codes_exist_and_answer_site_grain_and_their_period():
    registry = all_metrics()
    for code, period in cockpit.COCKPIT_METRICS:
        assert code in registry, code
        assert registry[code].supports("site", period), (code, period)


def test_every_registered_block_names_existing_codes_that_answer_site_months():
    registry = all_metrics()
    assert {"funnel", "targets", "members", "callcenter", "care", "marketing", "workday"} <= set(
        blocks._BLOCKS
    )
    for block in blocks._BLOCKS.values():
        for code in block.metrics:
            assert code in registry, (block.code, code)
            assert registry[code].supports("site", "month"), (block.code, code)


def test_weekly_reports_keep_only_the_metrics_answering_weeks():
    shown = {b.code: [m.code for m in ms] for b, ms in blocks.available_blocks(grain="site", period="week")}
    assert "marketing.spend" in shown["marketing"] and "marketing.cost_per_deal" not in shown["marketing"]


def test_ratios_over_several_sites_are_sums_over_sums():
    assert cockpit._fmt(45 + 40, MetricUnit.RATE, 50 + 50) == "85.0%"
    assert cockpit._fmt(3, MetricUnit.RATE, 0) == "—"
    # cost per deal: ¥3,000 + ¥1,000 spent over 2 + 2 deals = ¥1,000 a deal
    assert cockpit._fmt(300_000 + 100_000, MetricUnit.MONEY_FEN, 4) == "¥1,000"
    assert cockpit._fmt(12, MetricUnit.COUNT) == "12"
