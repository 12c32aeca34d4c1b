"""Issue "Foundation": sign in, switch language, open the organization, meet the site boundary."""

import re

import pytest
from playwright.sync_api import expect

from opscenter.core.models import User

pytestmark = pytest.mark.browser


def nav(page):
    return page.locator("#site-nav")


def test_consultant_signs_in_switches_to_english_and_is_kept_out_of_another_site(
    page_and_log, personas, password, sign_in, screenshots
):
    page, log = page_and_log
    staff_b = personas.consultant_b.staff

    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    expect(page.locator("h1")).to_have_text("登录运营中心")
    page.screenshot(path=screenshots / "foundation-01-login.png", full_page=True)

    sign_in(page, "consultant_a", password)
    expect(page).to_have_url("/")
    expect(page.locator("h1")).to_contain_text("咨询甲")
    expect(nav(page)).to_contain_text("组织架构")
    # The home page is the cockpit (运营驾驶舱), loaded by htmx after the page.
    expect(page.locator("#cockpit")).to_be_visible()
    page.screenshot(path=screenshots / "foundation-02-home-zh.png", full_page=True)

    page.click("details.user-menu > summary")
    page.click("details.user-menu button[value=en]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav(page).get_by_role("link", name="Home")).to_be_visible()
    expect(nav(page).get_by_role("link", name="Organization")).to_be_visible()
    assert User.objects.get(username="consultant_a").language == "en"
    page.screenshot(path=screenshots / "foundation-03-home-en.png", full_page=True)

    nav(page).get_by_role("link", name="Organization").click()
    expect(page).to_have_url("/org/")
    expect(page.locator("main")).to_contain_text("阳光养老社区")
    expect(page.locator("main")).not_to_contain_text("美莱医疗美容")
    expect(page.locator("main")).not_to_contain_text("咨询乙")
    expect(page.get_by_role("link", name="咨询甲", exact=True)).to_be_visible()
    page.screenshot(path=screenshots / "foundation-04-org.png", full_page=True)

    response = page.goto(f"/org/staff/{staff_b.pk}/")
    assert response.status == 404
    # "Not found, or no access" once opscenter/urls.py wires core's handler404; Django's bare
    # "Not Found" before that. Either way the same answer as for a record that does not exist.
    expect(page.locator("h1")).to_have_text(re.compile(r"not found", re.IGNORECASE))
    expect(page.locator("body")).not_to_contain_text("咨询乙")
    expect(page.locator("body")).not_to_contain_text(staff_b.employee_no)
    page.screenshot(path=screenshots / "foundation-05-other-site-staff.png", full_page=True)

    # The 404 itself is an expected console error; nothing else is.
    problems = [p for p in log.problems(page) if "404" not in p]
    assert problems == []


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(
    page_and_log, personas, password, screenshots
):
    page, log = page_and_log

    for _attempt in range(5):
        page.goto("/accounts/login/")
        page.fill("#id_username", "consultant_a")
        page.fill("#id_password", "not-my-password")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")

    expect(page.locator("h1")).to_have_text("账号已临时锁定")
    expect(page.locator("main")).to_contain_text("连续 5 次密码错误")
    expect(page.locator("main")).to_contain_text("15 分钟后再试或联系管理员")
    page.screenshot(path=screenshots / "foundation-06-locked-out.png", full_page=True)

    page.goto("/accounts/login/")
    page.fill("#id_username", "consultant_a")
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("账号已临时锁定")
    # The lockout answers 429, which the console reports; nothing else may go wrong.
    assert [p for p in log.problems(page) if "429" not in p] == []


def test_login_page_switches_to_english_before_signing_in(page_and_log, personas, screenshots):
    page, log = page_and_log

    page.goto("/accounts/login/")
    page.click("header button[value=en]")
    page.wait_for_load_state("networkidle")

    expect(page.locator("h1")).to_have_text("Sign in to Operations Center")
    expect(page.get_by_label("Password")).to_be_visible()
    page.screenshot(path=screenshots / "foundation-07-login-en.png", full_page=True)
    assert log.problems(page) == []


@pytest.mark.parametrize("path", ["/", "/settings/tokens/", "/org/", "/api/docs"])
def test_pages_load_without_console_errors_or_csp_violations(
    page_and_log, personas, password, sign_in, screenshots, path
):
    page, log = page_and_log
    sign_in(page, "executive", password)

    page.goto(path)
    page.wait_for_load_state("networkidle")
    if path == "/":
        expect(page.locator("#cockpit [data-section]").first).to_be_visible()
    if path == "/api/docs":
        expect(page.locator(".swagger-ui .info")).to_be_visible()
    slug = path.strip("/").replace("/", "-") or "home"
    page.screenshot(path=screenshots / f"clean-console-{slug}.png", full_page=True)

    assert log.problems(page) == []


def test_token_is_created_in_the_ui_and_shown_once(page_and_log, personas, password, sign_in, screenshots):
    page, log = page_and_log
    sign_in(page, "consultant_a", password)

    page.click("details.user-menu > summary")
    page.get_by_role("link", name="API 令牌").click()
    page.fill("#id_name", "报表同步脚本")
    page.get_by_role("button", name="创建令牌").click()

    token = page.locator("#new-token-value").inner_text()
    assert token.startswith("ops_")
    page.screenshot(path=screenshots / "foundation-08-token-created.png", full_page=True)

    page.goto("/settings/tokens/")
    expect(page.locator("main")).not_to_contain_text(token)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="吊销").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_contain_text("已吊销")
    page.screenshot(path=screenshots / "foundation-09-token-revoked.png", full_page=True)
    assert log.problems(page) == []


def test_navigation_collapses_on_a_tablet(tablet_page_and_log, personas, password, sign_in, screenshots):
    page, log = tablet_page_and_log
    sign_in(page, "executive", password)

    expect(page.locator("#site-nav")).to_be_hidden()
    page.screenshot(path=screenshots / "foundation-10-tablet-home.png", full_page=True)
    page.click("[data-nav-toggle]")
    expect(page.locator("#site-nav")).to_be_visible()
    expect(page.locator("#site-nav")).to_have_css("transform", "none")  # slide-in finished
    expect(page.locator("[data-nav-toggle]")).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=screenshots / "foundation-11-tablet-nav-open.png")

    page.locator("#site-nav").get_by_role("link", name="组织架构").click()
    expect(page).to_have_url("/org/")
    assert log.problems(page) == []
