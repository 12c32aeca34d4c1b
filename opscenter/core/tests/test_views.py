import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from opscenter.core import services
from opscenter.core.models import ApiToken
from opscenter.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db

# This module doubles as a URLconf: the project's URLs with core's error pages wired in.
urlpatterns = project_urlpatterns
handler403 = "opscenter.core.views.permission_denied"
handler404 = "opscenter.core.views.page_not_found"


@pytest.fixture
def consultant_client(client, personas):
    client.force_login(personas.consultant_a)
    return client


def test_home_greets_the_user_with_roles_and_only_their_sites(consultant_client):
    response = consultant_client.get(reverse("core:home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "咨询甲" in page
    assert "咨询师" in page
    assert "阳光养老社区" in page
    assert "美莱医疗美容" not in page
    assert 'href="/org/"' in page


def test_home_for_an_executive_lists_every_site(client, personas):
    client.force_login(personas.executive)

    page = client.get(reverse("core:home")).content.decode()

    assert "阳光养老社区" in page
    assert "美莱医疗美容" in page


def test_navigation_lists_only_domains_that_have_pages(client, personas):
    client.force_login(personas.admin)

    page = client.get(reverse("core:home")).content.decode()

    assert 'href="/org/"' in page and "组织架构" in page
    assert 'href="/commitments/"' in page and "服务承诺/工单" in page
    assert 'href="/appraisal/"' in page and "绩效考核" in page
    assert 'href="/care/"' in page and "养老照护" in page
    assert 'href="/callcenter/"' in page and "客服质检" in page
    # The old placeholder labels of domains built since are gone, not shown beside the real entries.
    for label in ["风险与投诉"]:
        assert label not in page


def test_home_chart_counts_staff_of_visible_sites_only(consultant_client, personas):
    response = consultant_client.get(reverse("core:home_staff_chart"))

    assert response.status_code == 200
    option = response.json()
    assert option["xAxis"]["data"] == ["阳光养老社区"]
    [bar] = option["series"][0]["data"]
    assert bar["value"] == 9  # every persona of site A has a staff record; the superuser has none
    assert bar["url"].startswith("/org/")


def test_switching_language_saves_it_on_the_user_and_the_next_page_is_english(consultant_client, personas):
    response = consultant_client.post(reverse("core:set_language"), {"language": "en", "next": "/org/"})

    assert response.status_code == 302
    assert response["Location"] == "/org/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    personas.consultant_a.refresh_from_db()
    assert personas.consultant_a.language == "en"
    page = consultant_client.get(reverse("core:home")).content.decode()
    assert '<html lang="en">' in page
    assert ">Home<" in page
    assert ">Organization<" in page
    assert ">Sign out<" in page


def test_saved_language_wins_over_the_cookie(client, personas):
    services.user_set_language(user=personas.consultant_a, language="en")
    client.force_login(personas.consultant_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get(reverse("core:home")).content.decode()

    assert ">Organization<" in page


def test_switching_to_an_unknown_language_changes_nothing(consultant_client, personas):
    response = consultant_client.post(
        reverse("core:set_language"), {"language": "fr", "next": "/"}, follow=True
    )

    personas.consultant_a.refresh_from_db()
    assert personas.consultant_a.language == "zh-hans"
    assert "不支持该界面语言" in response.content.decode()


def test_language_switch_never_redirects_to_another_site(consultant_client):
    response = consultant_client.post(
        reverse("core:set_language"), {"language": "en", "next": "https://evil.example.com/"}
    )

    assert response["Location"] == reverse("core:home")


def test_login_page_can_be_read_in_english_before_signing_in(client):
    page = client.get(reverse("login")).content.decode()
    assert "登录运营中心" in page
    assert 'action="/i18n/setlang/"' in page

    client.post("/i18n/setlang/", {"language": "en", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()

    assert "Sign in to Operations Center" in page


def test_token_page_lists_only_the_users_own_tokens(consultant_client, personas):
    services.api_token_create(user=personas.consultant_a, name="甲的脚本")
    services.api_token_create(user=personas.consultant_b, name="乙的脚本")

    page = consultant_client.get(reverse("core:token_list")).content.decode()

    assert "甲的脚本" in page
    assert "乙的脚本" not in page


def test_creating_a_token_shows_it_once(consultant_client, personas):
    response = consultant_client.post(reverse("core:token_create"), {"name": "报表同步"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = re.search(r'<code id="new-token-value">(ops_[^<]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=personas.consultant_a)
    assert token.digest == ApiToken.hash(raw)

    page = consultant_client.get(reverse("core:token_list")).content.decode()
    assert raw not in page
    assert token.prefix in page


def test_creating_a_token_without_a_name_shows_the_error(consultant_client):
    response = consultant_client.post(reverse("core:token_create"), {"name": ""})

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_token_by_post(consultant_client, personas):
    token, _raw = services.api_token_create(user=personas.consultant_a, name="旧脚本")

    response = consultant_client.post(reverse("core:token_revoke", args=[token.pk]), follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "已吊销" in response.content.decode()


def test_revoking_needs_post(consultant_client, personas):
    token, _raw = services.api_token_create(user=personas.consultant_a, name="旧脚本")

    response = consultant_client.get(reverse("core:token_revoke", args=[token.pk]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_another_users_token_is_not_found(consultant_client, personas):
    token, _raw = services.api_token_create(user=personas.consultant_b, name="乙的脚本")

    response = consultant_client.post(reverse("core:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_api_docs_page_renders_for_a_signed_in_user(consultant_client):
    response = consultant_client.get("/api/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert '"validatorUrl": null' in page


@pytest.mark.urls(__name__)
def test_another_sites_staff_page_is_a_plain_not_found(consultant_client, personas):
    staff_b = personas.consultant_b.staff

    response = consultant_client.get(reverse("org:staff_detail", args=[staff_b.pk]))

    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在或无权访问" in page
    assert staff_b.name not in page
    assert staff_b.employee_no not in page
    assert 'href="/org/"' in page  # the shell is there: the user can carry on


@pytest.mark.urls(__name__)
def test_a_missing_page_is_the_same_not_found_in_english(client, personas):
    services.user_set_language(user=personas.consultant_a, language="en")
    client.force_login(personas.consultant_a)

    response = client.get("/org/staff/999999/")

    assert response.status_code == 404
    assert "Not found, or no access" in response.content.decode()


def test_permission_denied_page(rf, personas):
    from opscenter.core.views import permission_denied

    request = rf.get("/")
    request.user = personas.consultant_a

    with translation.override("zh-hans"):
        response = permission_denied(request)

    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_home_query_count_is_pinned(consultant_client, django_assert_max_num_queries):
    # … + the unread-notification badge + the work-queue counters (pipeline: 4–5 COUNTs)
    with django_assert_max_num_queries(15):
        consultant_client.get(reverse("core:home"))


def test_token_page_query_count_does_not_grow_with_tokens(
    consultant_client, personas, django_assert_max_num_queries
):
    for n in range(5):
        token, _raw = services.api_token_create(user=personas.consultant_a, name=f"脚本{n}")
    services.api_token_revoke(user=personas.consultant_a, token_id=token.pk)

    with django_assert_max_num_queries(6):
        consultant_client.get(reverse("core:token_list"))
