"""Lean HTML: the site's pages without the indentation and blank lines of the theme's templates.

Outside ``pre``, ``textarea``, ``script`` and ``style`` elements, whitespace between tags and words
is shown as one space whatever it is made of, so each run of white space that holds a line break is
written as a single line break: the page looks the same, its text (what search and copy read) too,
and a paper page is a few kilobytes smaller. The kept elements are copied as they are."""
from __future__ import annotations

import re

_KEPT = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)", re.S | re.I)
_BREAK = re.compile(r"[ \t\r\n\f]*\n[ \t\r\n\f]*")


def squeeze(html: str) -> str:
    """``html`` with each run of white space that holds a line break, outside the kept elements,
    made one line break."""
    parts = _KEPT.split(html)
    # split's groups: text, kept element, its tag name, text, ...
    out = []
    for i in range(0, len(parts), 3):
        out.append(_BREAK.sub("\n", parts[i]))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)
