"""The retrieval unit: a clause-sized piece of one policy text that the index stores and returns.

A unit always points back into `source.txt` by character span, so that every result and every
citation can be checked against the byte-identical policy copy.
"""

from __future__ import annotations

from dataclasses import dataclass

PATH_SEP = " › "


@dataclass(frozen=True)
class RetrievalUnit:
    """One indexed piece of a clause; `text == source[start:end]` of its policy."""

    unit_id: str  # the clause id, or "<clause id>~<n>" when a long clause was split
    policy_id: str
    doc_number: str | None  # 东河政发〔2020〕5号, or None where the text has none
    short_title: str  # e.g. "河口区技改意见", prefixed to the indexed text
    clause_id: str
    heading_path: tuple[str, ...]
    start: int
    end: int
    text: str
    region: str  # the issuing region's full name, e.g. "山东省东营市河口区"
    context: str = ""  # repeated for a piece of a split table: its caption and header rows

    @property
    def heading(self) -> str:
        return PATH_SEP.join(self.heading_path)

    @property
    def indexed_text(self) -> str:
        """What BM25 and the embedder see: the document and heading path say whose clause this is."""
        head = f"{self.short_title}{PATH_SEP}{self.heading}"
        body = " ".join(self.text.split())
        return f"{head}\n{self.context}\n{body}" if self.context else f"{head}\n{body}"
