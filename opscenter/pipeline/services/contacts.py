"""Follow-ups completed by contacts another app recorded (a 回访 call of the call center).

The other app never writes the pipeline's tables: it hands its contacts to
`followups_complete_by_contact`, which picks the pending follow-up each one completes, records
outcome and satisfaction as `followup_complete` does (audited, hooks run) and keeps the link back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError
from opscenter.pipeline.choices import FollowUpKind, FollowUpOutcome, Satisfaction
from opscenter.pipeline.models import FollowUp
from opscenter.pipeline.services.hooks import pipeline_event

# A contact completes a follow-up planned up to this many days after it (a call a little early
# still is the planned follow-up); overdue follow-ups are always matched.
MATCH_DAYS_AHEAD = 7


@dataclass(frozen=True)
class FollowUpContact:
    """One recorded contact with a customer. `key` is the caller's own reference (a call id)."""

    key: Any
    customer_id: int
    on: dt.date
    outcome: str
    satisfaction: int | None = None
    note: str = ""
    via: str = ""  # what people read: "来电 20261207-00012"
    via_url: str = ""  # the record's page


def _check(contact: FollowUpContact) -> None:
    if contact.outcome not in FollowUpOutcome.values or contact.outcome == FollowUpOutcome.PENDING:
        raise ValidationError(_("回访结果不正确：%(key)s") % {"key": contact.key}, field="outcome")
    if contact.satisfaction is not None and contact.satisfaction not in Satisfaction.values:
        raise ValidationError(_("满意度不正确：%(key)s") % {"key": contact.key}, field="satisfaction")
    if contact.outcome == FollowUpOutcome.REACHED and contact.satisfaction is None:
        raise ValidationError(_("已回访请选择满意度：%(key)s") % {"key": contact.key}, field="satisfaction")


@transaction.atomic
def followups_complete_by_contact(*, site_id: int, contacts: list[FollowUpContact]) -> dict[Any, int]:
    """Complete pending care follow-ups of the site's customers from recorded contacts.

    Contacts are taken in date order; each completes the earliest pending care follow-up of its
    customer scheduled on or before its date + `MATCH_DAYS_AHEAD`, each follow-up once. A contact
    whose customer has none is left out (nothing to complete). No actor: the caller checked its own
    permission to record the contact (a telephony feed); customers outside `site_id` never match.
    Returns {contact key: follow-up id}. One query finds the candidates; each completion is saved
    (audited) and announced to the pipeline's hooks like `followup_complete`.
    """
    for contact in contacts:
        _check(contact)
    if not contacts:
        return {}
    pending: dict[int, list[FollowUp]] = {}
    for followup in (
        FollowUp.objects.select_for_update()
        .filter(
            site_id=site_id,
            customer_id__in={c.customer_id for c in contacts},
            done_on__isnull=True,
            outcome=FollowUpOutcome.PENDING,
            kind=FollowUpKind.CARE,
        )
        .order_by("customer_id", "scheduled_on", "pk")
    ):
        pending.setdefault(followup.customer_id, []).append(followup)
    done: dict[Any, int] = {}
    for contact in sorted(contacts, key=lambda c: (c.on, str(c.key))):
        queue = pending.get(contact.customer_id, [])
        limit = contact.on + dt.timedelta(days=MATCH_DAYS_AHEAD)
        followup = next((f for f in queue if f.scheduled_on <= limit), None)
        if followup is None:
            continue
        queue.remove(followup)
        followup.done_on, followup.outcome = contact.on, contact.outcome
        followup.satisfaction = contact.satisfaction
        followup.done_via, followup.done_via_url = contact.via[:120], contact.via_url[:300]
        if contact.note:
            followup.note = f"{followup.note}\n{contact.note}".strip()
        followup.save(
            update_fields=["done_on", "outcome", "satisfaction", "note", "done_via", "done_via_url"]
        )
        pipeline_event("followup", followup)
        done[contact.key] = followup.pk
    return done
