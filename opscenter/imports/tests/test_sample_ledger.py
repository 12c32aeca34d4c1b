"""Issue 10 §5 and acceptance: the sample contract ledger (`../shared/samples/`) imports as
customers, deals and exits; its deals are imported history that leaves the funnel's conversion
rates unchanged; its consultants, who have left, never block a row."""

from pathlib import Path

import pytest

from opscenter.imports.choices import JobStatus
from opscenter.pipeline.models import Customer, Deal, Exit, ExitReason
from opscenter.pipeline.selectors.funnel import funnel, parse_funnel_filters

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"
LEDGER = SAMPLES / "elder_care_ledger_2015.xlsx"
needs_samples = pytest.mark.skipif(not LEDGER.exists(), reason=f"sample files not found at {SAMPLES}")

LEDGER_ROWS = 60  # data rows of 入住签约台账 (the blank line and the 合计 row are skipped)
NO_PHONE_ROW = 22  # 联系电话 "无": no customer can be registered; reported on its row
IMPOSSIBLE_DATE_ROW = 39  # 签约日期 2015-02-30: the deal is reported on its row


def _rates(user, site):
    result = funnel(
        user=user, filters=parse_funnel_filters({"site": site.pk, "period": "2015", "view": "event"})
    )
    return result.total.rates, result.total.counts


def _one_real_funnel(run_import_file):
    """One customer who phoned, came and signed in 2015: a conversion rate of 100 %."""
    from opscenter.imports.tests.files import csv_bytes

    phone = ["电话", "13800000111"]
    run_import_file("customers", csv_bytes([["姓名", phone[0]], ["钱阿姨", phone[1]]]), "c.csv")
    rows = {
        "consultations": [
            ["咨询时间", "电话", "咨询方式", "接待人"],
            ["2015-03-01 10:00", phone[1], "电话", "咨询甲"],
        ],
        "visits": [["到院时间", "电话"], ["2015-03-05 10:00", phone[1]]],
        "deals": [["签约日期", "电话", "成交金额", "成交咨询师"], ["2015-03-06", phone[1], "5000", "咨询甲"]],
    }
    for kind, table in rows.items():
        job, _report = run_import_file(kind, csv_bytes(table), f"{kind}.csv")
        assert job.status == JobStatus.COMMITTED, job.message


@needs_samples
def test_the_contract_ledger_imports_as_customers_deals_and_exits(run_import_file, personas, site):
    data = LEDGER.read_bytes()
    _one_real_funnel(run_import_file)
    rates_before, _counts = _rates(personas.ops_a, site)
    assert rates_before["total_conversion_rate"] == 1

    job, report = run_import_file(
        "customers", data, LEDGER.name, create_missing_channels=True, on_error="skip"
    )
    assert job.status == JobStatus.COMMITTED, (job.message, report.errors[:5])
    assert {e.row_no for e in report.errors} == {NO_PHONE_ROW}
    assert report.created == LEDGER_ROWS - 1

    job, report = run_import_file("deals", data, LEDGER.name, dry_run=True, on_error="skip")
    bad = {NO_PHONE_ROW, IMPOSSIBLE_DATE_ROW}
    assert job.status == JobStatus.VALIDATED and {e.row_no for e in report.errors} == bad, report.errors
    job, report = run_import_file("deals", data, LEDGER.name, on_error="skip")
    assert job.status == JobStatus.COMMITTED, (job.message, report.errors[:5])
    assert report.created == LEDGER_ROWS - 2
    deals = Deal.objects.filter(import_job_id=job.pk)
    assert deals.count() == LEDGER_ROWS - 2 and all(deals.values_list("is_history", flat=True))
    # The consultants have left: registered as departed staff, never an error.
    assert not any(
        consultant.is_active for consultant in {d.consultant for d in deals.select_related("consultant")}
    )

    rates_after, counts = _rates(personas.ops_a, site)
    assert rates_after == rates_before  # imported history does not move the conversion rates
    assert counts["deals_history"] == LEDGER_ROWS - 2 and counts["deals"] == 1

    # 退出登记: dates without a year (the ledger's year given); reasons in the ledger's own words.
    job, report = run_import_file(
        "exits", data, LEDGER.name, sheet="退出登记", default_year=2015, create_missing_customers=True,
        on_error="skip",
    )  # fmt: skip
    assert job.status == JobStatus.COMMITTED, job.message
    # Only the three unusable phone numbers (12…/10… are no mobile numbers) are reported.
    assert len(report.errors) == 3 and all("电话号码" in e.message for e in report.errors)
    assert report.created == 9
    exits = Exit.objects.filter(import_job_id=job.pk).select_related("customer", "reason")
    assert exits.count() == 9 and all(e.customer.status == "exited" for e in exits)
    assert {e.reason.code for e in exits} == {"other_institution", "price", "family", "service"}
    assert Customer.objects.filter(site=site, status="exited").count() == 9


def test_an_unknown_exit_reason_is_named_and_imports_once_added_to_the_list(run_import_file, personas, site):
    from opscenter.imports.tests.files import csv_bytes

    data = csv_bytes(
        [["姓名", "联系电话", "退出日期", "退出原因"], ["赵阿姨", "13900000009", "2024-05-15", "身体好转"]]
    )
    job, report = run_import_file("exits", data, "exits.csv", dry_run=True, create_missing_customers=True)
    assert "退出原因“身体好转”不在退出原因列表中" in report.errors[0].message
    ExitReason.objects.create(code="recovered", name="身体好转", sort_order=80)
    job, report = run_import_file("exits", data, "exits.csv", create_missing_customers=True)
    assert job.status == JobStatus.COMMITTED and report.created == 1
    assert Exit.objects.get(import_job_id=job.pk).reason.code == "recovered"
    job2, report = run_import_file("exits", data, "exits.csv", create_missing_customers=True)
    assert report.created == 0 and report.unchanged == 1  # re-importing changes nothing
    from opscenter.imports import services

    services.import_job_undo(job=job2)
    services.import_job_undo(job=job)
    assert not Customer.objects.filter(phone="13900000009").exists()
