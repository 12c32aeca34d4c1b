"""`opscenter export KIND PATH [--site S] [--from DATE] [--to DATE]`: .xlsx in the import format
(customers, transactions, consultations, visits, deals, followups, staff), so it re-imports."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from opscenter.core.exceptions import DomainError
from opscenter.imports.exports import EXPORTS, write_export
from opscenter.imports.kinds import get_kind, kind_name
from opscenter.org.selectors import site_by_code_or_name


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期“{value}”格式不正确，请用 2024-03-02") from exc


class Command(BaseCommand):
    help = "Export one kind to .xlsx with the Chinese headers of its import template (re-importable)"

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", help=f"one of {', '.join(sorted(EXPORTS))} (hyphenated or Chinese names too)"
        )
        parser.add_argument("path")
        parser.add_argument("--site", help="site code or name (院区)")
        parser.add_argument("--from", dest="date_from", type=_date)
        parser.add_argument("--to", dest="date_to", type=_date)

    def handle(self, *args, **opts):
        kind = kind_name(opts["kind"])
        if kind not in EXPORTS:
            known = "、".join(f"{name}（{get_kind(name).label_zh}）" for name in sorted(EXPORTS))
            self.stderr.write(f"未知的导出类型“{opts['kind']}”，可选：{known}")
            raise SystemExit(2)
        opts["kind"] = kind
        site_id = None
        if opts["site"]:
            try:
                site_id = site_by_code_or_name(opts["site"]).pk
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        count = write_export(
            opts["kind"], opts["path"], site_id=site_id, date_from=opts["date_from"], date_to=opts["date_to"]
        )
        self.stdout.write(f"已导出 {count} 行到 {opts['path']}")
