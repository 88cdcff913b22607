"""The target registry: plans, their targets and milestones, and the reference data they key on."""
