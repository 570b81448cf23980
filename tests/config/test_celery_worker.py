"""Tasks really travel through Redis to a worker and back."""

from config.celery import app
from config.tasks import echo_task


def test_a_task_sent_through_redis_is_run_by_the_real_worker(celery_worker):
    assert app.conf.task_always_eager is False
    assert app.conf.broker_url.startswith("redis://")
    result = echo_task.delay(21)
    assert result.get(timeout=20) == 42
    assert result.status == "SUCCESS"


def test_the_worker_answers_a_control_ping(celery_worker):
    replies = app.control.ping(timeout=5)
    assert replies, "no worker answered"
