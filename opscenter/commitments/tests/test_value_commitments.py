"""Commitments measured as a value against a bound (≤ / ≥), in the same tree, breach and
attribution mechanism as the timed ones."""

import datetime as dt
from decimal import Decimal

import pytest

from opscenter.commitments import services, timing
from opscenter.commitments.choices import AllowanceKind, Event, StageStatus, TreeStatus, ValueComparison
from opscenter.commitments.models import StageMeasurement
from opscenter.commitments.monitor import run_monitor
from opscenter.core.businesstime import SHANGHAI
from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_department

pytestmark = pytest.mark.django_db


def at(d, h, mi=0):
    return dt.datetime(2026, 11, d, h, mi, tzinfo=SHANGHAI)


def test_value_status_keeps_the_bound_inclusive_in_both_directions():
    assert timing.value_status(Decimal("8"), ValueComparison.AT_MOST, Decimal("8")) == ("on_time", 0)
    assert timing.value_status(Decimal("9.5"), ValueComparison.AT_MOST, Decimal("8")) == (
        "breached",
        Decimal("1.5"),
    )
    assert timing.value_status(Decimal("0.95"), ValueComparison.AT_LEAST, Decimal("0.95"))[0] == "on_time"
    assert timing.value_status(Decimal("0.9"), ValueComparison.AT_LEAST, Decimal("0.95")) == (
        "breached",
        Decimal("0.05"),
    )


def _cold_chain(site, *, root_value=False):
    logistics = make_department(site, "logistics")
    temperature = services.NodeSpec(
        name="送达温度",
        start_event=Event.SHIPPED,
        end_event=Event.DELIVERED,
        allowance_minutes=0,
        allowance_kind=AllowanceKind.VALUE,
        value_key="temperature",
        value_comparison=ValueComparison.AT_MOST,
        value_bound=Decimal("8"),
        value_unit="℃",
        department_id=logistics.pk,
    )
    waiting = services.NodeSpec(
        name="发货等待",
        start_event=Event.ORDER_PLACED,
        end_event=Event.SHIPPED,
        allowance_minutes=240,
        department_id=logistics.pk,
    )
    if root_value:
        root = services.NodeSpec(
            name="完好送达率",
            start_event=Event.ORDER_PLACED,
            end_event=Event.DELIVERED,
            allowance_minutes=0,
            allowance_kind=AllowanceKind.VALUE,
            value_key="intact_rate",
            value_comparison=ValueComparison.AT_LEAST,
            value_bound=Decimal("0.99"),
            children=[waiting, temperature],
        )
    else:
        root = services.NodeSpec(
            name="冷链送货",
            start_event=Event.ORDER_PLACED,
            end_event=Event.DELIVERED,
            allowance_minutes=2 * 9 * 60,
            children=[waiting, temperature],
        )
    tree = services.commitment_tree_create(actor=None, site_id=site.pk, family="cold", name="冷链", root=root)
    return services.commitment_tree_transition(actor=None, tree_id=tree.pk, to_status=TreeStatus.ACTIVE)


def _stages(m):
    return {s.commitment.name: s for s in m.stages.select_related("commitment")}


def test_a_value_over_its_bound_breaches_its_stage_and_is_named_in_the_level_one_attribution(personas):
    tree = _cold_chain(personas.site_a)
    m = services.measurement_record(
        tree=tree,
        subject_kind="order",
        subject_ref="C-1",
        events={
            Event.ORDER_PLACED: at(2, 9),
            Event.SHIPPED: at(2, 15),  # 6 business hours: 2 over the 4 allowed
            Event.DELIVERED: at(5, 10),  # Mon 09:00 → Thu 10:00: 28 business hours, 10 over
        },
        values={"temperature": "9.5"},
    )
    stages = _stages(m)
    assert stages["送达温度"].status == StageStatus.BREACHED
    assert stages["送达温度"].measured_value == Decimal("9.5")
    assert stages["送达温度"].due_at is None  # no time limit: the monitor never touches it
    assert stages["冷链送货"].attribution == (
        "一级承诺超时 10 小时：二级「发货等待」超出 2 小时；二级「送达温度」实测 9.5℃，界限 ≤ 8℃"
    )


def test_a_value_within_its_bound_is_on_time_and_waits_for_its_value(personas):
    tree = _cold_chain(personas.site_a)
    events = {Event.ORDER_PLACED: at(2, 9), Event.SHIPPED: at(2, 10), Event.DELIVERED: at(3, 10)}
    m = services.measurement_record(tree=tree, subject_kind="order", subject_ref="C-2", events=events)
    assert _stages(m)["送达温度"].status == StageStatus.OPEN  # delivered, value not yet known
    m = services.measurement_record(
        tree=tree, subject_kind="order", subject_ref="C-2", events={}, values={"temperature": 8}
    )
    assert _stages(m)["送达温度"].status == StageStatus.ON_TIME
    assert run_monitor(at(20, 9), sync=False).breached == 0


def test_a_level_one_value_commitment_breaches_and_names_the_stage_that_overran(personas):
    tree = _cold_chain(personas.site_a, root_value=True)
    m = services.measurement_record(
        tree=tree,
        subject_kind="week",
        subject_ref="2026-W45",
        events={Event.ORDER_PLACED: at(2, 9), Event.SHIPPED: at(2, 15), Event.DELIVERED: at(3, 10)},
        values={"intact_rate": "0.97", "temperature": "6"},
    )
    root = StageMeasurement.objects.get(measurement=m, level=1)
    assert root.status == StageStatus.BREACHED and m.status == StageStatus.BREACHED
    assert root.attribution == "一级承诺未达标：实测 0.97，界限 ≥ 0.99：二级「发货等待」超出 2 小时"


def test_bad_values_and_incomplete_value_commitments_are_refused(personas):
    tree = _cold_chain(personas.site_a)
    with pytest.raises(ValidationError, match="测量值「temperature」不是数字"):
        services.measurement_record(
            tree=tree,
            subject_kind="order",
            subject_ref="C-3",
            events={Event.ORDER_PLACED: at(2, 9)},
            values={"temperature": "warm"},
        )
    with pytest.raises(ValidationError) as exc:
        services.commitment_tree_create(
            actor=None,
            site_id=personas.site_a.pk,
            family="bad",
            name="缺界限",
            root=services.NodeSpec(
                name="温度",
                start_event=Event.SHIPPED,
                end_event=Event.DELIVERED,
                allowance_minutes=0,
                allowance_kind=AllowanceKind.VALUE,
                value_key="temperature",
                value_comparison=ValueComparison.AT_MOST,
            ),
        )
    assert exc.value.field == "value_bound"


def test_the_bound_is_edited_on_the_tree_screen_into_a_new_version(client, personas):
    tree = _cold_chain(personas.site_a)
    temperature = tree.commitments.get(name="送达温度")
    client.force_login(personas.ops_a)
    page = client.get(f"/commitments/trees/{tree.pk}/").content.decode()
    assert "temperature ≤ 8℃" in page
    response = client.post(
        f"/commitments/trees/{tree.pk}/commitments/{temperature.pk}/", {"value_bound": "10"}
    )
    assert response.status_code == 302
    new = tree.commitments.model.objects.get(tree__family="cold", tree__version=2, name="送达温度")
    assert new.value_bound == Decimal("10")
    temperature.refresh_from_db()
    assert temperature.value_bound == Decimal("8")
