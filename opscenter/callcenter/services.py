"""Writes of the call-center app: queues and dispositions, call records (batch, idempotent on the
telephony id), complaints from calls, surveys. QA writes are in `qa.py`, knowledge in `knowledge.py`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.callcenter.calls_input import STORED, Lookups, build_call, same_content
from opscenter.callcenter.choices import (
    COMPLAINT_DISPOSITION,
    DEFAULT_DISPOSITIONS,
    FOLLOWUP_DISPOSITION,
    Direction,
    Outcome,
)
from opscenter.callcenter.models import Call, Disposition, Queue, Survey, TestCall
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.org.models import Staff
from opscenter.org.selectors import scope_for

LOW_SURVEY_SCORE = 2  # a survey answer at or below this opens a follow-up work order


def _require(actor, perm: str, site_id: int) -> None:
    if actor is not None:
        scope = scope_for(actor)
        scope.require(perm)
        scope.require_site(site_id, write=True)


def dispositions_ensure(*, site_id: int) -> None:
    """Seed 001's six business types for a site that has none yet (an editable list after that)."""
    if Disposition.objects.filter(site_id=site_id).exists():
        return
    Disposition.objects.bulk_create(
        Disposition(
            site_id=site_id,
            name=name,
            position=i,
            opens_complaint=name == COMPLAINT_DISPOSITION,
            completes_followup=name == FOLLOWUP_DISPOSITION,
        )
        for i, name in enumerate(DEFAULT_DISPOSITIONS)
    )


@transaction.atomic
@as_actor
def queue_create(
    *,
    actor,
    site_id: int,
    code: str,
    name: str,
    hotline: str = "",
    sl_seconds: int = 20,
    sl_target: Decimal | str = "0.8",
    short_abandon_seconds: int = 5,
    department_id: int | None = None,
) -> Queue:
    """A queue of a site (and the site's default dispositions and QA scorecard if it has none)."""
    _require(actor, "callcenter.add_queue", site_id)
    if not code.strip() or not name.strip():
        raise ValidationError(_("请填写队列编码和名称"), field="code")
    if Queue.objects.filter(site_id=site_id, code=code.strip()).exists():
        raise ValidationError(_("队列编码“%(code)s”已存在") % {"code": code}, field="code")
    target = Decimal(str(sl_target))
    if not Decimal(0) < target <= Decimal(1):
        raise ValidationError(_("服务水平目标应在 0 到 1 之间"), field="sl_target")
    dispositions_ensure(site_id=site_id)
    from opscenter.callcenter.qa import scorecard_ensure

    scorecard_ensure(site_id=site_id)  # the default QA scorecard (an editable, versioned list)
    return Queue.objects.create(
        site_id=site_id,
        code=code.strip(),
        name=name.strip(),
        hotline=hotline,
        sl_seconds=sl_seconds,
        sl_target=target,
        short_abandon_seconds=short_abandon_seconds,
        department_id=department_id,
    )


def lookups_for(site_id: int, phones: set[str] | None = None) -> Lookups:
    """The site's queues, agents, dispositions (and customers for `phones`), a few queries."""
    from opscenter.pipeline.models import Customer
    from opscenter.pipeline.phones import parse_phone

    queues: dict[str, Any] = {}
    for queue in Queue.objects.filter(site_id=site_id, is_active=True):
        queues[queue.code] = queue
        queues.setdefault(queue.name, queue)
        if queue.hotline:
            queues.setdefault(queue.hotline, queue)
    agents: dict[str, int] = {}
    names: dict[str, list[int]] = {}
    for pk, no, name in Staff.objects.filter(
        Q(department__site_id=site_id) | Q(extra_sites=site_id)
    ).values_list("pk", "employee_no", "name"):
        agents[no] = pk
        names.setdefault(name, []).append(pk)
    for name, pks in names.items():
        if len(pks) == 1:  # an ambiguous name must be given by employee number
            agents.setdefault(name, pks[0])
    dispositions: dict[str, int] = {}
    followup_dispositions: set[int] = set()
    for pk, name, completes in Disposition.objects.filter(site_id=site_id, is_active=True).values_list(
        "pk", "name", "completes_followup"
    ):
        dispositions[name] = pk
        if completes:
            followup_dispositions.add(pk)
    canonical = {p for p in (parse_phone(x) for x in phones or ()) if p}
    customers = (
        dict(
            Customer.objects.filter(site_id=site_id, phone__in=canonical, is_deleted=False).values_list(
                "phone", "pk"
            )
        )
        if canonical
        else {}
    )
    return Lookups(queues, agents, dispositions, customers, followup_dispositions)


@transaction.atomic
@as_actor
def call_record_batch(
    *, actor, site_id: int, items: list[dict[str, Any]], source: str = "", import_job_id: int | None = None
) -> dict[str, Any]:
    """Record reported calls, all or nothing. Idempotent on (source, telephony id): a call sent
    again with the same content is left as it is; a call still waiting in queue may be updated by
    its answered/abandoned report; any other difference is refused. Transfers name their first
    leg (`parent_telephony_id`, earlier in the batch or already stored).

    Returns {"created": n, "updated": n, "unchanged": n, "ids": [...]}, or raises a
    ValidationError whose message lists every bad item (`errors` on the exception: (index,
    field, message))."""
    _require(actor, "callcenter.add_call", site_id)
    lookups = lookups_for(site_id, {str(i.get("caller_number") or "") for i in items})
    errors: list[tuple[int, str, str]] = []
    built: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        tid = str(item.get("telephony_id") or "").strip()
        values, problems = build_call(item, lookups)
        if not tid:
            problems.append(("telephony_id", _("缺少话单编号")))
        elif tid in seen:
            problems.append(("telephony_id", _("话单编号与第 %(n)s 条重复") % {"n": seen[tid] + 1}))
        seen.setdefault(tid, index)
        errors.extend((index, f, m) for f, m in problems)
        values["telephony_id"] = tid
        values["parent_tid"] = str(item.get("parent_telephony_id") or "").strip()
        built.append(values)
    existing = {
        row["telephony_id"]: row
        for row in Call.objects.filter(source=source, telephony_id__in=list(seen)).values(*STORED)
    }
    parents = {p for p in (v["parent_tid"] for v in built) if p}
    known_parents = dict(
        Call.objects.filter(source=source, telephony_id__in=parents).values_list("telephony_id", "pk")
    )
    for index, values in enumerate(built):
        old = existing.get(values["telephony_id"])
        if old is not None and not same_content(values, old) and old["outcome"] != Outcome.WAITING:
            errors.append(
                (
                    index,
                    "telephony_id",
                    _("话单编号“%(tid)s”已存在且内容不同") % {"tid": values["telephony_id"]},
                )
            )
        parent = values["parent_tid"]
        if parent and parent not in known_parents and parent not in seen:
            errors.append((index, "parent_telephony_id", _("找不到转接来源话单“%(tid)s”") % {"tid": parent}))
        elif parent and parent in seen and seen[parent] >= index:
            errors.append((index, "parent_telephony_id", _("转接来源须排在转接段之前")))
    if errors:
        lines = [
            _("第 %(n)s 条 %(field)s：%(message)s") % {"n": i + 1, "field": f, "message": m}
            for i, f, m in errors[:50]
        ]
        exc = ValidationError(_("；").join(lines), field="items", log_message=f"{len(errors)} bad call items")
        exc.errors = errors
        raise exc
    created = updated = unchanged = 0
    ids: list[int] = []
    pending: list[Call] = []

    def flush() -> None:
        Call.objects.bulk_create(pending)
        for call in pending:
            known_parents[call.telephony_id] = call.pk
        pending.clear()

    for values in built:
        tid, parent = values.pop("telephony_id"), values.pop("parent_tid")
        old = existing.get(tid)
        if parent and parent not in known_parents:
            flush()
        parent_id = known_parents.get(parent) if parent else None
        if old is None:
            pending.append(
                Call(
                    site_id=site_id,
                    source=source,
                    telephony_id=tid,
                    parent_id=parent_id,
                    import_job_id=import_job_id,
                    **values,
                )
            )
            created += 1
        elif same_content(values, old):
            unchanged += 1
            known_parents[tid] = old["pk"]
        else:
            Call.objects.filter(pk=old["pk"], outcome=Outcome.WAITING).update(parent_id=parent_id, **values)
            known_parents[tid] = old["pk"]
            updated += 1
    flush()
    ids = [known_parents[v] for v in seen]
    completed = calls_complete_followups(site_id=site_id, call_ids=ids)
    return {
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "ids": ids,
        "followups_completed": completed,
    }


def calls_complete_followups(*, site_id: int, call_ids: list[int]) -> int:
    """Complete the pipeline follow-ups of the site's 回访 calls among `call_ids`: outbound, of a
    business type that completes follow-ups, answered or not (no longer waiting), to a known
    customer, not yet linked. Through the pipeline's service (outcome and satisfaction carried
    over, the follow-up links back to the call); each call is linked to the follow-up it completed,
    so a call sent again completes nothing more. Returns how many follow-ups were completed."""
    from opscenter.callcenter.calls_input import followup_result
    from opscenter.pipeline.services import FollowUpContact, followups_complete_by_contact

    if not call_ids:
        return 0
    calls = list(
        Call.objects.filter(
            site_id=site_id,
            pk__in=call_ids,
            direction=Direction.OUTBOUND,
            disposition__completes_followup=True,
            customer__isnull=False,
            followup_id__isnull=True,
        )
        .exclude(outcome=Outcome.WAITING)
        .values(
            "pk", "telephony_id", "customer_id", "local_date", "outcome", "followup_outcome", "satisfaction"
        )
    )
    if not calls:
        return 0
    contacts = [
        FollowUpContact(
            key=c["pk"],
            customer_id=c["customer_id"],
            on=c["local_date"],
            outcome=followup_result(c["outcome"], c["followup_outcome"]),
            satisfaction=c["satisfaction"],
            via=_("来电 %(tid)s") % {"tid": c["telephony_id"]},
            via_url=reverse("callcenter:call_detail", args=[c["pk"]]),
        )
        for c in calls
    ]
    done = followups_complete_by_contact(site_id=site_id, contacts=contacts)
    if done:
        Call.objects.bulk_update(
            [Call(pk=call_id, followup_id=followup_id) for call_id, followup_id in done.items()],
            ["followup_id"],
            batch_size=500,
        )
    return len(done)


@transaction.atomic
@as_actor
def call_open_complaint(
    *, actor, call: Call, department_id: int, content: str, customer_name: str = ""
) -> int:
    """Register a complaint (commitments) from a 投诉 call; returns the complaint id. Once per call."""
    from opscenter.commitments.choices import Channel
    from opscenter.commitments.services import complaint_register

    _require(actor, "callcenter.change_call", call.site_id)
    if call.complaint_id:
        raise ValidationError(_("该来电已登记投诉"), field="call")
    if call.disposition is None or not call.disposition.opens_complaint:
        raise ValidationError(_("只有业务类型为投诉的来电可以登记投诉"), field="call")
    complaint = complaint_register(
        actor=actor,
        department_id=department_id,
        customer_name=customer_name or call.caller_number or _("来电客户"),
        channel=Channel.PHONE,
        category=call.disposition.name,
        content=content,
        customer_phone=call.caller_number,
        customer_id=call.customer_id,
        received_at=call.arrived_at,
    )
    Call.objects.filter(pk=call.pk).update(complaint_id=complaint.pk)
    return complaint.pk


@transaction.atomic
@as_actor
def survey_record(
    *,
    actor,
    site_id: int,
    call_id: int,
    score: int,
    comment: str = "",
    received_at: dt.datetime | None = None,
    import_job_id: int | None = None,
) -> Survey:
    """A post-call satisfaction answer (1–5) for a call of the site; a score at or below
    `LOW_SURVEY_SCORE` opens a follow-up work order for the queue's department."""
    from opscenter.commitments.choices import Source
    from opscenter.commitments.services import work_order_open

    _require(actor, "callcenter.add_survey", site_id)
    call = Call.objects.select_related("queue").filter(pk=call_id, site_id=site_id).first()
    if call is None:
        raise ValidationError(_("找不到该来电"), field="call_id")
    if not 1 <= int(score) <= 5:
        raise ValidationError(_("满意度应为 1–5 分"), field="score")
    if Survey.objects.filter(call=call).exists():
        raise ValidationError(_("该来电已有满意度调查结果"), field="call_id")
    received_at = received_at or timezone.now()
    survey = Survey.objects.create(
        site_id=site_id,
        call=call,
        queue=call.queue,
        agent_id=call.agent_id,
        score=int(score),
        comment=comment.strip(),
        received_at=received_at,
        local_date=timezone.localtime(received_at).date(),
        import_job_id=import_job_id,
    )
    if survey.score <= LOW_SURVEY_SCORE and call.queue.department_id:
        work_order = work_order_open(
            department_id=call.queue.department_id,
            title=_("满意度低分回访：来电 %(tid)s（%(score)s 分）")
            % {"tid": call.telephony_id, "score": survey.score},
            description=survey.comment,
            source=Source.SURVEY,
            source_ref=str(survey.pk),
        )
        Survey.objects.filter(pk=survey.pk).update(work_order_id=work_order.pk)
        survey.work_order_id = work_order.pk
    return survey


@transaction.atomic
@as_actor
def test_call_record(
    *,
    actor,
    queue_id: int,
    called_at: dt.datetime,
    tester: str,
    result: str,
    wait_seconds: int | None = None,
    note: str = "",
) -> TestCall:
    """A third-party test call (第三方拨测) and its result."""
    from opscenter.callcenter.choices import TestCallResult

    queue = Queue.objects.filter(pk=queue_id).first()
    if queue is None:
        raise ValidationError(_("请选择队列"), field="queue")
    _require(actor, "callcenter.add_testcall", queue.site_id)
    if result not in TestCallResult.values:
        raise ValidationError(_("拨测结果不正确"), field="result")
    if not tester.strip():
        raise ValidationError(_("请填写拨测机构"), field="tester")
    if wait_seconds is not None and wait_seconds < 0:
        raise ValidationError(_("接通等待不能为负数"), field="wait_seconds")
    return TestCall.objects.create(
        site_id=queue.site_id,
        queue=queue,
        called_at=called_at,
        tester=tester.strip(),
        result=result,
        wait_seconds=wait_seconds,
        note=note.strip(),
    )


def test_calls_by_month(*, site_ids, year: int) -> list[dict]:
    """Test calls per month of `year`: total, passed, failed, unanswered (one grouped query)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from opscenter.callcenter.choices import TestCallResult

    rows = (
        TestCall.objects.filter(site_id__in=site_ids, called_at__year=year)
        .annotate(m=TruncMonth("called_at", tzinfo=timezone.get_default_timezone()))
        .values("m")
        .annotate(
            n=Count("pk"),
            passed=Count("pk", filter=Q(result=TestCallResult.PASSED)),
            failed=Count("pk", filter=Q(result=TestCallResult.FAILED)),
            unanswered=Count("pk", filter=Q(result=TestCallResult.UNANSWERED)),
        )
        .order_by("m")
    )
    return [{**r, "month": r["m"].strftime("%Y-%m")} for r in rows]
