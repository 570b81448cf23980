"""Every periodic Celery job, in one place (CELERY_BEAT_SCHEDULE).

Each entry names a task by its dotted path so this module imports none of the apps.
"""

from datetime import timedelta

BEAT_SCHEDULE: dict[str, dict] = {
    "heartbeat": {
        "task": "config.tasks.heartbeat_task",
        "schedule": timedelta(minutes=1),
    },
    "sla-breaches-check": {"task": "cctv.tasks.sla_breaches_check_task", "schedule": timedelta(minutes=1)},
    "health-offline-faults": {"task": "cctv.tasks_health.offline_faults_open_task", "schedule": timedelta(minutes=1)},
}
