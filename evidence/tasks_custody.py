"""Celery tasks for evidence custody (loaded by evidence.tasks)."""
