"""Exact undo of what an import changed in rows it did not create (`ImportChange`).

Kinds call `record_changes` in bulk while writing (the fields an update touched, a first-contact
date moved earlier, a status moved on, a staff row created). Undo merges the entries of a row
(the first `before` and the last `after` of each field), refuses when the row's current values are
no longer the `after` values — someone changed it since, so putting `before` back would lose their
edit — and otherwise writes `before` back with one executemany per set of columns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from opscenter.imports.bulk import insert_rows, update_rows
from opscenter.imports.models import ImportChange


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def record_changes(
    job_id: int | None,
    model: type[models.Model],
    entries: Iterable[tuple[int, dict[str, Any], dict[str, Any]]],
    *,
    created: bool = False,
) -> int:
    """Store (object id, before, after) for each changed row; nothing without a job (dry runs)."""
    if job_id is None:
        return 0
    label = _label(model)
    rows = [
        (
            job_id,
            label,
            pk,
            created,
            {k: _jsonable(v) for k, v in before.items()},
            {k: _jsonable(v) for k, v in after.items()},
        )
        for pk, before, after in entries
    ]
    return insert_rows(ImportChange, ("job_id", "model", "object_id", "created", "before", "after"), rows)


def created_ids(job_id: int, model: type[models.Model]) -> list[int]:
    return list(
        ImportChange.objects.filter(job_id=job_id, model=_label(model), created=True).values_list(
            "object_id", flat=True
        )
    )


def _merged(job_id: int) -> dict[str, dict[int, tuple[dict, dict]]]:
    """model label → object id → (first before, last after) per field, over the job's updates."""
    merged: dict[str, dict[int, tuple[dict, dict]]] = defaultdict(dict)
    entries = ImportChange.objects.filter(job_id=job_id, created=False).order_by("id")
    for label, pk, before, after in entries.values_list("model", "object_id", "before", "after").iterator():
        first, last = merged[label].setdefault(pk, ({}, {}))
        for name, value in before.items():
            first.setdefault(name, value)
        last.update(after)
    return merged


def _python(model: type[models.Model], name: str, value: Any) -> Any:
    return model._meta.get_field(name).to_python(value) if value is not None else None


def _current(model, pks: list[int], fields: set[str]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(pks), 5000):
        chunk = pks[start : start + 5000]
        for row in model._default_manager.filter(pk__in=chunk).values("pk", *sorted(fields)):
            out[row.pop("pk")] = {k: _jsonable(v) for k, v in row.items()}
    return out


def change_blockers(job_id: int) -> list[str]:
    """Rows this job changed that were changed again since (or deleted): undo would not be exact."""
    blockers = []
    for label, objects in _merged(job_id).items():
        model = apps.get_model(label)
        fields = {name for _before, after in objects.values() for name in after}
        current = _current(model, list(objects), fields)
        stale = sum(
            1
            for pk, (_before, after) in objects.items()
            if pk not in current or any(current[pk].get(k) != v for k, v in after.items())
        )
        if stale:
            blockers.append(
                _("%(stale)s 条%(verbose_name)s在本次导入后又被修改或删除，无法精确恢复导入前的内容")
                % {"stale": stale, "verbose_name": model._meta.verbose_name}
            )
    return blockers


def undo_changes(job_id: int) -> dict[str, list[int]]:
    """Write the `before` values back (call after `change_blockers` came back empty).
    Returns model label → ids restored, for the kinds' follow-up updates."""
    restored: dict[str, list[int]] = {}
    for label, objects in _merged(job_id).items():
        model = apps.get_model(label)
        by_columns: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
        for pk, (before, _after) in objects.items():
            columns = tuple(sorted(before))
            by_columns[columns].append((*(_python(model, c, before[c]) for c in columns), pk))
        for columns, rows in by_columns.items():
            attnames = [model._meta.get_field(c).attname for c in columns]
            update_rows(model, attnames, rows)
        restored[label] = sorted(objects)
    return restored
