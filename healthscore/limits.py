"""How much text each kind of field takes, once for forms and models alike.

Every free-text field is bounded in its form (a form error) and in its model (full_clean), so
no request, import or service call stores text without a limit. A meeting note's section gets
a page or two; a reason or a short note a paragraph.
"""

from django.core.validators import MaxLengthValidator
from django.db import models

SHORT_TEXT = 2_000  # a reason, a short note, a stored error message
LONG_TEXT = 10_000  # a meeting note's section, a plan, a summary, a resolution note


def bounded_text_field(*args, max_length: int, **kwargs) -> models.TextField:
    """A TextField its model's full_clean() limits (Django checks a TextField's max_length only in forms)."""
    return models.TextField(*args, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs)
