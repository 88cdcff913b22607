"""Ingestion: department fill-in templates and statistics tables into long observations, losing nothing."""
