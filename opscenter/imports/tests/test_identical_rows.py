"""Issue 10 §6: identical rows are real records — two sessions of the same item on one day both
count, re-importing the file changes nothing, and a receipt number identifies a row when given."""

import pytest

from opscenter.imports.tests.files import csv_bytes
from opscenter.pipeline.models import Transaction

pytestmark = pytest.mark.django_db

HEADER = ["消费日期", "客户姓名", "电话", "项目", "金额"]
SESSION = ["2024-03-10", "王阿姨", "13800000101", "康复理疗", "200"]


@pytest.fixture
def wang(run_import_file):
    run_import_file("customers", csv_bytes([["姓名", "电话"], ["王阿姨", "13800000101"]]), "c.csv")


@pytest.mark.parametrize("on_error", ["stop", "skip"])
def test_two_identical_purchases_are_two_records_and_a_reimport_adds_none(run_import_file, wang, on_error):
    data = csv_bytes([HEADER, SESSION, SESSION])
    _job, report = run_import_file("transactions", data, "t.csv", on_error=on_error)
    assert (report.created, report.rows_error) == (2, 0), report.errors
    assert Transaction.objects.filter(customer__phone="13800000101").count() == 2
    _job, report = run_import_file("transactions", data, "t.csv", on_error=on_error)
    assert (report.created, report.unchanged, report.rows_error) == (0, 2, 0)
    assert Transaction.objects.count() == 2


def test_a_third_identical_row_in_a_longer_file_is_the_only_new_one(run_import_file, wang):
    run_import_file("transactions", csv_bytes([HEADER, SESSION, SESSION]), "t.csv")
    _job, report = run_import_file("transactions", csv_bytes([HEADER, SESSION, SESSION, SESSION]), "t2.csv")
    assert (report.created, report.unchanged) == (1, 2)


def test_rows_with_receipt_numbers_are_identified_by_them(run_import_file, wang):
    header = [*HEADER, "单号"]
    data = csv_bytes([header, [*SESSION, "R-001"], [*SESSION, "R-002"]])
    _job, report = run_import_file("transactions", data, "t.csv")
    assert report.created == 2
    assert set(Transaction.objects.values_list("receipt_no", flat=True)) == {"R-001", "R-002"}
    _job, report = run_import_file(
        "transactions", csv_bytes([header, [*SESSION, "R-002"], [*SESSION, "R-003"]]), "t.csv"
    )
    assert (report.created, report.unchanged) == (1, 1)


def test_identical_rows_of_a_customer_the_import_registers_in_two_batches_are_both_stored(
    run_import_file, monkeypatch
):
    # The second batch names the customer by the id registered in the first: what it stored then
    # is this import's own row, not an earlier record (it used to be counted as "already there").
    from opscenter.pipeline.import_kinds.transactions import TransactionImport

    monkeypatch.setattr(TransactionImport, "batch_size", 1)
    data = csv_bytes([HEADER, SESSION, SESSION])
    _job, report = run_import_file("transactions", data, "t.csv", create_missing_customers=True)
    assert (report.created, report.unchanged, report.rows_error) == (2, 0, 0), report.errors
    assert Transaction.objects.filter(customer__phone="13800000101").count() == 2
    _job, report = run_import_file("transactions", data, "t.csv")
    assert (report.created, report.unchanged) == (0, 2)


def test_a_file_mixing_customers_with_and_without_stored_rows_adds_only_the_new_ones(run_import_file, wang):
    run_import_file("customers", csv_bytes([["姓名", "电话"], ["李伯", "13800000102"]]), "c2.csv")
    run_import_file("transactions", csv_bytes([HEADER, SESSION]), "t.csv")
    li = ["2024-03-10", "李伯", "13800000102", "康复理疗", "200"]
    _job, report = run_import_file("transactions", csv_bytes([HEADER, SESSION, li, SESSION, li]), "t2.csv")
    assert (report.created, report.unchanged) == (3, 1)
    assert Transaction.objects.filter(customer__phone="13800000102").count() == 2
    assert Transaction.objects.filter(customer__phone="13800000101").count() == 2
