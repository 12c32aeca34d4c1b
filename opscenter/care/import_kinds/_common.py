"""What the care import kinds share: the choice synonyms (`aliases.py`), and the resident (stay)
of a customer on a day, looked up for a whole batch in one query."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.care.import_kinds.aliases import (  # noqa: F401  (re-exported for the kinds)
    INCIDENT_KIND_ALIASES,
    RISK_KIND_ALIASES,
    RISK_LEVEL_ALIASES,
    SEVERITY_ALIASES,
    STAY_TYPE_ALIASES,
)
from opscenter.care.models import Residency
from opscenter.imports.engine import ImportContext, ParsedRow


def resolve_stays(batch: list[ParsedRow], ctx: ImportContext, *, day_field: str) -> None:
    """`row.values["residency_id"]` (and `extra["residency"]`): the customer's stay at the site on
    the row's day, from one query for the batch; a row whose customer has no stay that day is an
    error naming the stays there are."""
    ids = {r.values["customer_id"] for r in batch if r.values.get("customer_id")}
    stays: dict[int, list[Residency]] = {}
    for stay in Residency.objects.filter(site_id=ctx.site_id, customer_id__in=ids).order_by("started_on"):
        stays.setdefault(stay.customer_id, []).append(stay)
    for row in batch:
        if not row.ok or not row.values.get("customer_id"):
            continue
        day = row.values[day_field]
        day = timezone.localtime(day).date() if isinstance(day, dt.datetime) else day
        own = stays.get(row.values["customer_id"], [])
        found = next(
            (s for s in own if s.started_on <= day and (s.ended_on is None or day < s.ended_on)), None
        )
        if found is None:
            periods = _("、").join(
                _("%(start)s–%(end)s") % {"start": s.started_on, "end": s.ended_on or _("至今")} for s in own
            )
            row.error(
                day_field,
                _("该长者在 %(day)s 不在住（入住记录：%(periods)s），请先导入入住长者")
                % {"day": day, "periods": periods or _("无")},
            )
            continue
        row.values["residency_id"] = found.pk
        row.extra["residency"] = found
