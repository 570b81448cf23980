"""Periodic health-feed work (config/schedule.py runs it every minute).

Kept apart from cctv/tasks.py so the two can change independently. Celery's autodiscovery
imports only `<app>.tasks`, so cctv/tasks.py imports this module to register the task.
"""

from celery import shared_task

from cctv.services.health import offline_faults_open


@shared_task(name="cctv.tasks_health.offline_faults_open_task")
def offline_faults_open_task() -> list[str]:
    """Open a fault for each camera offline too long; returns the new faults' references."""
    return [fault.reference for fault in offline_faults_open()]
