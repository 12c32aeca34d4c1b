"""Audit trail: every create/update/delete of a registered model is written as an AuditEntry.

Signals are used here only for bookkeeping, as STYLE.md allows. The acting user and the channel
(web / api / cli / task / import) come from a context variable set by middleware, the API auth,
management commands (`audit_context`) and tasks. Bulk writes (imports) bypass signals on purpose
and record one event for the whole job instead.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

_REGISTRY: dict[type[models.Model], frozenset[str]] = {}
_INTERNAL: dict[type[models.Model], frozenset[str]] = {}


@dataclass(frozen=True)
class Actor:
    user: Any | None
    source: str
    label: str = ""


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


@contextlib.contextmanager
def audit_context(user: Any | None, source: str, label: str = "") -> Iterator[None]:
    """Attribute changes made inside the block to `user` via `source` (cli, task, import …)."""
    token = _current.set(Actor(user=user, source=source, label=label))
    try:
        yield
    finally:
        _current.reset(token)


def current_actor() -> Actor | None:
    return _current.get()


def as_actor(func):
    """Service decorator: attribute audited writes to the service's `actor` keyword argument.

    The channel (web / api / cli …) is kept from the surrounding context, so a service called
    from a view is recorded as "web" by the user named in `actor`.

    Every service is `@as_actor` over `@transaction.atomic`, so this is also where a service that
    lost a race with a concurrent writer (deadlock, serialization failure) is run again as a whole
    (`core.db.retrying`; only when no outer transaction encloses it).
    """
    from opscenter.core.db import retrying

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        actor = kwargs.get("actor")
        outer = _current.get()
        if actor is None or (outer is not None and outer.user is actor):
            return retrying(func, *args, **kwargs)
        token = _current.set(Actor(user=actor, source=outer.source if outer else "system"))
        try:
            return retrying(func, *args, **kwargs)
        finally:
            _current.reset(token)

    return wrapper


def register(*, exclude: tuple[str, ...] = (), internal: tuple[str, ...] = ()):
    """Class decorator: audit this model. `exclude` names fields not worth recording; `internal`
    names fields recorded but kept out of the readable history (denormalized copies)."""

    def wrap(model: type[models.Model]) -> type[models.Model]:
        _REGISTRY[model] = frozenset(exclude)
        _INTERNAL[model] = frozenset(internal)
        return model

    return wrap


def internal_fields(model: type[models.Model]) -> frozenset[str]:
    """Fields of `model` recorded in the trail but hidden from the readable history."""
    return _INTERNAL.get(model, frozenset())


def is_audited(model: type[models.Model]) -> bool:
    return model in _REGISTRY


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Concrete field values as JSON-safe plain values (foreign keys by id)."""
    excluded = _REGISTRY.get(type(instance), frozenset())
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in excluded:
            continue
        data[field.attname] = _plain(field.value_from_object(instance))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def write_entry(
    instance: models.Model, action: str, changes: dict[str, list[Any]], message: str = ""
) -> None:
    from opscenter.core.models import AuditEntry

    actor = current_actor()
    user = actor.user if actor and actor.user is not None and getattr(actor.user, "pk", None) else None
    # Stored as data; the history screen shows "系统" translated (core.history).
    label = (actor.label if actor and actor.label else "") or (str(user) if user else "系统")  # i18n: data
    AuditEntry.objects.create(
        actor=user,
        actor_label=label[:150],
        source=actor.source if actor else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
        message=message[:500],
    )


def record_event(instance: models.Model, message: str, changes: dict[str, list[Any]] | None = None) -> None:
    """A business event on a record that is not a plain field change (e.g. an import, a reassignment)."""
    write_entry(instance, "event", changes or {}, message)


def record_events(
    instances: list[models.Model], message: str, changes: dict[int, dict[str, list[Any]]] | None = None
) -> None:
    """`record_event` for many records of one model in one INSERT (a bulk business step such as a
    staff hand-over): one entry per record, `changes` by primary key."""
    from opscenter.core.models import AuditEntry

    if not instances:
        return
    actor = current_actor()
    user = actor.user if actor and actor.user is not None and getattr(actor.user, "pk", None) else None
    label = (actor.label if actor and actor.label else "") or (
        str(user) if user else "系统"
    )  # i18n: data (stored as the audit entry's actor label)
    content_type = ContentType.objects.get_for_model(type(instances[0]), for_concrete_model=False)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=user,
                actor_label=label[:150],
                source=actor.source if actor else "system",
                action="event",
                content_type=content_type,
                object_id=str(instance.pk),
                object_repr=str(instance)[:200],
                changes=(changes or {}).get(instance.pk, {}),
                message=message[:500],
            )
            for instance in instances
        ],
        batch_size=500,
    )


def _pre_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or sender not in _REGISTRY:
        return
    instance._audit_before = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._base_manager.filter(pk=instance.pk).first()
        instance._audit_before = snapshot(old) if old is not None else None


def _post_save(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or sender not in _REGISTRY:
        return
    after = snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        write_entry(instance, "create", {k: [None, v] for k, v in after.items() if v not in (None, "")})
    else:
        changes = diff(before, after)
        if changes:
            write_entry(instance, "update", changes)
    instance._audit_before = after


def _post_delete(sender, instance, **kwargs) -> None:
    if sender not in _REGISTRY:
        return
    write_entry(
        instance, "delete", {k: [v, None] for k, v in snapshot(instance).items() if v not in (None, "")}
    )


def connect_signals() -> None:
    pre_save.connect(_pre_save, dispatch_uid="opscenter_audit_pre_save")
    post_save.connect(_post_save, dispatch_uid="opscenter_audit_post_save")
    post_delete.connect(_post_delete, dispatch_uid="opscenter_audit_post_delete")


def history_for(instance: models.Model):
    """Audit entries of one record, newest first (the record itself was already scoped by the caller)."""
    from opscenter.core.models import AuditEntry

    ct = ContentType.objects.get_for_model(type(instance), for_concrete_model=False)
    return AuditEntry.objects.filter(content_type=ct, object_id=str(instance.pk)).select_related("actor")
