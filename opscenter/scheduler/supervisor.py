"""`opscenter serve`'s process arrangement: the web server, a task worker and the scheduler as
children of one supervising process, in one process group.

Ctrl-C in the terminal reaches the whole group; the supervisor then waits for its children (and
terminates, then kills, any that linger), so nothing is left running. A child that exits on its
own is restarted (with a growing pause if it keeps failing); the web server failing at once twice
(say, the port is taken) stops everything with an error instead. Children ignore SIGINT (the supervisor sends them SIGTERM);
on Linux each child also asks
the kernel for SIGTERM when the supervisor dies, so even `kill -9` of the supervisor leaves no
orphans.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

log = logging.getLogger("opscenter.serve")
PR_SET_PDEATHSIG = 1
STOP_GRACE_SECONDS = 10.0
QUICK_EXIT_SECONDS = 5.0


def _child_setup() -> None:
    """Runs in the child between fork and exec: leave Ctrl-C to the supervisor (which stops the
    children with SIGTERM, in order, without half-started tracebacks) and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _load_libc():
    """libc for prctl, loaded in the parent (no library lookup may run between fork and exec)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


_LIBC = _load_libc()


@dataclass
class Child:
    name: str
    argv: list[str]
    essential: bool = False  # the web server: failing at once twice stops everything
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_exits: int = 0
    restart_at: float = 0.0
    restarts: int = 0
    history: list[int] = field(default_factory=list)

    def start(self, out) -> None:
        self.process = subprocess.Popen(self.argv, preexec_fn=_child_setup)
        self.started_at = time.monotonic()
        self.history.append(self.process.pid)
        out(f"  {self.name:9} pid {self.process.pid}: {' '.join(self.argv[2:])}")


class Supervisor:
    def __init__(self, children: Sequence[Child], *, out=print, poll: float = 0.5):
        self.children = list(children)
        self.out = out
        self.poll = poll
        self.stopping = False
        self.exit_code = 0

    def _stop(self, signum, _frame) -> None:
        if not self.stopping:
            self.out(
                f"serve: {signal.Signals(signum).name} received, stopping {len(self.children)} processes …"
            )
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        for child in self.children:
            child.start(self.out)
        while not self.stopping:
            time.sleep(self.poll)
            now = time.monotonic()
            for child in self.children:
                self._watch(child, now)
        self._shutdown()
        return self.exit_code

    def _watch(self, child: Child, now: float) -> None:
        process = child.process
        if process is None:
            if now >= child.restart_at and not self.stopping:
                child.restarts += 1
                self.out(f"serve: restarting {child.name} (restart {child.restarts})")
                child.start(self.out)
            return
        code = process.poll()
        if code is None or self.stopping:
            return
        quick = now - child.started_at < QUICK_EXIT_SECONDS
        child.quick_exits = child.quick_exits + 1 if quick else 0
        self.out(f"serve: {child.name} (pid {process.pid}) exited with {code}")
        if child.essential and child.quick_exits >= 2:
            self.out(f"serve: {child.name} keeps failing at start; stopping")
            self.exit_code = 1
            self.stopping = True
            return
        child.process = None
        child.restart_at = now + min(2 ** max(child.quick_exits - 1, 0), 30) if quick else now

    def _shutdown(self) -> None:
        alive = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in alive:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in alive:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.warning("serve: pid %s did not stop in time; killing it", process.pid)
                process.kill()
                process.wait()
        self.out("serve: stopped")
