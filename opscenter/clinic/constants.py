"""Constants of the clinic app."""

import datetime as dt

# A clinical question (and the course-end follow-up) is due within one business day's worth of
# business hours of being raised (seed 004: 治疗 → 术后回访 within 24 h).
CLINICAL_DUE = dt.timedelta(hours=8)
# Default points rule when a site has none: 1 point per yuan, 1 point = 1 fen, valid 12 months.
DEFAULT_POINTS_PER_YUAN = 1
MAX_POINTS = 100_000_000
