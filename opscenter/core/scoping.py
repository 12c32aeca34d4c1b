"""What a user may see and change: resolved once per request into a Scope, applied in selectors.

The Scope is plain data so that `core` stays free of imports from our other apps; `org` builds
it from the user's Staff record and roles (`org.selectors.scope_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opscenter.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    staff_id: int | None = None
    all_sites: bool = False  # read across every site (executive, superuser)
    site_ids: frozenset[int] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    own_only: bool = False  # consultants: only customers they own
    roles: frozenset[str] = field(default_factory=frozenset)
    perms: frozenset[str] = field(default_factory=frozenset)
    is_superuser: bool = False

    def can(self, perm: str) -> bool:
        """`perm` as Django writes it: "pipeline.change_customer"."""
        return self.is_superuser or perm in self.perms

    def require(self, perm: str) -> None:
        if not self.can(perm):
            raise PermissionDenied(_("您没有执行此操作的权限"), log_message=f"missing permission {perm}")

    def sees_site(self, site_id: int | None) -> bool:
        return self.is_superuser or self.all_sites or (site_id is not None and site_id in self.site_ids)

    def writes_site(self, site_id: int | None) -> bool:
        """Writing needs the site to be one's own: all-site readers (executives) do not write elsewhere."""
        return self.is_superuser or (site_id is not None and site_id in self.site_ids)

    def require_site(self, site_id: int | None, *, write: bool = False) -> None:
        allowed = self.writes_site(site_id) if write else self.sees_site(site_id)
        if not allowed:
            raise PermissionDenied(
                _("该记录不属于您可访问的院区"), log_message=f"site {site_id} out of scope"
            )

    def filter_sites(self, qs: QuerySet, site_field: str = "site") -> QuerySet:
        if self.is_superuser or self.all_sites:
            return qs
        return qs.filter(**{f"{site_field}__in": self.site_ids})

    def filter_owned(self, qs: QuerySet, *, site_field: str = "site", owner_field: str = "owner") -> QuerySet:
        """Site scoping plus, for consultants, only what they own."""
        qs = self.filter_sites(qs, site_field)
        if self.own_only and not self.is_superuser:
            qs = qs.filter(Q(**{owner_field: self.staff_id})) if self.staff_id else qs.none()
        return qs
