import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from opscenter.core.exceptions import ValidationError
from opscenter.reports import periods, services
from opscenter.reports.choices import ReportKind, ReportStatus
from opscenter.reports.models import Report, ReportSubscription
from opscenter.reports.tests.factories import at, consult
from opscenter.reports.tests.pdftext import pdf_text
from opscenter.targets.models import Notification

pytestmark = pytest.mark.django_db


def test_periods_previous_and_same_period_last_year():
    w = periods.parse(ReportKind.WEEKLY, "2026-W49")
    assert (w.start, w.end) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert periods.previous(w).label == "2026-W48"
    assert periods.year_before(w).label == "2025-W49"
    m = periods.parse(ReportKind.MONTHLY, "2026-01")
    assert periods.previous(m).label == "2025-12" and periods.year_before(m).label == "2025-01"
    with pytest.raises(ValidationError):
        periods.parse(ReportKind.WEEKLY, "2026-49")


@pytest.fixture
def november(personas):
    for day in (3, 4, 20):
        consult(personas, at(2026, 11, day), deal_fen=1_250_000 if day == 20 else None)
    consult(personas, at(2026, 10, 15))
    consult(personas, at(2025, 11, 5))
    consult(personas, at(2025, 11, 6))
    return personas


def _rows(report):
    data = services.report_data(report)
    return {r["code"]: r for b in data["blocks"] for r in b["rows"]}


def test_monthly_report_compares_with_previous_month_and_last_year(november):
    report = services.report_create(
        actor=november.ops_a, site=november.site_a, period=periods.parse("monthly", "2026-11")
    )
    rows = _rows(report)
    consultations = rows["targets.consultations"]
    assert (
        consultations["current"]["n"],
        consultations["previous"]["n"],
        consultations["last_year"]["n"],
    ) == (3, 1, 2)
    assert consultations["vs_previous"] == "200.0" and consultations["vs_last_year"] == "50.0"
    assert rows["targets.revenue_fen"]["display"]["current"] == "¥12,500.00"
    blocks = {b["code"]: b for b in services.report_data(report)["blocks"]}
    # The apps' own blocks (report_blocks.py, discovered) are in, with trend cells and drill-downs.
    assert {"callcenter", "care", "marketing", "members"} <= set(blocks)
    for row in blocks["callcenter"]["rows"] + blocks["care"]["rows"] + blocks["marketing"]["rows"]:
        assert {"current", "previous", "last_year", "vs_previous", "vs_last_year"} <= set(row)
        assert row["drill"].startswith("/")


def test_a_block_none_of_whose_metrics_answers_is_hidden(november, monkeypatch):
    from opscenter.reports import blocks

    monkeypatch.setitem(blocks._BLOCKS, "ghost", blocks.ReportBlock("ghost", "ghost", ("ghost.none",)))
    # care metrics answer sites only: a department report leaves the care block out
    department_blocks = {b.code for b, _m in blocks.available_blocks(grain="department", period="month")}
    site_blocks = {b.code for b, _m in blocks.available_blocks(grain="site", period="month")}
    assert "ghost" not in site_blocks and "care" in site_blocks and "care" not in department_blocks


def test_published_report_is_frozen_and_says_what_data_it_was_made_from(november):
    report = services.report_create(
        actor=november.ops_a, site=november.site_a, period=periods.parse("monthly", "2026-11")
    )
    services.report_save_narrative(actor=november.ops_a, report_id=report.pk, narrative="咨询回升，关注转化")
    report = services.report_publish(actor=november.ops_a, report_id=report.pk)
    assert report.status == ReportStatus.PUBLISHED and report.data_as_of is not None
    assert "targets.consultations" in report.snapshot["source"]["metrics"]
    consult(november, at(2026, 11, 25))  # later data does not change the published numbers
    report.refresh_from_db()
    assert _rows(report)["targets.consultations"]["current"]["n"] == 3
    with pytest.raises(ValidationError):
        services.report_save_narrative(actor=november.ops_a, report_id=report.pk, narrative="改")


def _page_values(html: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'<tr data-metric="([^"]+)"><td>[^<]*</td><td><a href="[^"]*" data-value="current">([^<]*)</a>',
            html,
        )
    )


def test_monthly_report_pdf_has_chinese_text_a_chart_and_the_page_numbers(client, november, monkeypatch):
    import weasyprint

    original = weasyprint.HTML.write_pdf
    monkeypatch.setattr(
        weasyprint.HTML, "write_pdf", lambda self, *a, **k: original(self, *a, uncompressed_pdf=True, **k)
    )
    report = services.report_create(
        actor=november.ops_a, site=november.site_a, period=periods.parse("monthly", "2026-11")
    )
    services.report_save_narrative(actor=november.ops_a, report_id=report.pk, narrative="本月咨询量环比上升")
    services.report_publish(actor=november.ops_a, report_id=report.pk)
    client.force_login(november.ops_a)
    html = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    page = _page_values(html)
    assert page["targets.consultations"] == "3" and page["targets.revenue_fen"] == "¥12,500.00"
    response = client.get(reverse("reports:report_pdf", args=[report.pk]))
    pdf = response.content
    assert response["Content-Type"] == "application/pdf" and pdf.startswith(b"%PDF")
    assert b"Noto-Sans-CJK-SC" in pdf
    text = pdf_text(pdf)
    joined = "\n".join(text)
    assert "阳光养老社区" in joined and "客户漏斗" in joined and "本月咨询量环比上升" in joined
    # every number on the page is in the PDF, in the row of the same metric
    data = services.report_data(report)
    for block in data["blocks"]:
        for row in block["rows"]:
            line = next(t for t in text if t == row["label"])
            index = text.index(line)
            assert text[index + 1] == page[row["code"]], row["code"]
    # the chart: the legend and the bar values drawn as SVG
    assert "去年同期" in text and text.count("本期") >= 2
    assert b" re\n" in pdf or b" re " in pdf


def test_xlsx_export_has_the_same_numbers(client, november):
    from python_calamine import CalamineWorkbook

    report = services.report_create(
        actor=november.ops_a, site=november.site_a, period=periods.parse("monthly", "2026-11")
    )
    client.force_login(november.ops_a)
    response = client.get(reverse("reports:report_xlsx", args=[report.pk]))
    content = b"".join(response.streaming_content)
    import io

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    row = next(r for r in sheet if r[1] == "咨询量")
    assert row[2:5] == ["3", "1", "2"]


def test_cli_builds_weekly_report_and_pdf(november, tmp_path):
    out = tmp_path / "w.pdf"
    call_command(
        "reports", "build", "--kind", "weekly", "--site", "sunshine", "--week", "2026-W45", "--pdf", str(out)
    )
    report = Report.objects.get(kind="weekly", label="2026-W45")
    assert _rows(report)["targets.consultations"]["current"]["n"] == 2  # 3 and 4 November
    assert out.read_bytes().startswith(b"%PDF")


def test_delivery_on_first_workday_publishes_and_notifies_once(november):
    sub = ReportSubscription.objects.create(site=november.site_a, kind=ReportKind.MONTHLY)
    sub.recipients.add(november.ops_a.staff, november.marketing_a.staff)
    weekly = ReportSubscription.objects.create(site=november.site_a, kind=ReportKind.WEEKLY)
    weekly.recipients.add(november.executive.staff)
    # 2026-12-01 is a Tuesday and the first workday of December: monthly only, not weekly
    assert services.report_deliver_due(today=dt.date(2026, 12, 1)) == 1
    report = Report.objects.get(kind="monthly", label="2026-11")
    assert report.status == ReportStatus.PUBLISHED and report.delivered_at is not None
    assert Notification.objects.filter(title__contains="2026-11").count() == 2
    assert services.report_deliver_due(today=dt.date(2026, 12, 1)) == 0
    # Monday 2026-10-05 is National Day: last week's report goes out on Thursday 10-08, which is
    # also October's first workday (September's monthly report)
    assert services.report_deliver_due(today=dt.date(2026, 10, 5)) == 0
    assert services.report_deliver_due(today=dt.date(2026, 10, 8)) == 2
    assert Report.objects.filter(kind="weekly", label="2026-W40", delivered_at__isnull=False).exists()
    assert Report.objects.filter(kind="monthly", label="2026-09", delivered_at__isnull=False).exists()
