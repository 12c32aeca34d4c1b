import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_org_chart_shows_only_the_consultants_site(client, personas):
    client.force_login(personas.consultant_a)
    page = client.get(reverse("org:org_chart")).content.decode()
    assert "阳光养老社区" in page
    assert "美莱医疗美容" not in page
    assert "咨询乙" not in page


def test_executive_sees_every_site_on_the_org_chart(client, personas):
    client.force_login(personas.executive)
    page = client.get(reverse("org:org_chart")).content.decode()
    assert "阳光养老社区" in page and "美莱医疗美容" in page and "咨询乙" in page


def test_staff_page_of_another_site_is_not_found(client, personas):
    client.force_login(personas.consultant_a)
    response = client.get(reverse("org:staff_detail", args=[personas.consultant_b.staff.pk]))
    assert response.status_code == 404
    assert client.get(reverse("org:staff_detail", args=[personas.consultant_a2.staff.pk])).status_code == 200


def test_org_chart_query_count_does_not_grow_with_staff(client, personas, django_assert_max_num_queries):
    from opscenter.core.testing import make_department, make_staff

    for site in (personas.site_a, personas.site_b):
        for kind in ("nursing", "finance", "customer"):
            department = make_department(site, kind)
            for _ in range(15):
                make_staff(department=department)
    client.force_login(personas.executive)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("org:org_chart"))
    assert response.status_code == 200


def test_staff_page_shows_its_change_history(client, personas):
    from opscenter.org import services

    staff = personas.consultant_a.staff
    services.staff_move(
        actor=personas.ops_a, staff_id=staff.pk, department_id=staff.department_id, team_id=None
    )
    client.force_login(personas.ops_a)
    page = client.get(reverse("org:staff_detail", args=[staff.pk])).content.decode()
    assert "变更历史" in page and "team_id" in page


def test_liaison_form_is_offered_only_where_the_user_may_change_it(client, personas):
    client.force_login(personas.ops_a)
    assert "设置联络员" in client.get(reverse("org:org_chart")).content.decode()
    client.force_login(personas.consultant_a)
    assert "设置联络员" not in client.get(reverse("org:org_chart")).content.decode()


def test_posting_a_liaison_for_another_sites_department_is_not_found(client, personas):
    from opscenter.core.testing import make_department, make_staff

    staff_b = make_staff(department=make_department(personas.site_b, "nursing"))
    client.force_login(personas.ops_a)
    response = client.post(
        reverse("org:liaison_assign", args=[staff_b.department_id]), {"staff_id": staff_b.pk}
    )
    assert response.status_code == 404
    assert not hasattr(staff_b.department, "liaison")
