"""The demo organization: three sites in 宁波, their departments, teams, staff, liaisons and logins.

Codes and names here are relied on by later demo steps (the pipeline data generator): keep them.

Sales teams: the first member is the team leader (销售组长 in 阳光颐养社区; in the other sites a
咨询师/现场咨询师 who leads); every member of a sales or on-site consultation team is a consultant
with a login `c-<employee_no>` and the role 咨询师, except the two named demo consultants, who are
the first member after the leader of 阳光 销售一组 and of 美莱 电话咨询组.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from opscenter.core import audit
from opscenter.core.exceptions import DomainError
from opscenter.core.models import User
from opscenter.demo.names import PeopleFactory
from opscenter.org.models import Department, Liaison, Position, Site, Staff, Team
from opscenter.org.roles import ROLE_BY_CODE

DEMO_PASSWORD = "opscenter-demo-2026"
DEFAULT_SEED = 2026
SITE_CODES = ("sunshine", "meilai", "hotline")

# name → is a management position
POSITIONS: dict[str, bool] = {
    "院长": True,
    "总经理": True,
    "运营经理": True,
    "市场经理": True,
    "销售组长": True,
    "咨询师": False,
    "现场咨询师": False,
    "客户经理": False,
    "护士长": True,
    "护士/评估员": False,
    "护理员": False,
    "医生": False,
    "客服专员": False,
    "质检员": False,
    "财务": False,
    "人事": False,
}


@dataclass(frozen=True)
class Seat:
    """One staff member to create. `login`: a named demo user; `consultant`: gets a c- login."""

    position: str
    login: str = ""
    role: str = ""
    consultant: bool = False


@dataclass(frozen=True)
class TeamSpec:
    name: str
    seats: tuple[Seat, ...]
    territory: str = ""


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    kind: str
    seats: tuple[Seat, ...] = ()
    teams: tuple[TeamSpec, ...] = ()


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    kind: str
    city: str
    number_base: int  # employee numbers are number_base + 1, + 2, …
    departments: tuple[DepartmentSpec, ...] = field(default_factory=tuple)


# Care workers (护理员) on the zones' day and night shifts: enough for the demo's residents at
# plausible ratios for its ~190 residents (care.demo rosters them by residents: most zone shifts
# within their limit, one near it, one over; any left over are off the roster).
NURSING_WORKERS = 52


def _consultants(
    position: str, count: int, *, named: tuple[str, str] | None = None, leader: str = ""
) -> tuple:
    """A sales team: a leader (position `leader` or `position`) then members; `named` = (login, role)."""
    seats = [Seat(leader or position, consultant=True)]
    for i in range(1, count):
        if i == 1 and named:
            seats.append(Seat(position, login=named[0], role=named[1], consultant=True))
        else:
            seats.append(Seat(position, consultant=True))
    return tuple(seats)


SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        "sunshine", "阳光颐养社区", "elder_care", "宁波", 10000,
        (
            DepartmentSpec("院长室", "management", (Seat("院长", "demo-exec", "executive"),)),
            DepartmentSpec("运营管理部", "operations", (Seat("运营经理", "demo-ops", "operations"),)),
            DepartmentSpec(
                "市场部", "marketing", (Seat("市场经理", "demo-marketing", "marketing"),),
                (
                    TeamSpec("销售一组", _consultants("咨询师", 4, named=("demo-consultant", "consultant"), leader="销售组长")),
                    TeamSpec("销售二组", _consultants("咨询师", 3, leader="销售组长")),
                    TeamSpec("销售三组", _consultants("咨询师", 2, leader="销售组长")),
                ),
            ),
            DepartmentSpec("客户管理部", "customer", (Seat("客户经理"), Seat("客户经理"))),
            DepartmentSpec(
                "护理部", "nursing",
                (Seat("护士长", "demo-nursing", "nursing"), Seat("护士/评估员"), Seat("护士/评估员"),
                 *(Seat("护理员") for _ in range(NURSING_WORKERS))),
            ),
            DepartmentSpec("财务部", "finance", (Seat("财务", "demo-finance", "finance_hr"),)),
            DepartmentSpec("人力资源部", "hr", (Seat("人事"),)),
        ),
    ),
    SiteSpec(
        "meilai", "美莱医疗美容医院", "aesthetics", "宁波", 20000,
        (
            DepartmentSpec("总经理室", "management", (Seat("总经理"),)),
            DepartmentSpec("运营管理部", "operations", (Seat("运营经理", "demo-ops-meilai", "operations"),)),
            DepartmentSpec(
                "市场部", "marketing", (Seat("市场经理"),),
                (
                    TeamSpec("电话咨询组", _consultants("咨询师", 3, named=("demo-consultant-meilai", "consultant"))),
                    TeamSpec("网络咨询组", _consultants("咨询师", 3)),
                    TeamSpec("渠道拓展组", _consultants("咨询师", 3), territory="鄞州区"),
                ),
            ),
            DepartmentSpec(
                "客户管理部", "customer", (Seat("客户经理", "demo-customer", "customer"),),
                (TeamSpec("现场咨询组", _consultants("现场咨询师", 4)),),
            ),
            DepartmentSpec("皮肤美容中心", "medical", (Seat("医生"), Seat("医生"))),
            DepartmentSpec("整形美容中心", "medical", (Seat("医生"), Seat("医生"))),
            DepartmentSpec("口腔美容中心", "medical", (Seat("医生"), Seat("医生"))),
            DepartmentSpec("财务部", "finance", (Seat("财务"),)),
            DepartmentSpec("人力资源部", "hr", (Seat("人事"),)),
        ),
    ),
    SiteSpec(
        "hotline", "96180 客服中心", "call_center", "宁波", 30000,
        (
            DepartmentSpec(
                "客服中心", "call_center", (),
                (
                    TeamSpec(
                        "一班",
                        (Seat("客服专员", "demo-callcenter", "call_center"), *(Seat("客服专员") for _ in range(4))),
                    ),
                    TeamSpec("二班", tuple(Seat("客服专员") for _ in range(5))),
                    TeamSpec("质检组", (Seat("质检员"), Seat("质检员"))),
                ),
            ),
        ),
    ),
)  # fmt: skip

# Sites a named demo login may read beyond its own.
EXTRA_SITES = {"demo-exec": SITE_CODES, "demo-ops": ("meilai",)}


def demo_loaded() -> bool:
    """True when the demo organization is in the database (checked by site code)."""
    found = Site.objects.filter(code__in=SITE_CODES).count()
    if 0 < found < len(SITE_CODES):
        raise DomainError(
            "数据库中只有部分演示院区 (sunshine/meilai/hotline)；请用 `opscenter demo --reset` 重新加载"
        )
    return found == len(SITE_CODES)


def build_org(*, seed: int = DEFAULT_SEED, stdout) -> dict:
    """Create the demo organization unless it is already there. Returns counts of what exists."""
    with audit.audit_context(None, "cli", "演示数据"):
        if demo_loaded():
            stdout.write("演示组织已存在，跳过 (demo organization already loaded)")
        else:
            _create(seed=seed)
            stdout.write("演示组织已创建 (demo organization created)")
    return {
        "sites": Site.objects.filter(code__in=SITE_CODES).count(),
        "departments": Department.objects.filter(site__code__in=SITE_CODES).count(),
        "teams": Team.objects.filter(department__site__code__in=SITE_CODES).count(),
        "staff": Staff.objects.filter(department__site__code__in=SITE_CODES).count(),
        "users": User.objects.filter(staff__department__site__code__in=SITE_CODES).count(),
    }


@transaction.atomic
def _create(*, seed: int) -> None:
    people = PeopleFactory(seed)
    positions = {name: _position(name, is_manager) for name, is_manager in POSITIONS.items()}
    sites = {spec.code: Site.objects.create(code=spec.code, name=spec.name, kind=spec.kind, city=spec.city)
             for spec in SITES}  # fmt: skip

    # Departments and teams one by one (a few dozen rows, audited); staff in bulk.
    pending: list[tuple[Staff, Seat, str]] = []  # (staff, seat, site code)
    leaders: dict[Team, Staff] = {}
    managers: dict[Department, Staff] = {}
    for spec in SITES:
        number = spec.number_base
        for dept_spec in spec.departments:
            dept = Department.objects.create(site=sites[spec.code], name=dept_spec.name, kind=dept_spec.kind)
            groups = [(None, dept_spec.seats)]
            groups += [
                (Team.objects.create(department=dept, name=t.name, territory=t.territory), t.seats)
                for t in dept_spec.teams
            ]
            for team, seats in groups:
                for seat in seats:
                    number += 1
                    person = people.person(female=True if seat.position.startswith("护士") else None)
                    staff = Staff(
                        employee_no=str(number),
                        name=person.name,
                        phone=person.phone,
                        department=dept,
                        team=team,
                        position=positions[seat.position],
                        hired_on=person.hired_on,
                    )
                    pending.append((staff, seat, spec.code))
                    if team is not None and team not in leaders:
                        leaders[team] = staff
                    managers.setdefault(dept, staff)
    Staff.objects.bulk_create([staff for staff, _, _ in pending])

    for team, staff in leaders.items():
        team.leader = staff
        team.save(update_fields=["leader"])
    for dept, staff in managers.items():
        dept.manager = staff
        dept.save(update_fields=["manager"])
        Liaison.objects.create(department=dept, staff=staff, since=staff.hired_on)

    _create_logins(pending, sites)
    for site in sites.values():
        count = sum(1 for _, _, code in pending if code == site.code)
        audit.record_event(site, f"演示数据：创建 {count} 名员工")


def _position(name: str, is_manager: bool) -> Position:
    position, _ = Position.objects.get_or_create(name=name, defaults={"is_manager": is_manager})
    return position


def _create_logins(pending: list[tuple[Staff, Seat, str]], sites: dict[str, Site]) -> None:
    """Named demo users, a c- login per consultant, and the superuser `admin`; one shared password."""
    groups = {role.code: Group.objects.get(name=role.name) for role in ROLE_BY_CODE.values()}
    hashed = make_password(DEMO_PASSWORD)  # hashed once: one hash per user would take a minute
    users_by_group: dict[str, list[User]] = {}
    staff_users: list[Staff] = []
    for staff, seat, _ in pending:
        if not (seat.login or seat.consultant):
            continue
        username = seat.login or f"c-{staff.employee_no}"
        role = seat.role or "consultant"
        user = User.objects.create_user(
            username=username,
            password=None,
            first_name=staff.name[1:],
            last_name=staff.name[0],
            language="zh-hans",
        )
        users_by_group.setdefault(role, []).append(user)
        staff.user = user
        staff_users.append(staff)
        extra = EXTRA_SITES.get(username)
        if extra:
            staff.extra_sites.add(*(sites[code] for code in extra))
    admin = User.objects.create_user(
        username="admin", password=None, is_staff=True, is_superuser=True, language="zh-hans"
    )
    Staff.objects.bulk_update(staff_users, ["user"])
    for role, users in users_by_group.items():
        groups[role].user_set.add(*users)
    User.objects.filter(pk__in=[s.user_id for s in staff_users] + [admin.pk]).update(password=hashed)


def demo_logins() -> list[dict[str, str]]:
    """The demo accounts as they are in the database: named logins first, then consultants, then admin."""
    rows = []
    users = (
        User.objects.filter(staff__department__site__code__in=SITE_CODES)
        .select_related("staff__department__site", "staff__team", "staff__position")
        .prefetch_related("groups")
        .order_by("staff__employee_no")
    )
    for user in users:
        staff = user.staff
        rows.append(
            {
                "username": user.username,
                "password": DEMO_PASSWORD,
                "role": "、".join(sorted(g.name for g in user.groups.all())),
                "site": staff.department.site.name,
                "where": " · ".join(
                    filter(None, [staff.department.name, staff.team.name if staff.team else ""])
                ),
                "name": staff.name,
            }
        )
    rows.sort(key=lambda r: (not r["username"].startswith("demo-"), r["username"].startswith("c-")))
    if User.objects.filter(username="admin", is_superuser=True).exists():
        rows.append(
            {"username": "admin", "password": DEMO_PASSWORD, "role": "超级管理员 (Django admin)", "site": "全部",
             "where": "/admin/", "name": ""}
        )  # fmt: skip
    return rows
