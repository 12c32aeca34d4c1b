"""The visits, deals, follow-ups and staff kinds: what they write, a bad row each, idempotency,
and an exact undo (or a clear refusal)."""

from __future__ import annotations

import datetime as dt

import pytest

from opscenter.imports import services
from opscenter.imports.choices import JobStatus
from opscenter.imports.exceptions import ImportRefused
from opscenter.imports.models import ImportChange
from opscenter.imports.tests.files import csv_bytes
from opscenter.org.models import Staff
from opscenter.pipeline.models import Consultation, Customer, Deal, FollowUp, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(run_import_file):
    """A prospect who phoned in on 2024-03-05 (first contact), owned by nobody."""
    run_import_file("customers", csv_bytes([["姓名", "电话"], ["王阿姨", "13800000101"]]), "c.csv")
    run_import_file(
        "consultations",
        csv_bytes(
            [
                ["咨询时间", "电话", "咨询方式", "接待人"],
                ["2024-03-05 10:00", "13800000101", "电话", "咨询甲"],
            ]
        ),
        "q.csv",
    )
    return Customer.objects.get(phone="13800000101")


# --- visits ---------------------------------------------------------------------------------
VISIT_HEADER = ["到院时间", "电话", "类型", "现场咨询师", "备注"]


def test_visits_copy_the_funnel_columns_take_the_source_from_the_first_consultation_and_triage(
    run_import_file, wang, personas
):
    data = csv_bytes(
        [
            VISIT_HEADER,
            ["2024-03-08 14:00", "13800000101", "参观", "咨询甲", "带女儿来"],
            ["2024-03-09 14:00", "13900000000", "参观", "", ""],  # unknown customer
        ]
    )
    job, report = run_import_file("visits", data, "v.csv", on_error="skip")
    assert (report.created, report.rows_error) == (1, 1)
    visit = Visit.objects.get(import_job_id=job.pk)
    assert visit.source == "phone" and visit.kind == "tour" and visit.is_new_customer
    assert visit.month == 202403 and visit.cohort_month == wang.cohort_month
    assert visit.onsite_consultant == personas.consultant_a.staff and visit.triaged_by == personas.ops_a
    _job, again = run_import_file("visits", data, "v.csv", on_error="skip")
    assert again.created == 0 and again.unchanged == 1


def test_an_earlier_visit_moves_the_first_contact_and_undo_puts_it_back(run_import_file, wang):
    data = csv_bytes([VISIT_HEADER, ["2024-02-20 09:00", "13800000101", "", "", ""]])
    job, _ = run_import_file("visits", data, "v.csv")
    wang.refresh_from_db()
    assert wang.first_contact_on == dt.date(2024, 2, 20) and wang.cohort_month == 202402
    assert Consultation.objects.get(customer=wang).cohort_month == 202402
    services.import_job_undo(job=job)
    wang.refresh_from_db()
    assert wang.first_contact_on == dt.date(2024, 3, 5) and wang.cohort_month == 202403
    assert Consultation.objects.get(customer=wang).cohort_month == 202403
    assert not Visit.objects.exists()


def test_undo_is_refused_when_the_moved_first_contact_was_changed_since(run_import_file, wang):
    job, _ = run_import_file(
        "visits", csv_bytes([VISIT_HEADER, ["2024-02-20 09:00", "13800000101", "", "", ""]]), "v.csv"
    )
    Customer.objects.filter(pk=wang.pk).update(first_contact_on=dt.date(2024, 1, 1))
    with pytest.raises(ImportRefused, match="又被修改或删除"):
        services.import_job_undo(job=job)
    assert Visit.objects.filter(import_job_id=job.pk).exists()


# --- deals ----------------------------------------------------------------------------------
DEAL_HEADER = ["签约日期", "电话", "成交金额", "成交咨询师", "入住类型", "入住区域"]


def test_deals_mark_the_first_deal_make_the_prospect_a_customer_and_keep_early_dates_as_history(
    run_import_file, wang, personas
):
    data = csv_bytes(
        [
            DEAL_HEADER,
            ["2024-03-10", "13800000101", "3.6万", "咨询甲", "长住", "失智区"],
            ["2024-04-10", "13800000101", "¥12,000", "咨询甲", "短住", ""],
            ["2024-03-01", "13800000101", "100", "咨询甲", "", ""],  # before the first contact
        ]
    )
    job, report = run_import_file("deals", data, "d.csv", on_error="skip")
    assert (report.created, report.rows_error) == (3, 0)
    deals = {d.signed_on: d for d in Deal.objects.filter(import_job_id=job.pk)}
    first, second, early = (
        deals[dt.date(2024, 3, 10)],
        deals[dt.date(2024, 4, 10)],
        deals[dt.date(2024, 3, 1)],
    )
    assert first.amount_fen == 3_600_000 and first.stay_type == "long" and first.care_zone == "dementia"
    # Signed before the customer's first contact: accepted as imported history, not refused.
    assert early.is_history and not first.is_history and not second.is_history
    assert early.is_new_customer and not first.is_new_customer and not second.is_new_customer
    assert first.consultant == personas.consultant_a.staff and first.month == 202403
    wang.refresh_from_db()
    assert wang.status == "customer"
    services.import_job_undo(job=job)
    wang.refresh_from_db()
    assert wang.status == "prospect" and not Deal.objects.exists()


# --- follow-ups -----------------------------------------------------------------------------
def test_followups_scheduled_and_done_with_satisfaction_and_a_bad_row(run_import_file, wang, personas):
    data = csv_bytes(
        [
            ["计划日期", "电话", "回访方式", "回访人", "完成日期", "回访结果", "满意度"],
            ["2024-03-20", "13800000101", "微信", "咨询甲", "2024-03-21", "已回访", "满意"],
            ["2024-04-20", "13800000101", "电话", "", "", "", ""],
            ["2024-05-20", "13800000101", "电话", "", "2024-05-20", "已回访", ""],  # no satisfaction
        ]
    )
    job, report = run_import_file("followups", data, "f.csv", on_error="skip")
    assert (report.created, report.rows_error) == (2, 1)
    assert report.errors[0].message == "已回访请填写满意度"
    done = FollowUp.objects.get(import_job_id=job.pk, channel="wechat")
    assert done.outcome == "reached" and done.satisfaction == 4 and done.staff == personas.consultant_a.staff
    assert done.done_on == dt.date(2024, 3, 21) and done.month == 202403
    planned = FollowUp.objects.get(import_job_id=job.pk, channel="phone")
    assert planned.outcome == "pending" and planned.done_on is None
    _job, again = run_import_file("followups", data, "f.csv", on_error="skip")
    assert again.created == 0 and again.unchanged == 2


# --- staff ----------------------------------------------------------------------------------
STAFF_HEADER = ["工号", "姓名", "手机", "部门", "小组", "入职日期", "离职日期"]


def test_staff_are_created_updated_and_undone_exactly(run_import_file, personas, site):
    existing = personas.consultant_a.staff
    data = csv_bytes(
        [
            STAFF_HEADER,
            ["N001", "新员工", "13800000201", "市场部", "一组", "2024-01-02", ""],
            ["N002", "离职员工", "", "市场部", "", "2023-01-02", "2024-01-31"],
            [existing.employee_no, "咨询甲（改名）", "", "市场部", "", "", ""],
            ["N003", "无部门", "", "不存在的部门", "", "", ""],
        ]
    )
    job, report = run_import_file("staff", data, "s.csv", on_error="skip")
    assert (report.created, report.updated, report.rows_error) == (2, 1, 1)
    assert report.errors[0].message.startswith("部门“不存在的部门”不在该院区")
    new = Staff.objects.get(employee_no="N001")
    assert new.department.site == site and new.team.name == "一组" and new.phone == "13800000201"
    assert new.is_active and not Staff.objects.get(employee_no="N002").is_active
    existing.refresh_from_db()
    assert existing.name == "咨询甲（改名）"
    assert ImportChange.objects.filter(job=job, created=True).count() == 2
    services.import_job_undo(job=job)
    existing.refresh_from_db()
    assert existing.name == "咨询甲" and not Staff.objects.filter(employee_no__in=["N001", "N002"]).exists()
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE


def test_staff_undo_is_refused_while_customers_are_owned_by_an_imported_staff_member(
    run_import_file, personas
):
    job, _ = run_import_file(
        "staff", csv_bytes([STAFF_HEADER, ["N010", "新咨询", "", "市场部", "", "", ""]]), "s.csv"
    )
    run_import_file(
        "customers", csv_bytes([["姓名", "电话", "归属咨询师"], ["甲", "13800000301", "新咨询"]]), "c.csv"
    )
    with pytest.raises(ImportRefused, match="引用了本次导入新建的员工"):
        services.import_job_undo(job=job)
    assert Staff.objects.filter(employee_no="N010").exists()


def test_staff_of_another_site_is_not_taken_over(run_import_file, personas):
    other = personas.consultant_b.staff
    data = csv_bytes([STAFF_HEADER, [other.employee_no, "抢人", "", "市场部", "", "", ""]])
    _job, report = run_import_file("staff", data, "s.csv", dry_run=True)
    assert "已是其他院区的员工" in report.errors[0].message


# --- customers: an updating import is undone exactly ----------------------------------------
def test_undo_of_a_customer_update_restores_the_fields_it_changed(run_import_file):
    run_import_file("customers", csv_bytes([["姓名", "电话", "年龄"], ["甲", "13800000401", "70"]]), "a.csv")
    job, report = run_import_file(
        "customers", csv_bytes([["姓名", "电话", "年龄"], ["甲改", "13800000401", "71"]]), "b.csv"
    )
    assert report.updated == 1
    services.import_job_undo(job=job)
    customer = Customer.objects.get(phone="13800000401")
    assert (customer.name, customer.age) == ("甲", 70)
