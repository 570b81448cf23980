"""Celery tasks for evidence retention (loaded by evidence.tasks)."""
