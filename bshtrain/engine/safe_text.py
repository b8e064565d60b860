"""Trainee text shown as text: in Markdown cells the formgrader and feedback render.

HTML is escaped and every Markdown control character is backslash-escaped, so nothing a
trainee types becomes a tag, a link, an image or a script; line breaks are kept.
"""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def markdown_text(text: str) -> str:
    """Text that renders as itself in Markdown (no HTML, no links, no maths)."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(line, quote=False))
        lines.append(escaped)
    return "  \n".join(lines)  # two spaces: a Markdown line break, so lines stay lines
