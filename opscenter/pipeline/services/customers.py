"""Customers, ownership (渠道归属) and the editable lists (channels, exit reasons)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.bounds import EARLIEST_DATE
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.org.models import Site
from opscenter.pipeline.choices import (
    CUSTOMER_TRANSITIONS,
    ChannelKind,
    CustomerStatus,
    Gender,
    OwnershipChangeKind,
)
from opscenter.pipeline.exceptions import DuplicateCustomer, OwnershipProtected
from opscenter.pipeline.models import Channel, Customer, ExitReason, OwnershipChange
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.phones import normalize_phone
from opscenter.pipeline.services._common import (
    EVENT_MODELS,
    customer_for_write,
    is_manager,
    scope_requiring,
    site_staff,
)

_EDITABLE_FIELDS = {
    "name",
    "phone",
    "gender",
    "birthday",
    "age",
    "profession",
    "city",
    "channel_id",
    "tags",
    "note",
}


def _is_local(city: str, site: Site) -> bool:
    """本市: no city given, or the site's city (宁波 = 宁波市)."""
    if not city or not site.city:
        return True
    return city.strip().removesuffix("市") == site.city.strip().removesuffix("市")  # i18n: data


def _age_on(birthday: dt.date, today: dt.date) -> int:
    return today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))


def _channel_for(site_id: int, channel_id: int | None) -> Channel | None:
    if channel_id is None:
        return None
    channel = Channel.objects.filter(pk=channel_id, is_active=True).first()
    if channel is None or channel.site_id not in (None, site_id):
        raise ValidationError(_("来源渠道不存在或不属于该院区"), field="channel_id")
    return channel


def _clean_profile(values: dict[str, Any], site: Site) -> dict[str, Any]:
    """Validate and normalize the profile fields present in `values` (name, phone, age …)."""
    out = dict(values)
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise ValidationError(_("请填写客户姓名"), field="name")
        if len(out["name"]) > 50:
            raise ValidationError(_("姓名不能超过50个字"), field="name")
    if "phone" in out:
        out["phone"] = normalize_phone(out["phone"] or "")
    if "gender" in out and out["gender"] not in Gender.values:
        raise ValidationError(_("性别不正确"), field="gender")
    today = timezone.localdate()
    if out.get("birthday") is not None:
        if out["birthday"] > today:
            raise ValidationError(_("出生日期不能晚于今天"), field="birthday")
        if out["birthday"] < EARLIEST_DATE:
            raise ValidationError(
                _("出生日期不能早于 %(EARLIEST_DATE)s")
                % {"EARLIEST_DATE": format(EARLIEST_DATE, "%Y-%m-%d")},
                field="birthday",
            )
        out["age"] = _age_on(out["birthday"], today)
    if out.get("age") is not None and not (0 <= int(out["age"]) <= 130):
        raise ValidationError(_("年龄应在 0–130 之间"), field="age")
    if "city" in out:
        out["city"] = (out["city"] or "").strip()
        out["is_local"] = _is_local(out["city"], site)
    if "tags" in out:
        tags = out["tags"] or []
        if isinstance(tags, str):
            tags = tags.replace("，", ",").split(",")  # i18n: data
        out["tags"] = sorted({str(t).strip() for t in tags if str(t).strip()})
    if "profession" in out:
        out["profession"] = (out["profession"] or "").strip()
    return out


def _raise_duplicate(site: Site, phone: str, now: dt.datetime) -> None:
    existing = (
        Customer.objects.select_related("owner", "site")
        .filter(site=site, phone=phone, is_deleted=False)
        .first()
    )
    if existing is not None:
        until = existing.protected_until()
        raise DuplicateCustomer(
            customer_id=existing.pk,
            site_name=site.name,
            owner_id=existing.owner_id,
            owner_name=existing.owner.name if existing.owner_id else None,
            protected_until=until,
            can_claim=until is None or until <= now,
        )


def _record_ownership(
    customer: Customer, *, kind: str, from_owner_id: int | None, to_owner_id: int, actor, at, reason: str = ""
) -> OwnershipChange:
    change = OwnershipChange.objects.create(
        customer=customer,
        kind=kind,
        from_owner_id=from_owner_id,
        to_owner_id=to_owner_id,
        reason=reason,
        changed_by=actor if getattr(actor, "pk", None) else None,
        changed_at=at,
    )
    audit.record_event(
        customer,
        _("渠道归属变更（%(label)s）") % {"label": OwnershipChangeKind(kind).label}
        + (_("：%(reason)s") % {"reason": reason} if reason else ""),
        {"owner_id": [from_owner_id, to_owner_id]},
    )
    return change


@as_actor
@transaction.atomic
def customer_register(
    *,
    actor,
    site_id: int,
    name: str,
    phone: str,
    channel_id: int | None = None,
    owner_id: int | None = None,
    gender: str = Gender.UNKNOWN,
    birthday: dt.date | None = None,
    age: int | None = None,
    profession: str = "",
    city: str = "",
    tags: list[str] | None = None,
    note: str = "",
) -> Customer:
    """Register a prospect. First touch wins: the owner is the registering consultant (a consultant
    cannot register for someone else); marketing/operations may name an owner or leave it empty.

    A phone already registered at the site raises `DuplicateCustomer` carrying the current owner
    and whether the protection window has passed — nothing is created.
    """
    scope = scope_requiring(actor, "pipeline.add_customer")
    scope.require_site(site_id, write=True)
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("院区不存在"))
    if scope.own_only and not scope.is_superuser:
        if owner_id is not None and owner_id != scope.staff_id:
            raise PermissionDenied(
                _("咨询师只能登记归属自己的客户"), log_message="consultant registering for another"
            )
        owner_id = scope.staff_id
    owner = site_staff(site.pk, owner_id, label=_("归属咨询师"), field="owner_id") if owner_id else None
    channel = _channel_for(site.pk, channel_id)
    profile = _clean_profile(
        {
            "name": name,
            "phone": phone,
            "gender": gender,
            "birthday": birthday,
            "age": age,
            "profession": profession,
            "city": city,
            "tags": tags or [],
        },
        site,
    )
    now = timezone.now()
    _raise_duplicate(site, profile["phone"], now)
    customer = Customer(
        site=site,
        channel=channel,
        channel_kind=channel.kind if channel else ChannelKind.OTHER,
        owner=owner,
        owner_since=now if owner else None,
        cohort_month=month_key(now),
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=now,
        **profile,
    )
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # A concurrent registration of the same phone won the race: report it like any duplicate.
        _raise_duplicate(site, profile["phone"], now)
        raise
    if owner is not None:
        _record_ownership(
            customer,
            kind=OwnershipChangeKind.FIRST_TOUCH,
            from_owner_id=None,
            to_owner_id=owner.pk,
            actor=actor,
            at=now,
        )
    return customer


def customer_version(customer: Customer) -> str:
    """The optimistic-lock token of a customer's editable profile: a digest of those fields.

    An edit form carries the token it was drawn with; `customer_update(expected_version=…)`
    refuses when the row changed since (someone else saved first), instead of silently
    overwriting their change. No extra column: the fields themselves are the version.
    """
    values = {name: getattr(customer, name) for name in _EDITABLE_FIELDS}
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@as_actor
@transaction.atomic
def customer_update(
    *,
    actor,
    customer_id: int,
    expected_version: str | None = None,
    reason: str = "",
    **changes: Any,
) -> Customer:
    """Edit profile fields (name, phone, gender, birthday, age, profession, city, channel_id, tags,
    note). Owner and status have their own services. A new channel or city is copied onto the
    customer's funnel rows (channel and 本市 are attributes of the customer, not of the moment).

    The source channel is part of the channel attribution (渠道归属) and moves the customer's
    funnel credit, so changing it needs a `reason`, kept in the audit trail. `expected_version`
    (from `customer_version` when the form was drawn) makes the edit fail with a clear message
    when someone else saved the customer in between.
    """
    unknown = set(changes) - _EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("不能修改字段：%(join)s") % {"join": ", ".join(sorted(unknown))},
            log_message=f"fields {unknown}",
        )
    scope = scope_requiring(actor, "pipeline.change_customer")
    customer = customer_for_write(scope, customer_id)
    if expected_version is not None and expected_version != customer_version(customer):
        raise ValidationError(
            gettext("该客户资料已被他人修改，请刷新页面后重新编辑"),
            field="version",
            log_message=f"customer {customer.pk} changed since the form was drawn",
        )
    reason = (reason or "").strip()
    if "channel_id" in changes and changes["channel_id"] != customer.channel_id and not reason:
        raise ValidationError(gettext("修改来源渠道会改变渠道归属与漏斗统计，请填写原因"), field="reason")
    values = _clean_profile({k: v for k, v in changes.items() if k != "channel_id"}, customer.site)
    if "phone" in values and values["phone"] != customer.phone:
        _raise_duplicate(customer.site, values["phone"], timezone.now())
    propagate: dict[str, Any] = {}
    if "channel_id" in changes:
        channel = _channel_for(customer.site_id, changes["channel_id"])
        values["channel"] = channel
        values["channel_kind"] = channel.kind if channel else ChannelKind.OTHER
        propagate.update(channel_id=channel.pk if channel else None, channel_kind=values["channel_kind"])
    if "is_local" in values and values["is_local"] != customer.is_local:
        propagate["is_local"] = values["is_local"]
    for field, value in values.items():
        setattr(customer, field, value)
    customer.save()
    if propagate:
        for model in EVENT_MODELS:
            model.objects.filter(customer=customer).update(**propagate)
    if reason:
        audit.record_event(customer, gettext("修改客户资料：%(reason)s") % {"reason": reason})
    return customer


@as_actor
@transaction.atomic
def customer_transition(*, actor, customer_id: int, to_status: str) -> Customer:
    """Move a customer along CUSTOMER_TRANSITIONS (e.g. customer → member). Exits need a reason and
    go through `exit_record`.
    """
    scope = scope_requiring(actor, "pipeline.change_customer")
    customer = customer_for_write(scope, customer_id)
    if to_status == CustomerStatus.EXITED:
        raise ValidationError(_("客户退出请通过“退出登记”并选择退出原因"), field="status")
    if to_status not in CUSTOMER_TRANSITIONS.get(customer.status, set()):
        raise ValidationError(
            _("客户状态不能从“%(get_status_display)s”变为“%(label)s”")
            % {"get_status_display": customer.get_status_display(), "label": CustomerStatus(to_status).label}
            if to_status in CustomerStatus.values
            else _("客户状态不正确"),
            field="status",
            log_message=f"customer {customer.pk} {customer.status} -> {to_status} not allowed",
        )
    customer.status = to_status
    customer.save(update_fields=["status"])
    return customer


@as_actor
@transaction.atomic
def customer_claim(*, actor, customer_id: int) -> Customer:
    """A consultant takes a customer of their site: allowed when nobody owns them or the owner's
    protection window (`site.ownership_protection_days` from `owner_since`) has passed; inside the
    window raises `OwnershipProtected` naming the owner. Recorded as a claim, audited.
    """
    scope = scope_requiring(actor, "pipeline.change_customer")
    if scope.staff_id is None:
        raise ValidationError(_("只有员工账号可以认领客户"))
    customer = customer_for_write(scope, customer_id, any_owner=True)
    site_staff(customer.site_id, scope.staff_id, label=_("认领人"), field="owner_id")
    if customer.owner_id == scope.staff_id:
        return customer
    now = timezone.now()
    if customer.owner_id is not None and customer.is_protected(now):
        raise OwnershipProtected(
            owner_name=customer.owner.name,
            protected_until=customer.protected_until(),
            customer_id=customer.pk,
        )
    previous = customer.owner_id
    customer.owner_id, customer.owner_since = scope.staff_id, now
    customer.save(update_fields=["owner", "owner_since"])
    kind = OwnershipChangeKind.CLAIM if previous else OwnershipChangeKind.FIRST_TOUCH
    _record_ownership(
        customer, kind=kind, from_owner_id=previous, to_owner_id=scope.staff_id, actor=actor, at=now
    )
    return customer


@as_actor
@transaction.atomic
def customer_reassign(*, actor, customer_id: int, to_owner_id: int, reason: str) -> Customer:
    """A manager moves a customer to another consultant at any time, with a reason (required).

    Writes an `OwnershipChange` and an audit event carrying the reason; the new owner's protection
    window starts now. Past funnel rows stay credited to whoever owned the customer then.
    """
    scope = scope_requiring(actor, "pipeline.change_customer")
    if not is_manager(scope):
        raise PermissionDenied(_("只有主管可以改派客户归属"), log_message="reassign by non-manager")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("改派客户归属必须填写原因"), field="reason")
    customer = customer_for_write(scope, customer_id)
    new_owner = site_staff(customer.site_id, to_owner_id, label=_("新归属咨询师"), field="to_owner_id")
    if new_owner.pk == customer.owner_id:
        raise ValidationError(_("新归属咨询师与当前归属相同"), field="to_owner_id")
    now = timezone.now()
    previous = customer.owner_id
    customer.owner, customer.owner_since = new_owner, now
    customer.save(update_fields=["owner", "owner_since"])
    _record_ownership(
        customer,
        kind=OwnershipChangeKind.REASSIGN,
        from_owner_id=previous,
        to_owner_id=new_owner.pk,
        actor=actor,
        at=now,
        reason=reason,
    )
    return customer


@as_actor
@transaction.atomic
def customer_delete(*, actor, customer_id: int) -> None:
    """Soft-delete a customer registered by mistake (the phone becomes free again).

    Only customers without consultations, appointments, visits or deals: the funnel counts event
    rows without joining customers, so a customer with history is exited, never deleted.
    """
    scope = scope_requiring(actor, "pipeline.delete_customer")
    customer = customer_for_write(scope, customer_id)
    if any(model.objects.filter(customer=customer).exists() for model in EVENT_MODELS):
        raise ValidationError(_("该客户已有咨询、预约、上门或成交记录，不能删除；如客户离开请登记退出"))
    customer.is_deleted, customer.deleted_at = True, timezone.now()
    customer.save(update_fields=["is_deleted", "deleted_at"])


@as_actor
@transaction.atomic
def channel_create(
    *, actor, site_id: int | None, name: str, kind: str, partner: str = "", sort_order: int = 100
) -> Channel:
    """Add a channel to a site's list (no site = shared by all sites: superusers only)."""
    scope = scope_requiring(actor, "pipeline.add_channel")
    if site_id is None:
        if not scope.is_superuser:
            raise PermissionDenied(_("只有系统管理员可以添加全院区共用渠道"))
    else:
        scope.require_site(site_id, write=True)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写渠道名称"), field="name")
    if kind not in ChannelKind.values:
        raise ValidationError(_("渠道类型不正确"), field="kind")
    if Channel.objects.filter(site_id=site_id, name=name).exists():
        raise ValidationError(_("渠道“%(name)s”已存在") % {"name": name}, field="name")
    return Channel.objects.create(
        site_id=site_id, name=name, kind=kind, partner=partner.strip(), sort_order=sort_order
    )


@as_actor
@transaction.atomic
def channel_update(*, actor, channel_id: int, **changes: Any) -> Channel:
    """Rename, re-sort, change the partner or (de)activate a channel. Its kind is fixed once used."""
    scope = scope_requiring(actor, "pipeline.change_channel")
    channel = Channel.objects.select_for_update().filter(pk=channel_id).first()
    if channel is None or (channel.site_id is not None and not scope.sees_site(channel.site_id)):
        raise NotFound(_("渠道不存在或无权访问"))
    if channel.site_id is None and not scope.is_superuser:
        raise PermissionDenied(_("只有系统管理员可以修改全院区共用渠道"))
    if channel.site_id is not None:
        scope.require_site(channel.site_id, write=True)
    allowed = {"name", "partner", "sort_order", "is_active", "kind"}
    if set(changes) - allowed:
        raise ValidationError(_("不能修改该字段"))
    if "kind" in changes and changes["kind"] != channel.kind:
        if Customer.objects.filter(channel=channel).exists():
            raise ValidationError(_("渠道已有客户，不能修改类型"), field="kind")
        if changes["kind"] not in ChannelKind.values:
            raise ValidationError(_("渠道类型不正确"), field="kind")
    for field, value in changes.items():
        setattr(channel, field, value.strip() if isinstance(value, str) else value)
    if not channel.name:
        raise ValidationError(_("请填写渠道名称"), field="name")
    channel.save()
    return channel


@as_actor
@transaction.atomic
def exit_reason_create(*, actor, code: str, name: str, sort_order: int = 100) -> ExitReason:
    """Add an exit reason to the shared list."""
    scope_requiring(actor, "pipeline.add_exitreason")
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise ValidationError(_("请填写退出原因的编码和名称"), field="name")
    if ExitReason.objects.filter(code=code).exists() or ExitReason.objects.filter(name=name).exists():
        raise ValidationError(_("退出原因已存在"), field="name")
    return ExitReason.objects.create(code=code, name=name, sort_order=sort_order)


@as_actor
@transaction.atomic
def exit_reason_update(*, actor, reason_id: int, **changes: Any) -> ExitReason:
    """Rename, re-sort or (de)activate an exit reason (used reasons are deactivated, not deleted)."""
    scope_requiring(actor, "pipeline.change_exitreason")
    reason = ExitReason.objects.filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(_("退出原因不存在"))
    if set(changes) - {"name", "sort_order", "is_active"}:
        raise ValidationError(_("不能修改该字段"))
    for field, value in changes.items():
        setattr(reason, field, value.strip() if isinstance(value, str) else value)
    if not reason.name:
        raise ValidationError(_("请填写退出原因名称"), field="name")
    reason.save()
    return reason
