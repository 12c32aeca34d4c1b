"""Members' part of a staff hand-over (pipeline.services.handover): open care tasks follow the
customer to whoever takes it over."""

from __future__ import annotations

from opscenter.core import audit
from opscenter.members.choices import CareTaskStatus
from opscenter.members.models import CareTask


def care_tasks_hand_over(*, leaver, receiver_of, message: str) -> dict[str, int]:
    tasks = list(CareTask.objects.filter(assignee=leaver, status=CareTaskStatus.OPEN))
    for task in tasks:
        task.assignee = receiver_of(task.customer_id)
    CareTask.objects.bulk_update(tasks, ["assignee"], batch_size=500)
    audit.record_events(tasks, message, {t.pk: {"assignee_id": [leaver.pk, t.assignee_id]} for t in tasks})
    return {"care_tasks": len(tasks)}
