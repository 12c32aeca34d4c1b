"""Reads of the imports app, scoped to the acting user's sites (a job without a site — staff of
the whole organisation, imported from the CLI — is seen by all-site readers only)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opscenter.core.exceptions import NotFound
from opscenter.imports.models import ColumnMapping, ImportJob, ImportRowError
from opscenter.org.selectors import scope_for


def import_job_list(
    *, user, site_id: int | None = None, kind: str | None = None, status: str | None = None
) -> QuerySet[ImportJob]:
    """The jobs of the user's sites, newest first (with site and uploader for the list)."""
    scope = scope_for(user)
    scope.require("imports.view_importjob")
    qs = scope.filter_sites(ImportJob.objects.select_related("site", "created_by"))
    if site_id:
        qs = qs.filter(site_id=site_id)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def import_job_get(*, user, job_id: int) -> ImportJob:
    """One job of the user's sites; another site's job is reported as not found."""
    job = import_job_list(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("导入批次不存在或无权访问"), log_message=f"import job {job_id} not in scope")
    return job


def import_job_errors(*, job: ImportJob, limit: int = 500) -> list[ImportRowError]:
    return list(job.row_errors.all()[:limit])


def column_mapping_for(*, kind: str, site_id: int | None) -> ColumnMapping | None:
    return (
        ColumnMapping.objects.filter(kind=kind, site_id=site_id).first()
        or ColumnMapping.objects.filter(kind=kind, site__isnull=True).first()
    )
