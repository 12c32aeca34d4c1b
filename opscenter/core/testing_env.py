"""Loaded by pytest before Django (`-p opscenter.core.testing_env`): plain-HTTP test settings.

Production defaults (HTTPS redirect, secure cookies) would break the test client and the live
server; tasks run inline so tests see their effects.
"""

import os

os.environ.setdefault("OPSCENTER_HTTPS", "0")
os.environ.setdefault("OPSCENTER_TASKS_IMMEDIATE", "1")
# Tests write and read the cockpit in one breath; the cockpit's own tests turn its cache on.
os.environ.setdefault("OPSCENTER_COCKPIT_CACHE_SECONDS", "0")

# Hypothesis: no per-example deadline and no "too slow" health check. Both are timings, and a
# test's verdict must not depend on how loaded the machine is (speed belongs to bench/).
from hypothesis import HealthCheck
from hypothesis import settings as _hypothesis_settings

_hypothesis_settings.register_profile(
    "opscenter", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_hypothesis_settings.load_profile("opscenter")
