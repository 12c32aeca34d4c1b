"""Demo step: make the work queues show something on the day the demo is opened (issue 12).

The demo year is generated for fixed dates; this step adds, relative to today, a few booked
appointments for today and tomorrow at each demo site (the home page counts them, the calendar
shows them) and cancels one signed deal through the real service (reason, reversing refund rows,
member tier refreshed), so a cancelled deal can be seen on a customer's timeline, in the deals
list and out of the funnel. Idempotent: today's appointments are added once per day, the deal is
cancelled once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from opscenter.core import audit
from opscenter.core.models import User
from opscenter.org.models import Site
from opscenter.pipeline import services
from opscenter.pipeline.choices import AppointmentMode, AppointmentStatus, CustomerStatus, DealStatus
from opscenter.pipeline.models import Appointment, Customer, Deal
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.services._common import event_fields

DEMO_NOTE = "演示：今日预约"
CANCEL_REASON = "演示：客户家属反对，合同作废"
SLOTS = ((0, 9, 30), (0, 10, 30), (0, 14, 0), (0, 15, 30), (1, 10, 0), (1, 14, 30))


def _book_today(site: Site) -> int:
    today = timezone.localdate()
    if Appointment.objects.filter(site=site, note=DEMO_NOTE, scheduled_for__date__gte=today).exists():
        return 0
    customers = list(
        Customer.objects.filter(
            site=site,
            is_deleted=False,
            status=CustomerStatus.PROSPECT,
            owner__isnull=False,
            first_contact_on__isnull=False,
        )
        .select_related("owner")
        .order_by("-first_contact_on", "pk")[: len(SLOTS)]
    )
    now = timezone.now()
    rows = []
    for customer, (days, hour, minute) in zip(customers, SLOTS, strict=False):
        when = timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute))
        )
        rows.append(
            Appointment(
                **event_fields(customer, month=month_key(now)),
                mode=AppointmentMode.PHONE,
                booked_by=customer.owner,
                booked_at=now,
                scheduled_for=when,
                status=AppointmentStatus.BOOKED,
                note=DEMO_NOTE,
            )
        )
    Appointment.objects.bulk_create(rows)
    return len(rows)


def _cancel_one_deal(site: Site, admin: User) -> bool:
    if Deal.objects.filter(site=site, status=DealStatus.CANCELLED, note__contains=CANCEL_REASON).exists():
        return False
    # Preferably a returning customer's later deal (their first deal and status stay as they were);
    # elder-care residents sign once, so there it is the latest admission.
    signed = Deal.objects.filter(site=site, status=DealStatus.SIGNED).order_by("-signed_on", "-pk")
    deal = signed.filter(is_new_customer=False).first() or signed.first()
    if deal is None:
        return False
    services.deal_transition(
        actor=admin, deal_id=deal.pk, to_status=DealStatus.CANCELLED, reason=CANCEL_REASON
    )
    return True


def generate(*, seed: int, stdout) -> None:
    admin = User.objects.filter(username="admin", is_superuser=True).first()
    for code in ("sunshine", "meilai"):
        site = Site.objects.filter(code=code).first()
        if site is None or not Customer.objects.filter(site=site).exists():
            continue
        with audit.audit_context(None, "cli", "演示数据"), transaction.atomic():
            booked = _book_today(site)
            cancelled = _cancel_one_deal(site, admin) if admin else False
        stdout.write(f"{site.name}：今日/明日预约 {booked}，作废成交 {int(cancelled)} (work-queue demo)")
