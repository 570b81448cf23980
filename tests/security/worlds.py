"""A populated world that a whole test module shares, and the savepoint each request runs in.

The route matrix (conftest.py) and the fuzzing suites (fixtures_fuzz.py) each build their own world;
both build it inside one transaction that the end of the module rolls back, with files and keys
under a temporary folder, and run every request in a savepoint rolled back after it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from django.db import transaction
from django.test import override_settings

T = TypeVar("T")


@contextlib.contextmanager
def world_rolled_back(base: Path, build: Callable[[], T], **settings) -> Iterator[T]:
    """build() inside a transaction rolled back on exit; media, keys and bundle work under `base`."""
    with override_settings(
        MEDIA_ROOT=base / "media",
        EVIDENCE_SIGNING_KEY_FILE=base / "keys" / "evidence-signing-ed25519.pem",
        EVIDENCE_SIGNING_KEY_AUTO_CREATE=True,
        EVIDENCE_BUNDLE_WORK_DIR=base / "work",
        **settings,
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def rolled_back(call: Callable[[], T]) -> T:
    """Run one request in a savepoint rolled back after it: each request sees the world as built.

    Views that open their own transaction.atomic nest inside it as savepoints, and work they leave for
    transaction.on_commit (Celery tasks, emails) is discarded with it, as it never commits.
    """
    with transaction.atomic():
        try:
            return call()
        finally:
            transaction.set_rollback(True)
