from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

LABELS = {"green": "Green", "yellow": "Yellow", "red": "Red"}


@register.simple_tag
def chip(color):
    """A color chip that also says the color in words (color is never the only signal)."""
    if not color:
        return mark_safe('<span class="chip chip-none">No score</span>')
    return format_html('<span class="chip chip-{}">{}</span>', color, LABELS.get(color, color))


@register.filter
def weight(value):
    """Effective weights shown with two decimals."""
    return f"{float(value):.2f}"
