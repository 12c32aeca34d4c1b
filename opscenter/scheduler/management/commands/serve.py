"""`opscenter serve [ADDR]`: everything the product needs, as one command.

Runs the web server (`runserver --noreload ADDR`), a task worker (`opscenter worker`) and the
scheduler (`opscenter scheduler loop`) under one supervising process (see
`opscenter.scheduler.supervisor`): Ctrl-C stops all three cleanly, a worker or scheduler that
dies is restarted. `make demo` ends with this command.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from opscenter.scheduler.supervisor import Child, Supervisor


class Command(BaseCommand):
    help = "Serve the web app with a task worker and the scheduler (Ctrl-C stops all)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument("--no-scheduler", action="store_true")
        parser.add_argument("--tick", type=float, default=30.0, help="scheduler pass every N seconds")

    def handle(self, *args, **opts) -> None:
        base = [sys.executable, "-m", "opscenter"]
        children = [Child("web", [*base, "runserver", "--noreload", opts["addrport"]], essential=True)]
        if not opts["no_worker"]:
            children.append(Child("worker", [*base, "worker"]))
        if not opts["no_scheduler"]:
            children.append(Child("scheduler", [*base, "scheduler", "loop", "--interval", str(opts["tick"])]))

        def out(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        out(f"serve: web on http://{opts['addrport']}/, {len(children)} processes (Ctrl-C stops all):")
        code = Supervisor(children, out=out).run()
        if code:
            raise SystemExit(code)
