"""The scheduler page: every periodic job with its cadence, last run and next due; operations
staff edit the cadence, turn a job off, or run it now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.org.selectors import scope_for
from opscenter.scheduler import selectors, services
from opscenter.scheduler.forms import ScheduledJobForm
from opscenter.scheduler.registry import registered


def _job(request: HttpRequest, job_id: int):
    try:
        return selectors.scheduled_job_get(user=request.user, job_id=job_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc


def _labelled(jobs):
    """Show the registration's (translated) label; a row no app registers keeps its stored one."""
    entries = registered()
    for job in jobs:
        entry = entries.get(job.code)
        job.display_label = str(entry.label) if entry else job.label
    return jobs


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    try:
        jobs = _labelled(list(selectors.scheduled_job_list(user=request.user)))
        runs = selectors.scheduled_run_list(user=request.user, limit=30)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    return render(
        request,
        "scheduler/job_list.html",
        {
            "jobs": jobs,
            "runs": runs,
            "can_change": scope_for(request.user).can("scheduler.change_scheduledjob"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_edit(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    scope = scope_for(request.user)
    if not scope.can("scheduler.change_scheduledjob"):
        raise DjangoPermissionDenied("no scheduler.change_scheduledjob")
    initial = {
        "enabled": job.enabled,
        "cadence_kind": job.cadence_kind,
        "interval_minutes": job.interval_minutes,
        "at_time": job.at_time,
        "version": job.version,
    }
    form = ScheduledJobForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheduled_job_update(job=job, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存定时任务设置"))
            return HttpResponseRedirect(reverse("scheduler:job_list"))
    _labelled([job])
    runs = selectors.scheduled_run_list(user=request.user, job=job, limit=20)
    return render(request, "scheduler/job_edit.html", {"job": job, "form": form, "runs": runs})


@login_required
@require_POST
def job_run(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if not scope_for(request.user).can("scheduler.change_scheduledjob"):
        raise DjangoPermissionDenied("no scheduler.change_scheduledjob")
    try:
        outcome = services.scheduled_job_run_now(job=job, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if outcome.status == "failed":
            messages.error(request, _("运行失败：%(message)s") % {"message": outcome.message})
        else:
            messages.success(request, _("已运行“%(code)s”") % {"code": job.code})
    return HttpResponseRedirect(reverse("scheduler:job_list"))
