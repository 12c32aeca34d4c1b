"""Erlang C staffing, pure functions over plain values (no database).

Traffic A = calls × AHT ÷ interval seconds (Erlangs). The probability that a caller waits,
Erlang C, comes from the Erlang B recursion

    B(0) = 1,   B(n) = A·B(n−1) ÷ (n + A·B(n−1)),   C(n) = n·B(n) ÷ (n − A·(1 − B(n)))   (n > A)

which needs no factorials or powers and stays within [0, 1] at any size (5,000 calls per interval
is A in the hundreds). Then, for n agents:

    SL(T)     = 1 − C(n)·exp(−(n − A)·T ÷ AHT)
    ASA       = C(n)·AHT ÷ (n − A)
    occupancy = A ÷ n

The agents needed are the smallest n > A meeting the SL target (and the ASA target and the
occupancy cap when given); rostered staff = ceil(n ÷ (1 − shrinkage)).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

MAX_AGENTS = 100_000


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of `agents` servers offered `traffic` Erlangs (recursion)."""
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must be non-negative")
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def erlang_c_from_b(agents: int, traffic: float, b: float) -> float:
    if agents <= traffic:
        return 1.0
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a call waits with `agents` agents and `traffic` Erlangs (1 when n ≤ A)."""
    return erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))


def service_level(agents: int, traffic: float, aht: float, target_seconds: float) -> float:
    if agents <= traffic:
        return 0.0
    c = erlang_c(agents, traffic)
    return 1.0 - c * math.exp(-(agents - traffic) * target_seconds / aht)


def asa(agents: int, traffic: float, aht: float) -> float:
    if agents <= traffic:
        return math.inf
    return erlang_c(agents, traffic) * aht / (agents - traffic)


@dataclass(frozen=True)
class Staffing:
    calls: float
    interval_minutes: int
    aht_seconds: float
    traffic: float
    agents: int
    scheduled: int
    service_level: float
    asa_seconds: float
    occupancy: float
    wait_probability: float

    def as_dict(self) -> dict:
        return asdict(self)


def agents_needed(
    *,
    calls: float,
    interval_minutes: int,
    aht_seconds: float,
    target_sl: float,
    target_seconds: float,
    target_asa: float | None = None,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
) -> Staffing:
    """The fewest agents meeting the targets for one interval (one pass of the recursion)."""
    if interval_minutes <= 0 or aht_seconds <= 0:
        raise ValueError("interval and AHT must be positive")
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be in [0, 1)")
    if not 0 < target_sl < 1:
        raise ValueError("target SL must be in (0, 1)")
    if calls < 0:
        raise ValueError("calls must be non-negative")
    traffic = calls * aht_seconds / (interval_minutes * 60)
    if calls == 0:
        return Staffing(calls, interval_minutes, aht_seconds, 0.0, 0, 0, 1.0, 0.0, 0.0, 0.0)
    b = 1.0
    n = 0
    while True:
        n += 1
        if n > MAX_AGENTS:
            raise ValueError("traffic too large")
        b = traffic * b / (n + traffic * b)
        if n <= traffic:
            continue
        c = erlang_c_from_b(n, traffic, b)
        sl = 1.0 - c * math.exp(-(n - traffic) * target_seconds / aht_seconds)
        wait = c * aht_seconds / (n - traffic)
        occupancy = traffic / n
        if sl < target_sl:
            continue
        if target_asa is not None and wait > target_asa:
            continue
        if max_occupancy is not None and occupancy > max_occupancy:
            continue
        scheduled = math.ceil(n / (1 - shrinkage) - 1e-9)
        return Staffing(calls, interval_minutes, aht_seconds, traffic, n, scheduled, sl, wait, occupancy, c)


def day_plan(
    volumes: list[float],
    *,
    interval_minutes: int = 30,
    aht_seconds: float | list[float],
    target_sl: float,
    target_seconds: float,
    target_asa: float | None = None,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
) -> list[Staffing]:
    """One `Staffing` per interval (48 half hours for a day)."""
    ahts = aht_seconds if isinstance(aht_seconds, list) else [aht_seconds] * len(volumes)
    return [
        agents_needed(
            calls=v,
            interval_minutes=interval_minutes,
            aht_seconds=a or 1,
            target_sl=target_sl,
            target_seconds=target_seconds,
            target_asa=target_asa,
            max_occupancy=max_occupancy,
            shrinkage=shrinkage,
        )
        for v, a in zip(volumes, ahts, strict=True)
    ]
