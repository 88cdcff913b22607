"""Onboarding a new plan from its text: read it, propose a registry draft, review, accept."""
