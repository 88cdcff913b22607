"""The extraction assistant scored against the launch plans' registries (`make bench`).

For each plan in plans/, `propose` reads only its text (plans/source/); the draft is then compared
with the registry a person wrote: a registry target is recalled when a proposal has the same
indicator (as matched against the reference catalogue), region, target year, value, unit and
comparator; precision is the share of proposals that recall one. Quotes must be verbatim slices of the
text. A registry milestone is recalled when a proposed milestone's quote overlaps its quote and its
deadline year is the same. Goals: recall ≥ 90 %, precision ≥ 80 %, quotes 100 %, milestones ≥ 80 %;
and `propose` on a 30-page plan in under 10 seconds. `python -m benchmarks.extraction --misses` prints,
per plan, the registry targets the draft missed and the draft targets that match none.
"""

from __future__ import annotations

import time
from pathlib import Path

from planwatch.config import settings
from planwatch.onboarding.plan_text import read_plan_text
from planwatch.onboarding.propose import propose
from planwatch.registry.load import load_registry
from planwatch.registry.numbers import without_whitespace


def _overlaps(a: str, b: str) -> bool:
    return a in b or b in a or (len(a) > 8 and a[:8] in b) or (len(b) > 8 and b[:8] in a)


def _keys(draft, plan, reference) -> tuple[list[tuple], list[tuple]]:
    """The draft's targets and the registry's, each as (indicator, region, year, value, unit, comparator)."""
    proposals = [
        (
            code,
            region,
            t.year,
            t.value,
            reference.unit_table.lookup(t.unit).unit if reference.unit_table.knows(t.unit) else t.unit,
            t.comparator,
        )
        for t, (code, _), region in zip(
            draft.extraction.targets, draft.indicator_matches, draft.region_codes, strict=True
        )
    ]
    wanted = [
        (t.indicator_code, t.region, t.target_year, float(t.target_value), t.unit, t.comparator.value)
        for t in plan.targets
    ]
    return proposals, wanted


def score_plan(plan, reference, plans_dir: Path) -> dict:
    text = read_plan_text(plans_dir / plan.source_text)
    started = time.perf_counter()
    draft = propose(text, reference)
    seconds = time.perf_counter() - started
    proposals, wanted = _keys(draft, plan, reference)
    recalled = sum(1 for key in wanted if key in proposals)
    precise = sum(1 for key in proposals if key in wanted)
    flat = without_whitespace(text.text)  # as `plans check` reads a quote: line breaks and spaces aside
    verbatim = sum(1 for t in draft.extraction.targets if without_whitespace(t.quote) in flat)
    milestones = sum(
        1
        for m in plan.milestones
        if any(
            p.deadline_year == m.deadline.year and _overlaps(p.quote, m.source_quote)
            for p in draft.extraction.milestones
        )
    )
    return {
        "plan": plan.plan_id,
        "targets": len(wanted),
        "proposed": len(proposals),
        "recall": recalled / len(wanted) if wanted else 1.0,
        "precision": precise / len(proposals) if proposals else 0.0,
        "verbatim": verbatim / len(proposals) if proposals else 1.0,
        "milestones": milestones / len(plan.milestones) if plan.milestones else None,
        "left_out": len(draft.extraction.left_out),
        "seconds": seconds,
        "chars": len(text.text),
    }


def main() -> list[dict]:
    config = settings()
    registry = load_registry(config.plans_path)
    results = [score_plan(plan, registry.reference, config.plans_path) for plan in registry.plans.values()]
    print("extraction assistant (planwatch plans propose) against the registry:")
    for r in results:
        milestones = "—" if r["milestones"] is None else f"{r['milestones']:.0%}"
        print(
            f"  {r['plan']:<32} targets {r['targets']:>3}  proposed {r['proposed']:>3}  recall {r['recall']:>4.0%}  "
            f"precision {r['precision']:>4.0%}  quotes verbatim {r['verbatim']:.0%}  milestones {milestones:>4}  "
            f"left out {r['left_out']:>3}  {r['seconds']:.2f}s for {r['chars']} characters"
        )
    pages, seconds = _long_plan(registry.reference, config.plans_path, [p.source_text for p in registry.plans.values()])
    print(f"  a {pages}-page plan (the five texts end to end): propose in {seconds:.2f}s (goal < 10 s)")
    return results


def print_misses() -> None:
    """Per plan, the registry targets the draft missed and the draft targets that match none (`--misses`)."""
    config = settings()
    registry = load_registry(config.plans_path)
    for plan in registry.plans.values():
        draft = propose(read_plan_text(config.plans_path / plan.source_text), registry.reference)
        proposals, wanted = _keys(draft, plan, registry.reference)
        print(f"\n=== {plan.plan_id}")
        for target, key in zip(plan.targets, wanted, strict=True):
            if key not in proposals:
                print(f"  missed   {key}\n           {target.source_quote[:90]}")
        for target, key in zip(draft.extraction.targets, proposals, strict=True):
            if key not in wanted:
                print(f"  unmatched {key} subject={target.subject}\n           {target.quote[:90]}")


def _long_plan(reference, plans_dir: Path, sources: list[str]) -> tuple[int, float]:
    """The five texts twice over as one plan (about 50 pages of A4 at 1,700 characters a page), timed."""
    import tempfile

    text = "\n".join((plans_dir / source).read_text(encoding="utf-8") for source in sources) * 2
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "long.txt"
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        propose(read_plan_text(path), reference)
        return round(len(text) / 1700), time.perf_counter() - started


if __name__ == "__main__":
    import sys

    print_misses() if "--misses" in sys.argv else main()
