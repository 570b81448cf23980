"""Celery beat runs every periodic job, and each job names a task the worker knows."""

from config.celery import app

EXPECTED_JOBS = {"heartbeat", "sla-breaches-check", "health-offline-faults"}


def test_beat_schedule_reaches_celery():
    assert EXPECTED_JOBS <= set(app.conf.beat_schedule)


def test_every_scheduled_task_is_registered_with_the_worker_app():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    missing = {entry["task"] for entry in app.conf.beat_schedule.values()} - registered
    assert missing == set()
