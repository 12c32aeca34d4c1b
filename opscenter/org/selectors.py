"""Reads of the organization, always scoped by the acting user."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from opscenter.core.exceptions import NotFound
from opscenter.core.scoping import Scope
from opscenter.org.models import Department, Liaison, Site, Staff, Team
from opscenter.org.roles import ROLE_BY_NAME


def scope_for(user) -> Scope:
    """Resolve a user's roles, sites, departments and permissions into a Scope (cached per user object)."""
    cached = getattr(user, "_opscenter_scope", None)
    if cached is not None:
        return cached
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None)
    group_names = set(user.groups.values_list("name", flat=True))
    roles = [ROLE_BY_NAME[name] for name in group_names if name in ROLE_BY_NAME]
    staff = Staff.objects.filter(user=user, is_active=True).select_related("department").first()
    site_ids: set[int] = set()
    department_ids: set[int] = set()
    if staff is not None:
        site_ids.add(staff.department.site_id)
        site_ids.update(staff.extra_sites.values_list("id", flat=True))
        department_ids.add(staff.department_id)
    # A role that is not own-only wins: a consultant who is also marketing sees the whole site.
    own_only = bool(roles) and all(role.own_only for role in roles)
    scope = Scope(
        user_id=user.pk,
        staff_id=staff.pk if staff else None,
        all_sites=any(role.all_sites for role in roles),
        site_ids=frozenset(site_ids),
        department_ids=frozenset(department_ids),
        own_only=own_only,
        roles=frozenset(role.code for role in roles),
        perms=frozenset(user.get_all_permissions()),
        is_superuser=user.is_superuser,
    )
    user._opscenter_scope = scope
    return scope


def site_list(*, user) -> QuerySet[Site]:
    return scope_for(user).filter_sites(Site.objects.all(), "id")


def site_get(*, user, site_id: int) -> Site:
    site = site_list(user=user).filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("院区不存在或无权访问"))
    return site


def site_by_code(*, user, code: str) -> Site:
    site = site_list(user=user).filter(code=code).first() or site_list(user=user).filter(name=code).first()
    if site is None:
        raise NotFound(_("院区“%(code)s”不存在或无权访问") % {"code": code})
    return site


def department_list(*, user) -> QuerySet[Department]:
    return scope_for(user).filter_sites(Department.objects.select_related("site"), "site")


def team_list(*, user) -> QuerySet[Team]:
    return scope_for(user).filter_sites(
        Team.objects.select_related("department__site", "leader"), "department__site"
    )


def staff_list(*, user, site_id: int | None = None) -> QuerySet[Staff]:
    qs = scope_for(user).filter_sites(
        Staff.objects.select_related("department__site", "team", "position", "user"), "department__site"
    )
    if site_id is not None:
        qs = qs.filter(department__site_id=site_id)
    return qs


def org_tree(*, user) -> list[Site]:
    """Sites → departments (with liaison) → teams → staff, in four queries whatever the size."""
    staff_qs = Staff.objects.filter(is_active=True).select_related("position", "team").order_by("name")
    departments = Department.objects.select_related("manager").prefetch_related(
        Prefetch("teams", queryset=Team.objects.select_related("leader").order_by("name")),
        Prefetch("staff", queryset=staff_qs, to_attr="active_staff"),
        Prefetch("liaison", queryset=Liaison.objects.select_related("staff")),
    )
    return list(site_list(user=user).prefetch_related(Prefetch("departments", queryset=departments)))


def site_by_code_or_name(value: str) -> Site:
    """The site an operator named on the command line (`--site`): by code, else by name; unscoped
    (commands run as the operator). NotFound lists the sites there are. Every command's `--site`
    goes through here, so each accepts the same spellings."""
    text = str(value).strip()
    site = Site.objects.filter(code=text).first() or Site.objects.filter(name=text).first()
    if site is None:
        known = _("、").join(
            _("%(code)s（%(name)s）") % {"code": code, "name": name}
            for code, name in Site.objects.order_by("code").values_list("code", "name")
        )
        raise NotFound(
            _("院区“%(text)s”不存在，可选：%(value)s") % {"text": text, "value": known or _("（尚无院区）")},
            log_message=f"unknown site {text!r}",
        )
    return site
