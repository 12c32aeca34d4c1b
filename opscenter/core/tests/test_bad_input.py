"""Bad input gets a 4xx naming what was wrong, never a server error: integers beyond 64 bits in
the query string or the path, and domain errors a view lets through. Signed-in answers are never
cached."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
HUGE = str(2**63)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/pipeline/funnel/?site={HUGE}", "site"),
        (f"/pipeline/?page={HUGE}", "page"),
        (f"/api/pipeline/customers?offset={HUGE}", "offset"),
        (f"/api/pipeline/deals?customer_id=-{HUGE}1", "customer_id"),
        ("/pipeline/funnel/?team=" + "9" * 5000, "team"),
    ],
)
def test_an_integer_beyond_64_bits_in_the_query_is_a_400_naming_it(client, personas, url, field):
    client.force_login(personas.ops_a)
    response = client.get(url)
    assert response.status_code == 400
    assert field in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [f"/pipeline/customers/{HUGE}/", f"/api/pipeline/customers/{HUGE}", f"/members/rules/{HUGE}9/preview/"],
)
def test_an_id_beyond_64_bits_in_the_path_is_not_found(client, personas, url):
    client.force_login(personas.ops_a)
    assert client.get(url).status_code == 404


def test_an_unknown_import_template_is_a_400_with_the_known_kinds(client, personas):
    client.force_login(personas.ops_a)
    response = client.get("/imports/templates/nope.xlsx")
    assert response.status_code == 400
    assert "未知的导入类型“nope”" in response.content.decode()


def test_pages_and_api_answers_for_a_signed_in_user_are_not_cached(client, personas):
    client.force_login(personas.ops_a)
    for url in ("/pipeline/", "/api/pipeline/customers", "/members/care/"):
        assert "no-store" in client.get(url)["Cache-Control"], url
