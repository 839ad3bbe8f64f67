"""WhatsApp's own marks (*bold*, _italic_, ~strike~) shown as staff would see them on a phone,
never as raw asterisks."""

import re

from django import template
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

register = template.Library()

# A mark opens after a non-word character and closes before one, as WhatsApp reads them.
_MARKS = [
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"), "s"),
]


def marks(text: str) -> str:
    html = escape(text)
    for pattern, tag in _MARKS:
        html = pattern.sub(rf"<{tag}>\1</{tag}>", html)
    return html


@register.filter
def whatsapp(text) -> str:
    """Escaped, with line breaks, and WhatsApp's marks as HTML."""
    return mark_safe(linebreaks(marks(str(text or "")), autoescape=False))  # noqa: S308


@register.filter
def whatsapp_inline(text) -> str:
    return mark_safe(marks(str(text or "")))  # noqa: S308
