"""Set-based reference resolution shared by the pipeline kinds: channels, staff, customers.

Each resolver looks up only the names/phones it has not seen yet in this import (cached in
`ctx.cache`), with one query per batch, and writes the id into `row.values[target]` or a row error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.imports.bulk import select_in
from opscenter.imports.constants import CHANNEL_KIND_ALIASES
from opscenter.imports.engine import ImportContext, ParsedRow
from opscenter.imports.values import normalize_key
from opscenter.org.models import Staff
from opscenter.pipeline.choices import ChannelKind, CustomerStatus, Gender
from opscenter.pipeline.models import Channel, Customer

NEW = "new"  # marker id of a channel that will be created on commit (dry run)


def _channels(ctx: ImportContext) -> dict[str, tuple[int | str, str]]:
    """name key → (id, kind) of every active channel usable at the site: one query per import."""
    if "channels" not in ctx.cache:
        rows = Channel.objects.filter(
            Q(site__isnull=True) | Q(site_id=ctx.site_id), is_active=True
        ).values_list("id", "name", "kind", "site_id")
        by_name: dict[str, tuple[int | str, str]] = {}
        defaults: dict[str, tuple[int | str, str]] = {}
        for pk, name, kind, site_id in sorted(rows, key=lambda r: r[3] is None):  # site's own first
            by_name.setdefault(normalize_key(name), (pk, kind))
            if site_id is None:
                defaults.setdefault(kind, (pk, kind))
        ctx.cache["channels"] = by_name
        ctx.cache["channel_defaults"] = defaults
        ctx.cache["channels_to_create"] = {}
    return ctx.cache["channels"]


def guess_channel_kind(name: str) -> str:
    key = normalize_key(name)
    if key in CHANNEL_KIND_ALIASES:
        return str(CHANNEL_KIND_ALIASES[key])
    for word, kind in (  # i18n: data
        ("转介", ChannelKind.REFERRAL),
        ("介绍", ChannelKind.REFERRAL),
        ("口碑", ChannelKind.REFERRAL),
        ("网", ChannelKind.ONLINE),
        ("微信", ChannelKind.ONLINE),
        ("电话", ChannelKind.PHONE),
        ("上门", ChannelKind.WALK_IN),
        ("保险", ChannelKind.OFFLINE),
        ("渠道", ChannelKind.OFFLINE),
        ("活动", ChannelKind.OFFLINE),
        ("医院", ChannelKind.OFFLINE),
    ):
        if word in key:
            return str(kind)
    return str(ChannelKind.OTHER.value)


def resolve_channels(batch: list[ParsedRow], ctx: ImportContext, *, field: str = "channel") -> None:
    """`row.values[field]` (a name) → `channel_id` and `channel_kind`.

    Matching: the channel's exact name (site channels before shared ones), else a known word for a
    kind (口碑/老带新 → the shared 转介绍/口碑 channel). Unknown names are errors unless the user
    ticked "create missing channels": then one channel per name is created at the site on commit.
    """
    by_name = _channels(ctx)
    defaults = ctx.cache["channel_defaults"]
    to_create: dict[str, tuple[int | str, str]] = ctx.cache["channels_to_create"]
    for row in batch:
        name = row.values.pop(field, None)
        if not name:
            row.values["channel_id"], row.values["channel_kind"] = None, str(ChannelKind.OTHER.value)
            continue
        key = normalize_key(name)
        found = by_name.get(key) or to_create.get(key)
        if found is None and key in CHANNEL_KIND_ALIASES:
            found = defaults.get(str(CHANNEL_KIND_ALIASES[key]))
        if found is None and ctx.options.create_missing_channels:
            kind = guess_channel_kind(name)
            if ctx.dry_run:
                found = (NEW, kind)
                ctx.notes.append(_("将新建渠道“%(name)s”") % {"name": name})
            else:
                channel = Channel.objects.create(site_id=ctx.site_id, name=name.strip()[:100], kind=kind)
                found = (channel.pk, kind)
                ctx.notes.append(_("已新建渠道“%(name)s”") % {"name": name})
            to_create[key] = found
        if found is None:
            row.error(field, _("渠道“%(name)s”不存在（可勾选“自动创建缺少的渠道”）") % {"name": name})
            continue
        pk, kind = found
        row.values["channel_id"] = None if pk == NEW else pk
        row.values["channel_kind"] = kind


def _staff_matches(wanted: set[str], ctx: ImportContext, *, active: bool) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    rows = (
        Staff.objects.filter(is_active=active)
        .filter(Q(department__site_id=ctx.site_id) | Q(extra_sites__id=ctx.site_id))
        .filter(Q(name__in=wanted) | Q(employee_no__in=wanted))
        .values_list("id", "name", "employee_no")
        .distinct()
    )
    for pk, name, employee_no in rows:
        found.setdefault(employee_no, set()).add(pk)
        found.setdefault(name, set()).add(pk)
    return found


DEPARTED_STAND_IN = -2  # a departed staff member to be registered on commit (dry run)


def _register_departed(name: str, ctx: ImportContext) -> int | None:
    """A staff member named in a historical ledger who is not on file: registered as departed
    (不在职) in the site's marketing department (else its first department). None: no department."""
    import hashlib

    from opscenter.org.choices import DepartmentKind
    from opscenter.org.models import Department

    departments = Department.objects.filter(site_id=ctx.site_id).order_by("id")
    department = departments.filter(kind=DepartmentKind.MARKETING).first() or departments.first()
    if department is None:
        return None
    if ctx.dry_run:
        ctx.notes.append(_("将登记离职员工“%(name)s”（不在职）") % {"name": name})
        return DEPARTED_STAND_IN
    digest = hashlib.sha1(f"{ctx.site_id}:{name}".encode()).hexdigest()[:10]
    staff, created = Staff.objects.get_or_create(
        employee_no=f"LZ-{digest}",
        defaults={"name": name[:50], "department": department, "is_active": False, "left_on": None},
    )
    if created:
        ctx.notes.append(_("已登记离职员工“%(name)s”（不在职）") % {"name": name})
    return staff.pk


def resolve_staff(
    batch: list[ParsedRow], ctx: ImportContext, *, field: str, target: str, label: str, departed: bool = False
) -> None:
    """Staff by name or employee number among the active staff working at the site.

    `departed=True` (historical ledgers): a name no active staff member has is matched to
    inactive (离职) staff of the site, else registered as a departed staff member — never an
    error, since people named in old ledgers have often left."""
    cache: dict[str, int | None] = ctx.cache.setdefault("staff", {})
    wanted = {str(row.values[field]).strip() for row in batch if row.values.get(field)} - cache.keys()
    if wanted:
        found = _staff_matches(wanted, ctx, active=True)
        missing = {key for key in wanted if key not in found}
        inactive = _staff_matches(missing, ctx, active=False) if departed and missing else {}
        for key in wanted:
            ids = found.get(key) or inactive.get(key, set())
            cache[key] = next(iter(ids)) if len(ids) == 1 else (-1 if ids else None)
            if cache[key] is None and departed:
                cache[key] = _register_departed(key, ctx)
    for row in batch:
        name = row.values.pop(field, None)
        if not name:
            row.values[target] = None
            continue
        pk = cache.get(str(name).strip())
        if pk == DEPARTED_STAND_IN:
            row.values[target] = None
            continue
        if pk is None:
            row.error(field, _("%(label)s“%(name)s”不是该院区的在职员工") % {"label": label, "name": name})
        elif pk == -1:
            row.error(
                field, _("%(label)s“%(name)s”在该院区有重名，请填写工号") % {"label": label, "name": name}
            )
        else:
            row.values[target] = pk


CUSTOMER_COLUMNS = (
    "id",
    "phone",
    "name",
    "cohort_month",
    "channel_id",
    "channel_kind",
    "is_local",
    "owner_id",
    "owner__team_id",
    "first_contact_on",
    "status",
)

# --- customers registered by an event import ("自动登记缺失客户") -----------------------------------
# Until the write, a row naming an unknown phone carries a stand-in customer: a negative id, one
# per phone and import (so natural keys, in-file duplicates and `find_existing` work unchanged and
# match nothing stored), and the columns a new customer will have. `create_missing_customers`,
# called first by each kind's `write`, registers the customers and swaps the real ids in.


def _plan_new_customer(row: ParsedRow, phone: str, ctx: ImportContext) -> None:
    planned: dict[str, int] = ctx.cache.setdefault("planned_customer_ids", {})
    stand_in = planned.setdefault(phone, -(len(planned) + 1))
    row.extra["new_customer"] = True
    row.values["customer_id"] = stand_in
    row.extra["customer"] = {
        "id": stand_in,
        "phone": phone,
        "name": row.values.get("customer_name") or "",
        "cohort_month": None,
        "channel_id": None,
        "channel_kind": ChannelKind.OTHER.value,
        "is_local": True,
        "owner_id": None,
        "owner__team_id": None,
        "first_contact_on": None,
        "status": CustomerStatus.PROSPECT.value,
    }


def create_missing_customers(
    batch: list[ParsedRow],
    ctx: ImportContext,
    *,
    first_contact: Callable[[ParsedRow], dt.date] | None = None,
    status: str = CustomerStatus.PROSPECT.value,
) -> None:
    """Register the batch's new customers (one insert, one select), like `customer_register` with no
    channel and no owner, stamped with the job for undo. `first_contact(row)` dates the customer's
    first contact (and cohort month) from the row, e.g. a historical deal's signing date; without it
    the cohort month is the import's month and the first contact is left for the kind to set."""
    from opscenter.imports.bulk import insert_rows
    from opscenter.pipeline.periods import month_key

    if not ctx.options.create_missing_customers:
        return  # only that option plans new customers (`_plan_new_customer`)
    new: dict[str, tuple[str, dt.date | None]] = {}
    for row in batch:
        if not row.extra.get("new_customer"):
            continue
        phone = row.extra["customer"]["phone"]
        day = first_contact(row) if first_contact else None
        name, earlier = new.get(phone, (row.values.get("customer_name") or "", None))
        new[phone] = (name, min(d for d in (day, earlier) if d) if (day or earlier) else None)
    if not new:
        return
    now, actor_id = ctx.now, getattr(ctx.actor, "pk", None)
    columns = (
        "site_id", "name", "phone", "gender", "is_local", "channel_kind", "status", "tags", "cohort_month",
        "first_contact_on", "note", "profession", "city", "created_by_id", "is_deleted", "import_job_id",
        "created_at",
    )  # fmt: skip
    insert_rows(
        Customer,
        columns,
        [
            (
                ctx.site_id,
                str(name)[:50],
                phone,
                Gender.UNKNOWN.value,
                True,
                ChannelKind.OTHER.value,
                status,
                [],
                month_key(day or timezone.localdate(now)),
                day,
                "",
                "",
                "",
                actor_id,
                False,
                ctx.job_id,
                now,
            )
            for phone, (name, day) in new.items()
        ],
    )
    created = ctx.cache.setdefault("new_customers", {})
    for customer in _customers_by("phone", set(new), ctx):
        created[customer["phone"]] = customer
    for row in batch:
        if row.extra.get("new_customer"):
            customer = created[row.extra["customer"]["phone"]]
            row.values["customer_id"], row.extra["customer"] = customer["id"], customer
            row.extra["new_customer"] = False


def remove_created_customers(job_id: int) -> int:
    """Undo: the customers this job registered (after the job's own rows are gone)."""
    from django.db.models import ProtectedError

    from opscenter.imports.exceptions import ImportRefused

    try:  # the ORM delete: derived rows (member tiers, care tasks) go with the customer
        return Customer.objects.filter(import_job_id=job_id).delete()[0]
    except ProtectedError as exc:
        raise ImportRefused(
            _("不能撤销：本次导入登记的客户已有其他记录（如之后录入的咨询或成交），请先处理这些记录"),
            log_message=f"undo of job {job_id}: created customers are referenced ({exc})",
        ) from exc


def _customers_by(column: str, keys: set[str], ctx: ImportContext) -> list[dict]:
    """Non-deleted customers of the site whose `column` is in `keys`, as dicts of CUSTOMER_COLUMNS
    (raw SQL in chunks: a Django `__in` lookup prepares each of thousands of values in Python)."""
    if not keys:
        return []
    qn = connection.ops.quote_name
    plain = [c for c in CUSTOMER_COLUMNS if c != "owner__team_id"]
    select = ", ".join(f"c.{qn(c)}" for c in plain)
    sql = (
        f"SELECT {select}, s.team_id FROM {qn(Customer._meta.db_table)} c "
        f"LEFT JOIN {qn(Staff._meta.db_table)} s ON s.id = c.owner_id "
        f"WHERE c.site_id = %s AND c.is_deleted = %s AND c.{qn(column)} IN"
    )
    rows = select_in(sql, sorted(keys), params=[ctx.site_id, False])
    out = []
    for row in rows:
        customer = dict(zip([*plain, "owner__team_id"], row, strict=True))
        first = customer["first_contact_on"]
        if isinstance(first, str):  # SQLite hands raw dates back as text
            customer["first_contact_on"] = dt.date.fromisoformat(first)
        customer["is_local"] = bool(customer["is_local"])
        out.append(customer)
    return out


def resolve_customers(
    batch: list[ParsedRow],
    ctx: ImportContext,
    *,
    phone_field: str = "phone",
    name_field: str = "customer_name",
    cache: bool = False,
) -> None:
    """Customers of the site by phone (one query), else by a unique name (one more query if needed).

    Sets `row.values["customer_id"]` and `row.extra["customer"]` (a dict of the customer's columns
    events copy). With "create missing customers" a row naming an unknown phone is left with
    `customer_id = None` and `extra["new_customer"] = True` for the kind to create.
    `cache=True` remembers phones already looked up for the rest of the import: for kinds whose
    writes never change the customer columns read here (transactions).
    """
    known: dict[str, dict] = ctx.cache.setdefault("customers_by_phone", {}) if cache else {}
    phones = {row.values[phone_field].number for row in batch if row.values.get(phone_field)} - known.keys()
    by_phone = {c["phone"]: c for c in _customers_by("phone", phones, ctx)}
    if cache:
        known.update(by_phone)
        by_phone = known
    names = {
        str(row.values[name_field])
        for row in batch
        if not row.values.get(phone_field) and row.values.get(name_field)
    }
    by_name: dict[str, list[dict]] = {}
    for c in _customers_by("name", names, ctx):
        by_name.setdefault(c["name"], []).append(c)
    created: dict[str, dict] = ctx.cache.setdefault("new_customers", {})
    for row in batch:
        values = row.values
        phone = values.get(phone_field)
        if phone:  # the usual row: a known phone
            customer = by_phone.get(phone.number)
            if customer is not None:
                values["customer_id"] = customer["id"]
                row.extra["customer"] = customer
                continue
        name = values.get(name_field)
        customer = None
        if phone:
            customer = by_phone.get(phone.number)
            if customer is None and phone.number in created:
                customer = created[phone.number]
            if customer is None:
                if ctx.options.create_missing_customers and name:
                    _plan_new_customer(row, phone.number, ctx)
                    continue
                row.error(phone_field, _("电话“%(number)s”在该院区没有登记客户") % {"number": phone.number})
                continue
        elif name:
            matches = by_name.get(str(name), [])
            if len(matches) != 1:
                row.error(
                    name_field,
                    _("客户“%(name)s”") % {"name": name}
                    + (_("有重名，请填写电话") if matches else _("在该院区不存在")),
                )
                continue
            customer = matches[0]
        else:
            row.error(phone_field, _("请填写客户电话或姓名"), column="电话")  # i18n: data (header)
            continue
        row.values["customer_id"] = customer["id"]
        row.extra["customer"] = customer
