"""Helpers shared by the clinic services: the acting scope, staff and centers of a site."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError
from opscenter.org.models import Department, Staff


def site_center(
    site_id: int, center_id: int | None, *, field: str = "center_id", label: str = ""
) -> Department:
    """A treatment center (科室/中心): a department of the site."""
    center = None if center_id is None else Department.objects.filter(pk=center_id, site_id=site_id).first()
    if center is None:
        raise ValidationError(
            _("%(label)s请选择本院区的科室/中心") % {"label": label}, field=field,
            log_message=f"center {center_id} not at site {site_id}",
        )  # fmt: skip
    return center


def site_staff(site_id: int, staff_id: int | None, *, field: str, label: str) -> Staff:
    """An active staff member of the site (home department or extra site)."""
    staff = (
        None
        if staff_id is None
        else Staff.objects.select_related("department").filter(pk=staff_id, is_active=True).first()
    )
    if staff is None or (
        staff.department.site_id != site_id and not staff.extra_sites.filter(pk=site_id).exists()
    ):
        raise ValidationError(
            _("%(label)s不存在或不在该院区") % {"label": label}, field=field,
            log_message=f"staff {staff_id} not at site {site_id}",
        )  # fmt: skip
    return staff
