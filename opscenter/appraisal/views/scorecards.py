"""Scorecard screens: list, create, edit a draft (items, rules, bands), publish, new version, what-if."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.appraisal import selectors, services
from opscenter.appraisal.choices import SUBJECT_GRAIN, ScorecardStatus
from opscenter.appraisal.forms import ItemForm, RuleForm, ScorecardForm
from opscenter.appraisal.views.common import attempt, domain_errors, redirect
from opscenter.appraisal.whatif import whatif
from opscenter.core.exceptions import DomainError, PermissionDenied
from opscenter.org.selectors import department_list, scope_for, site_list, staff_list

__all__ = [
    "scorecard_bands",
    "scorecard_detail",
    "scorecard_item_delete",
    "scorecard_list",
    "scorecard_new_version",
    "scorecard_publish",
    "scorecard_rule_delete",
    "scorecard_whatif",
]


def _writable_sites(user):
    scope = scope_for(user)
    sites = site_list(user=user).filter(is_active=True).order_by("name")
    return sites if scope.is_superuser else sites.filter(pk__in=scope.site_ids)


@domain_errors
def scorecard_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    cards = selectors.scorecard_list(user=request.user).order_by("site__name", "name", "-version")
    can_add = scope.can("appraisal.add_scorecard")
    sites = list(_writable_sites(request.user)) if can_add else []
    form = ScorecardForm(
        request.POST or None,
        sites=sites,
        departments=department_list(user=request.user).filter(site__in=sites).select_related("site"),
    )
    if request.method == "POST" and can_add and form.is_valid():
        data = form.cleaned_data
        try:
            card = services.scorecard_create(
                actor=request.user,
                site_id=data["site"],
                name=data["name"],
                subject_kind=data["subject_kind"],
                department_id=data["department"],
                description=data["description"],
            )
        except PermissionDenied:
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(request, reverse("appraisal:scorecard_detail", args=[card.pk]))
    return render(
        request,
        "appraisal/scorecard_list.html",
        {"cards": cards, "form": form, "can_add": can_add, "section": "scorecards"},
    )


def _edit_forms(request, card, item_form=None, rule_form=None):
    grain = SUBJECT_GRAIN.get(card.subject_kind)
    metrics = selectors.metric_choices(grain)
    staff = staff_list(user=request.user, site_id=card.site_id).order_by("name")
    return (
        item_form or ItemForm(metrics=metrics, staff=staff, prefix="item"),
        rule_form or RuleForm(prefix="rule"),
        metrics,
        staff,
    )


@domain_errors
def scorecard_detail(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    """The scorecard with its items, bands and rules; a draft is edited here (add/replace an item
    or a rule by posting its form; `item_id`/`rule_id` replace one)."""
    card = selectors.scorecard_get(user=request.user, scorecard_id=scorecard_id)
    item_form = rule_form = None
    if request.method == "POST":
        _i, _r, metrics, staff = _edit_forms(request, card)
        if "item-name" in request.POST:
            item_form = ItemForm(request.POST, metrics=metrics, staff=staff, prefix="item")
            if item_form.is_valid():
                item_id = request.POST.get("item_id") or None
                try:
                    services.scorecard_item_save(
                        actor=request.user,
                        scorecard=card,
                        item_id=int(item_id) if item_id else None,
                        **item_form.service_fields(),
                    )
                except PermissionDenied:
                    raise
                except DomainError as exc:
                    item_form.add_error(exc.field if exc.field in item_form.fields else None, exc.message)
                else:
                    messages.success(request, _("已保存考核项目"))
                    return redirect(request, reverse("appraisal:scorecard_detail", args=[card.pk]))
        elif "rule-name" in request.POST:
            rule_form = RuleForm(request.POST, prefix="rule")
            if rule_form.is_valid():
                try:
                    services.scorecard_rule_save(
                        actor=request.user, scorecard=card, **rule_form.service_fields()
                    )
                except PermissionDenied:
                    raise
                except DomainError as exc:
                    rule_form.add_error(exc.field if exc.field in rule_form.fields else None, exc.message)
                else:
                    messages.success(request, _("已保存规则"))
                    return redirect(request, reverse("appraisal:scorecard_detail", args=[card.pk]))
    item_form, rule_form, _metrics, _staff = _edit_forms(request, card, item_form, rule_form)
    total, gap = services.weight_gap(card)
    scope = scope_for(request.user)
    editable = (
        card.status == ScorecardStatus.DRAFT
        and scope.can("appraisal.change_scorecard")
        and scope.writes_site(card.site_id)
    )
    return render(
        request,
        "appraisal/scorecard_detail.html",
        {
            "card": card,
            "items": card.items.select_related("appraiser").all(),
            "bands": card.bands.all(),
            "rules": card.rules.all(),
            "item_form": item_form,
            "rule_form": rule_form,
            "editable": editable,
            "can_version": card.status != ScorecardStatus.DRAFT and scope.can("appraisal.change_scorecard"),
            "weight_total": total,
            "weight_gap": gap,
            "versions": selectors.scorecard_list(user=request.user)
            .filter(site_id=card.site_id, name=card.name)
            .order_by("-version"),
            "section": "scorecards",
        },
    )


@require_POST
@domain_errors
def scorecard_item_delete(request: HttpRequest, scorecard_id: int, item_id: int) -> HttpResponse:
    card = selectors.scorecard_get(user=request.user, scorecard_id=scorecard_id)
    attempt(
        request,
        _("已删除考核项目"),
        lambda: services.scorecard_item_delete(actor=request.user, scorecard=card, item_id=item_id),
    )
    return redirect(request, reverse("appraisal:scorecard_detail", args=[card.pk]))


@require_POST
@domain_errors
def scorecard_rule_delete(request: HttpRequest, scorecard_id: int, rule_id: int) -> HttpResponse:
    card = selectors.scorecard_get(user=request.user, scorecard_id=scorecard_id)
    attempt(
        request,
        _("已删除规则"),
        lambda: services.scorecard_rule_delete(actor=request.user, scorecard=card, rule_id=rule_id),
    )
    return redirect(request, reverse("appraisal:scorecard_detail", args=[card.pk]))


@require_POST
@domain_errors
def scorecard_bands(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    card = selectors.scorecard_get(user=request.user, scorecard_id=scorecard_id)
    names = request.POST.getlist("band_name")
    mins = request.POST.getlist("band_min")
    coefs = request.POST.getlist("band_coef")
    try:
        bands = [
            (n, Decimal(m), Decimal(c or "1"))
            for n, m, c in zip(names, mins, coefs, strict=False)
            if n.strip()
        ]
    except InvalidOperation:
        messages.error(request, _("等级的最低分和系数须为数字"))
    else:
        attempt(
            request,
            _("已保存等级"),
            lambda: services.scorecard_bands_set(actor=request.user, scorecard=card, bands=bands),
        )
    return redirect(request, reverse("appraisal:scorecard_detail", args=[card.pk]))


@require_POST
@domain_errors
def scorecard_publish(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    card = selectors.scorecard_get(user=request.user, scorecard_id=scorecard_id)
    attempt(
        request,
        _("方案“%(n)s”v%(v)s 已发布") % {"n": card.name, "v": card.version},
        lambda: services.scorecard_publish(actor=request.user, scorecard=card),
    )
    return redirect(request, reverse("appraisal:scorecard_detail", args=[card.pk]))


@require_POST
@domain_errors
def scorecard_new_version(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    card = selectors.scorecard_get(user=request.user, scorecard_id=scorecard_id)
    holder = {}
    attempt(
        request,
        "",
        lambda: holder.setdefault("d", services.scorecard_new_version(actor=request.user, scorecard=card)),
    )
    target = holder.get("d", card)
    return redirect(request, reverse("appraisal:scorecard_detail", args=[target.pk]))


@domain_errors
def scorecard_whatif(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    """Each person's score, grade and monthly pay before (stored) and after (this draft), side by side."""
    card = selectors.scorecard_get(user=request.user, scorecard_id=scorecard_id)
    scope_for(request.user).require("appraisal.view_appraisal")
    float_pct = None
    if request.GET.get("float_pct"):
        try:
            float_pct = Decimal(request.GET["float_pct"])
        except InvalidOperation:
            messages.error(request, _("浮动比例须为数字"))
    label, rows = whatif(draft=card, float_pct=float_pct)
    return render(
        request,
        "appraisal/scorecard_whatif.html",
        {
            "card": card,
            "label": label,
            "rows": rows,
            "float_pct": request.GET.get("float_pct", ""),
            "section": "scorecards",
        },
    )
