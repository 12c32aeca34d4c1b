"""`opscenter demo [--no-serve] [--seed N] [--reset]`: load the demo data, print the logins, serve
(`opscenter serve`: web server, task worker and scheduler)."""

from __future__ import annotations

import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.module_loading import import_string

from opscenter.core.audit import audit_context
from opscenter.core.exceptions import DomainError
from opscenter.demo.org import DEFAULT_SEED, SITE_CODES, demo_logins
from opscenter.demo.steps import STEPS
from opscenter.org.models import Site


class Command(BaseCommand):
    help = "Load the demo organization and data (idempotent), print the demo logins, then serve on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="load and print the logins, do not serve")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="empty the database first (refused if it holds non-demo sites)",
        )
        parser.add_argument(
            "--addrport", default="127.0.0.1:8000", help="where to serve (default 127.0.0.1:8000)"
        )

    def handle(self, *args, no_serve: bool, seed: int, reset: bool, addrport: str, **options):
        self._migrate_if_needed()
        if reset:
            self._reset()
        with audit_context(None, "cli", "演示数据"):
            for path in STEPS:
                self.stdout.write(f"== {path} (seed {seed})")
                try:
                    import_string(path)(seed=seed, stdout=self.stdout)
                except DomainError as exc:
                    raise CommandError(exc.message) from exc
        self._print_logins()
        if not no_serve:
            # The web server with a task worker and the scheduler, as `make demo` runs them.
            call_command("serve", addrport)

    def _migrate_if_needed(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("== migrate")
            call_command("migrate", interactive=False, verbosity=0)

    def _reset(self) -> None:
        others = list(Site.objects.exclude(code__in=SITE_CODES).values_list("code", flat=True))
        if others:
            raise CommandError(
                f"--reset refused: the database holds sites that are not demo sites ({', '.join(others)})"
            )
        self.stdout.write("== reset: emptying the database")
        call_command("flush", interactive=False, verbosity=0)

    def _print_logins(self) -> None:
        rows = demo_logins()
        named = [r for r in rows if not r["username"].startswith("c-")]
        consultants = [r for r in rows if r["username"].startswith("c-")]
        header = {
            "username": "用户名",
            "password": "密码",
            "role": "角色",
            "site": "院区",
            "where": "部门/小组",
        }
        columns = list(header)
        table = [header, *named]
        widths = {c: max(_width(r[c]) for r in table) for c in columns}
        self.stdout.write("")
        self.stdout.write("演示账号 (demo logins):")
        for i, row in enumerate(table):
            self.stdout.write("  " + "  ".join(_pad(row[c], widths[c]) for c in columns).rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * widths[c] for c in columns))
        if consultants:
            names = ", ".join(r["username"] for r in consultants)
            self.stdout.write(f"  另有 {len(consultants)} 个咨询师账号 (role 咨询师, same password): {names}")
        self.stdout.write("")


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
