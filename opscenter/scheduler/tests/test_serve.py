"""`opscenter serve` (what `make demo` runs): web server, worker and scheduler in one process
group; a dead worker is restarted; Ctrl-C stops everything and leaves no process behind."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> dict[str, int]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout
    found = {}
    for line in out.splitlines():
        child_pid, _, args = line.strip().partition(" ")
        for name in ("runserver", "worker", "scheduler"):
            if f"opscenter {name}" in args:
                found[name] = int(child_pid)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0): count it as gone
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def _wait(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    return predicate()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and /proc")
def test_serve_runs_server_worker_and_scheduler_restarts_a_dead_worker_and_stops_cleanly(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "OPSCENTER_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "OPSCENTER_DEBUG": "0",
        "OPSCENTER_HTTPS": "0",
    }
    env.pop("OPSCENTER_TASKS_IMMEDIATE", None)
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115
    serve = subprocess.Popen(
        [sys.executable, "-m", "opscenter", "serve", f"127.0.0.1:{port}", "--tick", "1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        children = _wait(lambda: c if len(c := _children(serve.pid)) == 3 else None, 60)
        assert children and set(children) == {"runserver", "worker", "scheduler"}, (
            tmp_path / "serve.log"
        ).read_text()
        for pid in children.values():
            assert os.getpgid(pid) == os.getpgid(serve.pid)

        def healthy():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200
            except OSError:
                return False

        assert _wait(healthy, 90), (tmp_path / "serve.log").read_text()
        os.kill(children["worker"], signal.SIGKILL)
        restarted = _wait(
            lambda: (
                c if (c := _children(serve.pid)).get("worker") not in (None, children["worker"]) else None
            ),
            30,
        )
        assert restarted, (tmp_path / "serve.log").read_text()
        everyone = [*children.values(), restarted["worker"]]
        os.killpg(serve.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        assert serve.wait(timeout=30) == 0
        assert _wait(lambda: not any(_alive(pid) for pid in everyone), 10)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
        log.close()
