"""`opscenter workday deadlines` (the scheduled pass: today's items, missed ones marked) and
`opscenter workday install-templates --department ID` (seed 001 篇4's set for a department)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from opscenter.core.audit import audit_context
from opscenter.core.exceptions import DomainError


class Command(BaseCommand):
    help = "Daily-work jobs: run the deadline pass, or install the example templates for a department."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("deadlines")
        install = sub.add_parser("install-templates")
        install.add_argument("--department", type=int, required=True)

    def handle(self, *args, **options):
        from opscenter.org.models import Department
        from opscenter.workday.examples import install_marketing_templates
        from opscenter.workday.services import run_deadlines

        with audit_context(None, "cli"):
            try:
                if options["action"] == "deadlines":
                    result = run_deadlines()
                    self.stdout.write(f"created {result['created']}, marked missing {result['missing']}")
                    return
                department = Department.objects.filter(pk=options["department"]).first()
                if department is None:
                    raise CommandError(f"no department {options['department']}")
                created = install_marketing_templates(
                    actor=None, department=department, approver=department.manager
                )
                self.stdout.write(f"installed {len(created)} template(s)")
            except DomainError as exc:
                raise CommandError(exc.log_message) from exc
