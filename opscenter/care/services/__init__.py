"""Writes of the care app (see each module)."""

from opscenter.care.services.admissions import (
    admission_lost,
    admission_materials_update,
    admission_request_open,
    admission_resolve,
    admission_view_record,
    score_admission,
    zone_rule_for,
)
from opscenter.care.services.incidents import incident_record
from opscenter.care.services.places import (
    care_settings_for,
    care_settings_update,
    material_create,
    material_update,
    nurse_assign,
    nurse_unassign,
    room_create,
    zone_update,
    zones_ensure,
)
from opscenter.care.services.risks import risk_assess, risk_measure_add, risk_measure_done
from opscenter.care.services.stays import residency_admit, residency_discharge, residency_transfer

__all__ = [
    "admission_lost",
    "admission_materials_update",
    "admission_request_open",
    "admission_resolve",
    "admission_view_record",
    "care_settings_for",
    "care_settings_update",
    "incident_record",
    "material_create",
    "material_update",
    "nurse_assign",
    "nurse_unassign",
    "residency_admit",
    "residency_discharge",
    "residency_transfer",
    "risk_assess",
    "risk_measure_add",
    "risk_measure_done",
    "room_create",
    "score_admission",
    "zone_rule_for",
    "zone_update",
    "zones_ensure",
]
