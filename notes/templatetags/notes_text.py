"""Template filters for note text."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def section_html(entry, name):
    """A note section's HTML as rendered and sanitized when the entry was saved (notes.rendering)."""
    return mark_safe(entry.sections_html.get(name, ""))  # sanitized by nh3 before it was stored
