"""Personas and factories for tests, in one place (STYLE.md).

Two sites: A (an elder-care community) and B (a medical-aesthetics clinic). Each persona is a user
with a Staff record and one role group. Test support is the one place `core` reaches into `org`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.contrib.auth.models import Group

PASSWORD = "Opscenter-test-2026"
_seq = itertools.count(1)


def make_site(code: str, name: str | None = None, *, kind: str = "elder_care", city: str = "宁波"):
    from opscenter.org.models import Site

    site, _ = Site.objects.get_or_create(
        code=code, defaults={"name": name or code, "kind": kind, "city": city}
    )
    return site


def make_department(site, kind: str, name: str | None = None):
    from opscenter.org.choices import DepartmentKind
    from opscenter.org.models import Department

    label = name or DepartmentKind(kind).label
    dept, _ = Department.objects.get_or_create(site=site, name=label, defaults={"kind": kind})
    return dept


def make_user(username: str, *, role: str | None = None, superuser: bool = False, language: str = "zh-hans"):
    from opscenter.core.models import User
    from opscenter.org.roles import ROLE_BY_CODE

    user = User.objects.create_user(
        username=username, password=PASSWORD, is_superuser=superuser, is_staff=superuser, language=language
    )
    if role:
        user.groups.add(Group.objects.get(name=ROLE_BY_CODE[role].name))
    return user


def make_staff(*, department, user=None, name: str | None = None, team=None, position=None, extra_sites=()):
    from opscenter.org.models import Staff

    n = next(_seq)
    staff = Staff.objects.create(
        user=user,
        employee_no=f"T{n:05d}",
        name=name or (user.username if user else f"员工{n}"),
        department=department,
        team=team,
    )
    if position:
        staff.position = position
        staff.save(update_fields=["position"])
    if extra_sites:
        staff.extra_sites.add(*extra_sites)
    return staff


def make_person(username: str, role: str, site, dept_kind: str, *, team=None, name: str | None = None):
    """A user + staff member with one role in a department of `site`."""
    user = make_user(username, role=role)
    make_staff(department=make_department(site, dept_kind), user=user, name=name, team=team)
    return user


@dataclass
class Personas:
    site_a: object
    site_b: object
    executive: object
    ops_a: object
    ops_b: object
    marketing_a: object
    customer_a: object
    nursing_a: object
    callcenter_a: object
    finance_a: object
    consultant_a: object
    consultant_a2: object
    consultant_b: object
    admin: object

    def staff(self, user):
        return user.staff


def build_personas() -> Personas:
    from opscenter.org.models import Team

    site_a = make_site("sunshine", "阳光养老社区", kind="elder_care", city="宁波")
    site_b = make_site("meilai", "美莱医疗美容", kind="aesthetics", city="宁波")
    team_a = Team.objects.create(department=make_department(site_a, "marketing"), name="一组")
    team_b = Team.objects.create(department=make_department(site_b, "marketing"), name="网咨组")
    return Personas(
        site_a=site_a,
        site_b=site_b,
        executive=make_person("executive", "executive", site_a, "management", name="王总"),
        ops_a=make_person("ops_a", "operations", site_a, "operations", name="运营甲"),
        ops_b=make_person("ops_b", "operations", site_b, "operations", name="运营乙"),
        marketing_a=make_person("marketing_a", "marketing", site_a, "marketing", name="市场甲"),
        customer_a=make_person("customer_a", "customer", site_a, "customer", name="客管甲"),
        nursing_a=make_person("nursing_a", "nursing", site_a, "nursing", name="护理甲"),
        callcenter_a=make_person("callcenter_a", "call_center", site_a, "call_center", name="客服甲"),
        finance_a=make_person("finance_a", "finance_hr", site_a, "finance", name="财务甲"),
        consultant_a=make_person(
            "consultant_a", "consultant", site_a, "marketing", team=team_a, name="咨询甲"
        ),
        consultant_a2=make_person(
            "consultant_a2", "consultant", site_a, "marketing", team=team_a, name="咨询甲二"
        ),
        consultant_b=make_person(
            "consultant_b", "consultant", site_b, "marketing", team=team_b, name="咨询乙"
        ),
        admin=make_user("admin", superuser=True),
    )
