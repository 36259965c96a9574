"""Background work for claim intake: thin tasks that take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from claims.intake_services import FETCH_MAX_ATTEMPTS, intake_fetch, intake_jobs_sweep
from claims.models import IntakeJob


@shared_task(bind=True, max_retries=FETCH_MAX_ATTEMPTS - 1, acks_late=True)
def intake_fetch_task(self, job_id: int) -> None:  # type: ignore[no-untyped-def]
    """Fetch and analyse one URL job. Transient network failures are retried with backoff
    (the service picks the delay); the last attempt's failure leaves the job ``failed``."""
    job = IntakeJob.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None or job.is_settled:
        return
    retry_in = intake_fetch(job=job, final_attempt=self.request.retries >= self.max_retries)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task
def intake_sweep_task() -> dict[str, int]:
    """Periodic: re-queue pending jobs whose message was lost, fail jobs stuck fetching."""
    return intake_jobs_sweep()
