"""Thin Celery tasks: load by id and call a service."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from reports import services

__all__ = ["SoftTimeLimitExceeded", "build_report", "sweep_reports"]


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=3,
    soft_time_limit=services.BUILD_SOFT_TIME_LIMIT,
    time_limit=services.BUILD_TIME_LIMIT,
)
def build_report(report_id: int) -> None:
    services.build_report(report_id=report_id)


@shared_task(soft_time_limit=60, time_limit=90)
def sweep_reports() -> None:
    services.sweep_reports()
