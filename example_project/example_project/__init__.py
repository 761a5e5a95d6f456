"""The example shop's project package; Celery's app loads with Django (eager without a broker)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
