"""Issue 10 §7: follow-up ledgers keep their meaning (a past follow-up with a satisfaction is a
completed one that the tiers read), and a disputes file's 状态 column is understood."""

import datetime as dt

import pytest

from opscenter.imports.tests.files import csv_bytes
from opscenter.pipeline.models import Dispute, FollowUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(run_import_file):
    run_import_file("customers", csv_bytes([["姓名", "电话"], ["王阿姨", "13800000101"]]), "c.csv")


def test_a_past_follow_up_with_a_satisfaction_is_completed_on_its_date(run_import_file, wang):
    data = csv_bytes(
        [
            ["回访日期", "电话", "满意度", "回访结果"],
            ["2024-03-20", "13800000101", "满意", ""],
            ["2024-04-20", "13800000101", "", "未接通"],
            ["2024-05-20", "13800000101", "", ""],
        ]
    )
    job, report = run_import_file("followups", data, "f.csv")
    assert report.rows_error == 0, report.errors
    rows = {f.scheduled_on: f for f in FollowUp.objects.filter(import_job_id=job.pk)}
    rated = rows[dt.date(2024, 3, 20)]
    assert (rated.outcome, rated.satisfaction, rated.done_on) == ("reached", 4, dt.date(2024, 3, 20))
    assert (rows[dt.date(2024, 4, 20)].outcome, rows[dt.date(2024, 4, 20)].done_on) == (
        "unreachable",
        dt.date(2024, 4, 20),
    )
    assert (rows[dt.date(2024, 5, 20)].outcome, rows[dt.date(2024, 5, 20)].done_on) == ("pending", None)


def test_a_disputes_status_column_is_understood_not_reported_unknown(run_import_file, wang):
    data = csv_bytes(
        [
            ["发生日期", "电话", "类别", "描述", "状态", "解决日期", "处理结果"],
            ["2024-03-01", "13800000101", "服务", "等待太久", "处理中", "", ""],
            ["2024-03-02", "13800000101", "价格", "收费有误", "已解决", "2024-03-05", "退费"],
            ["2024-03-03", "13800000101", "效果", "不满意", "已解决", "", ""],
        ]
    )
    job, report = run_import_file("disputes", data, "d.csv", on_error="skip")
    assert "状态" not in report.unknown_columns
    assert [(e.row_no, "已解决" in e.message) for e in report.errors] == [(4, True)]
    statuses = dict(Dispute.objects.filter(import_job_id=job.pk).values_list("description", "status"))
    assert statuses == {"等待太久": "open", "收费有误": "settled"}
