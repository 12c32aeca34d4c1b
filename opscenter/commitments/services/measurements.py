"""Recording process instances: events in, stage moments and statuses out, breaches attributed.

`measurement_record` is the one entry: the app's own services (complaints, work orders), the
pipeline sync, the import and the API all call it with the events they know. Recording is
idempotent: an event already recorded keeps its first moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opscenter.commitments import timing
from opscenter.commitments.choices import Event, StageStatus, TreeStatus
from opscenter.commitments.models import Commitment, CommitmentTree, Measurement, StageMeasurement
from opscenter.core.businesstime import WorkCalendar
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import ValidationError


def rule_of(commitment: Commitment) -> timing.Rule:
    return timing.Rule(commitment.allowance_minutes, commitment.warning_pct, commitment.allowance_kind)


def _parse_events(events: Mapping[str, dt.datetime | str]) -> dict[str, dt.datetime]:
    out: dict[str, dt.datetime] = {}
    for code, value in events.items():
        if code not in Event.values:
            raise ValidationError(
                _("未知的事件：%(code)s") % {"code": code},
                field="events",
                log_message=f"unknown event {code!r}",
            )
        if value in (None, ""):
            continue
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
            raise ValidationError(
                _("事件「%(label)s」的时间缺少时区") % {"label": Event(code).label}, field="events"
            )
        out[code] = moment
    return out


def check_order(commitments: list[Commitment], events: Mapping[str, dt.datetime]) -> None:
    """Reject a stage whose end is before its start, naming the stage and both moments."""
    for c in commitments:
        start, end = events.get(c.start_event), events.get(c.end_event)
        if start is not None and end is not None and end < start:
            raise ValidationError(
                _("「%(name)s」的结束时间（%(label)s %(end)s）早于开始时间（%(label2)s %(start)s）")
                % {
                    "name": c.name,
                    "label": Event(c.end_event).label,
                    "end": format(end, "%Y-%m-%d %H:%M"),
                    "label2": Event(c.start_event).label,
                    "start": format(start, "%Y-%m-%d %H:%M"),
                },
                field="events",
                log_message=f"stage {c.pk} ends before it starts",
            )


def attribution_text(
    root: StageMeasurement,
    children: list[tuple[Commitment, int | Decimal]],
    root_overrun: int,
    commitment: Commitment | None = None,
) -> str:
    """ "一级承诺超时 5.5 小时：二级「发货等待」超出 6 小时". A child measured as a value comes with
    its measured value instead of minutes ("二级「送达温度」实测 9.5℃，界限 ≤ 8℃"); a root measured
    as a value (`commitment`) heads with its own value."""
    level_names = {1: _("一级"), 2: _("二级"), 3: _("三级")}
    if commitment is not None and commitment.is_value and root.measured_value is not None:
        head = _("%(level_names)s承诺未达标：实测 %(value)s，界限 %(bound)s") % {
            "level_names": level_names[root.level],
            "value": value_text(root.measured_value, commitment),
            "bound": commitment.bound_text,
        }
    else:
        head = _("%(level_names)s承诺超时 %(hours_text)s 小时") % {
            "level_names": level_names[root.level],
            "hours_text": timing.hours_text(root_overrun),
        }
    if not children:
        return _("%(head)s：各下级环节均未超时") % {"head": head}
    pieces = []
    for c, amount in children:
        if c.is_value:
            pieces.append(
                _("%(level_names)s「%(name)s」实测 %(value)s，界限 %(bound)s")
                % {
                    "level_names": level_names[c.level],
                    "name": c.name,
                    "value": value_text(amount, c),
                    "bound": c.bound_text,
                }
            )
        else:
            pieces.append(
                _("%(level_names)s「%(name)s」超出 %(hours_text)s 小时")
                % {
                    "level_names": level_names[c.level],
                    "name": c.name,
                    "hours_text": timing.hours_text(amount),
                }
            )
    return _("%(head)s：%(parts)s") % {"head": head, "parts": _("；").join(pieces)}


def value_text(value: Decimal, commitment: Commitment) -> str:
    """9.5000 → "9.5℃": a measured value with the commitment's unit."""
    return f"{Decimal(value).normalize():f}{commitment.value_unit}"


def _parse_values(values: Mapping[str, Decimal | str | int] | None) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for key, raw in (values or {}).items():
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or abs(value) >= 10**10:
            raise ValidationError(
                _("测量值「%(key)s」不是数字：%(raw)s") % {"key": key, "raw": raw},
                field="values",
                log_message=f"bad value {key!r}",
            )
        out[str(key)] = value
    return out


@transaction.atomic
def measurement_record(
    *,
    tree: CommitmentTree,
    subject_kind: str,
    subject_ref: str,
    events: Mapping[str, dt.datetime | str],
    label: str = "",
    department_id: int | None = None,
    import_job_id: int | None = None,
    calendar: WorkCalendar | None = None,
    now: dt.datetime | None = None,
    commitments: list[Commitment] | None = None,
    values: Mapping[str, Decimal | str | int] | None = None,
    staff_id: int | None = None,
) -> Measurement:
    """Record `events` of one instance of `tree` and update its stages (see module docstring).
    Callers recording many instances pass the tree's `commitments` and the site `calendar` once."""
    if tree.status == TreeStatus.DRAFT:
        raise ValidationError(_("承诺体系「%(name)s」尚未生效") % {"name": tree.name}, field="tree")
    parsed = _parse_events(events)
    parsed_values = _parse_values(values)
    commitments = commitments if commitments is not None else list(tree.commitments.all())
    root = next(c for c in commitments if c.level == 1)
    measurement = (
        Measurement.objects.select_for_update()
        .filter(tree=tree, subject_kind=subject_kind, subject_ref=str(subject_ref))
        .first()
    )
    known = {
        code: dt.datetime.fromisoformat(v) for code, v in (measurement.events if measurement else {}).items()
    }
    merged = {**parsed, **known}  # first moment recorded wins
    known_values = {k: Decimal(v) for k, v in (measurement.values if measurement else {}).items()}
    merged_values = {**parsed_values, **known_values}  # likewise the first value
    check_order(commitments, merged)
    if measurement is None:
        if root.start_event not in merged:
            raise ValidationError(
                _("缺少一级承诺的起始事件「%(label)s」") % {"label": Event(root.start_event).label},
                field="events",
            )
        measurement = Measurement.objects.create(
            tree=tree,
            site_id=tree.site_id,
            subject_kind=subject_kind,
            subject_ref=str(subject_ref),
            label=label,
            department_id=department_id,
            staff_id=staff_id,
            import_job_id=import_job_id,
            started_at=merged[root.start_event],
        )
    elif merged == known and merged_values == known_values:
        return measurement
    if staff_id is not None:
        measurement.staff_id = staff_id
    measurement.events = {code: moment.isoformat() for code, moment in merged.items()}
    measurement.values = {key: str(value) for key, value in merged_values.items()}
    calendar = calendar or work_calendar_for(tree.site.calendar)
    _update_stages(measurement, commitments, merged, calendar, now, merged_values)
    return measurement


def _update_stages(
    measurement: Measurement,
    commitments: list[Commitment],
    events: dict[str, dt.datetime],
    calendar: WorkCalendar,
    now: dt.datetime | None,
    values: dict[str, Decimal],
) -> None:
    stages = {s.commitment_id: s for s in measurement.stages.all()}
    by_id = {c.pk: c for c in commitments}
    for c in sorted(commitments, key=lambda c: c.level):
        stage = stages.get(c.pk)
        start = events.get(c.start_event)
        if stage is None:
            if start is None:
                continue
            parent = stages.get(c.parent_id) if c.parent_id else None
            stage = StageMeasurement(
                measurement=measurement,
                commitment=c,
                parent=parent,
                site_id=measurement.site_id,
                department_id=c.department_id or measurement.department_id,
                level=c.level,
            )
        if c.is_value:
            _update_value_stage(stage, c, start, events.get(c.end_event), values.get(c.value_key))
            stages[c.pk] = stage
            continue
        rule = rule_of(c)
        if stage.started_at is None and start is not None:
            stage.started_at = start
            stage.warn_at, stage.due_at = timing.deadlines(start, rule, calendar)
        end = events.get(c.end_event)
        if stage.started_at is not None and stage.ended_at is None and end is not None:
            stage.ended_at = end
            stage.status, stage.overrun_minutes = timing.closed_status(stage.started_at, end, rule, calendar)
        elif stage.ended_at is None and now is not None and stage.due_at is not None:
            # Recorded late (import, demo): classify as the monitor would have at `now`.
            status = timing.open_status(now, stage.warn_at, stage.due_at)
            if status != stage.status:
                stage.status = status
                if status == StageStatus.BREACHED:
                    stage.breached_at = stage.due_at
                elif status == StageStatus.WARNING:
                    stage.warned_at = stage.warn_at
        stage.save()
        stages[c.pk] = stage
    for stage in stages.values():
        if stage.status == StageStatus.BREACHED and stage.ended_at is not None:
            kids = [
                (
                    by_id[s.commitment_id],
                    s.measured_value if by_id[s.commitment_id].is_value else s.overrun_minutes,
                )
                for s in stages.values()
                if by_id[s.commitment_id].parent_id == stage.commitment_id
                and _overran(s, by_id[s.commitment_id])
            ]
            stage.attribution = attribution_text(
                stage, kids, stage.overrun_minutes, commitment=by_id[stage.commitment_id]
            )
            StageMeasurement.objects.filter(pk=stage.pk).update(attribution=stage.attribution)
    root = next(s for s in stages.values() if s.level == 1)
    measurement.status = root.status
    measurement.ended_at = root.ended_at
    measurement.save()


def _overran(stage: StageMeasurement, commitment: Commitment) -> bool:
    if commitment.is_value:
        return stage.status == StageStatus.BREACHED and stage.measured_value is not None
    return stage.overrun_minutes > 0


def _update_value_stage(
    stage: StageMeasurement,
    c: Commitment,
    start: dt.datetime | None,
    end: dt.datetime | None,
    value: Decimal | None,
) -> None:
    """A value commitment's stage: it runs from its start event and closes at its end event once
    the value is known, kept or breached by the bound. It has no due moment: the monitor's
    time-based passes never touch it."""
    if stage.started_at is None and start is not None:
        stage.started_at = start
    if stage.started_at is not None and stage.ended_at is None and end is not None and value is not None:
        stage.ended_at = end
        stage.measured_value = value
        stage.status, _excess = timing.value_status(value, c.value_comparison, c.value_bound)
    stage.save()


def events_for_subject(
    *,
    subject_kind: str,
    subject_ref: str,
    site_id: int,
    events: Mapping[str, dt.datetime],
    department_id: int | None = None,
) -> int:
    """Record `events` into every tree version of the site that already measures this subject (even
    one retired since: an instance stays under the version it started in) and every active tree
    whose level-1 stage starts with one of them; returns how many instances were touched. Used by
    the app's own services (complaint received, work order dispatched/resolved, complaint answered)."""
    touched = 0
    codes = set(events)
    measured = Measurement.objects.filter(
        site_id=site_id, subject_kind=subject_kind, subject_ref=str(subject_ref)
    )
    active = CommitmentTree.objects.filter(site_id=site_id, status=TreeStatus.ACTIVE).exclude(
        family__in=measured.values("tree__family")
    )
    trees = CommitmentTree.objects.filter(
        Q(pk__in=measured.values("tree_id")) | Q(pk__in=active.values("pk"))
    )
    for tree in trees.select_related("site__calendar").prefetch_related("commitments"):
        relevant = {c.start_event for c in tree.commitments.all()} | {
            c.end_event for c in tree.commitments.all()
        }
        if not codes & relevant:
            continue
        root = next(c for c in tree.commitments.all() if c.level == 1)
        exists = Measurement.objects.filter(
            tree=tree, subject_kind=subject_kind, subject_ref=str(subject_ref)
        ).exists()
        if not exists and root.start_event not in codes:
            continue
        measurement_record(
            tree=tree,
            subject_kind=subject_kind,
            subject_ref=subject_ref,
            events={k: v for k, v in events.items() if k in relevant},
            department_id=department_id,
        )
        touched += 1
    return touched
