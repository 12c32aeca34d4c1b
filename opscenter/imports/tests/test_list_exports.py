""" "导出 Excel" on the list pages (follow-ups due, funnel drill-down rows, import jobs, staff): the
page's filters and scoping apply, formula-like text is escaped, yuan and dates are typed cells,
and the query count does not grow with the number of rows."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from opscenter.core.testing import make_department, make_staff
from opscenter.imports.tests.files import csv_bytes
from opscenter.pipeline import services
from opscenter.pipeline.models import Channel

pytestmark = pytest.mark.django_db
_phones = iter(range(13700000001, 13799999999))


def download(client, url: str) -> tuple[list[list], int, str]:
    """The first sheet's rows (header first), the queries the request ran, and the number
    formats the workbook declares (styles.xml)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        body = b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    styles = zipfile.ZipFile(io.BytesIO(body)).read("xl/styles.xml").decode()
    return rows, len(queries), styles


def column(rows: list[list], header: str) -> list:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def phone_channel(db):
    return Channel.objects.get(site__isnull=True, kind="phone")


@pytest.fixture
def register(personas, phone_channel):
    def register(actor, name: str, **kwargs):
        return services.customer_register(
            actor=actor,
            site_id=actor.staff.department.site_id,
            name=name,
            phone=str(next(_phones)),
            channel_id=phone_channel.pk,
            **kwargs,
        )

    return register


# --- follow-ups due -------------------------------------------------------------------------


def schedule(actor, customer, day: dt.date, note: str = ""):
    return services.followup_schedule(actor=actor, customer_id=customer.pk, scheduled_on=day, note=note)


def test_followups_due_export_has_the_page_rows_only_and_a_consultant_sees_their_own(
    client, personas, register
):
    today = timezone.localdate()
    mine = register(personas.consultant_a, "甲的客户")
    schedule(personas.consultant_a, mine, today - dt.timedelta(days=2), note="=1+1")
    schedule(personas.consultant_a, mine, today)
    schedule(personas.consultant_a, mine, today + dt.timedelta(days=3))  # not due: not on the page
    done = schedule(personas.consultant_a, mine, today - dt.timedelta(days=1))
    services.followup_complete(
        actor=personas.consultant_a, followup_id=done.pk, done_on=today, outcome="reached", satisfaction=4
    )
    theirs = register(personas.consultant_a2, "甲二的客户")
    schedule(personas.consultant_a2, theirs, today)

    client.force_login(personas.consultant_a)
    page = client.get(reverse("pipeline:followups_due")).content.decode()
    assert 'id="export-link"' in page and "format=xlsx" in page
    rows, _queries, styles = download(client, reverse("pipeline:followups_due") + "?format=xlsx")
    assert rows[0][:4] == ["回访人", "客户", "电话", "计划日期"]
    assert column(rows, "客户") == ["甲的客户", "甲的客户"]
    assert column(rows, "到期") == ["逾期", "今日"]
    assert column(rows, "回访要点")[0] == "'=1+1"
    assert column(rows, "计划日期")[0] == today - dt.timedelta(days=2)
    assert 'formatCode="yyyy-mm-dd"' in styles

    client.force_login(personas.ops_a)
    rows, _queries, _styles = download(client, reverse("pipeline:followups_due") + "?format=xlsx")
    assert sorted(column(rows, "客户")) == ["甲二的客户", "甲的客户", "甲的客户"]


def test_followups_due_export_runs_the_same_queries_for_one_row_or_many(client, personas, register):
    today = timezone.localdate()
    url = reverse("pipeline:followups_due") + "?format=xlsx"
    client.force_login(personas.ops_a)
    schedule(personas.consultant_a, register(personas.consultant_a, "一"), today)
    rows, one, _styles = download(client, url)
    assert len(rows) == 2
    for n in range(12):
        schedule(personas.consultant_a, register(personas.consultant_a, f"客户{n}"), today)
    rows, many, _styles = download(client, url)
    assert len(rows) == 14 and many == one


# --- funnel drill-down rows -----------------------------------------------------------------


def signed(actor, customer, amount_fen: int) -> None:
    services.consultation_record(
        actor=actor, customer_id=customer.pk, mode="phone", occurred_at=timezone.now()
    )
    services.deal_sign(
        actor=actor, customer_id=customer.pk, signed_on=timezone.localdate(), amount_fen=amount_fen
    )


def test_funnel_rows_export_applies_the_filters_scoping_and_formats_yuan(client, personas, register):
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    signed(personas.consultant_a, register(personas.consultant_a, "=签约客户"), 880050)
    signed(personas.consultant_a2, register(personas.consultant_a2, "同事的客户"), 100)
    signed(personas.consultant_b, register(personas.consultant_b, "别院的客户"), 100)
    base = reverse("pipeline:funnel_rows") + f"?metric=deals&view=event&month_from={month}&month_to={month}"

    client.force_login(personas.consultant_a)
    page = client.get(base).content.decode()
    assert "format=xlsx" in page
    rows, _queries, styles = download(client, base + "&format=xlsx")
    assert column(rows, "客户") == ["'=签约客户"]
    assert column(rows, "金额") == [8800.5]  # a number, shown as ¥8,800.50
    assert "&quot;¥&quot;#,##0.00" in styles

    client.force_login(personas.ops_a)
    rows, _queries, _styles = download(client, base + "&format=xlsx")
    assert sorted(column(rows, "客户")) == ["'=签约客户", "同事的客户"]
    last_year = f"{today.year - 1}-{today.month:02d}"
    rows, _queries, _styles = download(
        client,
        reverse("pipeline:funnel_rows")
        + f"?metric=deals&view=event&month_from={last_year}&month_to={last_year}&format=xlsx",
    )
    assert len(rows) == 1  # the period filter applies: only the header


def test_funnel_rows_export_of_customers_runs_the_same_queries_for_one_row_or_many(
    client, personas, register
):
    today = timezone.localdate()
    url = (
        reverse("pipeline:funnel_rows")
        + f"?metric=consultations&view=event&month_from={today:%Y-%m}&format=xlsx"
    )

    def consult(name):
        customer = register(personas.consultant_a, name)
        services.consultation_record(
            actor=personas.consultant_a, customer_id=customer.pk, mode="phone", occurred_at=timezone.now()
        )

    client.force_login(personas.ops_a)
    consult("一")
    rows, one, _styles = download(client, url)
    assert len(rows) == 2 and rows[0][:2] == ["客户", "时间"]
    for n in range(10):
        consult(f"客户{n}")
    rows, many, _styles = download(client, url)
    assert len(rows) == 12 and many == one


# --- import jobs ----------------------------------------------------------------------------


def test_import_job_export_applies_the_filters_and_site_scoping(client, personas, run_import_file):
    run_import_file("customers", csv_bytes([["姓名", "电话"], ["甲", "13800001001"]]), "=cmd.csv")
    run_import_file("customers", csv_bytes([["姓名", "电话"], ["乙", "12"]]), "bad.csv", dry_run=True)
    url = reverse("imports:job_export")

    client.force_login(personas.ops_a)
    page = client.get(reverse("imports:job_list") + "?status=committed").content.decode()
    assert f'href="{url}?status=committed"' in page
    rows, one, _styles = download(client, url + "?status=committed")
    assert column(rows, "文件") == ["'=cmd.csv"] and column(rows, "状态") == ["已导入"]
    assert column(rows, "类型") == ["客户"] and column(rows, "新增") == [1]
    rows, all_jobs, _styles = download(client, url)
    assert len(rows) == 3 and all_jobs == one

    client.force_login(personas.ops_b)  # another site's operations
    rows, _queries, _styles = download(client, url)
    assert len(rows) == 1


# --- staff ----------------------------------------------------------------------------------


def test_staff_export_is_scoped_to_the_users_sites_and_re_imports(client, personas, run_import_file):
    marketing_a = make_department(personas.site_a, "marketing")
    make_staff(department=marketing_a, name="=HYPERLINK(1)")
    url = reverse("org:staff_export")

    client.force_login(personas.ops_a)
    assert f'href="{url}"' in client.get(reverse("org:org_chart")).content.decode()
    rows, one, _styles = download(client, url)
    assert rows[0][:3] == ["工号", "姓名", "手机"] and rows[0][-1] == "院区"
    assert set(column(rows, "院区")) == {"阳光养老社区"}
    assert "咨询甲" in column(rows, "姓名") and "咨询乙" not in column(rows, "姓名")
    assert "'=HYPERLINK(1)" in column(rows, "姓名")
    for n in range(8):
        make_staff(department=marketing_a, name=f"员工{n}")
    rows_more, many, _styles = download(client, url)
    assert len(rows_more) == len(rows) + 8 and many == one

    client.force_login(personas.executive)  # all sites; ?site= narrows to one
    rows, _queries, _styles = download(client, f"{url}?site={personas.site_b.pk}")
    assert set(column(rows, "院区")) == {"美莱医疗美容"} and "咨询乙" in column(rows, "姓名")

    # The file is the staff import template plus the site: importing it back changes nothing.
    client.force_login(personas.ops_a)
    body = b"".join(client.get(url).streaming_content)
    _job, report = run_import_file("staff", body, "staff.xlsx")
    assert report.rows_error == 0 and (report.created, report.updated) == (0, 0)
