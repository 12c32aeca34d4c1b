"""Units of a plan (site → department → team → staff) and the funnel filters that measure each."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.selectors import FunnelFilters
from opscenter.targets.choices import UnitKind

# Parents before children: the order of the tree, of `plan_units` and of copying a plan.
UNIT_DEPTH = {UnitKind.SITE: 0, UnitKind.DEPARTMENT: 1, UnitKind.TEAM: 2, UnitKind.STAFF: 3}


@dataclass(frozen=True)
class Unit:
    """A site, a department, a team or a staff member a target is allocated to. `team_id` of a
    staff unit is their team (for the manager and the tree)."""

    kind: str
    pk: int | None
    label: str
    team_id: int | None = None

    @property
    def key(self) -> str:
        return self.kind if self.kind == UnitKind.SITE else f"{self.kind}:{self.pk}"

    @property
    def kind_label(self) -> str:
        return UnitKind(self.kind).label

    def filters(
        self, site_id: int, month_from: int, month_to: int, view: str = FunnelView.EVENT
    ) -> FunnelFilters:
        """The funnel filters whose numbers are this unit's: its site, plus its department, team
        or consultant."""
        return FunnelFilters(
            month_from=month_from,
            month_to=month_to,
            view=view,
            site_id=site_id,
            department_id=self.pk if self.kind == UnitKind.DEPARTMENT else None,
            team_id=self.pk if self.kind == UnitKind.TEAM else None,
            consultant_id=self.pk if self.kind == UnitKind.STAFF else None,
        )


def unit_of(allocation) -> Unit:
    """The Unit of an allocation (department / team / staff selected with it)."""
    if allocation.unit_kind == UnitKind.DEPARTMENT:
        return Unit(UnitKind.DEPARTMENT, allocation.department_id, allocation.department.name)
    if allocation.unit_kind == UnitKind.TEAM:
        return Unit(UnitKind.TEAM, allocation.team_id, allocation.team.name)
    if allocation.unit_kind == UnitKind.STAFF:
        return Unit(UnitKind.STAFF, allocation.staff_id, allocation.staff.name, allocation.staff.team_id)
    return Unit(UnitKind.SITE, None, _("全院区"))


def parse_unit_key(key: str) -> tuple[str, int | None]:
    from opscenter.core.exceptions import ValidationError

    if key == UnitKind.SITE:
        return UnitKind.SITE, None
    kind, _sep, raw = str(key).partition(":")
    if kind not in (UnitKind.DEPARTMENT, UnitKind.TEAM, UnitKind.STAFF) or not raw.isdigit():
        raise ValidationError(_("分解单位“%(key)s”不正确") % {"key": key}, field="unit")
    return kind, int(raw)
