import datetime as dt

from django import template
from django.utils.html import format_html

from accounts import charts, selectors
from accounts.scoring import rules

register = template.Library()


@register.simple_tag
def chip(color):
    """A color chip that also says the color in words (color is never the only signal)."""
    return format_html('<span class="chip chip-{}">{}</span>', color or "none", rules.color_label(color))


def override_words(account) -> str:
    """An override in force, in words: who, until when, why, and the computed color it hides."""
    return (
        f"Override by {account.override_by or 'unknown'} until {account.override_until:%Y-%m-%d}: "
        f"“{account.override_reason or ''}”. Computed: {rules.color_label(account.computed_color)}, "
        f"score {'–' if account.health_score is None else account.health_score}."
    )


@register.simple_tag
def health_chip(account):
    """The account's overall color, everywhere it is shown: a chip, and while an override is in
    force the mark "Override" (who, why, until when in its title and for screen readers) with
    the computed color beside it."""
    color = chip(account.health_color)
    if getattr(account, "override_until", None) is None:
        return color
    words = override_words(account)
    return format_html(
        '{} <span class="badge badge-override" title="{}">Override</span>'
        '<span class="visually-hidden"> {}</span> <span class="computed-color">computed {}</span>',
        color,
        words,
        words,
        rules.color_label(account.computed_color),
    )


@register.filter
def weight(value):
    """Effective weights shown with two decimals."""
    return f"{float(value):.2f}"


@register.filter
def color_word(color):
    """A color in words (rules.color_label: "Unscored" when there is none)."""
    return rules.color_label(color)


@register.filter
def person(user, empty: str = "unassigned"):
    """A user's name as people know it; `empty` when there is no one."""
    if user is None:
        return empty
    return user.get_full_name() or user.username


@register.filter
def days_since(day, today):
    """Whole days from `day` to `today` ("–" when there is no day)."""
    if day is None:
        return None
    return (today - day).days


@register.simple_tag
def confidence(percent):
    """How much of the score rests on fresh data (rules.confidence), beside the score; nothing
    for an unscored account."""
    if percent is None:
        return ""
    return format_html(
        '<span class="confidence" title="Share of the score backed by fresh data">{} % fresh</span>', percent
    )


@register.simple_tag
def confidence_why(percent, reasons=()):
    """Why the confidence is what it is, in one sentence (rules.confidence_words)."""
    return rules.confidence_words(percent, reasons or ())


@register.simple_tag
def stale_badge(account, today):
    """A "Stale" badge (in words) when the Customer Health Score Date is out of date."""
    if not rules.health_is_stale(account.segment, account.health_date, today):
        return ""
    period = rules.FRESH_WORDS[account.segment]
    title = f"Health not confirmed for more than {period} ({account.get_segment_display()})"
    if account.health_date is None:
        title = "Health has never been confirmed"
    return format_html('<span class="badge badge-stale" title="{}">Stale</span>', title)


@register.inclusion_tag("accounts/_sparkline.html")
def sparkline(snapshots, today):
    """The last 90 days of stored scores as a tiny inline SVG."""
    start = today - dt.timedelta(days=selectors.TREND_DAYS)
    points = [(s.date, s.score, s.color) for s in snapshots]
    return {"chart": charts.sparkline(points, start=start, end=today)}


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, first: str = "asc"):
    """A sortable column's header: a link that sorts by the column (`first` says which way a
    first click sorts), and again the other way; the filters in the address are kept, the page
    is not. The current sort is marked for screen readers (aria-sort on the th is the caller's)."""
    params = context["request"].GET.copy()
    current = params.get("sort", "")
    ascending_first = first == "asc"
    if current.lstrip("-") == key:
        target = key if current.startswith("-") else f"-{key}"
        arrow = " ↓" if current.startswith("-") else " ↑"
    else:
        target = key if ascending_first else f"-{key}"
        arrow = ""
    params["sort"] = target
    params.pop("page", None)
    return format_html(
        '<a class="sort-link" href="?{}">{}<span aria-hidden="true">{}</span></a>', params.urlencode(), label, arrow
    )
