"""Import jobs end to end on the database: dry run, commit modes, idempotency, provenance, undo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from opscenter.core.exceptions import PermissionDenied
from opscenter.core.models import AuditEntry
from opscenter.imports import services
from opscenter.imports.choices import JobStatus
from opscenter.imports.exceptions import ImportRefused, UnreadableFile
from opscenter.imports.models import ImportJob, ImportRowError
from opscenter.imports.tests.files import csv_bytes, png_bytes, xlsx_bytes, zip_bomb_xlsx
from opscenter.pipeline.models import Channel, Consultation, Customer, OwnershipChange, Transaction

pytestmark = pytest.mark.django_db

CUSTOMER_HEADER = ["姓名", "性别", "年龄", "联系电话(家属)", "渠道来源", "咨询顾问", "床位号"]


def customers_xlsx(rows, **kwargs):
    return xlsx_bytes([CUSTOMER_HEADER, *rows], **kwargs)


def test_customers_from_a_ledger_with_merged_title_and_two_level_header(run_import_file, personas, site):
    data = customers_xlsx(
        [
            ["罗国庆", "女", 96, "13044827680(女儿)", "口碑", "咨询甲", "1-113"],
            [],
            ["朱志强", "男", "八十五", "181-7612-1255", "电话", "", "1-122"],
        ],
        title="2015年入住签约台账(市场部)",
        groups=[(0, 3, "基本信息"), (4, 5, "销售"), (6, 6, "入住信息")],
    )
    job, report = run_import_file("customers", data, "ledger.xlsx")
    assert report.committed and report.created == 2 and report.rows_error == 0
    assert report.unknown_columns == ["床位号"]
    assert job.status == JobStatus.COMMITTED and job.rows_created == 2
    luo = Customer.objects.get(phone="13044827680")
    assert luo.import_job_id == job.pk
    assert luo.gender == "female" and luo.age == 96 and "女儿" in luo.note
    assert luo.channel.kind == "referral" and luo.channel_kind == "referral"
    assert luo.owner == personas.consultant_a.staff and luo.owner_since is not None
    assert OwnershipChange.objects.filter(customer=luo, kind="first_touch").count() == 1
    zhu = Customer.objects.get(phone="18176121255")
    assert zhu.age == 85 and zhu.owner is None and zhu.channel_kind == "phone"
    # Provenance: the job is one audited event with the counts.
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ImportJob), object_id=str(job.pk), action="event"
    ).get()
    assert "新增 2" in entry.message


def test_reimporting_the_same_file_creates_no_duplicates(run_import_file):
    data = customers_xlsx([["张三", "男", 70, "13800000001", "", "", ""]])
    run_import_file("customers", data, "a.xlsx")
    _job, report = run_import_file("customers", data, "a.xlsx")
    assert report.created == 0 and report.unchanged == 1
    assert Customer.objects.filter(phone="13800000001").count() == 1


def test_dry_run_reports_create_update_and_errors_without_writing(run_import_file):
    run_import_file("customers", customers_xlsx([["张三", "男", 70, "13800000001", "", "", ""]]), "a.xlsx")
    data = customers_xlsx(
        [
            ["张三", "男", 71, "13800000001", "", "", ""],  # update: age
            ["李四", "女", 60, "13800000002", "", "", ""],  # create
            ["王五", "女", 60, "12508877003", "", "", ""],  # bad phone
            ["李四", "女", 60, "138 0000 0002", "", "", ""],  # same phone again
        ]
    )
    job, report = run_import_file("customers", data, "b.xlsx", dry_run=True)
    assert (report.would_create, report.would_update, report.rows_error) == (1, 1, 2)
    assert job.status == JobStatus.VALIDATED
    errors = {(e.row_no, e.message) for e in ImportRowError.objects.filter(job=job)}
    assert (4, "电话号码“12508877003”格式不正确：请填写11位手机号或带区号的固定电话") in errors
    assert (5, "与第 3 行重复") in errors
    assert not Customer.objects.filter(phone="13800000002").exists()
    assert Customer.objects.get(phone="13800000001").age == 70


def test_stop_on_error_writes_nothing_and_skip_writes_the_valid_rows(run_import_file):
    data = customers_xlsx([["甲", "男", 70, "13800000011", "", "", ""], ["乙", "男", 70, "", "", "", ""]])
    job, report = run_import_file("customers", data, "a.xlsx", on_error="stop")
    assert not report.committed and job.status == JobStatus.FAILED and "未写入任何数据" in job.message
    assert not Customer.objects.filter(phone="13800000011").exists()
    assert ImportRowError.objects.filter(job=job, message="电话不能为空").exists()
    job, report = run_import_file("customers", data, "a.xlsx", on_error="skip")
    assert report.committed and report.created == 1 and report.rows_error == 1
    assert Customer.objects.filter(phone="13800000011", import_job_id=job.pk).exists()


def test_unknown_channel_is_an_error_unless_missing_channels_are_created(run_import_file, site):
    data = customers_xlsx([["甲", "男", 70, "13800000021", "保险渠道", "", ""]])
    _job, report = run_import_file("customers", data, "a.xlsx", dry_run=True)
    assert report.errors[0].message.startswith("渠道“保险渠道”不存在")
    _job, report = run_import_file("customers", data, "a.xlsx", create_missing_channels=True)
    assert report.committed
    channel = Channel.objects.get(name="保险渠道")
    assert channel.site == site and channel.kind == "offline"
    assert Customer.objects.get(phone="13800000021").channel == channel


def test_missing_required_column_is_a_file_level_error(run_import_file):
    job, report = run_import_file(
        "customers", xlsx_bytes([["姓名", "年龄"], ["甲", 3]]), "a.xlsx", dry_run=True
    )
    assert report.missing_columns == ["电话"] and job.status == JobStatus.FAILED
    assert "缺少必填列：电话" in job.message


def test_a_zero_row_file_imports_nothing_without_error(run_import_file):
    job, report = run_import_file("customers", csv_bytes([CUSTOMER_HEADER]), "a.csv")
    assert report.committed and report.rows_total == 0 and job.status == JobStatus.COMMITTED


@pytest.mark.parametrize(
    ("data", "filename"),
    [(png_bytes(), "photo.xlsx"), (zip_bomb_xlsx(), "bomb.xlsx"), (b"PK\x03\x04junk", "a.xlsx")],
)
def test_hostile_or_broken_files_are_refused_before_a_job_exists(personas, site, data, filename):
    with pytest.raises(UnreadableFile):
        services.import_job_create(
            actor=personas.ops_a, kind="customers", site_id=site.pk, source=data, filename=filename
        )
    assert not ImportJob.objects.exists()


def test_a_huge_cell_is_a_row_error_not_a_crash(run_import_file, settings):
    settings.OPSCENTER_IMPORT_MAX_CELL_CHARS = 1000
    data = csv_bytes(
        [["姓名", "电话", "备注"], ["甲", "13800000031", "x" * 200_000], ["乙", "13800000032", "ok"]]
    )
    job, report = run_import_file("customers", data, "a.csv", on_error="skip")
    assert report.created == 1
    assert ImportRowError.objects.get(job=job).message.startswith("单元格内容过长")


def test_formula_text_is_stored_as_text(run_import_file):
    data = csv_bytes([["姓名", "电话", "备注"], ["甲", "13800000041", "=1+1"]])
    run_import_file("customers", data, "a.csv")
    assert Customer.objects.get(phone="13800000041").note == "=1+1"


def test_consultant_cannot_import_and_site_scope_is_enforced(personas, site):
    data = csv_bytes([["姓名", "电话"], ["甲", "13800000051"]])
    with pytest.raises(PermissionDenied):
        services.import_job_create(
            actor=personas.consultant_b, kind="customers", site_id=site.pk, source=data, filename="a.csv"
        )


# --- transactions -----------------------------------------------------------------------------
@pytest.fixture
def customers(run_import_file):
    data = csv_bytes([["姓名", "电话"], ["甲", "13800000061"], ["乙", "13800000062"]])
    run_import_file("customers", data, "c.csv")
    return {c.phone: c for c in Customer.objects.all()}


def test_transactions_with_wan_amounts_excel_serial_dates_and_gbk(run_import_file, customers):
    data = csv_bytes(
        [
            ["客户电话", "消费日期", "项目", "类别", "金额"],
            ["13800000061", "45353", "热玛吉", "皮肤", "1.2万"],
            ["138-0000-0062", "2024年3月2日", "洁牙", "口腔", "￥3,800.50"],
            ["13800000062", "2024/3/5", "退款", "", "-100"],
            ["13900000000", "2024/3/5", "洁牙", "", "100"],
        ],
        encoding="gbk",
    )
    job, report = run_import_file("transactions", data, "t.csv", on_error="skip")
    assert report.created == 3 and report.rows_error == 1
    assert report.errors[0].message == "电话“13900000000”在该院区没有登记客户"
    rows = {t.item: t for t in Transaction.objects.filter(import_job_id=job.pk)}
    assert rows["热玛吉"].amount_fen == 1_200_000 and rows["热玛吉"].occurred_on == dt.date(2024, 3, 2)
    assert rows["热玛吉"].month == 202403 and rows["热玛吉"].category == "skin"
    assert rows["洁牙"].amount_fen == 380_050 and rows["洁牙"].category == "dental"
    assert rows["退款"].kind == "refund" and rows["退款"].amount_fen == 10_000
    # Same file again: nothing new.
    _job2, report2 = run_import_file("transactions", data, "t.csv", on_error="skip")
    assert report2.created == 0 and report2.unchanged == 3
    assert Transaction.objects.count() == 3


def test_identical_transactions_within_one_file_are_two_records_not_duplicates(run_import_file, customers):
    row = ["13800000061", "2024-03-02", "热玛吉", "", "100"]
    data = csv_bytes([["电话", "日期", "项目", "类别", "金额"], row, row])
    _job, report = run_import_file("transactions", data, "t.csv", dry_run=True)
    assert (report.errors, report.would_create) == ([], 2)


def test_undo_removes_the_job_rows_and_is_refused_when_records_depend_on_them(run_import_file, customers):
    data = csv_bytes([["电话", "日期", "项目", "金额"], ["13800000061", "2024-03-02", "热玛吉", "100"]])
    job, _ = run_import_file("transactions", data, "t.csv")
    assert services.import_job_undo(job=job) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE and not Transaction.objects.exists()
    with pytest.raises(ImportRefused):
        services.import_job_undo(job=job)
    # Undoing the customers import while transactions point at them is refused with a reason.
    run_import_file("transactions", data, "t.csv")
    customer_job = ImportJob.objects.get(kind="customers")
    with pytest.raises(ImportRefused, match="1 条消费记录引用了本次导入的客户"):
        services.import_job_undo(job=customer_job)


# --- consultations ------------------------------------------------------------------------------
def test_consultations_from_a_gbk_log_create_missing_customers_and_mark_the_first(
    run_import_file, personas, site
):
    data = csv_bytes(
        [
            ["咨询时间", "客户称呼", "电话", "咨询方式", "咨询项目", "意向", "接待人", "是否到院", "备注"],
            ["2024-03-05 12:59", "王阿姨", "18385532527", "现场", "隆鼻", "中", "咨询甲", "", "=1+1"],
            [
                "2024/03/02 09:13:00",
                "王阿姨",
                "18385532527",
                "400电话",
                "双眼皮",
                "C",
                "咨询甲",
                "",
                "下周再约",
            ],
            ["03月09日 12:42", "刘小姐", "18873683739", "网咨", "种植牙", "A", "咨询甲", "已到", ""],
            ["03月10日 12:42", "刘小姐", "18873683739", "网咨", "种植牙", "A", "无此人", "已到", ""],
        ],
        encoding="gb18030",
    )
    job, report = run_import_file(
        "consultations", data, "log.csv", create_missing_customers=True, default_year=2024, on_error="skip"
    )
    # A receptionist nobody knows (who left before the system) is registered as departed, not an error.
    assert report.created == 4 and report.rows_error == 0
    assert "已登记离职员工“无此人”（不在职）" in report.notes
    assert "是否到院" in report.unknown_columns
    wang = Customer.objects.get(phone="18385532527")
    assert wang.first_contact_on == dt.date(2024, 3, 2) and wang.cohort_month == 202403
    firsts = Consultation.objects.filter(customer=wang, is_first=True)
    assert [c.mode for c in firsts] == ["phone"]
    liu = Consultation.objects.get(customer__phone="18873683739", staff__is_active=True)
    assert liu.mode == "online" and liu.intent == "high" and liu.staff == personas.consultant_a.staff
    assert liu.cohort_month == 202403 and liu.import_job_id == job.pk
