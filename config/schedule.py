"""Every periodic Celery job, in one place (CELERY_BEAT_SCHEDULE).

Each entry names a task by its dotted path so this module imports none of the apps.
"""

from datetime import timedelta

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "heartbeat": {
        "task": "config.tasks.heartbeat_task",
        "schedule": timedelta(minutes=1),
    },
    "sla-breaches-check": {"task": "cctv.tasks.sla_breaches_check_task", "schedule": timedelta(minutes=1)},
    "health-offline-faults": {"task": "cctv.tasks_health.offline_faults_open_task", "schedule": timedelta(minutes=1)},
    "exhibit-disposal-run": {"task": "evidence.tasks_retention.exhibits_dispose_task", "schedule": crontab(hour=2, minute=30)},  # noqa: E501
    "custody-daily-digest": {"task": "evidence.tasks_custody.custody_digest_send_task", "schedule": crontab(hour=6, minute=0)},  # noqa: E501
    "evidence-deadline-alerts": {"task": "evidence.tasks_deadlines.deadline_alerts_send_task", "schedule": timedelta(minutes=5)},  # noqa: E501
    "evidence-footage-lost": {"task": "evidence.tasks_deadlines.footage_lost_mark_task", "schedule": timedelta(minutes=5)},  # noqa: E501
    "expired-sessions-purge": {"task": "config.tasks.expired_sessions_purge_task", "schedule": crontab(hour=3, minute=15)},  # noqa: E501
    "monthly-reports": {"task": "reports.tasks.monthly_reports_generate_task", "schedule": crontab(hour=7, minute=0)},
}
