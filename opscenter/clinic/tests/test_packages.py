"""Packages and course sessions: 6 sessions consumed across visits with an expiry, balances and
unused-session liability, the course end scheduling a clinical follow-up; bad consumption."""

import datetime as dt

import pytest

from opscenter.clinic import selectors, services
from opscenter.clinic.models import Package, SessionUse
from opscenter.clinic.services import OrderLine
from opscenter.clinic.tests.conftest import at
from opscenter.core.exceptions import ValidationError
from opscenter.pipeline.models import FollowUp

pytestmark = pytest.mark.django_db
SOLD = dt.date(2026, 3, 1)


@pytest.fixture
def package(personas, clinic, customer):
    """皮肤疗程 6 次 for ¥6,000.01, valid 90 days (to 2026-05-30), doctor 李医生."""
    c = customer()
    services.order_place(
        actor=personas.consultant_b, customer_id=c.pk, signed_on=SOLD,
        lines=[OrderLine(item="皮肤疗程", category="skin_package", amount_fen=600_001, center_id=clinic.skin.pk,
                         doctor_id=clinic.doctor.pk, sessions=6, valid_days=90)],
    )  # fmt: skip
    return Package.objects.get(customer=c)


def _use(personas, package, performer, day, hour=10):
    return services.session_consume(actor=personas.ops_b, package_id=package.pk, performed_by_id=performer.pk,
                                    used_at=at(day, hour))  # fmt: skip


def test_six_sessions_consumed_across_visits_then_the_course_ends_with_a_clinical_follow_up(
    personas, clinic, package
):
    days = [dt.date(2026, 3, d) for d in (3, 17, 31)] + [dt.date(2026, 4, d) for d in (14, 28)]
    for day in days:
        _use(personas, package, clinic.on_duty, day)
    package.refresh_from_db()
    assert (package.sessions_used, package.sessions_left, package.status) == (5, 1, "active")
    # 1 of 6 left of ¥6,000.01: ¥6,000.01 − round(¥6,000.01 × 5/6) = 600001 − 500001 = 100000 fen
    [row] = selectors.unused_liability(user=personas.ops_b, site_id=clinic.site.pk, on=dt.date(2026, 5, 1))
    assert (row["packages"], row["sessions"], row["fen"]) == (1, 1, 100_000)
    assert not FollowUp.objects.filter(kind="clinical").exists()
    # The sixth visit (Friday 2026-05-08 15:00, by 李医生) ends the course.
    last = _use(personas, package, clinic.doctor, dt.date(2026, 5, 8), hour=15)
    package.refresh_from_db()
    assert (last.number, package.status, package.finished_on) == (6, "finished", dt.date(2026, 5, 8))
    assert [u.performed_by_id for u in SessionUse.objects.filter(package=package).order_by("number")] == [
        clinic.on_duty.pk] * 5 + [clinic.doctor.pk]  # fmt: skip
    followup = FollowUp.objects.get(kind="clinical")
    assert (followup.staff_id, followup.customer_id) == (clinic.doctor.pk, package.customer_id)
    assert followup.question == "疗程结束回访：皮肤疗程（共 6 次）"
    assert followup.due_at > last.used_at and followup.deal_id == package.deal_line.deal_id
    assert (
        selectors.unused_liability(user=personas.ops_b, site_id=clinic.site.pk, on=dt.date(2026, 5, 9)) == []
    )


def test_consuming_from_an_empty_package_is_rejected_and_nothing_is_written(personas, clinic, package):
    for week in range(6):
        _use(personas, package, clinic.doctor, SOLD + dt.timedelta(days=7 * week + 1))
    with pytest.raises(ValidationError, match=r"“皮肤疗程”已无剩余次数（已用 6/6 次）"):
        _use(personas, package, clinic.doctor, dt.date(2026, 5, 1))
    assert SessionUse.objects.filter(package=package).count() == 6
    assert FollowUp.objects.filter(kind="clinical").count() == 1


def test_consuming_from_an_expired_package_is_rejected(personas, clinic, package):
    _use(personas, package, clinic.doctor, dt.date(2026, 5, 30))  # the last valid day
    with pytest.raises(ValidationError, match="“皮肤疗程”已于 2026-05-30 过期，不能再消耗"):
        _use(personas, package, clinic.doctor, dt.date(2026, 5, 31))
    package.refresh_from_db()
    assert package.sessions_used == 1
    # Expired packages are no longer a liability.
    assert (
        selectors.unused_liability(user=personas.ops_b, site_id=clinic.site.pk, on=dt.date(2026, 5, 31)) == []
    )


def test_performer_must_work_at_the_site_and_the_package_must_be_in_scope(personas, clinic, package):
    with pytest.raises(ValidationError, match="治疗人不存在或不在该院区"):
        _use(personas, package, personas.consultant_a.staff, dt.date(2026, 3, 2))
    from opscenter.core.exceptions import NotFound, PermissionDenied

    with pytest.raises((NotFound, PermissionDenied)):
        services.session_consume(actor=personas.ops_a, package_id=package.pk, performed_by_id=clinic.doctor.pk,
                                 used_at=at(dt.date(2026, 3, 2)))  # fmt: skip


def test_doctor_can_record_a_session(personas, clinic, package):
    use = services.session_consume(actor=clinic.doctor_user, package_id=package.pk, performed_by_id=clinic.doctor.pk,
                                   used_at=at(dt.date(2026, 3, 2)))  # fmt: skip
    assert use.number == 1


def test_course_sessions_selector_counts_consumed_skin_course_sessions(personas, clinic, package):
    for week in range(3):
        _use(personas, package, clinic.doctor, SOLD + dt.timedelta(days=7 * week + 1))
    assert selectors.course_sessions(customer_ids=[package.customer_id]) == {package.customer_id: 3}
