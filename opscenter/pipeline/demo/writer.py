"""Builds demo rows with the same denormalized columns the services write (cohort, channel, owner…)."""

from __future__ import annotations

import datetime as dt

from opscenter.org.models import Site, Staff
from opscenter.pipeline.choices import AppointmentStatus, CustomerStatus, DealStatus, VisitOutcome
from opscenter.pipeline.demo import common
from opscenter.pipeline.demo.common import TZ, Rows, mk
from opscenter.pipeline.models import (
    Appointment,
    Assessment,
    Channel,
    Consultation,
    Customer,
    Deal,
    DealLine,
    Exit,
    FollowUp,
    Transaction,
    Visit,
)

ORDER = (Customer, Consultation, Appointment, Visit, Deal, DealLine, Transaction, FollowUp, Assessment, Exit)


class Writer:
    """One site's demo rows; `flush()` inserts them all (a few bulk INSERTs per table)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.rows = Rows()

    def customer(
        self,
        *,
        name: str,
        phone: str,
        gender: str,
        birthday: dt.date,
        profession: str,
        city: str,
        channel: Channel,
        owner: Staff,
        first_at: dt.datetime,
    ) -> Customer:
        local = city.removesuffix("市") == self.site.city.removesuffix("市")
        today = common.TODAY
        age = today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))
        return self.rows.add(
            Customer(
                site=self.site,
                name=name,
                phone=phone,
                gender=gender,
                birthday=birthday,
                age=age,
                profession=profession,
                city=city,
                is_local=local,
                channel=channel,
                channel_kind=channel.kind,
                owner=owner,
                owner_since=first_at,
                status=CustomerStatus.PROSPECT,
                first_contact_on=first_at.astimezone(TZ).date(),
                cohort_month=mk(first_at.astimezone(TZ)),
                created_at=first_at,
            )
        )

    def _event(self, customer: Customer, when: dt.date | dt.datetime) -> dict:
        if isinstance(when, dt.datetime):
            when = when.astimezone(TZ)
        return {
            "site": self.site,
            "customer": customer,
            "month": mk(when),
            "cohort_month": customer.cohort_month,
            "channel": customer.channel,
            "channel_kind": customer.channel_kind,
            "is_local": customer.is_local,
            "owner": customer.owner,
            "team_id": customer.owner.team_id,
        }

    def consultation(self, customer, *, mode, at, staff, first, intent="medium", content="") -> Consultation:
        return self.rows.add(
            Consultation(
                **self._event(customer, at),
                mode=mode,
                staff=staff,
                occurred_at=at,
                is_first=first,
                intent=intent,
                content=content,
                created_at=at,
            )
        )

    def appointment(self, customer, *, mode, booked_at, scheduled_for, status, booked_by, replaces=None):
        return self.rows.add(
            Appointment(
                **self._event(customer, replaces.booked_at if replaces else booked_at),
                mode=mode,
                booked_by=booked_by,
                booked_at=replaces.booked_at if replaces else booked_at,
                scheduled_for=scheduled_for,
                status=status,
                status_changed_at=scheduled_for if status != AppointmentStatus.BOOKED else None,
                rescheduled_from=replaces,
                created_at=booked_at,
            ),
            phase=1 if replaces else 0,
        )

    def visit(
        self, customer, *, at, source, kind, appointment, new, onsite, outcome=VisitOutcome.PENDING
    ) -> Visit:
        return self.rows.add(
            Visit(
                **self._event(customer, at),
                arrived_at=at,
                source=source,
                kind=kind,
                appointment=appointment,
                is_new_customer=new,
                onsite_consultant=onsite,
                triaged_at=at,
                outcome=outcome,
                created_at=at,
            )
        )

    def deal(
        self, customer, *, on, amount_fen, consultant, new, visit=None, stay_type="", care_zone=""
    ) -> Deal:
        if customer.status == CustomerStatus.PROSPECT:
            customer.status = CustomerStatus.CUSTOMER
        return self.rows.add(
            Deal(
                **self._event(customer, on),
                consultant=consultant,
                signed_on=on,
                amount_fen=amount_fen,
                stay_type=stay_type,
                care_zone=care_zone,
                status=DealStatus.SIGNED,
                is_new_customer=new,
                visit=visit,
                created_at=dt.datetime(on.year, on.month, on.day, 16, tzinfo=TZ),
            )
        )

    def line(self, deal, *, item, category, sessions, amount_fen) -> DealLine:
        return self.rows.add(
            DealLine(deal=deal, item=item, category=category, sessions=sessions, amount_fen=amount_fen)
        )

    def transaction(self, customer, *, on, item, category, sessions, amount_fen, kind="purchase", deal=None):
        return self.rows.add(
            Transaction(
                site=self.site,
                customer=customer,
                occurred_on=on,
                month=mk(on),
                item=item,
                category=category,
                sessions=sessions,
                amount_fen=amount_fen,
                kind=kind,
                deal=deal,
                created_at=dt.datetime(on.year, on.month, on.day, 17, tzinfo=TZ),
            )
        )

    def followup(self, customer, *, scheduled_on, staff, channel, done_on, outcome, satisfaction, deal=None):
        return self.rows.add(
            FollowUp(
                site=self.site,
                customer=customer,
                staff=staff,
                channel=channel,
                scheduled_on=scheduled_on,
                month=mk(scheduled_on),
                done_on=done_on,
                outcome=outcome,
                satisfaction=satisfaction,
                deal=deal,
                created_at=dt.datetime(scheduled_on.year, scheduled_on.month, scheduled_on.day, 9, tzinfo=TZ),
            )
        )

    def assessment(self, customer, *, assessor, role, at, zone, notes="", disputes=None, resolved=None):
        zone_resolved, resolution, resolver = resolved or ("", "", None)
        return self.rows.add(
            Assessment(
                site=self.site,
                customer=customer,
                assessor=assessor,
                assessor_role=role,
                assessed_at=at,
                zone=zone,
                notes=notes,
                second_opinion_of=disputes,
                resolved_zone=zone_resolved,
                resolution=resolution,
                resolved_by=resolver,
                resolved_at=at + dt.timedelta(days=1) if zone_resolved else None,
            ),
            phase=1 if disputes else 0,
        )

    def exit(self, customer, *, on, reason) -> Exit:
        customer.status = CustomerStatus.EXITED
        return self.rows.add(
            Exit(site=self.site, customer=customer, exited_on=on, month=mk(on), reason=reason)
        )

    def flush(self) -> dict[str, int]:
        return self.rows.flush(*ORDER)
