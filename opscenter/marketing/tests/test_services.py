"""Campaigns, invitations, the spend ledger and attribution writes — including the bad input the
issue names: a cost line without campaign or channel, negative spend, an invitation to a customer
of another site, and commission tiers that overlap."""

from __future__ import annotations

import datetime as dt

import pytest

from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.marketing import services
from opscenter.marketing.choices import InvitationStatus, TouchMethod
from opscenter.marketing.models import CostLine, Invitation, Touch

D = dt.date


@pytest.fixture
def campaign(personas, channels):
    return services.campaign_create(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        name="春季开放日",
        code="open-day-spring",
        kind="open_day",
        channel_id=channels["offline"].pk,
        starts_on=D(2026, 3, 14),
        ends_on=D(2026, 3, 15),
        budget_fen=800000,
        audience="60岁以上本市老人及子女",
    )


def test_campaign_code_is_unique_per_site(personas, campaign):
    with pytest.raises(ValidationError, match="来源码“open-day-spring”已被"):
        services.campaign_create(
            actor=personas.marketing_a,
            site_id=personas.site_a.pk,
            name="另一个",
            code="open-day-spring",
            kind="seminar",
            starts_on=D(2026, 4, 1),
            ends_on=D(2026, 4, 1),
        )


def test_campaign_end_before_start_is_rejected(personas):
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        services.campaign_create(
            actor=personas.marketing_a,
            site_id=personas.site_a.pk,
            name="讲座",
            code="talk",
            kind="seminar",
            starts_on=D(2026, 4, 2),
            ends_on=D(2026, 4, 1),
        )


def test_consultant_may_not_create_campaigns(personas):
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=personas.consultant_a,
            site_id=personas.site_a.pk,
            name="讲座",
            code="talk",
            kind="seminar",
            starts_on=D(2026, 4, 1),
            ends_on=D(2026, 4, 1),
        )


def test_invite_confirm_and_attend_records_a_touch_on_the_event_day(personas, campaign, customer_at_a):
    guests = [customer_at_a(name=f"客户{i}") for i in range(3)]
    invitations = services.invitation_bulk_create(
        actor=personas.marketing_a, campaign_id=campaign.pk, customer_ids=[c.pk for c in guests]
    )
    assert len(invitations) == 3
    # Inviting again skips those already invited.
    assert (
        services.invitation_bulk_create(
            actor=personas.marketing_a, campaign_id=campaign.pk, customer_ids=[guests[0].pk]
        )
        == []
    )
    ids = [i.pk for i in invitations]
    services.invitation_transition(actor=personas.marketing_a, invitation_ids=ids[:2], to_status="confirmed")
    services.invitation_transition(actor=personas.marketing_a, invitation_ids=ids[:1], to_status="attended")
    statuses = dict(Invitation.objects.values_list("customer_id", "status"))
    assert statuses == {
        guests[0].pk: InvitationStatus.ATTENDED,
        guests[1].pk: InvitationStatus.CONFIRMED,
        guests[2].pk: InvitationStatus.INVITED,
    }
    touch = Touch.objects.get()
    assert (touch.customer_id, touch.method, touch.touched_on) == (
        guests[0].pk,
        TouchMethod.ATTENDANCE,
        D(2026, 3, 15),  # today is after the event: the touch is dated the event's last day
    )


def test_attended_invitation_cannot_go_back_to_declined(personas, campaign, customer_at_a):
    (inv,) = services.invitation_bulk_create(
        actor=personas.marketing_a, campaign_id=campaign.pk, customer_ids=[customer_at_a().pk]
    )
    services.invitation_transition(actor=personas.marketing_a, invitation_ids=[inv.pk], to_status="attended")
    with pytest.raises(ValidationError, match="不能改为“已婉拒”"):
        services.invitation_transition(
            actor=personas.marketing_a, invitation_ids=[inv.pk], to_status="declined"
        )


def test_invitation_to_a_customer_of_another_site_is_rejected_and_nothing_is_written(
    personas, campaign, customer_at_a, make_customer
):
    ours = customer_at_a(name="本院客户")
    theirs = make_customer(personas.consultant_b, name="李四")
    # Someone working at both sites is told plainly why.
    personas.marketing_a.staff.extra_sites.add(personas.site_b)
    personas.marketing_a.__dict__.pop("_opscenter_scope", None)  # the scope is cached per user object
    with pytest.raises(ValidationError, match="客户“李四”属于其他院区") as exc:
        services.invitation_bulk_create(
            actor=personas.marketing_a, campaign_id=campaign.pk, customer_ids=[ours.pk, theirs.pk]
        )
    assert exc.value.field == "customer_ids"
    assert not Invitation.objects.exists()


def test_invitation_of_a_customer_out_of_reach_is_not_found(personas, campaign, make_customer):
    theirs = make_customer(personas.consultant_b, name="李四")
    with pytest.raises(NotFound):
        services.invitation_bulk_create(
            actor=personas.marketing_a, campaign_id=campaign.pk, customer_ids=[theirs.pk]
        )
    assert not Invitation.objects.exists()


def test_cost_line_amount_is_quantity_times_unit_price_and_takes_the_campaign_channel(personas, campaign):
    line = services.cost_line_record(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        item="宣传单页",
        quantity=3000,
        unit_price_fen=35,
        supplier="宁波印务",
        invoice_no="FP-001",
        spent_on=D(2026, 3, 1),
        campaign_id=campaign.pk,
    )
    assert (line.amount_fen, line.month, line.channel_id) == (105000, 202603, campaign.channel_id)


def test_cost_line_without_campaign_or_channel_is_rejected(personas):
    with pytest.raises(ValidationError, match="费用必须归属一个活动或一个渠道") as exc:
        services.cost_line_record(
            actor=personas.marketing_a,
            site_id=personas.site_a.pk,
            item="海报",
            quantity=100,
            unit_price_fen=500,
            spent_on=D(2026, 3, 1),
        )
    assert exc.value.field == "campaign_id"
    assert not CostLine.objects.exists()


@pytest.mark.parametrize(
    ("quantity", "unit_price_fen", "field", "message"),
    [
        (1, -500, "unit_price_fen", "单价不能为负数"),
        (-3, 500, "quantity", "数量应大于零"),
        (0, 500, "quantity", "数量应大于零"),
    ],
)
def test_negative_spend_is_rejected(personas, channels, quantity, unit_price_fen, field, message):
    with pytest.raises(ValidationError, match=message) as exc:
        services.cost_line_record(
            actor=personas.marketing_a,
            site_id=personas.site_a.pk,
            item="易拉宝",
            quantity=quantity,
            unit_price_fen=unit_price_fen,
            spent_on=D(2026, 3, 1),
            channel_id=channels["offline"].pk,
        )
    assert exc.value.field == field
    assert not CostLine.objects.exists()


def test_a_cost_line_is_reversed_not_deleted_and_only_once(personas, channels):
    line = services.cost_line_record(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        item="展板",
        quantity=6,
        unit_price_fen=20000,
        spent_on=D(2026, 3, 2),
        channel_id=channels["offline"].pk,
    )
    reversal = services.cost_line_reverse(actor=personas.marketing_a, cost_line_id=line.pk, reason="重复录入")
    assert reversal.amount_fen == -120000 and reversal.reversal_of_id == line.pk
    assert sum(CostLine.objects.values_list("amount_fen", flat=True)) == 0
    with pytest.raises((ValidationError, NotFound)):
        services.cost_line_reverse(actor=personas.marketing_a, cost_line_id=line.pk, reason="again")


def test_cost_line_on_another_sites_campaign_is_refused(personas, campaign, channels):
    with pytest.raises(PermissionDenied):
        services.cost_line_record(
            actor=personas.ops_b,
            site_id=personas.site_a.pk,
            item="海报",
            quantity=1,
            unit_price_fen=100,
            spent_on=D(2026, 3, 1),
            campaign_id=campaign.pk,
        )


def test_consultation_attributed_by_source_code(personas, campaign, customer_at_a, journey):
    customer = customer_at_a()
    consultation = journey.consult(customer, D(2026, 3, 20))
    touch = services.consultation_attribute(
        actor=personas.marketing_a, consultation_id=consultation.pk, code="OPEN-DAY-SPRING"
    )
    assert (touch.campaign_id, touch.method, touch.touched_on) == (campaign.pk, "source_code", D(2026, 3, 20))
    with pytest.raises(ValidationError, match="来源码“nope”在本院区没有对应的活动"):
        services.consultation_attribute(
            actor=personas.marketing_a, consultation_id=consultation.pk, code="nope"
        )


def test_landing_form_registers_the_prospect_and_credits_the_campaign(personas, campaign):
    touch = services.landing_submit(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        code="open-day-spring",
        name="王五",
        phone="13900000077",
    )
    assert touch.method == "landing" and touch.consultation.mode == "online"
    assert touch.customer.channel_id == campaign.channel_id
    # The same phone again finds the customer instead of failing as a duplicate.
    again = services.landing_submit(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        code="open-day-spring",
        name="王五",
        phone="13900000077",
    )
    assert again.customer_id == touch.customer_id
