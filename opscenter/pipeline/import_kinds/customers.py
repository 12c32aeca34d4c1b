"""Customers (客户): natural key is the phone within the site.

The bulk path writes the rows `pipeline.services.customer_register` would: canonical phone,
channel kind copied from the channel, `is_local` from the city, age from the birthday, sorted
tags, the owner by first touch (`owner_since` = now, plus an OwnershipChange row), cohort month of
the registration. A phone already registered updates the profile fields given in the file; the
owner and the channel of an existing customer are never changed by an import (ownership rules and
the event rows' copies of the channel belong to the pipeline services).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_rows, update_rows
from opscenter.imports.changes import change_blockers, record_changes, undo_changes
from opscenter.imports.constants import GENDER_ALIASES
from opscenter.imports.engine import CREATE, UNCHANGED, UPDATE, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.pipeline.choices import CustomerStatus, Gender, OwnershipChangeKind
from opscenter.pipeline.import_kinds.refs import resolve_channels, resolve_staff
from opscenter.pipeline.models import (
    Appointment,
    Assessment,
    Consultation,
    Customer,
    Deal,
    Exit,
    FollowUp,
    OwnershipChange,
    Transaction,
    Visit,
)
from opscenter.pipeline.periods import month_key

UPDATABLE = ("name", "gender", "age", "birthday", "profession", "city", "is_local", "note", "tags")
DEPENDENTS = (  # i18n: data
    (Consultation, "咨询"),
    (Appointment, "预约"),
    (Visit, "上门"),
    (Assessment, "评估"),
    (Deal, "成交"),
    (Transaction, "消费记录"),
    (FollowUp, "回访"),
    (Exit, "退出"),
)


def is_local(city: str | None, site_city: str | None) -> bool:
    """本市: no city given, or the site's city (宁波 = 宁波市) — as customer_register decides."""
    if not city or not site_city:
        return True
    return city.strip().removesuffix("市") == site_city.strip().removesuffix("市")  # i18n: data


def age_on(birthday: dt.date, today: dt.date) -> int:
    return today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))


def clean_tags(raw: str | None) -> list[str]:
    tags = (raw or "").replace("，", ",").replace("、", ",").split(",")  # i18n: data
    return sorted({t.strip() for t in tags if t.strip()})


@register
class CustomerImport(ImportKind):
    name = "customers"
    label_zh = gettext_noop("客户")  # stays Chinese (data); screens translate it
    permission = "pipeline.add_customer"
    natural_key = ("phone_number",)
    fields = (  # i18n: data
        Field(
            "name",
            "姓名",
            ("客户姓名", "客户称呼", "老人姓名", "客户", "name", "customer"),
            required=True,
            max_length=50,
        ),
        Field(
            "phone",
            "电话",
            ("手机", "手机号", "联系电话", "电话号码", "联系方式", "家属电话", "phone", "mobile", "tel"),
            type="phone",
            required=True,
        ),
        Field("gender", "性别", ("gender", "sex"), type="choice", choices=GENDER_ALIASES),  # i18n: data
        Field("age", "年龄", ("age",), type="age"),  # i18n: data
        Field("birthday", "出生日期", ("生日", "birthday", "birth_date"), type="date"),  # i18n: data
        Field("profession", "职业", ("profession", "occupation"), max_length=50),  # i18n: data
        Field("city", "所在城市", ("城市", "city"), max_length=50),  # i18n: data
        Field(
            "channel",
            "渠道",
            ("来源", "渠道来源", "来源渠道", "客户来源", "channel", "source"),
            reference="channel",
        ),
        Field(
            "owner",
            "归属咨询师",
            ("咨询顾问", "咨询师", "顾问", "负责人", "owner", "consultant"),
            reference="staff",
        ),
        Field("tags", "标签", ("tags",)),  # i18n: data
        Field("note", "备注", ("note", "remark", "remarks")),  # i18n: data
    )

    def row_key(self, row: ParsedRow) -> tuple | None:
        return (row.values["phone"].number,)

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_channels(batch, ctx)
        resolve_staff(
            [r for r in batch if r.ok],
            ctx,
            field="owner",
            target="owner_id",
            label=_("归属咨询师"),
            departed=True,
        )

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        values = row.values
        today = timezone.localdate(ctx.now)
        if values.get("birthday"):
            if values["birthday"] > today:
                row.error("birthday", _("出生日期不能晚于今天"))
                return
            values["age"] = age_on(values["birthday"], today)
        phone = values["phone"]
        if phone.note:
            values["note"] = _("；").join(
                x for x in (values.get("note"), _("电话备注：%(note)s") % {"note": phone.note}) if x
            )
        values["city"] = values.get("city") or ""
        values["is_local"] = is_local(values["city"], getattr(ctx.site, "city", ""))
        values["tags"] = clean_tags(values.get("tags"))

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        phones = [r.values["phone"].number for r in batch]
        existing = {
            c["phone"]: c
            for c in Customer.objects.filter(site_id=ctx.site_id, is_deleted=False, phone__in=phones).values(
                "id", "phone", *UPDATABLE
            )
        }
        for row in batch:
            current = existing.get(row.values["phone"].number)
            if current is None:
                row.action = CREATE
                continue
            row.existing_id = current["id"]
            changes = self._changes(row.values, current)
            row.extra["changes"] = changes
            row.extra["before"] = {name: current[name] for name in changes}
            row.action = UPDATE if changes else UNCHANGED

    @staticmethod
    def _changes(values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """The profile fields the file gives (non-empty) that differ from the stored customer."""
        changes = {}
        for name in UPDATABLE:
            new = values.get(name)
            if new in (None, "", []) or (name == "is_local" and not values.get("city")):
                continue
            if name == "tags":
                new = sorted(set(current["tags"] or []) | set(new))
            if new != current[name]:
                changes[name] = new
        return changes

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        now = ctx.now
        actor_id = getattr(ctx.actor, "pk", None)
        new_rows = [r for r in batch if r.action == CREATE]
        columns = (
            "site_id",
            "name",
            "phone",
            "gender",
            "birthday",
            "age",
            "profession",
            "city",
            "is_local",
            "channel_id",
            "channel_kind",
            "owner_id",
            "owner_since",
            "status",
            "tags",
            "first_contact_on",
            "cohort_month",
            "note",
            "created_by_id",
            "is_deleted",
            "deleted_at",
            "import_job_id",
            "created_at",
        )
        insert_rows(
            Customer,
            columns,
            [
                (
                    ctx.site_id,
                    v["name"],
                    v["phone"].number,
                    v.get("gender") or Gender.UNKNOWN.value,
                    v.get("birthday"),
                    v.get("age"),
                    v.get("profession") or "",
                    v["city"],
                    v["is_local"],
                    v["channel_id"],
                    v["channel_kind"],
                    v.get("owner_id"),
                    now if v.get("owner_id") else None,
                    CustomerStatus.PROSPECT.value,
                    v["tags"],
                    None,
                    month_key(now),
                    v.get("note") or "",
                    actor_id,
                    False,
                    None,
                    ctx.job_id,
                    now,
                )
                for v in (r.values for r in new_rows)
            ],
        )
        owned = {r.values["phone"].number: r.values["owner_id"] for r in new_rows if r.values.get("owner_id")}
        if owned:
            ids = dict(
                Customer.objects.filter(site_id=ctx.site_id, is_deleted=False, phone__in=owned).values_list(
                    "phone", "id"
                )
            )
            insert_rows(
                OwnershipChange,
                (
                    "customer_id",
                    "kind",
                    "from_owner_id",
                    "to_owner_id",
                    "reason",
                    "changed_by_id",
                    "changed_at",
                ),
                [
                    (ids[p], OwnershipChangeKind.FIRST_TOUCH.value, None, o, "", actor_id, now)
                    for p, o in owned.items()
                ],
            )
        updates = [r for r in batch if r.action == UPDATE]
        by_columns: dict[tuple[str, ...], list[tuple]] = {}
        for row in updates:
            changes = row.extra["changes"]
            by_columns.setdefault(tuple(sorted(changes)), []).append(
                (*(changes[c] for c in sorted(changes)), row.existing_id)
            )
        for cols, rows in by_columns.items():
            update_rows(Customer, cols, rows)
        record_changes(
            ctx.job_id, Customer, [(r.existing_id, r.extra["before"], r.extra["changes"]) for r in updates]
        )
        return len(new_rows), len(updates)

    def undo_blockers(self, job_id: int) -> list[str]:
        ids = Customer.objects.filter(import_job_id=job_id).values("id")
        blockers = []
        for model, label in DEPENDENTS:
            count = (
                model.objects.filter(customer_id__in=ids)
                .exclude(**({"import_job_id": job_id} if hasattr(model, "import_job_id") else {}))
                .count()
            )
            if count:
                blockers.append(
                    _("%(count)s 条%(label)s引用了本次导入的客户") % {"count": count, "label": label}
                )
        return blockers + change_blockers(job_id)

    def undo(self, job_id: int) -> int:
        ids = Customer.objects.filter(import_job_id=job_id).values("id")
        changes = OwnershipChange.objects.filter(customer_id__in=ids)
        changes._raw_delete(changes.db)
        # Dependents were checked by undo_blockers; a raw delete skips loading a million instances.
        qs = Customer.objects.filter(import_job_id=job_id)
        removed = qs._raw_delete(qs.db)
        restored = undo_changes(job_id)
        return removed + len(restored.get(Customer._meta.label_lower, []))
