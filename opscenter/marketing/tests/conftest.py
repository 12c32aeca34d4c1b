"""Marketing test helpers: the pipeline's channels and customer factory, and a deal/consultation
path written through the pipeline's own services (so attribution reads real funnel rows)."""

from __future__ import annotations

import datetime as dt

import pytest

from opscenter.pipeline import services as pipeline_services
from opscenter.pipeline.tests.conftest import at, channels, make_customer  # noqa: F401  (fixtures)


@pytest.fixture
def journey(personas):
    """consult(customer, day), visit(customer, day), deal(customer, day, amount) as marketing_a."""
    actor = personas.marketing_a

    class Journey:
        @staticmethod
        def consult(customer, day: dt.date, mode: str = "phone"):
            return pipeline_services.consultation_record(
                actor=actor, customer_id=customer.pk, mode=mode, occurred_at=at(day.year, day.month, day.day)
            )

        @staticmethod
        def visit(customer, day: dt.date):
            return pipeline_services.visit_register(
                actor=actor, customer_id=customer.pk, arrived_at=at(day.year, day.month, day.day, 14)
            )

        @staticmethod
        def deal(customer, day: dt.date, amount_fen: int):
            return pipeline_services.deal_sign(
                actor=actor, customer_id=customer.pk, signed_on=day, amount_fen=amount_fen, stay_type="long"
            )

    return Journey()


@pytest.fixture
def customer_at_a(personas, make_customer):  # noqa: F811  (the imported fixture)
    def make(name: str = "张三", **kwargs):
        return make_customer(personas.marketing_a, name=name, **kwargs)

    return make
