"""Fixed numbers of target decomposition."""

from decimal import Decimal

# Default share of target below which a projection raises an alert (and the light turns red).
DEFAULT_ALERT_SHARE = Decimal("0.80")
# Trailing window (months, ending with the current month) for default rates and seasonality.
TRAILING_MONTHS = 12
MONEY_METRIC = "revenue_fen"
# Metrics a plan "from a revenue target" is given, back-solved through the funnel.
SOLVED_METRICS = ("deals", "visits", "consultations_phone", "consultations_online_local", "visits_walk_in")
PROGRESS_ALERT_MIN_ELAPSED = Decimal("0.25")  # no alert on a month's first week: too little to judge
