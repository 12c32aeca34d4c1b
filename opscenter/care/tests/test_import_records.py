"""Import kinds for residents, risk assessments and incidents: a messy register validated first
(every bad row named by row and column in Chinese, nothing written), committed atomically or
with the bad rows skipped, re-imported without duplicates, undone; ID numbers and phones checked;
templates downloadable with the Chinese headers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from opscenter.care import services
from opscenter.care.models import Incident, Residency, RiskAssessment, Zone
from opscenter.commitments.models import WorkOrder
from opscenter.core.idnumbers import check_char, parse_id_number
from opscenter.imports import services as import_services
from opscenter.imports.engine import ImportOptions
from opscenter.imports.exceptions import ImportRefused
from opscenter.imports.tests.files import csv_bytes, xlsx_bytes
from opscenter.pipeline.models import Customer

pytestmark = pytest.mark.django_db


def id_number(birthday: str, seq: str = "123") -> str:
    first = "330203" + birthday + seq
    return first + check_char(first)


def run(personas, kind, content: bytes, filename="表.xlsx", **options):
    job = import_services.import_job_create(
        actor=personas.ops_a, kind=kind, site_id=personas.site_a.pk, source=content, filename=filename,
        options=ImportOptions(**options),
    )  # fmt: skip
    import_services.import_job_commit(job=job, actor=personas.ops_a)
    job.refresh_from_db()
    return job


def errors(job) -> list[tuple[int, str, str]]:
    return list(job.row_errors.order_by("row_no", "pk").values_list("row_no", "column", "message"))


# --- ID numbers --------------------------------------------------------------------------------
def test_id_numbers_are_checked_and_first_generation_ones_upgraded():
    assert parse_id_number("11010519491231002X")[0].number == "11010519491231002X"
    assert parse_id_number(" 110105 19491231 002x ")[0].gender == "female"
    assert parse_id_number("110105491231002")[0].number == "11010519491231002X"
    assert "校验位不正确" in parse_id_number("110105194912310021")[1]
    assert "出生日期 19491331 不存在" in parse_id_number("11010519491331002X")[1]
    assert "应为 18 位" in parse_id_number("1101051949")[1]
    assert "末几位已丢失" in parse_id_number(1.1010519491231e17)[1]
    assert parse_id_number("") == (None, None)


# --- residents ---------------------------------------------------------------------------------
RESIDENT_HEADERS = [
    "长者姓名", "手机", "身份证号码", "入住分区", "房间", "床位", "类型", "入院日期", "出院日期",
    "护理员", "家属", "家属电话", "备注说明",
]  # fmt: skip


def messy_roster(care) -> list[list]:
    """A hand-kept roster: a title row, header synonyms, spaces and full-width digits, a phone with
    a note, Chinese dates, a 15-digit ID, an ID typed as a number — and five bad rows."""
    nurse = care.personas.nursing_a.staff.name
    return [
        RESIDENT_HEADERS,
        ["张奶奶", "138 0013 8001(女儿)", id_number("19400105"), "协助照料区", "101", 1, "长期",
         "2026年1月5日", "", nurse, "张女士", "13900139000", "新入住"],
        ["李爷爷", "１３８００１３８００２", "330203410201123", "康复护理区", "201", "1", "试住",
         dt.date(2026, 2, 1), dt.date(2026, 2, 15), "", "", "", ""],
        ["王奶奶", "13800138003", id_number("19400105")[:-1] + "0", "协助照料区", "101", "2", "长住",
         "2026-03-01", "", "", "", "", ""],
        ["赵爷爷", "13800138004", "", "协助照料区", "101", "1", "长住", "2026-06-01", "", "", "", "", ""],
        ["钱奶奶", "13800138005", "", "失智区", "101", "2", "长住", "2026-03-01", "", "", "", "", ""],
        ["孙爷爷", "13800138006", 3.30203194001e17, "失智区", "301", "1", "长住", "2026-03-01", "", "", "", "", ""],
        ["周奶奶", "13800138007", "", "失智区", "301", "2", "短期", "2026-05-10", "2026-05-01", "", "", "", ""],
        ["吴爷爷", "12345", "", "失智区", "301", "2", "短期", "2026-05-10", "", "", "", "", ""],
    ]  # fmt: skip


def test_messy_roster_is_validated_first_and_nothing_is_written(care):
    job = run(care.personas, "care_residents", xlsx_bytes(messy_roster(care), title="阳光颐养社区 在住长者花名册"),
              create_missing_customers=True)  # fmt: skip
    assert job.status != "committed"
    found = errors(job)
    assert [(row, column) for row, column, _m in found] == [
        (6, "身份证号码"), (7, "床位"), (8, "入住分区"), (9, "身份证号码"), (10, "出院日期"), (11, "手机"),
    ]  # fmt: skip
    messages = dict(((r, c), m) for r, c, m in found)
    assert "校验位不正确" in messages[(6, "身份证号码")]
    assert messages[(7, "床位")] == "与第 4 行的“张奶奶”同一床位、时间重叠"
    assert messages[(8, "入住分区")] == "该床位在协助照料区，不在「失智区」"
    assert "末几位已丢失" in messages[(9, "身份证号码")]
    assert messages[(10, "出院日期")] == "离院日期必须晚于入住日期"
    assert "电话号码“12345”格式不正确" in messages[(11, "手机")]
    assert not Residency.objects.exists() and not Customer.objects.filter(name="张奶奶").exists()


def test_good_rows_commit_reimport_creates_nothing_and_undo_removes_them(care):
    content = xlsx_bytes(messy_roster(care), title="阳光颐养社区 在住长者花名册")
    job = run(care.personas, "care_residents", content, create_missing_customers=True, on_error="skip")
    assert (job.status, job.rows_created, job.rows_error) == ("committed", 2, 6)
    zhang = Residency.objects.select_related("customer", "bed__room", "nurse").get(customer__name="张奶奶")
    assert (zhang.customer.phone, zhang.id_number, zhang.stay_type, zhang.started_on, zhang.ended_on) == (
        "13800138001", id_number("19400105"), "long", dt.date(2026, 1, 5), None,
    )  # fmt: skip
    assert (zhang.bed.room.number, zhang.bed.label, zhang.nurse, zhang.emergency_phone) == (
        "101", "1", care.personas.nursing_a.staff, "13900139000",
    )  # fmt: skip
    li = Residency.objects.get(customer__name="李爷爷")
    assert (li.id_number, li.stay_type, li.status, li.ended_on) == (
        "33020319410201123" + check_char("33020319410201123"), "trial", "ended", dt.date(2026, 2, 15),
    )  # fmt: skip
    assert (
        zhang.occupancies.get().end_day is None
        and li.occupancies.get().end_day == dt.date(2026, 2, 15).toordinal()
    )
    again = run(care.personas, "care_residents", content, create_missing_customers=True, on_error="skip")
    assert (again.rows_created, again.rows_unchanged) == (0, 2)
    assert Residency.objects.count() == 2
    import_services.import_job_undo(job=job, actor=care.personas.ops_a)
    assert (
        not Residency.objects.exists() and not Customer.objects.filter(name__in=["张奶奶", "李爷爷"]).exists()
    )


def test_a_bed_held_by_a_stored_stay_is_named(care, signed):
    services.residency_admit(
        actor=care.personas.ops_a, deal_id=signed("刘奶奶").pk, bed_id=care.beds["assisted"][0].pk,
        started_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    rows = [
        RESIDENT_HEADERS[:8],
        ["新长者", "13800138011", "", "协助照料区", "101", "1", "长住", "2026-04-01"],
    ]
    job = run(
        care.personas, "care_residents", csv_bytes(rows), filename="r.csv", create_missing_customers=True
    )
    assert errors(job) == [(2, "床位", "该床位在这段时间已有长者“刘奶奶”入住，一张床同一时间只能住一位长者")]


def test_undo_is_refused_once_an_incident_refers_to_an_imported_resident(care):
    rows = [
        RESIDENT_HEADERS[:8],
        ["新长者", "13800138011", "", "协助照料区", "101", "1", "长住", "2026-04-01"],
    ]
    job = run(
        care.personas, "care_residents", csv_bytes(rows), filename="r.csv", create_missing_customers=True
    )
    services.incident_record(
        actor=care.personas.nursing_a, residency_id=Residency.objects.get().pk, kind="fall",
        occurred_at=dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC), place="房间", severity="minor", immediate_action="扶起",
    )  # fmt: skip
    with pytest.raises(ImportRefused, match="护理事件"):
        import_services.import_job_undo(job=job, actor=care.personas.ops_a)
    assert Residency.objects.count() == 1


# --- risk assessments --------------------------------------------------------------------------
@pytest.fixture
def resident(care, signed):
    return services.residency_admit(
        actor=care.personas.ops_a, deal_id=signed("陈奶奶").pk, bed_id=care.beds["assisted"][0].pk,
        started_on=dt.date(2026, 3, 1),
    )  # fmt: skip


RISK_HEADERS = ["姓名", "电话", "量表", "总分", "等级", "评估日期", "评估护士", "备注"]


def test_risk_register_scores_levels_and_chains_and_names_bad_rows(care, resident):
    phone, nurse = resident.customer.phone, care.personas.nursing_a.staff.name
    rows = [
        RISK_HEADERS,
        ["陈奶奶", phone, "Morse", "45", "高风险", "2026年3月2日", nurse, "入住评估"],
        ["陈奶奶", phone, "跌倒", "30", "", "2026-04-01", nurse, "复评"],
        ["陈奶奶", phone, "褥疮", "17", "", "2026-03-02", nurse, ""],
        ["陈奶奶", phone, "跌倒", "130", "", "2026-05-01", nurse, ""],
        ["陈奶奶", phone, "压疮", "10", "低", "2026-05-01", nurse, ""],
        ["陈奶奶", phone, "走失", "1", "", "2026-02-01", nurse, ""],
        ["陈奶奶", phone, "跌倒", "20", "", "2026-06-01", "不存在的人", ""],
    ]
    job = run(care.personas, "care_risks", csv_bytes(rows), filename="risk.csv")
    found = errors(job)
    assert [(r, c) for r, c, _m in found] == [(5, "总分"), (6, "等级"), (7, "评估日期"), (8, "评估护士")]
    messages = dict(((r, c), m) for r, c, m in found)
    assert messages[(5, "总分")].endswith("得分应在 0–125 之间")
    assert messages[(6, "等级")].startswith("按") and "应为“高”风险，表格写的是“低”" in messages[(6, "等级")]
    assert "不在住" in messages[(7, "评估日期")]
    assert not RiskAssessment.objects.exists()
    job = run(care.personas, "care_risks", csv_bytes(rows[:4]), filename="risk.csv")
    assert (job.status, job.rows_created) == ("committed", 3)
    falls = list(RiskAssessment.objects.filter(kind="fall").order_by("assessed_on"))
    assert [(r.score, r.level, r.superseded_on) for r in falls] == [
        (45, "high", dt.date(2026, 4, 1)), (30, "medium", None),
    ]  # fmt: skip
    assert falls[0].next_review_on == dt.date(2026, 3, 9)  # high: 7 days
    again = run(care.personas, "care_risks", csv_bytes(rows[:4]), filename="risk.csv")
    assert (again.rows_created, again.rows_unchanged) == (0, 3)
    import_services.import_job_undo(job=job, actor=care.personas.ops_a)
    assert not RiskAssessment.objects.exists()


# --- incidents ---------------------------------------------------------------------------------
INCIDENT_HEADERS = [
    "姓名",
    "电话",
    "类型",
    "发生时间",
    "地点",
    "程度",
    "处置",
    "通知家属时间",
    "通知人",
    "后续跟进",
]


def test_incident_register_opens_work_orders_links_the_known_risk_and_undoes(care, resident):
    p = care.personas
    services.risk_assess(
        actor=p.nursing_a, residency_id=resident.pk, kind="fall",
        answers={"history": 25, "secondary_diagnosis": 0, "ambulatory_aid": 0, "iv": 0, "gait": 20, "mental_status": 0},
        assessed_on=dt.date(2026, 3, 2),
    )  # fmt: skip
    phone, nurse = resident.customer.phone, p.nursing_a.staff.name
    rows = [
        INCIDENT_HEADERS,
        ["陈奶奶", phone, "摔倒", "2026-04-03 21:15", "卫生间", "轻", "扶起，测血压", "2026-04-03 21:40", nurse, "加装扶手"],
        ["陈奶奶", phone, "送医", "2026年5月6日 8时30分", "房间", "严重", "120 送医", "", "", ""],
        ["陈奶奶", phone, "跌倒", "2026-02-01 10:00", "走廊", "轻微", "扶起", "", "", ""],
        ["陈奶奶", phone, "跌倒", "2026-04-05 10:00", "走廊", "轻微", "扶起", "2026-04-05 09:00", nurse, ""],
        ["陈奶奶", phone, "跌倒", "2026-04-06 10:00", "走廊", "轻微", "扶起", "2026-04-06 11:00", "", ""],
        ["陈奶奶", phone, "吵架了", "2026-04-07 10:00", "走廊", "轻微", "劝开", "", "", ""],
    ]  # fmt: skip
    job = run(p, "care_incidents", csv_bytes(rows), filename="inc.csv")
    found = errors(job)
    assert [(r, c) for r, c, _m in found] == [
        (4, "发生时间"),
        (5, "通知家属时间"),
        (6, "通知人"),
        (7, "类型"),
    ]
    assert "不在住" in found[0][2] and found[1][2] == "通知家属时间不能早于事件发生时间"
    assert "事件类型“吵架了”无法识别" in found[3][2] or "吵架了" in found[3][2]
    assert not Incident.objects.exists() and not WorkOrder.objects.exists()
    job = run(p, "care_incidents", csv_bytes(rows[:3]), filename="inc.csv")
    assert (job.status, job.rows_created) == ("committed", 2)
    fall = Incident.objects.get(kind="fall")
    assert fall.risk_assessment.kind == "fall" and fall.zone.care_zone == "assisted"
    assert fall.family_informed_by == p.nursing_a.staff and fall.department.kind == "nursing"
    orders = WorkOrder.objects.filter(source="incident")
    assert orders.count() == 2 and orders.filter(priority="high").count() == 1
    assert fall.work_order.source_ref == f"care.incident:{fall.pk}"
    again = run(p, "care_incidents", csv_bytes(rows[:3]), filename="inc.csv")
    assert (again.rows_created, again.rows_unchanged, WorkOrder.objects.count()) == (0, 2, 2)
    import_services.import_job_undo(job=job, actor=p.ops_a)
    assert not Incident.objects.exists() and not WorkOrder.objects.exists()


def test_incident_undo_is_refused_once_its_work_order_is_worked_on(care, resident):
    phone = resident.customer.phone
    rows = [INCIDENT_HEADERS[:7], ["陈奶奶", phone, "跌倒", "2026-04-03 21:15", "卫生间", "轻", "扶起"]]
    job = run(care.personas, "care_incidents", csv_bytes(rows), filename="inc.csv")
    WorkOrder.objects.update(status="in_progress")
    with pytest.raises(ImportRefused, match="工单已在处理"):
        import_services.import_job_undo(job=job, actor=care.personas.ops_a)
    assert Incident.objects.count() == 1


# --- templates ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "headers"),
    [
        ("care_residents", ["姓名*", "电话", "身份证号", "分区*", "房号*", "床号*", "入住类型", "入住日期*"]),
        ("care_risks", ["电话", "客户姓名", "风险类别*", "得分*", "风险等级", "评估日期*", "评估人*"]),
        ("care_incidents", ["电话", "客户姓名", "事件类型*", "发生时间*", "地点*", "严重程度*", "现场处置*"]),
    ],
)
def test_templates_download_with_chinese_headers(client, care, kind, headers):
    client.force_login(care.personas.ops_a)
    response = client.get(reverse("imports:kind_template", args=[kind]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0][: len(headers)] == headers
    if kind == "care_residents":
        assert parse_id_number(rows[1][2])[1] is None  # the example ID number is a valid one
    assert Zone.objects.exists()
