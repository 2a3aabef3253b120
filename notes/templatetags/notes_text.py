"""Template filters for note text."""

from django import template

from notes.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Markdown rendered as sanitized HTML (see notes.rendering)."""
    return render_markdown(text)
