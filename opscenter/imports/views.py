"""Import screens: job list, upload, the dry-run report with the mapping editor, commit with a
polled progress bar, rejected rows and templates as downloads, undo."""

from __future__ import annotations

import datetime as dt
import functools
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.core.htmx import hx_redirect, is_partial, post_action
from opscenter.imports import selectors, services, tasks
from opscenter.imports.choices import DELETABLE, RUNNING, FollowUpStatus, JobStatus
from opscenter.imports.engine import ImportOptions, map_table
from opscenter.imports.followups import PENDING as PENDING_FOLLOWUPS
from opscenter.imports.followups import followup_retry
from opscenter.imports.forms import JobFilterForm, MappingForm, UploadForm
from opscenter.imports.kinds import all_kinds, get_kind
from opscenter.imports.models import ImportJob
from opscenter.imports.rejects import write_rejected_rows
from opscenter.imports.samples import write_template
from opscenter.imports.tables import ExportColumn, choice_labels, export_response
from opscenter.org.selectors import scope_for, site_list
from opscenter.scheduler.worker import process_is_dead

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_WORKER_AFTER = dt.timedelta(minutes=1)


def domain_errors(view):
    """Out of scope → 404 (we do not say whether it exists); out of role → 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


def _job_url(job_id: int) -> str:
    return reverse("imports:job_detail", args=[job_id])


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return hx_redirect(url) if is_partial(request) else HttpResponseRedirect(url)


def _report_step(request: HttpRequest, job, *, started: str, finished: str) -> None:
    """Say what happened to the enqueued step: still queued or running in the worker ("started"),
    or already over when the task ran inline (finished, or failed with the job's message)."""
    if job.status in RUNNING or job.queued:
        messages.success(request, started)
    elif job.status == JobStatus.FAILED:
        messages.error(request, job.message or _("操作未完成"))
    else:
        messages.success(request, finished)


def _writable_sites(user):
    scope = scope_for(user)
    sites = site_list(user=user).filter(is_active=True).order_by("name")
    return sites if scope.is_superuser else sites.filter(pk__in=scope.site_ids)


def _job_table() -> tuple[ExportColumn, ...]:
    """The job list's columns, for the .xlsx download."""
    return (
        ExportColumn(_("批次"), "id", "int"),
        ExportColumn(_("类型"), "kind", labels={k.name: _(k.label_zh) for k in all_kinds()}),
        ExportColumn(_("院区"), "site__name"),
        ExportColumn(_("文件"), "original_filename", width=30),
        ExportColumn(_("状态"), "status", labels=choice_labels(ImportJob, "status")),
        ExportColumn(_("总行数"), "rows_total", "int"),
        ExportColumn(_("有效行"), "rows_ok", "int"),
        ExportColumn(_("错误行"), "rows_error", "int"),
        ExportColumn(_("新增"), "rows_created", "int"),
        ExportColumn(_("更新"), "rows_updated", "int"),
        ExportColumn(_("导入人"), "created_by__username"),
        ExportColumn(_("上传时间"), "created_at", "datetime"),
        ExportColumn(_("导入时间"), "committed_at", "datetime"),
        ExportColumn(_("说明"), "message", width=40),
    )


def _filtered_jobs(request: HttpRequest) -> tuple[JobFilterForm, Any]:
    form = JobFilterForm(request.GET or None, sites=site_list(user=request.user).order_by("name"))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    jobs = selectors.import_job_list(
        user=request.user,
        site_id=data["site"].pk if data.get("site") else None,
        kind=data.get("kind") or None,
        status=data.get("status") or None,
    )
    return form, jobs


@login_required
@domain_errors
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    form, jobs = _filtered_jobs(request)
    page = list(jobs[:100])
    labels = {k.name: _(k.label_zh) for k in all_kinds()}
    for job in page:
        job.kind_label = labels.get(job.kind, job.kind)
    query = request.GET.urlencode()
    export_url = reverse("imports:job_export") + (f"?{query}" if query else "")
    return render(
        request,
        "imports/job_list.html",
        {
            "form": form,
            "jobs": page,
            "kinds": all_kinds(),
            "export_url": export_url,
            "can_upload": scope_for(request.user).can("imports.add_importjob"),
        },
    )


@login_required
@domain_errors
@require_GET
def job_export(request: HttpRequest) -> HttpResponse:
    """The job list as .xlsx: every job the filters select (the page shows the latest 100)."""
    _form, jobs = _filtered_jobs(request)
    return export_response(_("导入批次"), _job_table(), jobs)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def job_upload(request: HttpRequest) -> HttpResponse:
    scope_for(request.user).require("imports.add_importjob")
    sites = _writable_sites(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            job = services.import_job_create(
                actor=request.user,
                kind=data["kind"],
                site_id=data["site"].pk,
                source=upload,
                filename=upload.name,
                options=ImportOptions(
                    on_error=data["on_error"],
                    create_missing_channels=data["create_missing_channels"],
                    create_missing_customers=data["create_missing_customers"],
                    default_year=data["default_year"],
                    sheet=data["sheet"] or None,
                ),
            )
            tasks.import_job_enqueue(job=job, step=tasks.VALIDATE, actor=request.user)
        except PermissionDenied:
            raise
        except DomainError as exc:
            form.add_error("file" if exc.field in (None, "file") else None, exc.message)
        else:
            return _redirect(request, _job_url(job.pk))
    return render(request, "imports/job_upload.html", {"form": form})


def _waiting_state(job) -> dict[str, Any]:
    """Whether the job waits on a worker that is not there: queued for over a minute with nobody
    picking it up, or running in a worker process that died. Also the follow-ups of a committed
    job (members' aggregates and tiers…), each with the same two hints."""
    now = timezone.now()
    waited = job.queued and job.queued_at and now - job.queued_at > NO_WORKER_AFTER
    followups = list(job.followups.all()) if job.status in (JobStatus.COMMITTED, JobStatus.UNDONE) else []
    for followup in followups:
        followup.no_worker = (
            followup.status == FollowUpStatus.QUEUED and now - followup.queued_at > NO_WORKER_AFTER
        )
        followup.worker_died = followup.status == FollowUpStatus.RUNNING and process_is_dead(
            followup.claimed_by
        )
    return {
        "no_worker": bool(waited),
        "worker_died": services.claim_is_dead(job),
        "followups": followups,
        "followups_pending": any(f.status in PENDING_FOLLOWUPS for f in followups),
    }


def _detail_context(request: HttpRequest, job) -> dict[str, Any]:
    kind = get_kind(job.kind)
    waiting = _waiting_state(job)
    context: dict[str, Any] = {
        **waiting,
        "can_cancel": (job.status in DELETABLE and job.status != JobStatus.CANCELLED)
        or waiting["worker_died"],
        "can_delete": job.status in DELETABLE or waiting["worker_died"],
        "job": job,
        "kind": kind,
        "report": job.report or {},
        "errors": selectors.import_job_errors(job=job),
        "running": job.status in RUNNING or bool(job.queued),
        "can_commit": job.status == JobStatus.VALIDATED and not job.queued and job.rows_ok > 0,
        "can_undo": job.status == JobStatus.COMMITTED,
        "can_edit_mapping": job.status in (JobStatus.PENDING, JobStatus.VALIDATED, JobStatus.FAILED)
        and not job.queued,
    }
    if context["can_edit_mapping"]:
        try:
            table = services.open_job_table(job)
        except DomainError as exc:
            context["file_error"] = exc.message
        else:
            mapping = job.mapping or map_table(kind, table).as_header_map()
            context["mapping_form"] = MappingForm(headers=table.headers, kind=kind, current=mapping)
    return context


@login_required
@domain_errors
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    return render(request, "imports/job_detail.html", _detail_context(request, job))


@login_required
@domain_errors
@require_GET
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress partial the detail page polls every second; the page reloads when it is done."""
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    running = job.status in RUNNING or bool(job.queued)
    response = render(
        request, "imports/partials/_progress.html", {"job": job, "running": running, **_waiting_state(job)}
    )  # the page polls while `running` or a follow-up is pending; a commit's end reloads it
    if not running and request.GET.get("was") == "running":
        response["HX-Refresh"] = "true"
    return response


@login_required
@domain_errors
@require_POST
def job_mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    table = services.open_job_table(job)
    form = MappingForm(request.POST, headers=table.headers, kind=get_kind(job.kind), current={})
    if form.is_valid():
        try:
            services.import_job_set_mapping(job=job, actor=request.user, mapping=form.mapping())
            job = tasks.import_job_enqueue(job=job, step=tasks.VALIDATE, actor=request.user)
        except PermissionDenied:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            _report_step(
                request,
                job,
                started=_("已保存列对应关系，正在重新校验"),
                finished=_("已保存列对应关系并重新校验"),
            )
    return _redirect(request, _job_url(job.pk))


def _step(step: str, started: str, finished: str):
    @login_required
    @domain_errors
    @require_POST
    def view(request: HttpRequest, job_id: int) -> HttpResponse:
        job = selectors.import_job_get(user=request.user, job_id=job_id)
        try:
            job = tasks.import_job_enqueue(job=job, step=step, actor=request.user)
        except PermissionDenied:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            _report_step(request, job, started=started, finished=finished)
        return _redirect(request, _job_url(job.pk))

    return view


job_validate = _step(tasks.VALIDATE, gettext_lazy("已开始校验"), gettext_lazy("校验完成"))
job_commit = _step(tasks.COMMIT, gettext_lazy("已开始导入"), gettext_lazy("导入完成"))


@login_required
@domain_errors
@require_POST
def job_undo(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    try:
        removed = services.import_job_undo(job=job, actor=request.user)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销本次导入（%(removed)s 条记录）") % {"removed": removed})
    return _redirect(request, _job_url(job.pk))


@login_required
@domain_errors
@require_POST
def job_followup_retry(request: HttpRequest, job_id: int, followup_id: int) -> HttpResponse:
    """Run a failed follow-up (members' aggregates and tiers…) of a committed job again."""
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    followup = job.followups.filter(pk=followup_id).first()
    if followup is None:
        raise Http404
    return post_action(
        request,
        action=lambda: followup_retry(followup=followup, actor=request.user),
        success=_("已重新提交：%(label)s") % {"label": followup.label},
        url=_job_url(job.pk),
    )


@login_required
@domain_errors
@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    try:
        services.import_job_cancel(job=job, actor=request.user)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消该导入批次，未写入任何数据"))
    return _redirect(request, _job_url(job.pk))


@login_required
@domain_errors
@require_POST
def job_delete(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    try:
        services.import_job_delete(job=job, actor=request.user)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _redirect(request, _job_url(job.pk))
    messages.success(request, _("已删除导入批次 #%(id)s") % {"id": job_id})
    return _redirect(request, reverse("imports:job_list"))


@login_required
@domain_errors
@require_GET
def job_rejects(request: HttpRequest, job_id: int) -> HttpResponse:
    """The rejected rows as .xlsx: the original cells and an error column (formulas neutralised)."""
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    buffer = io.BytesIO()
    write_rejected_rows(services.open_job_table(job), job.row_errors.all().iterator(), buffer)
    buffer.seek(0)
    name = _("未导入的行-%(pk)s.xlsx") % {"pk": job.pk}
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=XLSX)


@login_required
@domain_errors
@require_GET
def kind_template(request: HttpRequest, kind: str) -> HttpResponse:
    scope_for(request.user).require("imports.view_importjob")
    import_kind = get_kind(kind)
    buffer = io.BytesIO()
    write_template(import_kind, buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=_("%(label_zh)s导入模板.xlsx") % {"label_zh": _(import_kind.label_zh)},
        content_type=XLSX,
    )
