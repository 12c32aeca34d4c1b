"""Settings, zones, rooms, beds and nurse assignments."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opscenter.care.choices import Shift
from opscenter.care.models import Bed, CareSettings, MaterialItem, NurseAssignment, Room, Zone
from opscenter.care.services._common import required_text, scope_requiring
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.pipeline.choices import CareZone
from opscenter.pipeline.services._common import site_staff

DEFAULT_MATERIALS = ("身份证复印件", "近三个月体检报告", "病历及用药清单", "紧急联系人信息")  # i18n: data


def care_settings_for(site_id: int) -> CareSettings:
    """The site's settings (created with the defaults the first time)."""
    settings, _created = CareSettings.objects.get_or_create(site_id=site_id)
    return settings


@transaction.atomic
def zones_ensure(*, site_id: int) -> list[Zone]:
    """The site's zones, creating the three standard ones (named as the pipeline's care zones) and
    the default materials checklist the first time; later edits are kept."""
    existing = {z.care_zone for z in Zone.objects.filter(site_id=site_id)}
    Zone.objects.bulk_create(
        [
            Zone(site_id=site_id, care_zone=value, name=str(label), sort_order=i * 10)
            for i, (value, label) in enumerate(CareZone.choices)
            if value not in existing
        ],
        ignore_conflicts=True,
    )
    if not MaterialItem.objects.filter(site_id=site_id).exists():
        MaterialItem.objects.bulk_create(
            [
                MaterialItem(site_id=site_id, name=name, sort_order=i * 10)
                for i, name in enumerate(DEFAULT_MATERIALS)
            ],
            ignore_conflicts=True,
        )
    care_settings_for(site_id)
    return list(Zone.objects.filter(site_id=site_id))


def _zone_for_write(scope, zone_id: int) -> Zone:
    zone = scope.filter_sites(Zone.objects.all()).select_for_update().filter(pk=zone_id).first()
    if zone is None:
        raise NotFound(_("分区不存在或无权访问"))
    scope.require_site(zone.site_id, write=True)
    return zone


@transaction.atomic
def zone_update(
    *, actor, zone_id: int, name: str, max_day: Decimal, max_night: Decimal, is_active: bool = True
) -> Zone:
    """Rename a zone or change its ratio limits (residents per nurse on the day / night shift)."""
    scope = scope_requiring(actor, "care.change_zone")
    zone = _zone_for_write(scope, zone_id)
    zone.name = required_text(name, field="name", label=_("分区名称"))
    for value, field in (
        (max_day, "max_residents_per_nurse_day"),
        (max_night, "max_residents_per_nurse_night"),
    ):
        if value is None or Decimal(value) <= 0:
            raise ValidationError(_("护理员配比必须大于 0"), field=field)
        setattr(zone, field, Decimal(value))
    zone.is_active = is_active
    if Zone.objects.filter(site_id=zone.site_id, name=zone.name).exclude(pk=zone.pk).exists():
        raise ValidationError(_("分区名称已存在"), field="name")
    zone.save()
    return zone


@transaction.atomic
def room_create(*, actor, zone_id: int, number: str, floor: str = "", beds: int = 1) -> Room:
    """A room in a zone with `beds` beds labelled 1…n."""
    scope = scope_requiring(actor, "care.add_room")
    zone = _zone_for_write(scope, zone_id)
    number = required_text(number, field="number", label=_("房号"))
    if not isinstance(beds, int) or not 1 <= beds <= 20:
        raise ValidationError(_("每间房床位数应为 1–20"), field="beds")
    if Room.objects.filter(site_id=zone.site_id, number=number).exists():
        raise ValidationError(_("房号“%(number)s”已存在") % {"number": number}, field="number")
    room = Room.objects.create(site_id=zone.site_id, zone=zone, number=number, floor=floor.strip())
    Bed.objects.bulk_create(
        [Bed(site_id=zone.site_id, zone=zone, room=room, label=str(i)) for i in range(1, beds + 1)]
    )
    return room


@transaction.atomic
def nurse_assign(*, actor, zone_id: int, staff_id: int, shift: str) -> NurseAssignment:
    """Put a nursing staff member on a zone's shift (moving them if already on that shift elsewhere)."""
    scope = scope_requiring(actor, "care.add_nurseassignment")
    zone = _zone_for_write(scope, zone_id)
    if shift not in Shift.values:
        raise ValidationError(_("班次不正确"), field="shift")
    staff = site_staff(zone.site_id, staff_id, label=_("护理员"), field="staff")
    if staff.department.kind != "nursing":
        raise ValidationError(_("只能安排护理部员工"), field="staff")
    assignment, _created = NurseAssignment.objects.update_or_create(
        staff=staff, shift=shift, defaults={"zone": zone, "site_id": zone.site_id}
    )
    return assignment


@transaction.atomic
def nurse_unassign(*, actor, assignment_id: int) -> None:
    scope = scope_requiring(actor, "care.delete_nurseassignment")
    row = scope.filter_sites(NurseAssignment.objects.all()).filter(pk=assignment_id).first()
    if row is None:
        raise NotFound(_("排班不存在或无权访问"))
    scope.require_site(row.site_id, write=True)
    row.delete()


SETTINGS_FIELDS = (
    "cognitive_screen",
    "minicog_cutoff",
    "mmse_cutoff",
    "barthel_rehab_max",
    "review_days_high",
    "review_days_medium",
    "review_days_low",
)


@transaction.atomic
def care_settings_update(*, actor, site_id: int, version: int, **changes) -> CareSettings:
    """Edit the site's care settings; `version` is the one the editor saw (optimistic check)."""
    scope = scope_requiring(actor, "care.change_caresettings")
    scope.require_site(site_id, write=True)
    care_settings_for(site_id)
    settings = CareSettings.objects.select_for_update().get(site_id=site_id)
    if settings.version != version:
        raise ValidationError(_("设置已被他人修改，请刷新后重试"), field="version")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改该字段"), field=sorted(unknown)[0])
    for name, value in changes.items():
        setattr(settings, name, value)
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        settings.full_clean(exclude=["site"])
    except DjangoValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        raise ValidationError(
            _("%(field)s：%(error)s")
            % {"field": CareSettings._meta.get_field(field).verbose_name, "error": errors[0]},
            field=field,
        ) from exc
    settings.version += 1
    settings.save()
    return settings


@transaction.atomic
def material_create(*, actor, site_id: int, name: str, is_required: bool = True) -> MaterialItem:
    scope = scope_requiring(actor, "care.add_materialitem")
    scope.require_site(site_id, write=True)
    name = required_text(name, field="name", label=_("材料名称"))
    try:
        with transaction.atomic():
            return MaterialItem.objects.create(site_id=site_id, name=name, is_required=is_required)
    except IntegrityError as exc:
        raise ValidationError(_("材料“%(name)s”已存在") % {"name": name}, field="name") from exc


@transaction.atomic
def material_update(*, actor, material_id: int, is_required: bool, is_active: bool) -> MaterialItem:
    scope = scope_requiring(actor, "care.change_materialitem")
    item = scope.filter_sites(MaterialItem.objects.all()).filter(pk=material_id).first()
    if item is None:
        raise NotFound(_("材料不存在或无权访问"))
    scope.require_site(item.site_id, write=True)
    item.is_required, item.is_active = is_required, is_active
    item.save()
    return item
