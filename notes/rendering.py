"""Markdown in note fields, rendered safely and once: Markdown -> HTML, then an nh3 allow-list.

Rendered when an entry is saved (`sections_render`, stored in NoteEntry.sections_html), never
when a page is shown. The parser is markdown-it-py (CommonMark), whose time grows linearly with
the text: Python-Markdown took 70 s for 10,000 "[" and 25 s for 6,000 nested brackets (its link
matching is quadratic), holding a web worker per view. The budget: at most LONG_TEXT characters
per section (forms and models refuse more; text stored before the limit is cut at it), which
the tests render in well under a second whatever the text (tests/test_rendering.py).

The TAM's text is untrusted HTML once rendered (it may be pasted from anywhere): nh3 (the Rust
`ammonia` sanitizer) keeps only the tags and attributes below, drops <script>/<style> with their
content, every event handler attribute, and any link whose scheme is not http(s) or mailto
(so `javascript:` URLs never survive). Images are not allowed: a remote image in a note would
tell a third party when the note was read.
"""

from __future__ import annotations

import logging
import re
import time

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from healthscore.limits import LONG_TEXT

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Headings inside a note sit under the entry's own h2/h3, so "# Title" becomes an h3 at most.
_HEADING_SHIFT = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}
_HEADING = re.compile(r"<(/?)(h[1-6])>")
# Raw HTML passes the parser and is then sanitized by nh3; "breaks": a newline is a <br>, as
# TAMs type notes; images are off (nh3 would drop them anyway, and "![" is the costliest input).
_MARKDOWN = (
    MarkdownIt("commonmark", {"breaks": True, "html": True, "maxNesting": 20})
    .enable(["table", "strikethrough"])
    .disable("image")
)
# One allow-list for URLs: nh3's (below). markdown-it would otherwise leave a refused link as its
# source text; this way a `javascript:` link becomes a link without its href, as nh3 makes it.
_MARKDOWN.validateLink = lambda url: True
SLOW_RENDER_SECONDS = 0.5


def render_markdown(text: str) -> SafeString:
    """Markdown text as sanitized HTML, safe to put in a template."""
    if not text or not text.strip():
        return mark_safe("")
    started = time.monotonic()
    html = _MARKDOWN.render(text[:LONG_TEXT])
    html = _HEADING.sub(lambda m: f"<{m[1]}{_HEADING_SHIFT[m[2]]}>", html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    elapsed = time.monotonic() - started
    if elapsed > SLOW_RENDER_SECONDS:
        logger.warning("Markdown of %d characters took %.2f s to render", len(text), elapsed)
    return mark_safe(clean)  # sanitized by nh3 just above


def sections_render(entry) -> dict[str, str]:
    """Each text section of a note entry as sanitized HTML, to store on the entry when it is saved."""
    from notes.models import SECTION_FIELDS

    return {name: str(render_markdown(getattr(entry, name))) for name in SECTION_FIELDS}


def plain_excerpt(text: str, term: str, width: int = 160) -> str:
    """A plain-text piece of `text` around the first occurrence of a word of `term` (for search
    results; the template escapes it)."""
    flat = " ".join((text or "").split())
    if not flat:
        return ""
    lowered = flat.lower()
    positions = [lowered.find(word.lower()) for word in term.split() if word]
    positions = [p for p in positions if p >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = flat[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(flat) else "")
