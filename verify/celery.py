"""The Celery application; configuration comes from Django settings (CELERY_* names)."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verify.settings")

app = Celery("verify")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="intake_tasks")  # claims/intake_tasks.py


@task_prerun.connect
@task_postrun.connect
def _recycle_database_connections(sender: Any = None, **kwargs: Any) -> None:
    """Treat each task like a request: drop connections that broke or outlived CONN_MAX_AGE,
    keep the others (CELERY_DB_REUSE_MAX stops Celery from closing them all every task).
    Not for eager tasks: they run inside their caller's connection and transaction."""
    from django.db import close_old_connections

    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()


@worker_init.connect
def _preload_task_modules(**kwargs: Any) -> None:
    """Import what the tasks import lazily (trafilatura, lxml, the fetch pipeline) when a
    worker starts, not inside its first fetch: the web process never loads them, a worker
    always does, and the first links queued should not wait a second or two for imports
    and tables. The same for the processes that parse fetched pages."""
    import claims.fetch_services  # noqa: F401
    from claims.fetching import extract_pool

    extract_pool.start()


@worker_shutdown.connect
def _stop_extraction_processes(**kwargs: Any) -> None:
    from claims.fetching import extract_pool

    extract_pool.stop()
