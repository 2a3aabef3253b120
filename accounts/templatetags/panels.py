from django import template
from django.utils.safestring import mark_safe

from accounts import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def account_panels(context, account):
    """Every registered panel of the account page, in order (as an inclusion tag renders each)."""
    html = []
    for panel in panels.account_panels():
        panel_context = panel.context(context, account)
        if panel_context is None:
            continue
        html.append(context.template.engine.get_template(panel.template).render(context.new(panel_context)))
    return mark_safe("".join(html))
