"""Organization endpoints: /api/org/sites, /departments, /teams, /staff (scoped like the UI)."""

from ninja import Router

from opscenter.api.schema import Schema
from opscenter.org import selectors

router = Router(tags=["org"])


class SiteOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    city: str


class DepartmentOut(Schema):
    id: int
    site_id: int
    name: str
    kind: str


class TeamOut(Schema):
    id: int
    department_id: int
    name: str
    territory: str
    is_grid: bool


class StaffOut(Schema):
    id: int
    employee_no: str
    name: str
    department_id: int
    site_id: int
    team_id: int | None
    position: str | None
    is_active: bool

    @staticmethod
    def resolve_site_id(obj) -> int:
        return obj.department.site_id

    @staticmethod
    def resolve_position(obj) -> str | None:
        return obj.position.name if obj.position_id else None


@router.get("/sites", response=list[SiteOut])
def sites(request):
    return list(selectors.site_list(user=request.auth))


@router.get("/departments", response=list[DepartmentOut])
def departments(request, site_id: int | None = None):
    qs = selectors.department_list(user=request.auth)
    return list(qs.filter(site_id=site_id) if site_id else qs)


@router.get("/teams", response=list[TeamOut])
def teams(request, site_id: int | None = None):
    qs = selectors.team_list(user=request.auth)
    return list(qs.filter(department__site_id=site_id) if site_id else qs)


@router.get("/staff", response=list[StaffOut])
def staff(request, site_id: int | None = None):
    return list(selectors.staff_list(user=request.auth, site_id=site_id))
