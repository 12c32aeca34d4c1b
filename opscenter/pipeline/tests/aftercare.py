"""Hand-built histories for the metrics outside the funnel (new residents, follow-up completion),
shared by the pipeline's and the targets' tests. Every expected number is written next to the row
that makes it."""

from __future__ import annotations

import datetime as dt

from opscenter.pipeline import services
from opscenter.pipeline.models import Channel
from opscenter.pipeline.tests.conftest import at, next_phone

# Site A's non-zero counts by month (every other month and key is 0).
RESIDENTS = {
    202602: {"residents_new_short": 1, "residents_new_rehab": 1},
    202603: {"residents_new_trial": 1, "residents_new_long": 1, "residents_new_assisted": 1},
    202604: {"residents_new_long": 1, "residents_new_assisted": 1},
}
FOLLOWUPS = {
    202603: {"followups_done": 2, "followups_scheduled": 4},
    202604: {"followups_done": 1, "followups_scheduled": 1},
}


def _customer(actor, channel_kind: str = "phone", *, name: str):
    channel = Channel.objects.get(site__isnull=True, kind=channel_kind)
    site = actor.staff.department.site
    return services.customer_register(
        actor=actor, site_id=site.pk, name=name, phone=next_phone(), channel_id=channel.pk
    )


def _signed(actor, customer, day: dt.date, **deal):
    return services.deal_sign(actor=actor, customer_id=customer.pk, signed_on=day, **deal)


def build_residents(personas) -> None:
    """Site A (elder care) and site B (clinic) deals of 2026:

    * Feb: 客户丙's first deal, 短住 · 康复护理区 (consultant_a) — counts (short, rehab).
    * Mar: 客户甲 试住 · 协助照料区 (consultant_a) — counts (trial, assisted);
      客户乙 长住 · 失智区, cancelled — does not count;
      客户丙's second deal 长住 · 康复护理区 — 丙's first long stay: counts (long), not by care
      zone (not a new customer);
      客户戊 a deal with no stay type or care zone — does not count (but is a new-customer deal).
    * Apr: 客户丁 长住 · 协助照料区 (consultant_a2) — counts (long, assisted).
    * Site B (clinic), Mar: a new customer's order, no stay type — counts nowhere.
    """
    a, a2, b = personas.consultant_a, personas.consultant_a2, personas.consultant_b

    jia = _customer(a, name="客户甲")
    services.consultation_record(actor=a, customer_id=jia.pk, mode="phone", occurred_at=at(2026, 3, 1))
    _signed(a, jia, dt.date(2026, 3, 10), amount_fen=1_000_000, stay_type="trial", care_zone="assisted")

    yi = _customer(a, name="客户乙")
    services.consultation_record(actor=a, customer_id=yi.pk, mode="phone", occurred_at=at(2026, 3, 2))
    cancelled = _signed(
        a, yi, dt.date(2026, 3, 12), amount_fen=2_000_000, stay_type="long", care_zone="dementia"
    )
    services.deal_transition(actor=a, deal_id=cancelled.pk, to_status="cancelled", reason="家属反对")

    bing = _customer(a, name="客户丙")
    services.consultation_record(actor=a, customer_id=bing.pk, mode="phone", occurred_at=at(2026, 2, 1))
    _signed(a, bing, dt.date(2026, 2, 5), amount_fen=600_000, stay_type="short", care_zone="rehab")
    _signed(a, bing, dt.date(2026, 3, 15), amount_fen=3_000_000, stay_type="long", care_zone="rehab")

    wu = _customer(a, name="客户戊")
    services.consultation_record(actor=a, customer_id=wu.pk, mode="phone", occurred_at=at(2026, 3, 3))
    _signed(a, wu, dt.date(2026, 3, 20), amount_fen=50_000)

    ding = _customer(a2, "online", name="客户丁")
    services.consultation_record(actor=a2, customer_id=ding.pk, mode="online", occurred_at=at(2026, 4, 1))
    _signed(a2, ding, dt.date(2026, 4, 3), amount_fen=4_000_000, stay_type="long", care_zone="assisted")

    clinic = _customer(b, name="美莱客户")
    services.consultation_record(actor=b, customer_id=clinic.pk, mode="phone", occurred_at=at(2026, 3, 1))
    _signed(b, clinic, dt.date(2026, 3, 5), amount_fen=300_000)


def build_followups(personas) -> None:
    """Follow-ups scheduled in 2026 (site A unless said):

    * 回访客户一 (consultant_a, phone channel): 3-05 done 3-06 已回访 — done (Mar);
      3-20 not done — scheduled only.
    * 回访客户二 (consultant_a, online channel): 3-25 done 4-02 — done, in March (its scheduled month);
      4-08 done 4-09 投诉 — done (Apr).
    * 回访客户三 (consultant_a2): 3-10 done 3-10 未接通 — scheduled, not done.
    * Site B (consultant_b): 3-05 done 3-06 — site B's only.

    Site A: March 2 done of 4 scheduled, April 1 of 1.
    """
    a, a2, b = personas.consultant_a, personas.consultant_a2, personas.consultant_b

    def schedule(actor, customer, day: dt.date):
        return services.followup_schedule(actor=actor, customer_id=customer.pk, scheduled_on=day)

    def complete(actor, followup, day: dt.date, outcome: str = "reached", satisfaction: int | None = 5):
        services.followup_complete(
            actor=actor, followup_id=followup.pk, done_on=day, outcome=outcome, satisfaction=satisfaction
        )

    one = _customer(a, "phone", name="回访客户一")
    complete(a, schedule(a, one, dt.date(2026, 3, 5)), dt.date(2026, 3, 6))
    schedule(a, one, dt.date(2026, 3, 20))

    two = _customer(a, "online", name="回访客户二")
    complete(a, schedule(a, two, dt.date(2026, 3, 25)), dt.date(2026, 4, 2), satisfaction=4)
    complete(a, schedule(a, two, dt.date(2026, 4, 8)), dt.date(2026, 4, 9), "complaint", None)

    three = _customer(a2, name="回访客户三")
    complete(a2, schedule(a2, three, dt.date(2026, 3, 10)), dt.date(2026, 3, 10), "unreachable", None)

    other = _customer(b, name="美莱回访客户")
    complete(b, schedule(b, other, dt.date(2026, 3, 5)), dt.date(2026, 3, 6))
