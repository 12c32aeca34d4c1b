"""The follow-ups due page: open follow-ups due today or overdue, grouped by who is to call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opscenter.pipeline import selectors


@dataclass
class DueGroup:
    """One consultant's open follow-ups: overdue first, then today's."""

    staff_name: str
    overdue: list = field(default_factory=list)
    today: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today)


def followups_due(
    *, user, today: dt.date, site_id: int | None = None, staff_id: int | None = None
) -> list[DueGroup]:
    """Open follow-ups scheduled today or earlier, grouped by who is to call (one query)."""
    qs = selectors.followup_list(user=user, due_by=today, done=False, site_id=site_id)
    if staff_id is not None:
        qs = qs.filter(staff_id=staff_id)
    qs = qs.select_related("customer__owner", "staff").order_by(
        "staff__name", "staff_id", "scheduled_on", "pk"
    )
    groups: dict[int | None, DueGroup] = {}
    for followup in qs:
        group = groups.setdefault(
            followup.staff_id,
            DueGroup(staff_name=followup.staff.name if followup.staff_id else _("未指定回访人")),
        )
        (group.overdue if followup.scheduled_on < today else group.today).append(followup)
    return list(groups.values())
