import pytest

from opscenter.org import selectors


@pytest.mark.django_db
def test_consultant_sees_only_their_site_in_the_org_api_selectors(personas):
    sites = list(selectors.site_list(user=personas.consultant_a).values_list("code", flat=True))
    assert sites == ["sunshine"]


@pytest.mark.django_db
def test_executive_reads_every_site(personas):
    assert set(selectors.site_list(user=personas.executive).values_list("code", flat=True)) == {
        "sunshine",
        "meilai",
    }


@pytest.mark.django_db
def test_scope_of_a_consultant_is_own_only(personas):
    scope = selectors.scope_for(personas.consultant_a)
    assert scope.own_only and scope.site_ids == {personas.site_a.id}
    assert scope.can("org.view_site") and not scope.can("org.change_site")
