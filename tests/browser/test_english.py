"""Issue 12 item 7 "English that is complete": a user whose language is English reads every app's
pages in English — headings, table headers, buttons, labels and navigation carry no Chinese (the
data, such as names, may) — and the history tab reads as sentences (item 6)."""

from __future__ import annotations

import re

import pytest

from opscenter.pipeline import services

pytestmark = [pytest.mark.browser]

CJK = re.compile(r"[\u4e00-\u9fff]")
# The interface's own words on a page; data (names, channels, rule texts) lives in table cells,
# links to records and headings naming a record, which are left out.
CHROME = "nav a, main th, main button, main label, main legend"

PAGES = {
    "members": "/members/",
    "member-rules": "/members/rules/",
    "care-tasks": "/members/care/",
    "org": "/org/",
    "targets": "/targets/",
    "imports": "/imports/",
    "import-upload": "/imports/new/",
    "customers": "/pipeline/",
    "funnel": "/pipeline/funnel/",
    "followups": "/pipeline/followups/",
}


def _chinese_chrome(page) -> list[str]:
    # the element's own text, not that of a select or a link to a record inside it
    texts = page.eval_on_selector_all(
        CHROME,
        "els => els.map(e => Array.from(e.childNodes).filter(n => n.nodeType === 3)"
        ".map(n => n.textContent).join('').trim())",
    )
    return sorted({t for t in texts if CJK.search(t)})


def test_an_english_user_reads_every_apps_pages_in_english(
    page_and_log, sign_in, password, personas, screenshots
):
    page, log = page_and_log
    personas.ops_a.language = "en"
    personas.ops_a.save(update_fields=["language"])
    sign_in(page, "ops_a", password)
    for name, url in PAGES.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=screenshots / f"english-{name}.png", full_page=True)
        assert _chinese_chrome(page) == [], name
    assert log.problems(page) == []


def test_the_history_tab_reads_in_words_and_local_time(
    page_and_log, sign_in, password, personas, screenshots
):
    page, _log = page_and_log
    customer = services.customer_register(
        actor=personas.consultant_a,
        site_id=personas.site_a.pk,
        channel_id=None,
        name="周先生",
        phone="13911112222",
    )
    services.customer_update(actor=personas.consultant_a, customer_id=customer.pk, city="杭州")
    personas.ops_a.language = "en"
    personas.ops_a.save(update_fields=["language"])
    sign_in(page, "ops_a", password)
    page.goto(f"/pipeline/customers/{customer.pk}/?tab=history")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=screenshots / "english-history.png", full_page=True)
    history = page.inner_text("#history")
    assert "City: — → 杭州" in history or "City: 宁波 → 杭州" in history
    assert "Updated" in history and "Created" in history
    for raw in ("city", "owner_id", "is_deleted", "cohort_month", "+00:00"):
        assert raw not in history, raw
