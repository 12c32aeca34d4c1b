"""The `calls` import kind: telephony exports in, every bad row named, nothing half-written."""

import csv
import io

from opscenter.callcenter.models import Call
from opscenter.callcenter.tests.conftest import record
from opscenter.imports import services as import_services
from opscenter.imports.engine import ImportOptions

HEADERS = [
    "CallID",
    "技能组",
    "来电号码",
    "来电时间",
    "应答时间",
    "挂机时间",
    "通话时长",
    "Hold Time",
    "ACW",
    "坐席工号",
    "业务类型",
    "录音文件",
    "转接来源",
]


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode()


def _job(cc, data):
    return import_services.import_job_create(
        actor=cc.manager,
        kind="calls",
        site_id=cc.site.pk,
        source=data,
        filename="话单.csv",
        options=ImportOptions(),
    )


def _good(cc):
    a1, a2 = cc.agent1.employee_no, cc.agent2.employee_no
    return [
        [
            "C1",
            "96180",
            "138 1234 5678",
            "2026-03-02 09:00:00",
            "2026-03-02 09:00:15",
            "2026-03-02 09:05:15",
            "00:05:00",
            "0",
            "30",
            a1,
            "咨询",
            "rec/C1.wav",
            "",
        ],
        [
            "C2",
            "96180",
            "0574-87654321",
            "2026-03-02 09:01:00",
            "",
            "2026-03-02 09:01:40",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "C3",
            "96180 热线",
            "13812345678",
            "2026-03-02 09:02:00",
            "2026-03-02 09:02:05",
            "2026-03-02 09:04:05",
            "120",
            "",
            "",
            a1,
            "投诉",
            "",
            "",
        ],
        [
            "C3-T",
            "96180",
            "13812345678",
            "2026-03-02 09:04:05",
            "2026-03-02 09:04:10",
            "2026-03-02 09:06:10",
            "120",
            "",
            "",
            a2,
            "投诉",
            "",
            "C3",
        ],
    ]


def test_import_records_calls_with_aliases_durations_and_transfers_and_undo_removes_them(cc):
    job = _job(cc, _csv(_good(cc)))
    import_services.import_job_commit(job=job, actor=cc.manager)
    job.refresh_from_db()
    assert job.status == "committed", job.message
    calls = {c.telephony_id: c for c in Call.objects.all()}
    assert (
        calls["C1"].talk_seconds == 300
        and calls["C1"].wrap_seconds == 30
        and calls["C1"].handle_seconds == 330
    )
    assert calls["C1"].caller_number == "13812345678" and calls["C1"].wait_seconds == 15
    assert calls["C2"].get_outcome_display() == "放弃" and calls["C2"].wait_seconds == 40
    assert calls["C3-T"].parent_id == calls["C3"].pk
    assert (calls["C1"].local_date.isoformat(), calls["C1"].slot) == ("2026-03-02", 36)
    # importing the same file again changes nothing (idempotent on the telephony id)
    again = _job(cc, _csv(_good(cc)))
    import_services.import_job_commit(job=again, actor=cc.manager)
    again.refresh_from_db()
    assert again.status == "committed" and Call.objects.count() == 4
    import_services.import_job_undo(job=job, actor=cc.manager)
    assert not Call.objects.exists()


def test_bad_rows_are_rejected_by_name_and_nothing_is_written(cc):
    record(
        cc,
        [
            {
                "telephony_id": "OLD",
                "queue": "96180",
                "arrived_at": cc.at(__import__("datetime").date(2026, 3, 1), 8, 0),
                "ended_at": cc.at(__import__("datetime").date(2026, 3, 1), 8, 1),
            }
        ],
    )
    a1 = cc.agent1.employee_no
    rows = [
        *_good(cc),
        [
            "B1",
            "96180",
            "",
            "2026-03-02 10:00:00",
            "2026-03-02 09:59:00",
            "2026-03-02 10:05:00",
            "",
            "",
            "",
            a1,
            "",
            "",
            "",
        ],
        [
            "B2",
            "96180",
            "",
            "2026-03-02 10:00:00",
            "2026-03-02 10:00:05",
            "2026-03-02 10:05:00",
            "-5",
            "",
            "",
            a1,
            "",
            "",
            "",
        ],
        [
            "B3",
            "96180",
            "",
            "2026-03-02 10:00:00",
            "2026-03-02 10:00:05",
            "2026-03-02 10:05:00",
            "",
            "",
            "",
            "9999",
            "",
            "",
            "",
        ],
        ["B4", "12345", "", "2026-03-02 10:00:00", "", "2026-03-02 10:00:30", "", "", "", "", "", "", ""],
        ["OLD", "96180", "", "2026-03-01 08:00:00", "", "2026-03-01 08:02:00", "", "", "", "", "", "", ""],
    ]
    job = _job(cc, _csv(rows))
    import_services.import_job_validate(job=job, actor=cc.manager)
    errors = {(row, col): msg for row, col, msg in job.row_errors.values_list("row_no", "column", "message")}
    assert errors[(6, "应答时间")] == "接听时间早于进线时间"
    assert errors[(7, "通话时长")] == "通话时长不能为负数"
    assert errors[(8, "坐席工号")].startswith("未知的坐席“9999”")
    assert errors[(9, "技能组")] == "未知的队列“12345”"
    assert errors[(10, "CallID")] == "话单编号“OLD”已存在且内容不同"
    import_services.import_job_commit(job=job, actor=cc.manager)
    assert list(Call.objects.values_list("telephony_id", flat=True)) == ["OLD"]  # nothing half-written


def test_a_caller_matching_a_customer_of_the_site_is_linked(cc):
    from opscenter.pipeline.models import Customer

    customer = Customer.objects.create(site=cc.site, name="张三", phone="13812345678", cohort_month=202603)
    import_services.import_job_commit(job=_job(cc, _csv(_good(cc)[:1])), actor=cc.manager)
    assert Call.objects.get(telephony_id="C1").customer_id == customer.pk


def test_surveys_import_by_call_id_and_low_scores_open_work_orders(cc):
    from opscenter.callcenter.models import Survey
    from opscenter.commitments.models import WorkOrder

    import_services.import_job_commit(job=_job(cc, _csv(_good(cc))), actor=cc.manager)
    out = io.StringIO()
    csv.writer(out).writerows([["CallID", "满意度", "客户意见"], ["C1", "5", ""], ["C3", "1", "态度不好"]])
    job = import_services.import_job_create(
        actor=cc.manager, kind="surveys", site_id=cc.site.pk, source=out.getvalue().encode(), filename="满意度.csv",
        options=ImportOptions(),
    )  # fmt: skip
    import_services.import_job_commit(job=job, actor=cc.manager)
    job.refresh_from_db()
    assert job.status == "committed", job.message
    assert Survey.objects.count() == 2
    assert WorkOrder.objects.filter(source="survey").count() == 1
    bad = io.StringIO()
    csv.writer(bad).writerows([["CallID", "满意度"], ["C1", "4"], ["NOPE", "9"]])
    again = import_services.import_job_create(
        actor=cc.manager, kind="surveys", site_id=cc.site.pk, source=bad.getvalue().encode(), filename="x.csv",
        options=ImportOptions(),
    )  # fmt: skip
    import_services.import_job_validate(job=again, actor=cc.manager)
    messages = sorted(again.row_errors.values_list("row_no", "message"))
    assert messages[0] == (2, "该来电已有满意度调查结果")
    assert messages[1][0] == 3
