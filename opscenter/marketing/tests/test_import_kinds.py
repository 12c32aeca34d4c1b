"""The finance sheet import (营销费用) and WeChat statistics import: validated per row, written
atomically, re-importing creates nothing, undo removes the job's rows."""

from __future__ import annotations

import csv
import io

import pytest

from opscenter.imports import services as import_services
from opscenter.imports.engine import ImportOptions
from opscenter.marketing import services
from opscenter.marketing.models import ContentPost, CostLine


def sheet(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def run(personas, kind, data):
    job = import_services.import_job_create(
        actor=personas.marketing_a, kind=kind, site_id=personas.site_a.pk, source=data,
        filename="表.csv", options=ImportOptions(),
    )  # fmt: skip
    import_services.import_job_commit(job=job, actor=personas.marketing_a)
    job.refresh_from_db()
    return job


@pytest.fixture
def print_campaign(personas, channels):
    return services.campaign_create(
        actor=personas.marketing_a, site_id=personas.site_a.pk, name="秋季宣传", code="autumn-print",
        kind="print", channel_id=channels["offline"].pk, starts_on="2026-09-01", ends_on="2026-12-31",
    )  # fmt: skip


HEADER = ["日期", "费用项目", "数量", "单价(元)", "金额(元)", "供应商", "发票号", "活动来源码", "渠道"]


def test_finance_sheet_of_seed_000_items_imports_with_amounts_in_fen(personas, print_campaign):
    data = sheet(
        HEADER,
        [
            ["2026-09-05", "员工名片", "3", "", "600", "宁波印务", "FP001", "autumn-print", ""],
            ["2026-09-08", "宣传单页", "3000", "0.35", "", "宁波印务", "FP002", "autumn-print", ""],
            ["2026-10-10", "社区宣传活动", "1", "500", "500", "", "", "", "线下渠道"],
        ],
    )
    job = run(personas, "marketing_costs", data)
    assert job.status == "committed", job.message
    lines = {line.item: line for line in CostLine.objects.all()}
    assert (lines["员工名片"].unit_price_fen, lines["员工名片"].amount_fen) == (20_000, 60_000)
    assert lines["宣传单页"].amount_fen == 105_000 and lines["宣传单页"].campaign_id == print_campaign.pk
    assert lines["宣传单页"].channel_id == print_campaign.channel_id
    assert lines["社区宣传活动"].campaign_id is None and lines["社区宣传活动"].month == 202610
    # Re-importing the same sheet creates nothing.
    run(personas, "marketing_costs", data)
    assert CostLine.objects.count() == 3
    import_services.import_job_undo(job=job, actor=personas.marketing_a)
    assert not CostLine.objects.exists()


def test_rows_without_campaign_or_channel_or_with_negative_spend_are_rejected_and_nothing_written(
    personas, print_campaign
):
    data = sheet(
        HEADER,
        [
            ["2026-09-05", "海报", "100", "5", "", "", "", "", ""],
            ["2026-09-06", "易拉宝", "6", "-80", "", "", "", "autumn-print", ""],
            ["2026-09-07", "展板", "6", "200", "1300", "", "", "autumn-print", ""],
        ],
    )
    job = run(personas, "marketing_costs", data)
    assert job.status != "committed"
    messages = " ".join(e.message for e in job.row_errors.all())
    assert "费用必须归属一个活动或一个渠道" in messages
    assert "费用不能为负数" in messages
    assert "金额与数量 × 单价不符" in messages
    assert not CostLine.objects.exists()


def test_wechat_statistics_import_links_the_article_to_its_campaign(personas, print_campaign):
    data = sheet(
        ["标题", "发布日期", "阅读数", "分享数", "新增关注", "来源码"],
        [
            ["重阳节活动回顾", "2026-10-30", "820", "45", "31", "autumn-print"],
            ["入住须知", "2026-11-02", "300", "3", "-2", ""],
        ],
    )
    job = run(personas, "wechat_posts", data)
    assert job.status == "committed", job.message
    post = ContentPost.objects.get(title="重阳节活动回顾")
    assert (post.reads, post.shares, post.new_followers, post.campaign_id) == (820, 45, 31, print_campaign.pk)
    assert ContentPost.objects.get(title="入住须知").new_followers == -2
