"""The import screens with the Django test client: upload → dry-run report → mapping → commit →
progress → rejected rows → undo; templates; site scoping; the list's query count."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from opscenter.imports.choices import JobStatus
from opscenter.imports.models import ColumnMapping, ImportJob
from opscenter.imports.tests.files import csv_bytes
from opscenter.pipeline.models import Customer

pytestmark = pytest.mark.django_db

MESSY = csv_bytes(
    [
        ["客户名", "联系电话", "年龄"],  # 客户名 is not a known header: the name column is missing
        ["张三", "13800000501", "70"],
        ["李四", "12345", "60"],
    ]
)


@pytest.fixture
def ops(client, personas):
    client.force_login(personas.ops_a)
    return client


def upload(client, site, data=MESSY, name="messy.csv", **extra):
    form = {
        "kind": "customers",
        "site": site.pk,
        "file": SimpleUploadedFile(name, data),
        "on_error": "skip",
        **extra,
    }
    return client.post(reverse("imports:job_upload"), form)


def test_upload_validates_and_the_report_shows_missing_columns_and_the_mapping_editor(ops, site):
    response = upload(ops, site)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:job_detail", args=[job.pk]
    )
    assert job.status == JobStatus.FAILED and "缺少必填列：姓名" in job.message
    page = ops.get(response["Location"]).content.decode()
    assert "缺少必填列：姓名" in page and "客户名" in page and 'id="mapping-editor"' in page
    assert not Customer.objects.exists()


def test_fixing_the_mapping_revalidates_then_commit_and_rejects_and_undo(ops, site):
    upload(ops, site)
    job = ImportJob.objects.get()
    response = ops.post(
        reverse("imports:job_mapping", args=[job.pk]), {"col_0": "name", "col_1": "phone", "col_2": "age"}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.VALIDATED and (job.rows_ok, job.rows_error) == (1, 1)
    assert ColumnMapping.objects.get(kind="customers", site=site).mapping["客户名"] == "name"
    page = ops.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "电话号码“12345”格式不正确" in page and 'id="commit-button"' in page
    ops.post(reverse("imports:job_commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTED and job.rows_created == 1
    assert Customer.objects.get(phone="13800000501").import_job_id == job.pk
    progress = ops.get(reverse("imports:job_progress", args=[job.pk]) + "?was=running")
    assert progress["HX-Refresh"] == "true" and "hx-trigger" not in progress.content.decode()
    rejects = ops.get(reverse("imports:job_rejects", args=[job.pk]))
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(rejects.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][-1] == "错误原因" and rows[1][0] == 3 and "格式不正确" in rows[1][-1]
    ops.post(reverse("imports:job_undo", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE and not Customer.objects.exists()


def test_undo_refusal_is_shown_as_a_message(ops, site, personas):
    upload(ops, site, csv_bytes([["姓名", "电话"], ["张三", "13800000601"]]))
    job = ImportJob.objects.get()
    ops.post(reverse("imports:job_commit", args=[job.pk]))
    upload(
        ops,
        site,
        csv_bytes([["电话", "日期", "项目", "金额"], ["13800000601", "2024-03-02", "洁牙", "100"]]),
        kind="transactions",
    )
    txn_job = ImportJob.objects.get(kind="transactions")
    ops.post(reverse("imports:job_commit", args=[txn_job.pk]))
    response = ops.post(reverse("imports:job_undo", args=[job.pk]), follow=True)
    assert "不能撤销：1 条消费记录引用了本次导入的客户" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTED


def test_a_progress_poll_keeps_polling_while_the_job_runs(ops, site):
    upload(ops, site)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.VALIDATING, processed_rows=5000, total_rows=20000
    )
    body = ops.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="5000"' in body and "5000 / 20000" in body


def test_templates_have_the_expected_headers_and_one_example_row(ops):
    for kind in ("customers", "transactions", "visits", "deals", "followups", "staff", "consultations"):
        response = ops.get(reverse("imports:kind_template", args=[kind]))
        rows = (
            CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
            .get_sheet_by_index(0)
            .to_python()
        )
        assert len(rows) == 2 and all(rows[0]), kind
    rows = (
        CalamineWorkbook.from_filelike(
            io.BytesIO(
                b"".join(ops.get(reverse("imports:kind_template", args=["customers"])).streaming_content)
            )
        )
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][:2] == ["姓名*", "电话*"]


def test_another_sites_job_is_not_found_and_a_consultant_may_not_import(client, ops, site, personas):
    upload(ops, site, csv_bytes([["姓名", "电话"], ["张三", "13800000701"]]))
    job = ImportJob.objects.get()
    client.force_login(personas.ops_b)
    assert client.get(reverse("imports:job_detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:job_commit", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:job_rejects", args=[job.pk])).status_code == 404
    assert f"#{job.pk}" not in client.get(reverse("imports:job_list")).content.decode()
    client.force_login(personas.consultant_a)
    assert client.get(reverse("imports:job_list")).status_code == 403
    assert client.get(reverse("imports:job_upload")).status_code == 403


def test_the_job_list_runs_a_fixed_number_of_queries(ops, site, django_assert_max_num_queries):
    for i in range(3):
        upload(ops, site, csv_bytes([["姓名", "电话"], ["张三", f"1380000080{i}"]]), name=f"{i}.csv")
    ops.get(reverse("imports:job_list"))  # warm the session and the scope
    # session, user, scope, jobs, the site filter options, messages, the badge …: a fixed number
    with django_assert_max_num_queries(10) as captured:
        response = ops.get(reverse("imports:job_list"))
        first = len(captured)
    assert response.status_code == 200
    for i in range(5):
        upload(ops, site, csv_bytes([["姓名", "电话"], ["李四", f"1390000090{i}"]]), name=f"b{i}.csv")
    with django_assert_max_num_queries(first):
        ops.get(reverse("imports:job_list"))
