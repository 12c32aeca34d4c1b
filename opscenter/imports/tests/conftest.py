"""Import test helpers: a site with staff and the default channels, and a job runner."""

from __future__ import annotations

import pytest

from opscenter.imports import services
from opscenter.imports.engine import ImportOptions


@pytest.fixture
def site(personas):
    return personas.site_a


@pytest.fixture
def run_import_file(personas, site):
    """Create a job from bytes and validate (dry_run=True) or commit it as `actor` (default ops_a)."""

    def run(kind: str, data: bytes, filename: str, *, dry_run: bool = False, actor=None, **options):
        actor = actor if actor is not None else personas.ops_a
        job = services.import_job_create(
            actor=actor,
            kind=kind,
            site_id=site.pk,
            source=data,
            filename=filename,
            options=ImportOptions(**options),
        )
        if dry_run:
            report = services.import_job_validate(job=job, actor=actor)
        else:
            report = services.import_job_commit(job=job, actor=actor)
        job.refresh_from_db()
        return job, report

    return run
