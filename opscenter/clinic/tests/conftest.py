"""Clinic test helpers: site B (美莱) with its 皮肤 and 口腔 centers, doctors, a customer."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import zoneinfo
from types import SimpleNamespace

import pytest

from opscenter.core.testing import make_department, make_staff, make_user
from opscenter.members import services as members
from opscenter.members.constants import LADDER
from opscenter.pipeline.models import Customer, Transaction

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
_phones = itertools.count(13700000001)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clinic(personas):
    """Centers 皮肤中心 (manager 周医生, on duty) and 口腔中心 at site B; doctor 李医生 (a user
    with the doctor role) in 皮肤中心; consultant_b sells; ops_b manages."""
    site = personas.site_b
    skin = make_department(site, "medical", "皮肤中心")
    dental = make_department(site, "medical", "口腔中心")
    doctor_user = make_user("doctor_b", role="doctor")
    doctor = make_staff(department=skin, user=doctor_user, name="李医生")
    on_duty = make_staff(department=skin, name="周医生")
    dentist = make_staff(department=dental, name="王医生")
    skin.manager = on_duty
    skin.save(update_fields=["manager"])
    marketing = personas.consultant_b.staff.department
    marketing.manager = personas.ops_b.staff
    marketing.save(update_fields=["manager"])
    return SimpleNamespace(
        site=site, skin=skin, dental=dental, doctor=doctor, doctor_user=doctor_user, on_duty=on_duty,
        dentist=dentist, consultant=personas.consultant_b.staff, marketing=marketing,
    )  # fmt: skip


@pytest.fixture
def customer(personas):
    """Factory: a customer of site B owned by consultant_b, first contact 2026-01-05."""

    def make(name: str = "陈女士", **kwargs) -> Customer:
        return Customer.objects.create(
            site=personas.site_b, name=name, phone=str(next(_phones)), cohort_month=202601,
            first_contact_on=dt.date(2026, 1, 5), owner=personas.consultant_b.staff, status="customer", **kwargs,
        )  # fmt: skip

    return make


def spend(customer, day: dt.date, yuan: int) -> Transaction:
    return Transaction.objects.create(
        site_id=customer.site_id, customer=customer, occurred_on=day, month=day.year * 100 + day.month,
        item="历史消费", category="other", amount_fen=yuan * 100,
    )  # fmt: skip


@pytest.fixture
def ladder(personas):
    """The discount ladder (时尚/水晶/翡翠/铂金/黄钻), active at site B; 水晶级 also grants the
    birthday-month 8.8折 (折上折)."""
    definition = copy.deepcopy(LADDER)
    for tier in definition["tiers"]:
        if tier["code"] == "crystal":
            tier["benefits"]["discount"] = "8.8"
            tier["benefits"]["birthday"] = ["birthday_sms", "birthday_discount"]
    rule_set = members.tier_rules_create(
        actor=personas.ops_b, site_id=personas.site_b.pk, name="消费折扣等级", definition=definition
    )
    members.tier_rules_transition(actor=personas.ops_b, rule_set_id=rule_set.pk, to_status="active")
    rule_set.refresh_from_db()
    return rule_set
