"""Object graphs for the workday tests: the marketing department of site A with the seed set."""

from __future__ import annotations

import datetime as dt

from opscenter.core.testing import make_department
from opscenter.workday.choices import FieldKind, ScheduleKind
from opscenter.workday.services import template_create


def marketing_setup(personas):
    """Site A's marketing department headed by `marketing_a`; returns (department, head staff)."""
    department = make_department(personas.site_a, "marketing")
    head = personas.marketing_a.staff
    department.manager = head
    department.save(update_fields=["manager"])
    return department, head


def summary_template(personas, *, today=dt.date(2026, 10, 1), **overrides):
    department, _head = marketing_setup(personas)
    kwargs = {
        "actor": personas.ops_a,
        "site": personas.site_a,
        "name": "当日工作总结",
        "schedule_kind": ScheduleKind.DAILY,
        "due_time": dt.time(16, 30),
        "fields": [
            {"key": "visits", "label": "拜访数", "kind": FieldKind.NUMBER, "required": True},
            {"key": "notes", "label": "竞品动态", "kind": FieldKind.TEXT, "required": False},
        ],
        "departments": [department],
        "today": today,
    }
    kwargs.update(overrides)
    return template_create(**kwargs)
