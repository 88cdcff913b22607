"""Plausibility: the mistakes department clerks really make, caught before a figure reaches a leader.

`expectations.py` derives what each indicator's figures may plausibly be from the registry (the plan's
baseline and targets, scaled to the region level and the measure) and the thresholds of planwatch.toml;
`checks.py` names each check with its severity and the Chinese message a clerk reads; `review.py`
judges every figure of an ingest batch against the registry and the warehouse's history, in the
batch's own transaction: a critical finding quarantines the row, a warning is stored and told on the
receipt and in the briefing of that plan and region.
"""
