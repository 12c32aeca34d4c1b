"""`opscenter calendar add|between` and the database side of the business calendar.

Due moments (default calendar 08:30–17:30 Mon–Fri with China's 2026 statutory calendar):
- Fri 2026-09-04 16:00 + 3 h → Mon 09-07 10:00 (1.5 h Friday, 1.5 h Monday).
- Wed 2026-09-30 16:00 + 10 h → Thu 10-08 17:00 (1.5 h on 09-30, 10-01 … 10-07 off, 8.5 h on 10-08).
- Wed 2026-09-30 16:00 + 20 h → Sat 10-10 09:00 (adjusted workday 调休 after 19.5 h on 09-30/10-08/10-09).
"""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import base, call_command
from django.core.management.base import CommandError

from opscenter.core import calendars
from opscenter.core.businesstime import WorkCalendar
from opscenter.core.models import BusinessCalendar, CalendarDay
from opscenter.core.testing import make_site
from opscenter.org.management.commands.calendar import Command

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json"))


@pytest.fixture
def site_with_day_off():
    """A site whose own calendar has Monday 2026-09-07 as a local day off."""
    calendar = BusinessCalendar.objects.create(name="阳光院区日历")
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 9, 7), kind="off", note="院庆")
    site = make_site("sunshine", "阳光院区")
    site.calendar = calendar
    site.save(update_fields=["calendar"])
    return site


# --- add ----------------------------------------------------------------------------------------


def test_add_prints_the_due_moment_across_a_weekend_in_chinese():
    output = run("add", "--start", "2026-09-04 16:00", "--hours", "3")
    assert "截止时间: 2026-09-07 10:00 (周一)" in output
    assert "工作日历: 默认工作日历" in output
    assert "工作时长: 3 小时" in output


def test_add_across_national_day_2026():
    output = run("add", "--start", "2026-09-30 16:00", "--hours", "10")
    assert output.strip().endswith("截止时间: 2026-10-08 17:00 (周四)")


def test_add_json_lands_on_the_adjusted_saturday_after_national_day():
    payload = run_json("add", "--start", "2026-09-30 16:00", "--hours", "20")
    assert payload == {
        "start": "2026-09-30T16:00:00+08:00",
        "due": "2026-10-10T09:00:00+08:00",
        "business_hours": 20,
        "calendar": "默认工作日历",
    }


def test_add_combines_business_days_hours_and_minutes():
    # 1 business day (9 h) + 1 h + 30 min = 10.5 h: 1.5 h on 09-30, 9 h on 10-08 → 17:30.
    payload = run_json("add", "--start", "2026-09-30 16:00", "--days", "1", "--hours", "1", "--minutes", "30")
    assert payload["due"] == "2026-10-08T17:30:00+08:00"
    assert payload["business_hours"] == 10.5


def test_add_with_a_site_uses_its_calendar_day_off(site_with_day_off):
    # Mon 09-07 is the site's day off: 1.5 h Friday, then Tue 09-08 08:30 + 1.5 h.
    output = run("add", "--start", "2026-09-04 16:00", "--hours", "3", "--site", "sunshine")
    assert "截止时间: 2026-09-08 10:00 (周二)" in output
    assert "工作日历: 阳光院区日历" in output
    # The default calendar does not know that day off.
    assert "截止时间: 2026-09-07 10:00 (周一)" in run("add", "--start", "2026-09-04 16:00", "--hours", "3")


def test_add_with_a_site_without_calendar_uses_the_default():
    make_site("meilai", "美莱门诊")
    payload = run_json("add", "--start", "2026-09-04 16:00", "--hours", "3", "--site", "meilai")
    assert payload["due"] == "2026-09-07T10:00:00+08:00"
    assert payload["calendar"] == "默认工作日历"


def test_add_honours_a_global_admin_day_off():
    CalendarDay.objects.create(date=dt.date(2026, 9, 7), kind="off", note="台风停工")
    payload = run_json("add", "--start", "2026-09-04 16:00", "--hours", "3")
    assert payload["due"] == "2026-09-08T10:00:00+08:00"


# --- between ------------------------------------------------------------------------------------


def test_between_reports_business_hours_across_national_day():
    output = run("between", "--start", "2026-09-30 16:00", "--end", "2026-10-08 17:00")
    assert "工作时长: 10 小时" in output
    payload = run_json("between", "--start", "2026-10-08 17:00", "--end", "2026-09-30 16:00")
    assert payload["business_hours"] == -10
    assert payload["business_seconds"] == -36000


# --- malformed input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "--start", "2026-13-01 16:00", "--hours", "1"), "开始时间格式不正确"),
        (("add", "--start", "明天", "--hours", "1"), "开始时间格式不正确"),
        (("add", "--hours", "1"), "请指定开始时间"),
        (("add", "--start", "2026-09-30 16:00", "--hours", "-1"), "小时数不能为负数"),
        (("add", "--start", "2026-09-30 16:00", "--hours", "十"), "小时数必须是数字"),
        (("add", "--start", "2026-09-30 16:00", "--minutes", "inf"), "分钟数必须是有限的数字"),
        (("add", "--start", "2026-09-30 16:00"), "请至少指定"),
        (("add", "--start", "2026-09-30 16:00", "--days", "1e30"), "时长过大"),
        (("add", "--start", "2026-09-30 16:00", "--hours", "1", "--site", "nope"), "院区“nope”不存在"),
        (("between", "--start", "2026-09-30 16:00"), "请指定结束时间"),
        (("between", "--start", "2026-09-30 16:00", "--end", "2026-10-08 25:00"), "结束时间格式不正确"),
        ((), "请指定子命令"),
        (("frob",), "参数错误"),
        (("add", "--start", "2026-09-30 16:00", "--hours", "1", "--bogus"), "参数错误"),
    ],
)
def test_malformed_arguments_raise_command_error_in_chinese(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_malformed_arguments_are_logged_in_english(caplog):
    with pytest.raises(CommandError):
        run("add", "--start", "2026-09-30 16:00", "--hours", "-1")
    assert "--hours must not be negative" in caplog.text


def test_a_broken_site_calendar_is_reported_not_crashed():
    calendar = BusinessCalendar.objects.create(name="坏日历", day_start=dt.time(18), day_end=dt.time(9))
    site = make_site("broken", "坏院区")
    site.calendar = calendar
    site.save(update_fields=["calendar"])
    with pytest.raises(CommandError, match="下班时间必须晚于上班时间"):
        run("add", "--start", "2026-09-30 16:00", "--hours", "1", "--site", "broken")


@pytest.fixture
def keep_test_connection(monkeypatch):
    """run_from_argv() closes every connection when done, which would end the test's transaction."""
    monkeypatch.setattr(base.connections, "close_all", lambda: None)


def test_command_line_exits_with_1_and_a_chinese_message(capsys, keep_test_connection):
    with pytest.raises(SystemExit) as info:
        Command().run_from_argv(
            ["opscenter", "calendar", "add", "--start", "2026-09-31 16:00", "--hours", "1"]
        )
    assert info.value.code == 1
    assert "开始时间格式不正确" in capsys.readouterr().err


def test_command_line_argument_errors_exit_non_zero_in_chinese(capsys, keep_test_connection):
    with pytest.raises(SystemExit) as info:
        Command().run_from_argv(["opscenter", "calendar", "add", "--start"])
    assert info.value.code == 2
    assert "参数错误" in capsys.readouterr().err


# --- work_calendar_for --------------------------------------------------------------------------


def test_work_calendar_for_loads_overrides_in_one_query_and_the_calendars_own_rows_win(
    django_assert_num_queries,
):
    calendar = BusinessCalendar.objects.create(
        name="六天制",
        day_start=dt.time(9),
        day_end=dt.time(18),
        workdays="123456",
        use_statutory_holidays=False,
    )
    CalendarDay.objects.create(date=dt.date(2026, 9, 7), kind="off")  # global
    CalendarDay.objects.create(date=dt.date(2026, 9, 8), kind="off")  # global, overridden below
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 9, 8), kind="work")
    CalendarDay.objects.create(
        calendar=BusinessCalendar.objects.create(name="别的日历"), date=dt.date(2026, 9, 9), kind="off"
    )

    with django_assert_num_queries(1):
        work = calendars.work_calendar_for(calendar)

    assert work == WorkCalendar(
        day_start=dt.time(9),
        day_end=dt.time(18),
        workdays=frozenset({1, 2, 3, 4, 5, 6}),
        use_statutory=False,
        overrides={dt.date(2026, 9, 7): False, dt.date(2026, 9, 8): True},
        name="六天制",
    )
    assert work.is_workday(dt.date(2026, 10, 1))  # statutory holidays off for this calendar
    assert not work.is_workday(dt.date(2026, 9, 7))
    assert work.is_workday(dt.date(2026, 9, 9))  # another calendar's day off does not apply


def test_default_calendar_carries_the_global_overrides():
    CalendarDay.objects.create(date=dt.date(2026, 9, 7), kind="off")
    work = calendars.work_calendar_for(None)
    assert work.name == "默认工作日历"
    assert work.day_start == dt.time(8, 30) and work.day_end == dt.time(17, 30)
    assert work.overrides == {dt.date(2026, 9, 7): False}


@pytest.fixture
def fresh_calendar_cache():
    calendars.clear_calendar_cache()
    yield
    calendars.clear_calendar_cache()


@pytest.mark.django_db(transaction=True)
def test_default_calendar_is_cached_and_dropped_when_a_day_changes(
    fresh_calendar_cache, django_assert_num_queries
):
    with django_assert_num_queries(1):
        first = calendars.default_work_calendar()
    with django_assert_num_queries(0):
        assert calendars.default_work_calendar() is first

    day = CalendarDay.objects.create(date=dt.date(2026, 9, 7), kind="off")
    assert calendars.default_work_calendar().overrides == {dt.date(2026, 9, 7): False}
    day.delete()
    assert calendars.default_work_calendar().overrides == {}


def test_default_calendar_is_not_cached_inside_a_transaction(fresh_calendar_cache, django_assert_num_queries):
    # Test functions run inside a transaction: a read there must not outlive a rollback.
    calendars.default_work_calendar()
    with django_assert_num_queries(1):
        calendars.default_work_calendar()
