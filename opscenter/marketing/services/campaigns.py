"""Campaigns, invitations (集中邀约) and attribution touches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.marketing.choices import INVITATION_TRANSITIONS, CampaignKind, InvitationStatus, TouchMethod
from opscenter.marketing.models import Campaign, Invitation, Touch
from opscenter.marketing.services._common import (
    a_date,
    money,
    scope_requiring,
    site_channel,
    site_customer,
    site_staff_or_none,
)
from opscenter.pipeline import services as pipeline_services
from opscenter.pipeline.exceptions import DuplicateCustomer
from opscenter.pipeline.models import Consultation, Customer, Deal
from opscenter.pipeline.periods import local_date


def _campaign_for_write(scope, campaign_id: int) -> Campaign:
    campaign = (
        scope.filter_sites(Campaign.objects.select_related("site"), "site").filter(pk=campaign_id).first()
    )
    if campaign is None:
        raise NotFound(_("活动不存在或无权访问"), log_message=f"campaign {campaign_id} not in scope")
    scope.require_site(campaign.site_id, write=True)
    return campaign


@as_actor
@transaction.atomic
def campaign_create(
    *,
    actor,
    site_id: int,
    name: str,
    code: str,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    budget_fen: int = 0,
    channel_id: int | None = None,
    owner_id: int | None = None,
    audience: str = "",
    notes: str = "",
) -> Campaign:
    """Create a campaign or event. The source code is unique per site."""
    scope = scope_requiring(actor, "marketing.add_campaign")
    scope.require_site(site_id, write=True)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写活动名称"), field="name")
    code = (code or "").strip().lower()
    if not code or not all(ch.isalnum() or ch in "-_" for ch in code) or not code.isascii():
        raise ValidationError(_("来源码只能包含字母、数字、连字符和下划线"), field="code")
    if kind not in CampaignKind.values:
        raise ValidationError(_("活动类型不正确"), field="kind")
    starts_on = a_date(starts_on, field="starts_on", label=_("开始日期"))
    ends_on = a_date(ends_on, field="ends_on", label=_("结束日期"))
    if ends_on < starts_on:
        raise ValidationError(_("结束日期不能早于开始日期"), field="ends_on")
    if Campaign.objects.filter(site_id=site_id, code=code).exists():
        raise ValidationError(_("来源码“%(code)s”已被本院区其他活动使用") % {"code": code}, field="code")
    return Campaign.objects.create(
        site_id=site_id,
        name=name,
        code=code,
        kind=kind,
        channel=site_channel(site_id, channel_id) if channel_id else None,
        starts_on=starts_on,
        ends_on=ends_on,
        budget_fen=money(budget_fen, field="budget_fen", label=_("预算")),
        owner=site_staff_or_none(site_id, owner_id, field="owner_id", label=_("负责人")),
        audience=audience,
        notes=notes,
    )


@as_actor
@transaction.atomic
def invitation_bulk_create(
    *, actor, campaign_id: int, customer_ids: Iterable[int], note: str = ""
) -> list[Invitation]:
    """Invite customers to a campaign's event (集中邀约). Each must belong to the campaign's site —
    one from another site rejects the whole batch, naming the customer. Already invited ones are
    skipped. Returns the new invitations."""
    scope = scope_requiring(actor, "marketing.add_invitation")
    campaign = _campaign_for_write(scope, campaign_id)
    ids = list(dict.fromkeys(int(pk) for pk in customer_ids))
    if not ids:
        raise ValidationError(_("请选择要邀约的客户"), field="customer_ids")
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=ids, is_deleted=False)}
    for pk in ids:
        if pk not in customers:
            raise NotFound(_("客户不存在或无权访问"), log_message=f"customer {pk} missing")
        if customers[pk].site_id != campaign.site_id:
            site_customer(scope, campaign.site_id, pk)  # raises, naming the customer
    existing = set(
        Invitation.objects.filter(campaign=campaign, customer_id__in=ids).values_list(
            "customer_id", flat=True
        )
    )
    now = timezone.now()
    invited_by = scope.staff_id
    rows = [
        Invitation(campaign=campaign, customer_id=pk, invited_by_id=invited_by, invited_at=now, note=note)
        for pk in ids
        if pk not in existing
    ]
    return Invitation.objects.bulk_create(rows)


def _attendance_day(campaign: Campaign) -> dt.date:
    """The attendance date: today, within the campaign's dates."""
    today = timezone.localdate()
    return min(max(today, campaign.starts_on), campaign.ends_on)


@as_actor
@transaction.atomic
def invitation_transition(*, actor, invitation_ids: Iterable[int], to_status: str) -> int:
    """Move invitations to `to_status` (confirm, decline, attended, no-show) along the transition
    map; attendance records a touch of the campaign dated the event day. Returns how many moved."""
    scope = scope_requiring(actor, "marketing.change_invitation")
    if to_status not in InvitationStatus.values:
        raise ValidationError(_("邀约状态不正确"), field="status")
    rows = list(
        scope.filter_sites(Invitation.objects.select_related("campaign", "customer"), "campaign__site")
        .select_for_update(of=("self",))
        .filter(pk__in=list(invitation_ids))
    )
    if not rows:
        raise ValidationError(_("请选择邀约记录"), field="invitation_ids")
    now = timezone.now()
    touches = []
    for invitation in rows:
        scope.require_site(invitation.campaign.site_id, write=True)
        if to_status not in INVITATION_TRANSITIONS[invitation.status]:
            raise ValidationError(
                _("%(name)s 的邀约当前为“%(from)s”，不能改为“%(to)s”")
                % {
                    "name": invitation.customer.name,
                    "from": invitation.get_status_display(),
                    "to": InvitationStatus(to_status).label,
                },
                field="status",
            )
        invitation.status = to_status
        invitation.status_changed_at = now
        if to_status == InvitationStatus.ATTENDED:
            touches.append(
                Touch(
                    site_id=invitation.campaign.site_id,
                    campaign=invitation.campaign,
                    customer=invitation.customer,
                    touched_on=_attendance_day(invitation.campaign),
                    method=TouchMethod.ATTENDANCE,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
            )
    Invitation.objects.bulk_update(rows, ["status", "status_changed_at"])
    Touch.objects.bulk_create(touches)
    return len(rows)


def _touch(
    scope, actor, campaign: Campaign, customer_id: int, touched_on: dt.date, method: str, **extra
) -> Touch:
    customer = site_customer(scope, campaign.site_id, customer_id)
    return Touch.objects.create(
        site_id=campaign.site_id,
        campaign=campaign,
        customer=customer,
        touched_on=touched_on,
        method=method,
        created_by=actor if getattr(actor, "pk", None) else None,
        **extra,
    )


def campaign_by_code(scope, site_id: int, code: str) -> Campaign:
    campaign = Campaign.objects.filter(site_id=site_id, code=(code or "").strip().lower()).first()
    if campaign is None:
        raise ValidationError(_("来源码“%(code)s”在本院区没有对应的活动") % {"code": code}, field="code")
    return campaign


@as_actor
@transaction.atomic
def consultation_attribute(
    *, actor, consultation_id: int, code: str = "", campaign_id: int | None = None
) -> Touch:
    """Credit a consultation to a campaign: by its source code (来源码) or a manual choice. The
    touch is dated the consultation's day, so it counts for that consultation and what follows."""
    scope = scope_requiring(actor, "marketing.add_touch")
    consultation = scope.filter_sites(Consultation.objects.all(), "site").filter(pk=consultation_id).first()
    if consultation is None:
        raise NotFound(_("咨询记录不存在或无权访问"))
    if campaign_id:
        campaign, method = _campaign_for_write(scope, campaign_id), TouchMethod.MANUAL
        if campaign.site_id != consultation.site_id:
            raise ValidationError(_("活动与咨询不属于同一院区"), field="campaign_id")
    else:
        campaign, method = campaign_by_code(scope, consultation.site_id, code), TouchMethod.SOURCE_CODE
        scope.require_site(campaign.site_id, write=True)
    return _touch(
        scope,
        actor,
        campaign,
        consultation.customer_id,
        local_date(consultation.occurred_at),
        method,
        consultation=consultation,
    )


@as_actor
@transaction.atomic
def deal_attribute(*, actor, deal_id: int, campaign_id: int) -> Touch:
    """Manually credit a deal to a campaign: a touch dated the signing day (so it is the deal's last touch)."""
    scope = scope_requiring(actor, "marketing.add_touch")
    deal = scope.filter_sites(Deal.objects.all(), "site").filter(pk=deal_id).first()
    if deal is None:
        raise NotFound(_("成交记录不存在或无权访问"))
    campaign = _campaign_for_write(scope, campaign_id)
    if campaign.site_id != deal.site_id:
        raise ValidationError(_("活动与成交不属于同一院区"), field="campaign_id")
    return _touch(scope, actor, campaign, deal.customer_id, deal.signed_on, TouchMethod.MANUAL, deal=deal)


@as_actor
@transaction.atomic
def touch_record(
    *, actor, campaign_id: int, customer_id: int, touched_on: dt.date, method: str = TouchMethod.MANUAL
) -> Touch:
    """Record a touch by hand (e.g. a customer who names the campaign that brought them)."""
    scope = scope_requiring(actor, "marketing.add_touch")
    if method not in TouchMethod.values:
        raise ValidationError(_("归因方式不正确"), field="method")
    campaign = _campaign_for_write(scope, campaign_id)
    return _touch(
        scope,
        actor,
        campaign,
        customer_id,
        a_date(touched_on, field="touched_on", label=_("触达日期")),
        method,
    )


@as_actor
@transaction.atomic
def touch_withdraw(*, actor, touch_id: int) -> Touch:
    """Withdraw a wrong touch (kept, audited; attribution ignores it from now on)."""
    scope = scope_requiring(actor, "marketing.change_touch")
    touch = (
        scope.filter_sites(Touch.objects.all(), "site").filter(pk=touch_id, withdrawn_at__isnull=True).first()
    )
    if touch is None:
        raise NotFound(_("归因记录不存在或已撤销"))
    scope.require_site(touch.site_id, write=True)
    touch.withdrawn_at = timezone.now()
    touch.save(update_fields=["withdrawn_at"])
    return touch


@as_actor
@transaction.atomic
def landing_submit(
    *,
    actor,
    site_id: int,
    code: str,
    name: str,
    phone: str,
    content: str = "",
    occurred_at: dt.datetime | None = None,
) -> Touch:
    """A landing-form lead (落地页表单): registers the prospect (or finds them by phone), records an
    online consultation and credits it to the campaign whose source code the form carried."""
    scope = scope_requiring(actor, "marketing.add_touch")
    scope.require_site(site_id, write=True)
    campaign = campaign_by_code(scope, site_id, code)
    occurred_at = occurred_at or timezone.now()
    try:
        customer = pipeline_services.customer_register(
            actor=actor, site_id=site_id, name=name, phone=phone, channel_id=campaign.channel_id
        )
    except DuplicateCustomer as exc:
        customer = Customer.objects.get(pk=exc.customer_id)
    consultation = pipeline_services.consultation_record(
        actor=actor, customer_id=customer.pk, mode="online", occurred_at=occurred_at, content=content
    )
    return _touch(
        scope,
        actor,
        campaign,
        customer.pk,
        local_date(occurred_at),
        TouchMethod.LANDING,
        consultation=consultation,
    )
