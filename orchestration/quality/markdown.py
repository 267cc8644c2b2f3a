"""Descriptions the Dagster UI renders as markdown: keep placeholders like <regio> visible.

The UI treats a bare `<regio>` as an HTML tag and drops it (publish/<regio>/index.html
shows as publish//index.html). `escape_tags` escapes such tags outside code spans and
fenced code blocks, where they already render as written.
"""

from __future__ import annotations

import re

# Fenced code blocks and inline code spans, kept as they are.
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
# Anything the renderer could take for an HTML tag: <word ...>, </word>.
TAG = re.compile(r"<(/?[A-Za-z][^<>\n]*)>")


def escape_tags(text: str) -> str:
    """`text` with every tag-like <...> outside code written as &lt;...&gt;."""
    parts = _CODE.split(text)
    return "".join(part if i % 2 else TAG.sub(r"&lt;\1&gt;", part) for i, part in enumerate(parts))


def bare_tags(text: str) -> list[str]:
    """The tag-like <...> of `text` outside code: what the UI would swallow."""
    return [
        m.group(0)
        for i, part in enumerate(_CODE.split(text))
        if not i % 2
        for m in TAG.finditer(part)
    ]
