"""`opscenter marketing grade [--month 2026-07] [--site CODE]` — channel grading from the command line.

Without options it is the scheduler's pass (last month, every site with an active grade scheme and
no grades for it yet). With `--month` (and optionally `--site`) it (re)grades that month.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from opscenter.core.audit import audit_context
from opscenter.core.exceptions import DomainError
from opscenter.marketing.models import GradeScheme
from opscenter.marketing.services import channels_grade, channels_grade_due
from opscenter.org.selectors import site_by_code_or_name
from opscenter.pipeline.periods import parse_month


class Command(BaseCommand):
    help = "Channel grading (渠道分级): grade channels by their trailing results."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        grade = sub.add_parser("grade", help="grade channels for a month")
        grade.add_argument("--month", help="yyyy-mm (default: last month, only sites not graded yet)")
        grade.add_argument("--site", help="site code or name (with --month)")

    def handle(self, *args, **options) -> None:
        try:
            if not options.get("month"):
                done = channels_grade_due()
                for site_id, count in done.items():
                    self.stdout.write(f"site {site_id}: {count} channels graded")
                if not done:
                    self.stdout.write("nothing due")
                return
            month = parse_month(options["month"], "month")
            if options.get("site"):
                site_ids = [site_by_code_or_name(options["site"]).pk]
            else:
                site_ids = list(GradeScheme.objects.filter(is_active=True).values_list("site_id", flat=True))
            with audit_context(None, "cli", "marketing grade"):
                for site_id in site_ids:
                    count = len(channels_grade(actor=None, site_id=site_id, month=month))
                    self.stdout.write(f"site {site_id}: {count} channels graded for {month}")
        except DomainError as exc:
            raise CommandError(exc.log_message) from exc
