"""Screens of the call center. Thin: scoped fetch → form → service → redirect or partial."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opscenter.callcenter import (
    agent_screens,
    erlang,
    knowledge,
    qa,
    screens,
    selectors,
    services,
    staffing,
    stats,
)
from opscenter.callcenter.choices import ScoreStatus
from opscenter.callcenter.forms import SampleForm, StaffingForm
from opscenter.callcenter.models import QaItemScore, QaSampleCall
from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.core.htmx import is_partial
from opscenter.org.selectors import department_list, scope_for, site_list

PAGE_SIZE = 50


def domain_errors(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            selectors.require_view(request.user)
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> screens.Filters:
    site_id = _int(request.GET.get("site"))
    queue_id = _int(request.GET.get("queue"))
    queues = selectors.queues_for(user=request.user, site_id=site_id, queue_id=queue_id)
    end = _date(request.GET.get("to")) or screens.latest_day(queues)
    start = _date(request.GET.get("from")) or end
    if start > end:
        start, end = end, start
    start = max(start, end - dt.timedelta(days=366))
    minutes = _int(request.GET.get("minutes"))
    return screens.Filters(
        queues, start, end, minutes if minutes in stats.INTERVALS else 30, site_id, queue_id
    )


def _filter_context(request: HttpRequest, f: screens.Filters) -> dict:
    return {
        "f": f,
        "sites": site_list(user=request.user).filter(kind="call_center").order_by("code"),
        "all_queues": selectors.queue_list(user=request.user).order_by("site__code", "code"),
        "intervals": stats.INTERVALS,
    }


@require_GET
@domain_errors
def dashboard(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    return render(
        request,
        "callcenter/dashboard.html",
        {
            **_filter_context(request, f),
            **screens.dashboard(f),
            "definitions": stats.DEFINITIONS,
            "chart_query": f.query(),
        },
    )


@require_GET
@domain_errors
def dashboard_data(request: HttpRequest) -> JsonResponse:
    f = _filters(request)
    if request.GET.get("chart") == "sl":
        return JsonResponse(screens.sl_trend_option(f))
    return JsonResponse(screens.profile_option(f))


@require_GET
@domain_errors
def wallboard(request: HttpRequest) -> HttpResponse:
    site_id = _int(request.GET.get("site"))
    queues = selectors.queues_for(user=request.user, site_id=site_id, queue_id=_int(request.GET.get("queue")))
    context = {"w": screens.wallboard(queues), "query": request.GET.urlencode()}
    if is_partial(request):
        return render(request, "callcenter/partials/_wallboard.html", context)
    return render(request, "callcenter/wallboard.html", context)


@require_GET
@domain_errors
def call_list(request: HttpRequest) -> HttpResponse:
    params = {k: v for k, v in request.GET.items() if v != ""}
    for key in ("from", "to"):
        if key in params:
            params[key] = _date(params[key])
    qs = selectors.call_list(user=request.user, params=params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "callcenter/call_list.html",
        {"page": page, "query": query.urlencode(), "count": page.paginator.count},
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    call = selectors.call_get(user=request.user, call_id=call_id)
    card = selectors.scorecard_active(site_id=call.site_id)
    if request.method == "POST":
        action = request.POST.get("action", "score")
        try:
            if action == "complaint":
                services.call_open_complaint(
                    actor=request.user,
                    call=call,
                    department_id=_int(request.POST.get("department")) or 0,
                    content=request.POST.get("content", ""),
                )
                messages.success(request, _("已登记投诉"))
            else:
                review_of = None
                if request.POST.get("review_of"):
                    review_of = selectors.score_get(
                        user=request.user, score_id=int(request.POST["review_of"])
                    )
                card = (
                    review_of.scorecard if review_of else (card or qa.scorecard_ensure(site_id=call.site_id))
                )
                points = {item.pk: _int(request.POST.get(f"item_{item.pk}")) for item in card.items.all()}
                if any(v is None for v in points.values()):
                    raise DomainError(_("请为每个项目打分"), field="items")
                qa.score_record(
                    actor=request.user,
                    call_id=call.pk,
                    points=points,
                    comment=request.POST.get("comment", ""),
                    review_of=review_of,
                )
                messages.success(request, _("评分已保存"))
            return HttpResponseRedirect(reverse("callcenter:call_detail", args=[call.pk]))
        except DomainError as exc:
            messages.error(request, exc.message)
    scores = list(
        call.qa_scores.select_related("reviewer", "scorecard", "review_of")
        .prefetch_related("items__item")
        .order_by("scored_at")
    )
    scope = scope_for(request.user)
    return render(
        request,
        "callcenter/call_detail.html",
        {
            "call": call,
            "followup": selectors.call_followup(user=request.user, call=call),
            "card": card,
            "items": list(card.items.all()) if card else [],
            "scores": scores,
            "transfers": list(call.transfers.select_related("agent")),
            "staff_id": scope.staff_id,
            "departments": department_list(user=request.user).filter(site_id=call.site_id),
            "disputed": next((s for s in scores if s.status == ScoreStatus.DISPUTED), None),
            "can_score": scope.can("callcenter.add_qascore") and scope.writes_site(call.site_id),
            "articles": knowledge.for_disposition(
                selectors.article_list(user=request.user), call.disposition_id
            ),
        },
    )


@require_POST
@domain_errors
def score_transition(request: HttpRequest, score_id: int) -> HttpResponse:
    score = selectors.score_get(user=request.user, score_id=score_id)
    try:
        qa.score_transition(
            actor=request.user,
            score_id=score.pk,
            to=request.POST.get("to", ""),
            version=_int(request.POST.get("version")) or 0,
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("已提交"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("callcenter:call_detail", args=[score.call_id]))


@require_http_methods(["GET", "POST"])
@domain_errors
def staffing_view(request: HttpRequest) -> HttpResponse:
    form = StaffingForm(request.GET or None)
    result = None
    if form.is_valid():
        d = form.cleaned_data
        result = erlang.agents_needed(
            calls=d["calls"],
            interval_minutes=d["interval_minutes"],
            aht_seconds=d["aht_seconds"],
            target_sl=float(d["target_sl"]),
            target_seconds=d["target_seconds"],
            target_asa=d["target_asa"],
            shrinkage=float(d["shrinkage"]),
        )
    f = _filters(request)
    basis = request.GET.get("basis", "day")
    sl = float(form.cleaned_data["target_sl"]) if form.is_bound and form.is_valid() else 0.8
    seconds = form.cleaned_data["target_seconds"] if form.is_bound and form.is_valid() else 20
    shrink = float(form.cleaned_data["shrinkage"]) if form.is_bound and form.is_valid() else 0.3
    volumes, ahts = staffing.volumes_for(f.queues, f.end, basis=basis)
    rows = staffing.plan_rows(volumes, ahts, target_sl=sl, target_seconds=seconds, shrinkage=shrink)
    if request.GET.get("chart"):
        return JsonResponse(staffing.plan_option(rows))
    return render(
        request,
        "callcenter/staffing.html",
        {
            **_filter_context(request, f),
            "form": form,
            "result": result,
            "rows": rows,
            "basis": basis,
            "chart_query": request.GET.urlencode(),
            "peak": max((r["scheduled"] for r in rows), default=0),
        },
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def qa_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    sites = list(site_list(user=request.user).filter(kind="call_center").order_by("code"))
    site_id = (
        _int(request.GET.get("site")) or _int(request.POST.get("site")) or (sites[0].pk if sites else None)
    )
    today = timezone.localdate()
    end = _date(request.GET.get("to")) or today
    start = _date(request.GET.get("from")) or end.replace(day=1)
    if request.method == "POST" and request.POST.get("action") == "scorecard" and site_id:
        return _scorecard_save(request, site_id)
    form = SampleForm(request.POST or None, initial={"start": start, "end": end})
    if request.method == "POST" and form.is_valid() and site_id:
        d = form.cleaned_data
        try:
            sample = qa.sample_draw(
                actor=request.user,
                site_id=site_id,
                start=d["start"],
                end=d["end"],
                per_agent=d["per_agent"],
                min_seconds=d["min_seconds"],
                seed=d["seed"],
            )
            return HttpResponseRedirect(reverse("callcenter:qa_sample", args=[sample.pk]))
        except DomainError as exc:
            form.add_error(None, exc.message)
    site_ids = [site_id] if site_id else []
    averages = qa.agent_averages(site_ids=site_ids, start=start, end=end)
    from opscenter.org.models import Staff

    names = dict(Staff.objects.filter(pk__in=averages).values_list("pk", "name"))
    return render(
        request,
        "callcenter/qa.html",
        {
            "form": form,
            "sites": sites,
            "site_id": site_id,
            "start": start,
            "end": end,
            "samples": selectors.sample_list(user=request.user).filter(site_id__in=site_ids)[:20],
            "averages": sorted(
                ((names.get(a, "?"), avg, n, a) for a, (avg, n) in averages.items()), key=lambda r: -r[1]
            ),
            "habits": qa.habitual_errors(site_ids=site_ids, start=start, end=end),
            "calibration": qa.calibration(site_ids=site_ids, start=start, end=end),
            "disputes": selectors.score_list(user=request.user).filter(
                status=ScoreStatus.DISPUTED, call__site_id__in=site_ids
            ),
            "mine": selectors.score_list(user=request.user).filter(agent_id=scope.staff_id)[:20]
            if scope.staff_id
            else [],
            "scorecard": selectors.scorecard_active(site_id=site_id) if site_id else None,
        },
    )


def _scorecard_save(request: HttpRequest, site_id: int) -> HttpResponse:
    """A new scorecard version from the edit box: one item per line, "名称,分值" or "名称,分值,致命"."""
    items = []
    try:
        for number, line in enumerate(request.POST.get("items", "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]  # i18n: data (a full-width comma)
            if len(parts) < 2 or not parts[1].isdigit():
                raise DomainError(
                    _("第 %(n)s 行格式不正确：应为“名称,分值”或“名称,分值,致命”") % {"n": number},
                    field="items",
                )
            items.append((parts[0], int(parts[1]), len(parts) > 2 and parts[2] != ""))
        current = selectors.scorecard_active(site_id=site_id)
        qa.scorecard_save(
            actor=request.user,
            site_id=site_id,
            family=current.family if current else "default",
            name=current.name if current else _("通话质检评分表"),
            items=items,
        )
        messages.success(request, _("已保存为新版本评分表"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(f"{reverse('callcenter:qa_list')}?site={site_id}")


@require_GET
@domain_errors
def qa_sample(request: HttpRequest, sample_id: int) -> HttpResponse:
    sample = selectors.sample_get(user=request.user, sample_id=sample_id)
    rows = list(
        QaSampleCall.objects.filter(sample=sample)
        .select_related("call__agent", "call__disposition")
        .order_by("call__agent__name", "call__arrived_at")
    )
    scored = set(
        QaItemScore.objects.filter(score__call_id__in=[r.call_id for r in rows]).values_list(
            "score__call_id", flat=True
        )
    )
    return render(request, "callcenter/qa_sample.html", {"sample": sample, "rows": rows, "scored": scored})


@require_http_methods(["GET", "POST"])
@domain_errors
def knowledge_list(request: HttpRequest) -> HttpResponse:
    from opscenter.callcenter.forms import ArticleForm

    scope = scope_for(request.user)
    articles = selectors.article_list(user=request.user)
    form = ArticleForm(request.POST or None)
    departments = list(department_list(user=request.user).filter(site__kind="call_center"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        department = next((x for x in departments if x.pk == _int(request.POST.get("department"))), None)
        try:
            if department is None:
                raise DomainError(_("请选择负责部门"), field="department")
            knowledge.article_save(
                actor=request.user,
                site_id=department.site_id,
                title=d["title"],
                body=d["body"],
                category=d["category"],
                review_on=d["review_on"],
                owner_department_id=department.pk,
                disposition_id=_int(request.POST.get("disposition")),
            )
            messages.success(request, _("文章已保存"))
            return HttpResponseRedirect(reverse("callcenter:knowledge_list"))
        except DomainError as exc:
            form.add_error(None, exc.message)
    q = request.GET.get("q", "").strip()
    disposition_id = _int(request.GET.get("disposition"))
    from opscenter.callcenter.models import Disposition

    return render(
        request,
        "callcenter/knowledge.html",
        {
            "form": form,
            "q": q,
            "results": knowledge.search(articles, q) if q else [],
            "for_disposition": knowledge.for_disposition(articles, disposition_id, limit=10),
            "disposition_id": disposition_id,
            "dispositions": scope.filter_sites(Disposition.objects.filter(is_active=True)).order_by(
                "site", "position"
            ),
            "departments": departments,
            "stale": knowledge.stale(
                articles,
                today=timezone.localdate(),
                department_ids=None if scope.all_sites or scope.is_superuser else scope.department_ids,
            )[:50],
            "recent": articles.order_by("-updated_at")[:20],
        },
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def test_call_list(request: HttpRequest) -> HttpResponse:
    from opscenter.callcenter.choices import TestCallResult
    from opscenter.callcenter.models import TestCall

    queues = list(selectors.queue_list(user=request.user))
    if request.method == "POST":
        try:
            called_at = dt.datetime.fromisoformat(request.POST.get("called_at", ""))
            if timezone.is_naive(called_at):
                called_at = timezone.make_aware(called_at)
            services.test_call_record(
                actor=request.user,
                queue_id=_int(request.POST.get("queue")) or 0,
                called_at=called_at,
                tester=request.POST.get("tester", ""),
                result=request.POST.get("result", ""),
                wait_seconds=_int(request.POST.get("wait_seconds")),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("拨测已记录"))
            return HttpResponseRedirect(reverse("callcenter:test_call_list"))
        except ValueError:
            messages.error(request, _("拨测时间格式不正确"))
        except DomainError as exc:
            messages.error(request, exc.message)
    year = _int(request.GET.get("year")) or timezone.localdate().year
    site_ids = sorted({q.site_id for q in queues})
    return render(
        request,
        "callcenter/test_calls.html",
        {
            "queues": queues,
            "results": TestCallResult.choices,
            "year": year,
            "months": services.test_calls_by_month(site_ids=site_ids, year=year),
            "recent": TestCall.objects.filter(site_id__in=site_ids).select_related("queue")[:30],
        },
    )


@require_GET
@domain_errors
def agent_states(request: HttpRequest) -> HttpResponse:
    """Occupancy behind a number: per interval of the day over the range (one agent, a team, a
    department or the whole site), and the state log rows behind an interval."""
    f = _filters(request)
    context = agent_screens.agent_states(
        f,
        user=request.user,
        agent_id=_int(request.GET.get("agent")),
        team_id=_int(request.GET.get("team")),
        department_id=_int(request.GET.get("department")),
        interval=_int(request.GET.get("interval")),
        page=request.GET.get("page"),
    )
    return render(request, "callcenter/agent_states.html", {**_filter_context(request, f), **context})


@require_http_methods(["GET", "POST"])
@domain_errors
def rules(request: HttpRequest) -> HttpResponse:
    """规则设置: queues (SL threshold and target, short abandons, hours) and business types, for
    call-center managers and administrators only; each save checks the version the editor saw."""
    from opscenter.callcenter import config

    sites = [s for s in site_list(user=request.user).filter(kind="call_center").order_by("code")]
    manageable = [s for s in sites if config.can_manage(request.user, s.pk)]
    if not manageable:
        raise DjangoPermissionDenied(_("只有客服中心主管或管理员可以修改队列与业务类型"))
    site = next(
        (s for s in manageable if s.pk == _int(request.GET.get("site") or request.POST.get("site"))), None
    )
    site = site or manageable[0]
    if request.method == "POST":
        try:
            agent_screens.rules_save(request.user, request.POST)
            messages.success(request, _("规则已保存"))
            return HttpResponseRedirect(f"{reverse('callcenter:rules')}?site={site.pk}")
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "callcenter/rules.html",
        {"sites": manageable, "site": site, **agent_screens.rules_context(site.pk), "posted": request.POST},
    )
