"""Celery tasks for evidence deadlines (loaded by evidence.tasks)."""
