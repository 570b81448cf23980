"""Celery tasks of the maps app: each loads what it needs by id and calls a service."""

from __future__ import annotations

from celery import shared_task

from maps.imports import skipped_counts, street_crime_import_stored


@shared_task(name="maps.tasks.street_crime_import_task", acks_late=True)
def street_crime_import_task(import_id: int, stored_path: str) -> dict | None:
    """Import an uploaded police street-level crime file (maps.imports.street_crime_import_queue sends it).

    acks_late with task_reject_on_worker_lost (settings): a worker that dies mid-import leaves the
    message to be delivered again, and the import starts over from the stored file. Nothing reached
    the incidents before the dead run's final swap, and the swap replaces whole months, so a repeat
    gives the same result; an import already done is left alone, so a late repeat cannot undo a
    newer import of the same month.
    """
    batch = street_crime_import_stored(import_id=import_id, stored_path=stored_path)
    if batch is None:
        return None
    return {"id": batch.pk, "status": batch.status, "rows_total": batch.rows_total, "rows_done": batch.rows_done,
            "imported": batch.imported, "skipped": skipped_counts(batch), "months": batch.months}
