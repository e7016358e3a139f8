"""The text of a received HTML page: its paragraphs one per line, tags and scripts dropped.

Policies are often received as the publishing web page. The page itself is kept beside source.txt
(with its SHA-256), so this reading can be redone and compared; only the words are quoted.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "title"}
SKIPPED = {"script", "style", "head", "noscript"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data.replace("\n", " ").replace("\r", " "))


def looks_like_html(raw: str) -> bool:
    return bool(re.search(r"<(html|body|p|div)\b", raw[:5000], re.I))


def html_to_text(raw: str) -> str:
    """One paragraph per line, blank lines collapsed, the page's own spacing inside a line kept."""
    parser = _Text()
    parser.feed(raw)
    lines = [line.strip(" \u00a0") for line in "".join(parser.parts).split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"
