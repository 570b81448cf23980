"""Handing work to a Celery worker after commit, and answering 503 when the broker cannot take it.

delay_on_commit sends after the commit, so a broker that is down turns into an exception once the
row that asked for the work is already committed: a bundle "building" or an import "queued" that no
worker will ever pick up. The work's arguments travel only in the message (the exhibits chosen, the
stored upload), so no sweep could send it later; the caller's undo removes what was written instead,
and the person is told to try again (QueueUnavailable, a 503 from the API, a message on a page).

A broker that accepts the connection and then never answers fails the publish after the socket
timeout of CELERY_BROKER_TRANSPORT_OPTIONS (30 s) rather than hanging the request for good.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

from accounts.exceptions import DomainError

logger = logging.getLogger(__name__)

QUEUE_UNAVAILABLE = "The task queue (Redis) is unavailable"


class QueueUnavailable(DomainError):
    """The broker refused the task: nothing was started and nothing stays written (503)."""

    status_code = 503


def task_send_on_commit(task: Task, *, args: Sequence, what: str, undo: Callable[[], None],
                        task_id: str | None = None) -> None:
    """Send `task` once the transaction commits; if the broker refuses it, run `undo` and raise QueueUnavailable.

    `what` names the work for the person ("the bundle of ER-2026-00042"). The exception leaves the
    atomic block that registered the send, after its commit, so the caller's caller sees it.
    """

    def send() -> None:
        try:
            task.apply_async(args=tuple(args), task_id=task_id)
        except OperationalError as exc:
            logger.exception("task=%s not sent: the broker refused it; undoing what asked for it", task.name)
            undo()
            raise QueueUnavailable(
                f"{QUEUE_UNAVAILABLE}, so {what} was not started and nothing was saved. Try again in a few "
                "minutes; if it keeps failing, tell the system administrator."
            ) from exc

    transaction.on_commit(send)
