"""Data migration targets.0005: hand-set overrides of the old per-customer money rate keep their
value under the per-deal key the solver now reads; nothing else changes."""

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps

from opscenter.targets import services
from opscenter.targets.models import RateOverride
from opscenter.targets.tests.conftest import TODAY

migration = importlib.import_module("opscenter.targets.migrations.0005_rate_override_revenue_per_deal")
pytestmark = pytest.mark.django_db


def test_old_money_overrides_are_renamed_and_renamed_back(personas, history):
    plan = services.plan_create(actor=personas.ops_a, site_id=history.pk, year=2026,
                                targets={"revenue_fen": 60_000_000}, month_split="even", today=TODAY)  # fmt: skip
    RateOverride.objects.create(
        plan=plan, unit_key="site", rate="revenue_per_customer_fen", value=D(4_000_000)
    )
    RateOverride.objects.create(plan=plan, unit_key="site", rate="conversion_rate", value=D("0.3"))
    migration.forwards(apps, None)
    assert dict(RateOverride.objects.values_list("rate", "value")) == {
        "revenue_per_deal_fen": D(4_000_000), "conversion_rate": D("0.3")
    }  # fmt: skip
    migration.backwards(apps, None)
    assert set(RateOverride.objects.values_list("rate", flat=True)) == {
        "revenue_per_customer_fen",
        "conversion_rate",
    }
