"""`opscenter export KIND PATH [--site S] [--from DATE] [--to DATE]`: .xlsx in the import format
(customers, transactions, consultations, visits, deals, followups, staff), so it re-imports."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from opscenter.imports.exports import EXPORTS, write_export
from opscenter.org.models import Site


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期“{value}”格式不正确，请用 2024-03-02") from exc


class Command(BaseCommand):
    help = "Export one kind to .xlsx with the Chinese headers of its import template (re-importable)"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(EXPORTS))
        parser.add_argument("path")
        parser.add_argument("--site", help="site code or name (院区)")
        parser.add_argument("--from", dest="date_from", type=_date)
        parser.add_argument("--to", dest="date_to", type=_date)

    def handle(self, *args, **opts):
        site_id = None
        if opts["site"]:
            site = (
                Site.objects.filter(code=opts["site"]).first()
                or Site.objects.filter(name=opts["site"]).first()
            )
            if site is None:
                raise CommandError(f"院区“{opts['site']}”不存在")
            site_id = site.pk
        count = write_export(
            opts["kind"], opts["path"], site_id=site_id, date_from=opts["date_from"], date_to=opts["date_to"]
        )
        self.stdout.write(f"已导出 {count} 行到 {opts['path']}")
