import datetime

from celery import shared_task
from django.utils import timezone

from deputies import liaison, services, suggestions


@shared_task(acks_late=True)
def close_mandates_of_ended_terms(on_date: str | None = None) -> int:
    day = datetime.date.fromisoformat(on_date) if on_date else timezone.localdate()
    return services.mandates_close_for_ended_terms(on_date=day)


@shared_task(acks_late=True)
def flag_overdue_resident_opinions() -> int:
    return liaison.resident_opinions_flag_overdue(on_date=timezone.localdate())


@shared_task(acks_late=True)
def flag_overdue_suggestions() -> int:
    return suggestions.suggestions_flag_overdue(on_date=timezone.localdate())
