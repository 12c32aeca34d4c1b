from opscenter.care.models.admissions import AdmissionRequest, AdmissionView, MaterialItem
from opscenter.care.models.incidents import Incident
from opscenter.care.models.places import Bed, CareSettings, NurseAssignment, Room, Zone
from opscenter.care.models.risks import RiskAssessment, RiskMeasure
from opscenter.care.models.stays import Occupancy, Residency, Transfer

__all__ = [
    "AdmissionRequest",
    "AdmissionView",
    "Bed",
    "CareSettings",
    "Incident",
    "MaterialItem",
    "NurseAssignment",
    "Occupancy",
    "Residency",
    "RiskAssessment",
    "RiskMeasure",
    "Room",
    "Transfer",
    "Zone",
]
