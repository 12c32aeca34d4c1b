from opscenter.core.models.audit import AuditEntry
from opscenter.core.models.calendar import BusinessCalendar, CalendarDay
from opscenter.core.models.lists import SavedFilter
from opscenter.core.models.users import ApiToken, User

__all__ = ["ApiToken", "AuditEntry", "BusinessCalendar", "CalendarDay", "SavedFilter", "User"]
