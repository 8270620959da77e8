"""The refusal every meeting service raises."""

from django.core.exceptions import ValidationError


class MeetingError(ValidationError):
    pass
