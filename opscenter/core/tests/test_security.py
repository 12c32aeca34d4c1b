import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opscenter.core import services

pytestmark = pytest.mark.django_db

PUBLIC_PATHS = {"/accounts/login/", "/healthz", "/favicon.ico"}
# Tested on its own below (test_api_schema_requires_login).
API_SCHEMA = "/api/openapi.json"
# The Django language switch must work on the login page; it only sets a cookie.
PUBLIC_PREFIXES = ("/i18n/",)


def _concrete(route: str) -> str | None:
    """A requestable path for a URL pattern, or None for patterns we cannot fill in generically."""
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000001", route)
    route = re.sub(r"<(?:\w+:)?[^>]+>", "x", route)
    if route.startswith("^") or route.endswith("$"):
        route = route.lstrip("^").rstrip("$").replace("\\", "")
        if re.search(r"[()\[\]?*+|{}]", route):
            return None
    return "/" + route


def _all_paths(patterns=None, prefix: str = "") -> list[str]:
    paths = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            paths.extend(_all_paths(entry.url_patterns, route))
        elif isinstance(entry, URLPattern):
            path = _concrete(route)
            if path is not None:
                paths.append(path)
    return sorted(set(paths))


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def test_the_url_walk_finds_the_pages_that_matter():
    paths = _all_paths()
    for expected in ["/", "/org/", "/org/staff/1/", "/settings/tokens/", "/api/org/sites", "/api/docs"]:
        assert expected in paths


@pytest.mark.parametrize("path", [p for p in _all_paths() if not _is_public(p) and p != API_SCHEMA])
def test_every_page_sends_an_anonymous_visitor_to_login(client, path):
    response = client.get(path)
    if response.status_code == 405:
        # A POST-only endpoint: ask it the way it is meant to be asked.
        response = client.post(path)

    if path == "/api/":
        # ninja's root only exists to be reversed; it answers 404 to everyone.
        assert response.status_code == 404
    elif path.startswith("/api/") and path != "/api/docs":
        assert response.status_code == 401, path
        assert response["Content-Type"].startswith("application/json")
    else:
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login") + "?next="), path


def test_api_schema_requires_login(client):
    response = client.get(API_SCHEMA)

    assert response.status_code in {302, 401}


def test_login_page_and_health_check_are_public(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"


def test_api_without_a_token_answers_401_json(client, personas):
    response = client.get("/api/org/sites")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_api_with_a_token_from_the_token_page_answers_scoped_data(client, personas):
    token, raw = services.api_token_create(user=personas.consultant_a, name="脚本")

    response = client.get("/api/org/sites", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert [site["code"] for site in response.json()] == ["sunshine"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_api_with_a_revoked_token_answers_401(client, personas):
    token, raw = services.api_token_create(user=personas.consultant_a, name="脚本")
    services.api_token_revoke(user=personas.consultant_a, token_id=token.pk)

    response = client.get("/api/org/sites", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 401


def test_api_with_a_made_up_token_answers_401(client, personas):
    response = client.get("/api/org/sites", headers={"Authorization": "Bearer ops_not-a-real-token"})

    assert response.status_code == 401


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, personas, password):
    for _attempt in range(4):
        response = _login(client, "consultant_a", "wrong-password")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    response = _login(client, "consultant_a", "wrong-password")

    assert response.status_code == 429
    page = response.content.decode()
    assert "账号已临时锁定" in page
    assert "连续 5 次密码错误" in page
    assert "15 分钟后再试或联系管理员" in page

    response = _login(client, "consultant_a", password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_block_another_user(client, personas, password):
    for _attempt in range(5):
        _login(client, "consultant_a", "wrong-password")

    response = _login(client, "consultant_b", password)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.consultant_b.pk)


def test_a_successful_login_resets_the_failure_count(client, personas, password):
    for _attempt in range(4):
        _login(client, "consultant_a", "wrong-password")
    assert _login(client, "consultant_a", password).status_code == 302
    client.post(reverse("logout"))

    for _attempt in range(4):
        response = _login(client, "consultant_a", "wrong-password")

    assert response.status_code == 200


def _csp(response) -> str:
    return response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/docs", "/settings/tokens/"])
def test_csp_allows_no_external_origin(client, personas, path):
    if path != "/accounts/login/":
        client.force_login(personas.consultant_a)

    response = client.get(path)

    assert response.status_code == 200
    policy = _csp(response)
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "http" not in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "*" not in policy


class _InlineCodeFinder(HTMLParser):
    """Collects what the CSP would block: inline <script>, <style> blocks, style="" and on*="" attributes."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")
        for name, _value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")


def _inline_code(html: str) -> list[str]:
    finder = _InlineCodeFinder()
    finder.feed(html)
    return finder.problems


@pytest.mark.parametrize("path", ["/", "/settings/tokens/", "/org/", "/api/docs"])
def test_pages_carry_no_inline_script_or_style(client, personas, path):
    client.force_login(personas.consultant_a)
    services.api_token_create(user=personas.consultant_a, name="脚本")

    response = client.get(path)

    assert response.status_code == 200
    assert _inline_code(response.content.decode()) == []


def test_login_and_locked_out_pages_carry_no_inline_script_or_style(client, personas):
    assert _inline_code(client.get(reverse("login")).content.decode()) == []
    for _attempt in range(5):
        response = _login(client, "consultant_a", "wrong-password")
    assert _inline_code(response.content.decode()) == []


def test_language_switch_enforces_csrf(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.consultant_a)

    response = client.post(reverse("core:set_language"), {"language": "en"})

    assert response.status_code == 403
    personas.consultant_a.refresh_from_db()
    assert personas.consultant_a.language == "zh-hans"


def test_language_switch_works_with_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.consultant_a)
    page = client.get(reverse("core:home")).content.decode()
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)

    response = client.post(reverse("core:set_language"), {"language": "en", "csrfmiddlewaretoken": csrf})

    assert response.status_code == 302
    personas.consultant_a.refresh_from_db()
    assert personas.consultant_a.language == "en"


@pytest.mark.parametrize("name", ["core:token_create", "logout"])
def test_other_posts_enforce_csrf_too(personas, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.consultant_a)

    assert client.post(reverse(name), {"name": "x"}).status_code == 403


def test_session_and_csrf_cookies_are_http_only_and_same_site(client, personas, password):
    response = _login(client, "consultant_a", password)

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.CSRF_COOKIE_HTTPONLY


def test_security_headers_on_pages(client):
    response = client.get(reverse("login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("weak", ["12345678901", "password123", "consultant_a1"])
def test_password_validators_refuse_weak_passwords(personas, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=personas.consultant_a)


def test_the_favicon_is_served_without_login(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("favicon.svg")


def test_password_spraying_from_one_address_is_throttled_across_usernames(
    client, personas, password, settings
):
    """A few wrong passwords on many accounts never reach the per-account limit; the address's
    total does, and then even a right password from that address waits out the cool-off."""
    settings.OPSCENTER_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    users = ["consultant_a", "consultant_a2", "consultant_b", "ops_a", "ops_b", "marketing_a"]
    statuses = [_login(client, users[n % len(users)], "wrong-password").status_code for n in range(7)]
    assert statuses == [200] * 7
    response = _login(client, "customer_a", "wrong-password")
    assert response.status_code == 429
    assert "该地址的登录已被临时锁定" in response.content.decode()
    assert _login(client, "finance_a", password).status_code == 429
    # Another address is not affected.
    other = client.post(
        reverse("login"), {"username": "finance_a", "password": password}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302
