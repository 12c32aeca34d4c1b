"""Set-based reference resolution shared by the pipeline kinds: channels, staff, customers.

Each resolver looks up only the names/phones it has not seen yet in this import (cached in
`ctx.cache`), with one query per batch, and writes the id into `row.values[target]` or a row error.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from opscenter.imports.bulk import select_in
from opscenter.imports.constants import CHANNEL_KIND_ALIASES
from opscenter.imports.engine import ImportContext, ParsedRow
from opscenter.imports.values import normalize_key
from opscenter.org.models import Staff
from opscenter.pipeline.choices import ChannelKind
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


def resolve_staff(batch: list[ParsedRow], ctx: ImportContext, *, field: str, target: str, label: str) -> None:
    """Staff by name or employee number among the active staff working at the site."""
    cache: dict[str, int | None] = ctx.cache.setdefault("staff", {})
    wanted = {str(row.values[field]).strip() for row in batch if row.values.get(field)} - cache.keys()
    if wanted:
        found: dict[str, set[int]] = {}
        rows = (
            Staff.objects.filter(is_active=True)
            .filter(Q(department__site_id=ctx.site_id) | Q(extra_sites__id=ctx.site_id))
            .filter(Q(name__in=wanted) | Q(employee_no__in=wanted))
            .values_list("id", "name", "employee_no")
            .distinct()
        )
        for pk, name, employee_no in rows:
            found.setdefault(employee_no, set()).add(pk)
            found.setdefault(name, set()).add(pk)
        for key in wanted:
            ids = found.get(key, set())
            cache[key] = next(iter(ids)) if len(ids) == 1 else (-1 if ids else None)
    for row in batch:
        name = row.values.pop(field, None)
        if not name:
            row.values[target] = None
            continue
        pk = cache.get(str(name).strip())
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
        phone = row.values.get(phone_field)
        name = row.values.get(name_field)
        customer = None
        if phone:
            customer = by_phone.get(phone.number)
            if customer is None and phone.number in created:
                customer = created[phone.number]
            if customer is None:
                if ctx.options.create_missing_customers and name:
                    row.extra["new_customer"] = True
                    row.values["customer_id"] = None
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
