"""Role × URL scan: every registered URL pattern and API route, requested (GET) as each persona,
must not show a phone number of a customer outside that persona's scope, and must not fail with a
server error.

The URL list comes from the resolver, so the pages and API routes of apps added later are scanned
without touching this file. Path arguments are filled with the primary keys of the model whose name
matches the argument (`rule_set_id` → TierRuleSet, `task_id` → CareTask, `customer_id` → Customer …),
or with a spread of small ids and every customer id when no model matches; drill-down pages
(`…rows`) are also asked for every metric.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from opscenter.members import services as member_services
from opscenter.members.care import care_tasks_generate
from opscenter.members.constants import SEED_004, SEED_004_NAME
from opscenter.org.selectors import scope_for
from opscenter.pipeline import selectors as pipeline_selectors
from opscenter.pipeline import services
from opscenter.pipeline.models import Channel, Customer

_ARG = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")
ROLES = (
    "executive",
    "ops_a",
    "ops_b",
    "marketing_a",
    "customer_a",
    "nursing_a",
    "callcenter_a",
    "finance_a",
    "consultant_a",
    "consultant_a2",
    "consultant_b",
)
WORDS = ("customers", "deals", "followups", "transactions", "source", "profession", "exit_reason", "x")


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def _model_pks(arg: str) -> list[int]:
    """Primary keys of the models whose name ends with the argument's (`rule_set_id` → …ruleset)."""
    stem = arg.removesuffix("_id").replace("_", "").lower()
    pks: list[int] = []
    for model in apps.get_models():
        if (
            stem
            and model._meta.model_name.endswith(stem)
            and model._meta.pk.get_internal_type()
            in {
                "AutoField",
                "BigAutoField",
            }
        ):
            pks += list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:30])
    return pks


def _candidates(arg: str, conv: str | None, customer_ids: list[int]) -> list[str]:
    if arg.endswith("_id") or arg in {"pk", "id"} or conv == "int":
        pks = _model_pks(arg)
        return [str(v) for v in (pks or sorted({1, 2, 3, *customer_ids}))]
    return list(WORDS)


def _urls(customer_ids: list[int]) -> list[str]:
    metrics = [*pipeline_selectors.ALL_METRICS, *pipeline_selectors.FOLLOWUP_METRICS]
    urls: list[str] = []
    for route, pattern in _walk(get_resolver().url_patterns):
        route = route.lstrip("^").rstrip("$")
        if route.startswith("admin/") or "(?P<url>" in route:
            continue  # Django admin: staff only; the superuser's scope is everything
        args = [
            (m.group("name") or m.group("rname"), m.group("conv"), m.group(0)) for m in _ARG.finditer(route)
        ]
        choices = [_candidates(name, conv, customer_ids) for name, conv, _ in args]
        for values in itertools.product(*choices):
            url = route
            for (_name, _conv, token), value in zip(args, values, strict=True):
                url = url.replace(token, value, 1)
            url = "/" + url.replace("\\", "")
            urls.append(url)
            if pattern.name and pattern.name.endswith("rows"):
                urls += [f"{url}?metric={m}" for m in metrics]
    return urls


@pytest.fixture
def world(personas):
    """Customers at both sites owned by different consultants, each with the whole funnel behind
    them: consultation, visit, deal, purchase, follow-ups (done and due), a dispute, a member tier
    under an active rule set, care tasks, and a draft rule set to preview."""
    p = personas
    channel = Channel.objects.filter(site__isnull=True).first()
    today = timezone.localdate()
    when = timezone.now() - dt.timedelta(days=40)
    owners = [
        (p.consultant_a, p.site_a, "13811110001"),
        (p.consultant_a2, p.site_a, "13811110002"),
        (p.consultant_b, p.site_b, "13811110003"),
    ]
    customers = []
    for n, (owner, site, phone) in enumerate(owners):
        c = services.customer_register(
            actor=owner,
            site_id=site.pk,
            channel_id=channel.pk,
            name=f"客户{n}",
            phone=phone,
            birthday=dt.date(today.year - 70, today.month, min(today.day, 28)),
        )
        services.consultation_record(actor=owner, customer_id=c.pk, mode="phone", occurred_at=when)
        visit = services.visit_register(
            actor=owner, customer_id=c.pk, arrived_at=when + dt.timedelta(days=1), onsite_consultant_id=None
        )
        services.deal_sign(
            actor=owner,
            customer_id=c.pk,
            signed_on=(when + dt.timedelta(days=2)).date(),
            lines=[{"item": "项目", "category": "skin", "amount_fen": 3_000_000, "sessions": 6}],
            record_transactions=True,
            visit_id=visit.pk,
        )
        done = services.followup_schedule(
            actor=owner, customer_id=c.pk, scheduled_on=(when + dt.timedelta(days=3)).date()
        )
        services.followup_complete(
            actor=owner,
            followup_id=done.pk,
            done_on=(when + dt.timedelta(days=3)).date(),
            outcome="reached",
            satisfaction=4,
        )
        services.followup_schedule(actor=owner, customer_id=c.pk, scheduled_on=today)
        customers.append(c)
    services.dispute_open(
        actor=p.ops_a, customer_id=customers[1].pk, opened_on=today, category="service", description="投诉"
    )
    for site, ops in ((p.site_a, p.ops_a), (p.site_b, p.ops_b)):
        rs = member_services.tier_rules_create(
            actor=ops, site_id=site.pk, name=SEED_004_NAME, definition=SEED_004
        )
        member_services.tier_rules_activate(actor=ops, rule_set_id=rs.pk)
        # A draft with a spend bar nobody reaches: every AAA member would move, so the preview lists them.
        draft = copy.deepcopy(SEED_004)
        next(c for c in draft["criteria"] if c["code"] == "B")["conditions"][0]["threshold"] = 99_999_900
        member_services.tier_rules_create(actor=ops, site_id=site.pk, name="草案", definition=draft)
        assert care_tasks_generate(site_id=site.pk)
    return customers


def _visible_phones(user) -> set[str]:
    """The oracle: customers of the user's sites (all sites for executives), a consultant's own only."""
    scope = scope_for(user)
    return set(scope.filter_owned(Customer.objects.all()).values_list("phone", flat=True))


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if "spreadsheet" in content_type or "excel" in content_type:
        import io

        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        return "\n".join(
            " ".join(str(v) for v in row)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
        )
    return raw.decode("utf-8", "replace")


# One test per role: the scan is over a thousand requests per role, and separate tests let the
# test processes share them out instead of one process running the whole scan at the end.
@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_url_shows_a_phone_number_outside_the_roles_scope(personas, world, role):
    all_phones = set(Customer.objects.values_list("phone", flat=True))
    urls = _urls([c.pk for c in world])
    assert any("/api/members/rule-sets/" in u for u in urls) and any("/members/care/" in u for u in urls)
    leaks, errors = [], []
    user = getattr(personas, role)
    hidden = all_phones - _visible_phones(user)
    assert hidden or role == "executive", role  # all but the executive have someone out of scope
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            errors.append((role, url, response.status_code))
            continue
        body = _text(response)
        found = sorted(phone for phone in hidden if phone in body)
        if found:
            leaks.append((role, url, found))
    assert not leaks, leaks
    assert not errors, errors
