"""The history tab people can read: audit entries turned into labelled, named, local-time changes.

Works for every audited model from its field metadata alone, so a new app's history reads well
without code of its own:

- a change is labelled with the field's `verbose_name` (translated), never its column name;
- choices show their label, booleans 是/否, money fields (`*_fen`) in yuan, datetimes in local
  time (Asia/Shanghai), JSON lists joined;
- foreign keys show the related record by name. All related ids of a page are resolved together,
  one query per related model (not per entry), deleted records still by name (base manager);
- internal columns are hidden: the primary key, non-editable and auto-stamped fields, the
  bookkeeping columns in `INTERNAL_FIELDS`, and what a model names in
  `audit.register(internal=…)` (denormalized copies). A soft delete (`is_deleted` turning true)
  reads as a deletion, its undo as a restore.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from opscenter.core import audit
from opscenter.core.models import AuditEntry

# Bookkeeping columns no reader of a record's history cares about.
INTERNAL_FIELDS = frozenset(
    {"is_deleted", "deleted_at", "import_job_id", "created_at", "updated_at", "created_by"}
)
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryRow:
    entry: AuditEntry
    action: str
    source: str
    actor: str
    message: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def at(self) -> dt.datetime:
        return self.entry.at


def _source_label(source: str) -> str:
    labels = {
        "web": _("网页"),
        "api": _("API"),
        "cli": _("命令行"),
        "task": _("后台任务"),
        "import": _("导入"),
        "system": _("系统"),
    }
    return labels.get(source, source)


def _fields_by_attname(model: type[models.Model] | None) -> dict[str, models.Field]:
    if model is None:
        return {}
    return {f.attname: f for f in model._meta.concrete_fields}


def is_internal(model: type[models.Model], f: models.Field) -> bool:
    """Whether a column stays out of the readable history (see the module docstring)."""
    return (
        f.primary_key
        or not f.editable
        or getattr(f, "auto_now", False)
        or getattr(f, "auto_now_add", False)
        or f.name in INTERNAL_FIELDS
        or f.name in audit.internal_fields(model)
    )


def _related_names(entries: list[AuditEntry]) -> dict[type[models.Model], dict[str, str]]:
    """All foreign-key values on the page by related model, resolved in one query per model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        fields = _fields_by_attname(model)
        for attname, values in entry.changes.items():
            f = fields.get(attname)
            if f is None or not (f.many_to_one or f.one_to_one) or is_internal(model, f):
                continue
            wanted[f.related_model].update(v for v in values if v not in (None, ""))
    names: dict[type[models.Model], dict[str, str]] = {}
    for model, ids in wanted.items():
        # select_related(): names built from a parent (a department "院区 · 部门") cost no query each
        rows = model._base_manager.filter(pk__in=ids).select_related()
        names[model] = {str(obj.pk): str(obj) for obj in rows}
    return names


def _local(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def _format(f: models.Field | None, value: Any, names: dict[type[models.Model], dict[str, str]]) -> str:
    if value is None or value == "":
        return EMPTY
    if f is None:
        return str(value)
    if f.is_relation and f.related_model is not None:
        name = names.get(f.related_model, {}).get(str(value))
        return name if name is not None else _("#%(id)s（已不存在）") % {"id": value}
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(f, models.DateTimeField):
        return _local(str(value))
    if isinstance(f, models.IntegerField) and f.name.endswith("_fen") and isinstance(value, int):
        return "¥" + formats.number_format(value / 100, decimal_pos=2, force_grouping=True)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or EMPTY
    return str(value)


def _action_label(entry: AuditEntry) -> str:
    deleted = entry.changes.get("is_deleted")
    if entry.action == AuditEntry.Action.UPDATE and deleted:
        return pgettext("audit action", "删除") if deleted[1] else pgettext("audit action", "恢复")
    return entry.get_action_display()


def readable(entries: Iterable[AuditEntry]) -> list[HistoryRow]:
    """Audit entries (one page of them) as rows of labelled changes, for any audited model."""
    entries = list(entries)
    names = _related_names(entries)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        fields = _fields_by_attname(model)
        changes = []
        for attname, values in entry.changes.items():
            f = fields.get(attname)
            if f is not None and is_internal(model, f):
                continue
            before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            label = capfirst(str(f.verbose_name)) if f is not None else attname
            changes.append(
                Change(label=label, before=_format(f, before, names), after=_format(f, after, names))
            )
        actor = entry.actor_label
        if entry.actor_id is None and actor == "系统":  # i18n: data (as audit.write_entry stores it)
            actor = _("系统")
        rows.append(
            HistoryRow(
                entry=entry,
                action=_action_label(entry),
                # Static event messages are stored in Chinese and marked with gettext_noop.
                message=_(entry.message) if entry.message else "",
                source=_source_label(entry.source),
                actor=actor,
                changes=changes,
            )
        )
    return rows


def history_page(instance: models.Model, *, limit: int = 100) -> list[HistoryRow]:
    """The newest `limit` readable entries of one record (already scoped by the caller)."""
    return readable(audit.history_for(instance).select_related("content_type")[:limit])
