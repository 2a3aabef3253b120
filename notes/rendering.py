"""Markdown in note fields, rendered safely: Markdown -> HTML, then an nh3 allow-list.

The TAM's text is untrusted HTML once rendered (it may be pasted from anywhere): nh3 (the Rust
`ammonia` sanitizer) keeps only the tags and attributes below, drops <script>/<style> with their
content, every event handler attribute, and any link whose scheme is not http(s) or mailto
(so `javascript:` URLs never survive). Images are not allowed: a remote image in a note would
tell a third party when the note was read.
"""

from __future__ import annotations

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

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


def render_markdown(text: str) -> SafeString:
    """Markdown text as sanitized HTML, safe to put in a template."""
    if not text or not text.strip():
        return mark_safe("")
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists", "nl2br"], output_format="html")
    html = _HEADING.sub(lambda m: f"<{m[1]}{_HEADING_SHIFT[m[2]]}>", html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # sanitized by nh3 just above


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
