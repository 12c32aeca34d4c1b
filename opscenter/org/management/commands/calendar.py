"""`opscenter calendar add|between`: business-time arithmetic from the command line.

    opscenter calendar add --start "2026-09-30 16:00" --hours 10 [--minutes M] [--days D] [--site S] [--json]
    opscenter calendar between --start "2026-09-30 16:00" --end "2026-10-08 17:00" [--site S] [--json]

Times without an offset are local (settings.TIME_ZONE). `--days` counts full business days of the
calendar (9 h each for 08:30–17:30). `--site` takes a site code (or name) and uses its calendar;
without it the default calendar applies. This is an operator tool: sites are read unscoped.
Messages are Chinese; the English goes to the log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from opscenter.core.businesstime import (
    WorkCalendar,
    add_business_time,
    business_time_between,
    weekday_name,
)
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import DomainError, NotFound
from opscenter.org.selectors import site_by_code_or_name

logger = logging.getLogger(__name__)


class CalendarArgumentParser(CommandParser):
    """Sub-command parser whose argument errors read in Chinese (English to the log)."""

    def error(self, message: str):
        logger.warning("calendar: bad arguments for %s: %s", self.prog, message)
        text = f"参数错误：{message}"
        if self.called_from_command_line:
            self.print_usage(sys.stderr)
            self.exit(2, f"{self.prog}: {text}\n")
        raise CommandError(text)


class Command(BaseCommand):
    help = "按工作日历计算截止时间（add）或两个时间之间的工作时长（between）。"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds a plain CommandParser; our subclass only changes error(), so swapping the
        # class gives unknown options and sub-commands the same Chinese message as the rest.
        parser.__class__ = CalendarArgumentParser
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        # Values are parsed in handle() so that every malformed value gets a Chinese message.
        actions = parser.add_subparsers(dest="action", parser_class=CalendarArgumentParser)
        add = actions.add_parser("add", help="开始时间 + 工作时长 → 截止时间")
        add.add_argument("--start", help="开始时间，例如 2026-09-30 16:00（本地时间）")
        add.add_argument("--hours", help="工作小时数，可带小数")
        add.add_argument("--minutes", help="工作分钟数")
        add.add_argument("--days", help="工作日数（按日历每天的上班时长计）")
        between = actions.add_parser("between", help="两个时间之间的工作时长")
        between.add_argument("--start", help="开始时间，例如 2026-09-30 16:00")
        between.add_argument("--end", help="结束时间，例如 2026-10-08 17:00")
        for sub in (add, between):
            sub.add_argument("--site", help="site code or name; use that site's calendar")
            sub.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options) -> None:
        action = options.get("action")
        if action not in ("add", "between"):
            raise _fail("请指定子命令：add 或 between", f"calendar: missing or unknown action {action!r}")
        try:
            if action == "add":
                self._add(options)
            else:
                self._between(options)
        except DomainError as exc:
            logger.warning("calendar %s: %s", action, exc.log_message)
            raise CommandError(exc.message) from exc

    def _add(self, options: dict) -> None:
        # Check every argument before touching the database.
        start = _moment(options.get("start"), "--start", "开始时间")
        texts = {name: options.get(name) for name in ("days", "hours", "minutes")}
        if all(value is None for value in texts.values()):
            raise _fail("请至少指定 --hours、--minutes 或 --days 之一", "calendar add: no duration given")
        days = _amount(texts["days"], "--days", "工作日数")
        hours = _amount(texts["hours"], "--hours", "小时数")
        minutes = _amount(texts["minutes"], "--minutes", "分钟数")
        calendar = _calendar(options.get("site"))
        try:
            duration = (
                _span(calendar.day_length, days)
                + _span(dt.timedelta(hours=1), hours)
                + _span(dt.timedelta(minutes=1), minutes)
            )
        except OverflowError:
            raise _fail("时长过大，无法计算", f"calendar add: duration overflows ({texts})") from None
        due = add_business_time(start, duration, calendar)
        logger.debug("calendar add: %s + %s on %r -> %s", start, duration, calendar.name, due)
        if options["json"]:
            payload = {
                "start": start.astimezone(calendar.tz).isoformat(),
                "due": due.isoformat(),
                "business_hours": _hours(duration),
                "calendar": calendar.name,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"工作日历: {calendar.name}")
        self.stdout.write(f"开始时间: {_show(start, calendar)}")
        self.stdout.write(f"工作时长: {_show_duration(duration)}")
        self.stdout.write(f"截止时间: {_show(due, calendar)}")

    def _between(self, options: dict) -> None:
        start = _moment(options.get("start"), "--start", "开始时间")
        end = _moment(options.get("end"), "--end", "结束时间")
        calendar = _calendar(options.get("site"))
        elapsed = business_time_between(start, end, calendar)
        logger.debug("calendar between: %s .. %s on %r -> %s", start, end, calendar.name, elapsed)
        if options["json"]:
            payload = {
                "start": start.astimezone(calendar.tz).isoformat(),
                "end": end.astimezone(calendar.tz).isoformat(),
                "business_hours": _hours(elapsed),
                "business_seconds": elapsed // dt.timedelta(seconds=1),
                "calendar": calendar.name,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"工作日历: {calendar.name}")
        self.stdout.write(f"开始时间: {_show(start, calendar)}")
        self.stdout.write(f"结束时间: {_show(end, calendar)}")
        self.stdout.write(f"工作时长: {_show_duration(elapsed)}")


def _fail(message: str, log_message: str) -> CommandError:
    logger.warning(log_message)
    return CommandError(message)


def _calendar(code: str | None) -> WorkCalendar:
    """The default calendar, or the calendar of the site with this code (or name)."""
    if code is None:
        return work_calendar_for(None)
    try:
        site = site_by_code_or_name(code)
    except NotFound as exc:
        raise _fail(exc.message, f"calendar: unknown site {code!r}") from exc
    return work_calendar_for(site.calendar)


def _moment(text: str | None, option: str, label: str) -> dt.datetime:
    if text is None or not text.strip():
        raise _fail(f"请指定{label}（{option}），例如 2026-09-30 16:00", f"calendar: {option} is required")
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise _fail(
            f"{label}格式不正确：“{text}”，应为 YYYY-MM-DD HH:MM，例如 2026-09-30 16:00",
            f"calendar: cannot parse {option} {text!r}",
        ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _amount(text: str | None, option: str, label: str) -> Decimal:
    if text is None:
        return Decimal(0)
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise _fail(f"{label}必须是数字：“{text}”", f"calendar: {option} is not a number: {text!r}") from None
    if not value.is_finite():
        raise _fail(f"{label}必须是有限的数字：“{text}”", f"calendar: {option} is not finite: {text!r}")
    if value < 0:
        raise _fail(f"{label}不能为负数：{text}", f"calendar: {option} must not be negative, got {text!r}")
    return value


def _span(unit: dt.timedelta, amount: Decimal) -> dt.timedelta:
    """`amount` × `unit`, exact to the microsecond (timedelta does not multiply by Decimal)."""
    return dt.timedelta(microseconds=int(amount * (unit // dt.timedelta(microseconds=1))))


def _hours(duration: dt.timedelta) -> int | float:
    hours = Decimal(duration // dt.timedelta(microseconds=1)) / Decimal(3_600_000_000)
    return int(hours) if hours == hours.to_integral_value() else float(round(hours, 6))


def _show(moment: dt.datetime, calendar: WorkCalendar) -> str:
    local = moment.astimezone(calendar.tz)
    pattern = "%Y-%m-%d %H:%M:%S" if local.second or local.microsecond else "%Y-%m-%d %H:%M"
    return f"{local.strftime(pattern)} ({weekday_name(local.date())})"


def _show_duration(duration: dt.timedelta) -> str:
    sign = "-" if duration < dt.timedelta(0) else ""
    minutes, seconds = divmod(int(abs(duration).total_seconds()), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} 小时"] if hours else []
    if minutes:
        parts.append(f"{minutes} 分")
    if seconds:
        parts.append(f"{seconds} 秒")
    return sign + (" ".join(parts) or "0 小时")
