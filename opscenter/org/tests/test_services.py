"""Role × site for writing the organization: only roles holding org write permissions, only their sites."""

import pytest

from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.core.models import AuditEntry
from opscenter.core.testing import make_department, make_staff
from opscenter.org import services
from opscenter.org.models import Liaison, Team

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "site", "outcome"),
    [
        ("ops_a", "site_a", "ok"),
        ("ops_a", "site_b", NotFound),  # site B is not even visible to A's operations manager
        ("ops_b", "site_b", "ok"),
        ("executive", "site_a", PermissionDenied),  # reads every site, writes none
        ("executive", "site_b", PermissionDenied),
        ("marketing_a", "site_a", PermissionDenied),
        ("customer_a", "site_a", PermissionDenied),
        ("nursing_a", "site_a", PermissionDenied),
        ("callcenter_a", "site_a", PermissionDenied),
        ("finance_a", "site_a", "ok"),  # HR keeps the organization
        ("finance_a", "site_b", NotFound),
        ("consultant_a", "site_a", PermissionDenied),
        ("consultant_b", "site_a", PermissionDenied),
    ],
)
def test_team_create_is_allowed_only_for_org_writers_on_their_own_site(personas, persona, site, outcome):
    department = make_department(getattr(personas, site), "nursing")
    actor = getattr(personas, persona)
    if outcome == "ok":
        team = services.team_create(actor=actor, department_id=department.pk, name="夜班", territory="")
        assert team.department == department
    else:
        with pytest.raises(outcome):
            services.team_create(actor=actor, department_id=department.pk, name="夜班")
        assert not Team.objects.filter(name="夜班").exists()


def test_team_with_a_territory_is_a_grid_and_names_are_unique_per_department(personas):
    department = make_department(personas.site_a, "marketing")
    grid = services.team_create(
        actor=personas.ops_a, department_id=department.pk, name="东区网格", territory="鄞州区"
    )
    assert grid.is_grid
    with pytest.raises(ValidationError, match="已有名为"):
        services.team_create(actor=personas.ops_a, department_id=department.pk, name="东区网格")
    with pytest.raises(ValidationError, match="不能为空"):
        services.team_create(actor=personas.ops_a, department_id=department.pk, name="  ")


def test_liaison_must_belong_to_the_department_and_replacement_is_audited(personas):
    nursing = make_department(personas.site_a, "nursing")
    first = make_staff(department=nursing, name="护士长甲")
    second = make_staff(department=nursing, name="护士乙")
    outsider = make_staff(department=make_department(personas.site_a, "finance"), name="会计")

    with pytest.raises(ValidationError, match="该部门的在职员工"):
        services.liaison_assign(actor=personas.ops_a, department_id=nursing.pk, staff_id=outsider.pk)
    services.liaison_assign(actor=personas.ops_a, department_id=nursing.pk, staff_id=first.pk)
    liaison = services.liaison_assign(actor=personas.ops_a, department_id=nursing.pk, staff_id=second.pk)

    assert Liaison.objects.get(department=nursing).staff == second
    update = AuditEntry.objects.filter(object_id=str(liaison.pk), action="update").get()
    assert update.changes["staff_id"] == [first.pk, second.pk]
    assert update.actor == personas.ops_a


def test_staff_cannot_be_moved_into_another_site(personas):
    staff = personas.consultant_a.staff
    other_site_department = make_department(personas.site_b, "marketing")
    with pytest.raises(NotFound):
        services.staff_move(actor=personas.ops_a, staff_id=staff.pk, department_id=other_site_department.pk)
    staff.refresh_from_db()
    assert staff.department.site == personas.site_a
