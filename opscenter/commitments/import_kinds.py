"""The `measurements` import kind (承诺测量): events of an outside process, one row per instance.

Columns: the commitment code (承诺编码, the tree family), the instance number (对象编号), an
optional description, a moment per event (下单时间, 录单完成时间 …; only the tree's events are
used), and the measured values of value commitments (测量值: "temperature=9.5; intact_rate=0.97"). A row whose stage ends before it starts, or that lacks the level-1 start event of a new
instance, is rejected naming the column. Rows are recorded through `measurement_record` (stage
moments on the site calendar, statuses, breach attribution); undo removes the job's instances.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.commitments.choices import Event, TreeStatus
from opscenter.commitments.models import CommitmentTree, Measurement
from opscenter.commitments.services.measurements import measurement_record
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import ValidationError
from opscenter.imports.engine import CREATE, UNCHANGED, UPDATE, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register

SUBJECT_KIND = "import"


def _event_field(event: Event) -> Field:
    return Field(event.value, f"{event.label}时间", (event.label, event.value), type="datetime")  # i18n: data


@register
class MeasurementImport(ImportKind):
    name = "measurements"
    label_zh = gettext_noop("承诺测量")  # stays Chinese (data); screens translate it
    permission = "commitments.add_measurement"
    natural_key = ("family", "subject_ref")
    fields = (  # i18n: data (column headers and aliases matched against imported files)
        Field("family", "承诺编码", ("承诺", "family"), required=True, max_length=60),
        Field("subject_ref", "对象编号", ("单号", "编号", "subject_ref"), required=True, max_length=60),
        Field("label", "说明", ("描述", "label"), max_length=200),
        Field("values", "测量值", ("数值", "values"), max_length=500),
        *(_event_field(e) for e in Event),
    )

    def _trees(self, ctx: ImportContext) -> dict[str, CommitmentTree]:
        if "trees" not in ctx.cache:
            trees = CommitmentTree.objects.filter(
                site_id=ctx.site_id, status=TreeStatus.ACTIVE
            ).prefetch_related("commitments")
            ctx.cache["trees"] = {t.family: t for t in trees}
        return ctx.cache["trees"]

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        tree = self._trees(ctx).get(row.values.get("family"))
        if tree is None:
            row.error(
                "family", _("院区没有生效的服务承诺「%(family)s」") % {"family": row.values.get("family")}
            )
            return
        from opscenter.commitments.services.measurements import check_order

        events = {e: row.values[e] for e in Event.values if row.values.get(e)}
        commitments = list(tree.commitments.all())
        try:
            check_order(commitments, events)
        except ValidationError as exc:
            bad = next(
                c.end_event
                for c in commitments
                if c.start_event in events
                and c.end_event in events
                and events[c.end_event] < events[c.start_event]
            )
            row.error(bad, exc.message)
        row.values["_events"] = events
        row.values["_values"] = {}
        separators = (row.values.get("values") or "").replace("；", ";")  # i18n: data (full-width ；)
        for part in separators.split(";"):
            if not part.strip():
                continue
            key, sep, raw = part.partition("=")
            try:
                value = Decimal(raw.strip()) if sep and key.strip() else None
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                row.error(
                    "values",
                    _("测量值应写成“测量项=数字”，以分号分隔：%(part)s") % {"part": part.strip()},
                )
                return
            row.values["_values"][key.strip()] = value

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        trees = self._trees(ctx)
        refs = {r.values["subject_ref"] for r in batch}
        known = {
            (tree_id, ref): events
            for tree_id, ref, events in Measurement.objects.filter(
                tree__in=trees.values(), subject_kind=SUBJECT_KIND, subject_ref__in=refs
            ).values_list("tree_id", "subject_ref", "events")
        }
        for row in batch:
            tree = trees[row.values["family"]]
            existing = known.get((tree.pk, row.values["subject_ref"]))
            root = next(c for c in tree.commitments.all() if c.level == 1)
            if existing is None:
                if root.start_event not in row.values["_events"]:
                    row.error(
                        root.start_event,
                        _("新测量缺少一级承诺的起始事件「%(label)s」")
                        % {"label": Event(root.start_event).label},
                    )
                row.action = CREATE
            else:
                same = set(existing) >= set(row.values["_events"]) and not row.values["_values"]
                row.action = UNCHANGED if same else UPDATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        trees = self._trees(ctx)
        calendar = work_calendar_for(ctx.site.calendar) if ctx.site is not None else None
        created = updated = 0
        for row in batch:
            v = row.values
            measurement_record(
                tree=trees[v["family"]],
                subject_kind=SUBJECT_KIND,
                subject_ref=v["subject_ref"],
                label=v.get("label") or "",
                events=v["_events"],
                values=v["_values"],
                import_job_id=ctx.job_id,
                calendar=calendar,
                now=ctx.now,
            )
            if row.action == CREATE:
                created += 1
            else:
                updated += 1
        return created, updated

    def undo(self, job_id: int) -> int:
        removed, _ = Measurement.objects.filter(import_job_id=job_id).delete()
        return removed
