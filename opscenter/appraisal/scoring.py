"""The scoring engine as plain functions over plain values (no database): scoring curves, grade
bands, and the rules applied after weighting (deduction, downgrade, veto).

Rounding (written down): item scores and weighted totals are Decimals rounded half-up to 0.01;
grade boundaries are inclusive (seed 001: "90 分（包括 90 分）" is 优秀, 89.99 is 良好).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

LINEAR, STEP, TARGET = "linear", "step", "target"
DEDUCTION, DOWNGRADE, VETO = "deduction", "downgrade", "veto"


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def clamp(value: Decimal) -> Decimal:
    """Within 0–100."""
    return min(HUNDRED, max(ZERO, value))


def linear_score(value: Decimal, *, zero_at: Decimal, full_at: Decimal) -> Decimal:
    """0 at `zero_at`, 100 at `full_at`, straight in between, clamped outside. `full_at` below
    `zero_at` means lower is better (e.g. handle time)."""
    if full_at == zero_at:
        better = value >= full_at
        return HUNDRED if better else ZERO
    return q2(clamp((value - zero_at) / (full_at - zero_at) * HUNDRED))


def step_score(
    value: Decimal, *, steps: Sequence[tuple[Decimal, Decimal]], higher_is_better: bool = True
) -> Decimal:
    """A step table [(threshold, score), …]: higher is better → the score of the highest threshold
    ≤ value; lower is better → the score of the lowest threshold ≥ value; none reached → 0."""
    reached = [
        (Decimal(t), Decimal(s))
        for t, s in steps
        if (value >= Decimal(t) if higher_is_better else value <= Decimal(t))
    ]
    if not reached:
        return ZERO
    pick = max(reached) if higher_is_better else min(reached)
    return q2(clamp(pick[1]))


def target_score(value: Decimal, *, target: Decimal) -> Decimal:
    """Full marks at (or above) the target, proportional below it; a target of 0 is always met."""
    if target <= 0:
        return HUNDRED
    return q2(clamp(value / target * HUNDRED))


@dataclass(frozen=True)
class Curve:
    """How a metric value becomes a 0–100 score (one of LINEAR / STEP / TARGET)."""

    kind: str
    zero_at: Decimal = ZERO
    full_at: Decimal = HUNDRED
    target: Decimal = ZERO
    steps: tuple[tuple[Decimal, Decimal], ...] = ()
    higher_is_better: bool = True
    scale: Decimal = Decimal("1")  # a rate 0.8532 compared with bounds in % → scale 100

    def score(self, value: Decimal | None) -> Decimal:
        """Always within 0–100; no value (e.g. a rate over nothing) scores 0."""
        if value is None:
            return ZERO
        value = Decimal(value) * self.scale
        if self.kind == LINEAR:
            return linear_score(value, zero_at=self.zero_at, full_at=self.full_at)
        if self.kind == STEP:
            return step_score(value, steps=self.steps, higher_is_better=self.higher_is_better)
        if self.kind == TARGET:
            return target_score(value, target=self.target)
        raise ValueError(f"unknown curve {self.kind}")


@dataclass(frozen=True)
class Band:
    name: str
    min_score: Decimal
    coefficient: Decimal = Decimal("1")


def sorted_bands(bands: Sequence[Band]) -> list[Band]:
    """Best first."""
    return sorted(bands, key=lambda b: b.min_score, reverse=True)


def band_index(score: Decimal, bands: Sequence[Band]) -> int:
    """Index (0 = best) of the first band whose inclusive lower bound the score reaches; the lowest
    band catches everything below."""
    ordered = sorted_bands(bands)
    for index, band in enumerate(ordered):
        if score >= band.min_score:
            return index
    return len(ordered) - 1


def weighted_total(parts: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """Σ score × weight% over scored items (weights in percent, totalling 100)."""
    return q2(sum((Decimal(s) * Decimal(w) / HUNDRED for s, w in parts), ZERO))


@dataclass(frozen=True)
class RuleHit:
    """One event that makes a rule fire: a deduction of `points`, a downgrade of `grades`, a veto."""

    kind: str
    rule: str
    order: int = 0
    points: Decimal = ZERO
    grades: int = 0
    reason: str = ""


@dataclass
class Outcome:
    weighted: Decimal
    score: Decimal
    band: int
    grade: str
    coefficient: Decimal
    fired: list[dict] = field(default_factory=list)


def apply_rules(weighted: Decimal, hits: Sequence[RuleHit], bands: Sequence[Band]) -> Outcome:
    """Rules after weighting, in rule order: deductions lower the score (not below 0), downgrades
    move the grade down N bands (not below the lowest), a veto forces the lowest band. Each firing is
    listed with its effect so the statement can say why."""
    ordered = sorted_bands(bands)
    lowest = len(ordered) - 1
    score = q2(weighted)
    shift = 0
    vetoed = False
    fired: list[dict] = []
    for hit in sorted(hits, key=lambda h: h.order):
        if hit.kind == DEDUCTION:
            before = score
            score = max(ZERO, q2(score - Decimal(hit.points)))
            fired.append(
                {"kind": hit.kind, "rule": hit.rule, "reason": hit.reason, "effect": str(score - before)}
            )
        elif hit.kind == DOWNGRADE:
            shift += int(hit.grades)
            fired.append(
                {"kind": hit.kind, "rule": hit.rule, "reason": hit.reason, "effect": f"-{hit.grades}"}
            )
        elif hit.kind == VETO:
            vetoed = True
            fired.append(
                {"kind": hit.kind, "rule": hit.rule, "reason": hit.reason, "effect": ordered[lowest].name}
            )
        else:
            raise ValueError(f"unknown rule kind {hit.kind}")
    index = lowest if vetoed else min(lowest, band_index(score, ordered) + shift)
    band = ordered[index]
    return Outcome(
        weighted=q2(weighted),
        score=score,
        band=index,
        grade=band.name,
        coefficient=band.coefficient,
        fired=fired,
    )
