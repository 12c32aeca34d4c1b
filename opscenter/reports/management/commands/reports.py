"""`opscenter reports build --kind weekly --site S --week 2026-W49 [--pdf FILE] [--publish]` and
`opscenter reports deliver` (the scheduled delivery pass)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from opscenter.core.audit import audit_context
from opscenter.core.exceptions import DomainError
from opscenter.org.selectors import site_by_code_or_name


class Command(BaseCommand):
    help = "Build a weekly or monthly report (optionally as PDF), or run the scheduled delivery."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build")
        build.add_argument("--kind", choices=["weekly", "monthly"], required=True)
        build.add_argument("--site", required=True)
        build.add_argument("--week", help="2026-W49 (weekly)")
        build.add_argument("--month", help="2026-11 (monthly)")
        build.add_argument("--pdf", help="write the PDF here")
        build.add_argument("--publish", action="store_true", help="freeze the numbers")
        sub.add_parser("deliver")

    def handle(self, *args, **options):
        from opscenter.reports import periods, services
        from opscenter.reports.exports import report_pdf_bytes

        with audit_context(None, "cli"):
            try:
                if options["action"] == "deliver":
                    self.stdout.write(f"delivered {services.report_deliver_due()} report(s)")
                    return
                label = options["week"] if options["kind"] == "weekly" else options["month"]
                if not label:
                    raise CommandError("--week is required for weekly, --month for monthly reports")
                period = periods.parse(options["kind"], label)
                site = site_by_code_or_name(options["site"])
                report = services.report_create(actor=None, site=site, period=period)
                if options["publish"] and report.status == "draft":
                    report = services.report_publish(actor=None, report_id=report.pk)
                data = services.report_data(report)
                for block in data["blocks"]:
                    for row in block["rows"]:
                        self.stdout.write(
                            f"{block['code']:12} {row['code']:32} {row['display']['current']:>14}"
                        )
                if options["pdf"]:
                    with open(options["pdf"], "wb") as handle:
                        handle.write(report_pdf_bytes(report, data))
                    self.stdout.write(f"PDF written to {options['pdf']}")
            except DomainError as exc:
                raise CommandError(exc.log_message) from exc
