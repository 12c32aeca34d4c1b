"""Loaded by pytest before Django (`-p opscenter.core.testing_env`): plain-HTTP test settings.

Production defaults (HTTPS redirect, secure cookies) would break the test client and the live
server; tasks run inline so tests see their effects.
"""

import os

os.environ.setdefault("OPSCENTER_HTTPS", "0")
os.environ.setdefault("OPSCENTER_TASKS_IMMEDIATE", "1")
