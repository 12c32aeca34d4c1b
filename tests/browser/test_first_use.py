"""Issue 10 acceptance: from `make demo`'s own process arrangement (`opscenter serve`: web server,
task worker, scheduler — no inline tasks), a new user uploads both sample files from
`../shared/samples/`, watches the worker validate them, commits and undoes each."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM_ARGS, DESKTOP  # noqa: F401  (same browser set-up)

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "samples"
LEDGER = SAMPLES / "elder_care_ledger_2015.xlsx"
CONSULT_LOG = SAMPLES / "consult_log_gbk.csv"
PASSWORD = "opscenter-demo-2026"
JOB_PAGE = re.compile(r"/imports/\d+/$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _opscenter(*args: str, env: dict, timeout: float = 600) -> None:
    subprocess.run([sys.executable, "-m", "opscenter", *args], cwd=ROOT, env=env, check=True, timeout=timeout,
                   stdout=subprocess.DEVNULL)  # fmt: skip


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A fresh database with the demo organization, served the way `make demo` serves it."""
    if not LEDGER.exists() or not CONSULT_LOG.exists():
        pytest.fail(
            f"sample files not found in {SAMPLES} (CI has shared/ beside the checkout)", pytrace=False
        )
    var = tmp_path_factory.mktemp("demo-var")
    env = {**os.environ, "OPSCENTER_VAR_DIR": str(var), "OPSCENTER_DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
           "OPSCENTER_DEBUG": "0", "OPSCENTER_HTTPS": "0"}  # fmt: skip
    env.pop("OPSCENTER_TASKS_IMMEDIATE", None)  # the test settings run tasks inline; make demo does not
    _opscenter("migrate", "--noinput", env=env)
    _opscenter("shell", "-c", "import sys; from opscenter.demo.org import build_org; build_org(seed=2026, stdout=sys.stdout)",
               env=env)  # fmt: skip
    port = _free_port()
    log = open(var / "serve.log", "w")  # noqa: SIM115
    serve = subprocess.Popen([sys.executable, "-m", "opscenter", "serve", f"127.0.0.1:{port}", "--tick", "2"],
                             cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/healthz", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        pytest.fail((var / "serve.log").read_text(), pytrace=False)
    yield url, var
    os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C, as in a terminal
    try:
        assert serve.wait(timeout=30) == 0, (var / "serve.log").read_text()
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
        log.close()


@pytest.fixture
def page(browser, demo_server):
    url, _var = demo_server
    context = browser.new_context(base_url=url, viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _status(page):
    return page.locator("#job-progress [data-status]")


def _upload(page, path: Path, *, kind: str, site: str, **ticks) -> None:
    page.goto("/imports/new/")
    page.select_option("#id_kind", label=kind)
    page.select_option("#id_site", label=site)
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_on_error", "skip")
    for name, value in ticks.items():
        if value is True:
            page.check(f"#id_{name}")
        else:
            page.fill(f"#id_{name}", str(value))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(JOB_PAGE)


def _commit_then_undo(page, screenshots, name: str) -> None:
    # The worker (not the web request) validates: the page polls until the dry run is done.
    expect(_status(page)).to_have_attribute("data-status", "validated", timeout=90_000)
    page.screenshot(path=screenshots / f"first-use-{name}-validated.png", full_page=True)
    page.locator("#commit-button").click()
    expect(_status(page)).to_have_attribute("data-status", "committed", timeout=90_000)
    created = int(page.locator('[data-count="created"]').inner_text())
    assert created > 0
    page.screenshot(path=screenshots / f"first-use-{name}-committed.png", full_page=True)
    page.locator("#undo-button").click()
    expect(_status(page)).to_have_attribute("data-status", "undone")


def test_both_samples_are_validated_by_the_worker_committed_and_undone(page, screenshots):
    page.goto("/accounts/login/")
    page.fill("#id_username", "demo-ops")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")

    # The consultation log (GB18030 CSV) at the clinic: new customers and channels registered.
    _upload(page, CONSULT_LOG, kind="咨询", site="美莱医疗美容医院", create_missing_customers=True,
            create_missing_channels=True)  # fmt: skip
    _commit_then_undo(page, screenshots, "consult-log")

    # The 2015 contract ledger at the elder-care community: imported history, departed consultants.
    _upload(page, LEDGER, kind="成交", site="阳光颐养社区", create_missing_customers=True)
    _commit_then_undo(page, screenshots, "ledger")
    assert page.locator("#no-worker").count() == 0

    # The scheduler's jobs are on their page, with their next run.
    page.goto("/scheduler/")
    expect(page.locator("#scheduled-jobs")).to_contain_text("members.tiers_nightly")
    expect(page.locator("#scheduled-jobs")).to_contain_text("targets.check_alerts")
    page.screenshot(path=screenshots / "first-use-scheduler.png", full_page=True)
