import pytest

from opscenter.core.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name="test", prefix=raw[:8], digest=ApiToken.hash(raw))
    return {"Authorization": f"Bearer {raw}"}


def test_api_without_token_is_401_json(client):
    response = client.get("/api/org/sites")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("executive", {"sunshine", "meilai"}),
        ("ops_a", {"sunshine"}),
        ("ops_b", {"meilai"}),
        ("consultant_a", {"sunshine"}),
        ("consultant_b", {"meilai"}),
        ("nursing_a", {"sunshine"}),
    ],
)
def test_sites_are_scoped_like_the_ui(client, personas, persona, expected):
    response = client.get("/api/org/sites", headers=bearer(getattr(personas, persona)))
    assert response.status_code == 200
    assert {row["code"] for row in response.json()} == expected


def test_staff_of_another_site_is_not_listed(client, personas):
    rows = client.get("/api/org/staff", headers=bearer(personas.consultant_a)).json()
    names = {row["name"] for row in rows}
    assert "咨询甲二" in names and "咨询乙" not in names
    assert all(row["site_id"] == personas.site_a.pk for row in rows)


def test_openapi_schema_lists_the_org_endpoints(client, personas):
    client.force_login(personas.executive)
    schema = client.get("/api/openapi.json").json()
    assert {"/api/org/sites", "/api/org/departments", "/api/org/teams", "/api/org/staff"} <= set(
        schema["paths"]
    )
