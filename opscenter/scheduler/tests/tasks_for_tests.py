"""Tasks the worker tests enqueue (module-level, so the worker can import them by path)."""

from django.db import OperationalError
from django_tasks import task

STATE = {"locked_left": 0, "runs": 0}


@task()
def add(a: int, b: int) -> int:
    STATE["runs"] += 1
    return a + b


@task()
def locked_then_fine() -> str:
    STATE["runs"] += 1
    if STATE["locked_left"] > 0:
        STATE["locked_left"] -= 1
        raise OperationalError("database is locked")
    return "done"
