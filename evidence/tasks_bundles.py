"""Celery tasks for evidence bundles (loaded by evidence.tasks)."""
