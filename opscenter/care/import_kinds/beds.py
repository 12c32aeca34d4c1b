"""The `care_beds` import kind (房间床位): a community's rooms and beds from a sheet.

Columns: 分区 (the zone's name, e.g. 协助照料区), 房号, 楼层 (optional), 床号. A row naming an
unknown zone, or a room already in another zone, is rejected naming the column; a bed that already
exists is left unchanged. Rows are written in bulk; undo removes the job's beds that were never
occupied and the job's rooms left without beds.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.care.models import Bed, Occupancy, Room, Zone
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register


@register
class BedImport(ImportKind):
    name = "care_beds"
    label_zh = gettext_noop("房间床位")  # stays Chinese (data); screens translate it
    permission = "care.add_bed"
    natural_key = ("room", "bed")
    fields = (  # i18n: data (column headers and aliases matched against imported files)
        Field("zone", "分区", ("区域", "护理区", "zone"), required=True, max_length=50),
        Field("room", "房号", ("房间", "房间号", "room"), required=True, max_length=20),
        Field("floor", "楼层", ("层", "floor"), max_length=20),
        Field("bed", "床号", ("床位", "床位号", "bed"), required=True, max_length=20),
    )

    def _zones(self, ctx: ImportContext) -> dict[str, Zone]:
        if "zones" not in ctx.cache:
            zones = Zone.objects.filter(site_id=ctx.site_id)
            ctx.cache["zones"] = {z.name: z for z in zones} | {z.get_care_zone_display(): z for z in zones}
            ctx.cache["rooms"] = {r.number: r for r in Room.objects.filter(site_id=ctx.site_id)}
        return ctx.cache["zones"]

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        zone = self._zones(ctx).get(row.values.get("zone"))
        if zone is None:
            row.error("zone", _("院区没有分区「%(zone)s」") % {"zone": row.values.get("zone")})
            return
        room = ctx.cache["rooms"].get(row.values.get("room"))
        if room is not None and room.zone_id != zone.pk:
            row.error("room", _("房号「%(room)s」已属于其他分区") % {"room": room.number})
        row.values["_zone"] = zone

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        existing = set(
            Bed.objects.filter(
                site_id=ctx.site_id, room__number__in={r.values["room"] for r in batch}
            ).values_list("room__number", "label")
        )
        for row in batch:
            row.action = UNCHANGED if (row.values["room"], row.values["bed"]) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        rooms = ctx.cache["rooms"]
        new_rooms = {}
        for row in batch:
            v = row.values
            if row.action == CREATE and v["room"] not in rooms and v["room"] not in new_rooms:
                new_rooms[v["room"]] = Room(
                    site_id=ctx.site_id,
                    zone=v["_zone"],
                    number=v["room"],
                    floor=v.get("floor") or "",
                    import_job_id=ctx.job_id,
                )
        for room in Room.objects.bulk_create(new_rooms.values()):
            rooms[room.number] = room
        beds = [
            Bed(
                site_id=ctx.site_id,
                zone_id=rooms[r.values["room"]].zone_id,
                room=rooms[r.values["room"]],
                label=r.values["bed"],
                import_job_id=ctx.job_id,
            )
            for r in batch
            if r.action == CREATE
        ]
        Bed.objects.bulk_create(beds)
        return len(beds), 0

    def undo(self, job_id: int) -> int:
        used = Occupancy.objects.filter(bed__import_job_id=job_id).values("bed_id")
        removed, _ = Bed.objects.filter(import_job_id=job_id).exclude(pk__in=used).delete()
        Room.objects.filter(import_job_id=job_id).annotate(n=Count("beds")).filter(n=0).delete()
        return removed
