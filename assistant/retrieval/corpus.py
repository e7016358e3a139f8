"""The texts as the index sees them: policies → clauses → clause-sized retrieval units.

Long clauses are split at sentence ends (never mid-sentence) so that a unit stays about the size of
one rule; tables are split by rows with their caption and header repeated as context.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from assistant.core.settings import Settings
from assistant.retrieval.chunks import RetrievalUnit
from assistant.texts.clauses import Clause, ClauseKind
from assistant.texts.library import Library, load_library
from assistant.texts.policies import Policy

# Bump when the parser or the splitting rules change in a way that changes units.
CHUNKING_VERSION = "clauses-v3"
INDEXED_FILES = ("policy.yaml", "source.txt")  # rules files do not change what is indexed
SENTENCE_END = re.compile(r"(?<=[。！？；;!?])")


def _sentence_pieces(text: str, start: int, limit: int) -> list[tuple[int, int]]:
    """Spans of consecutive sentences, each at most `limit` chars unless one sentence is longer."""
    bounds = [m.start() for m in SENTENCE_END.finditer(text)] + [len(text)]
    pieces: list[tuple[int, int]] = []
    piece_start = prev = 0
    for cut in bounds:
        if cut <= prev:
            continue
        if cut - piece_start > limit and prev > piece_start:
            pieces.append((piece_start, prev))
            piece_start = prev
        prev = cut
    if prev > piece_start:
        pieces.append((piece_start, prev))
    return [(start + a, start + b) for a, b in pieces]


def _row_pieces(clause: Clause, limit: int) -> tuple[str, list[tuple[int, int]]]:
    """A table's rows in groups under `limit` chars; the caption and first header row are context."""
    offsets = [0] + [i + 1 for i, ch in enumerate(clause.text) if ch == "\n"]
    rows = [(a, clause.text.find("\n", a) if clause.text.find("\n", a) != -1 else len(clause.text)) for a in offsets]
    rows = [(a, b) for a, b in rows if clause.text[a:b].strip()]
    header_rows = 2 if rows and "\t" not in clause.text[rows[0][0] : rows[0][1]] else 1
    context = " ".join(clause.text[a:b].strip() for a, b in rows[:header_rows])
    pieces: list[tuple[int, int]] = []
    group_start = rows[0][0]
    for (_a, b), nxt in zip(rows, rows[1:] + [None]):
        if nxt is None or nxt[1] - group_start > limit:
            pieces.append((clause.start + group_start, clause.start + b))
            group_start = nxt[0] if nxt else b
    return context, pieces


def _is_bare_heading(clause: Clause) -> bool:
    """A heading with no body ("一、总体要求", "2.攻坚重点:", an annex title) adds nothing its children's
    prefix does not say, and as a unit of its own it would match any question naming the document."""
    if clause.kind is ClauseKind.PLAN:
        return True
    titled = clause.kind is ClauseKind.HEADING or clause.clause_id.rsplit(":", 1)[-1].split(".")[-1].startswith("A")
    return titled and clause.text.strip().rstrip("。:：") == clause.heading_path[-1].rstrip("。:：")


def clause_units(policy: Policy, clause: Clause, limit: int) -> list[RetrievalUnit]:
    meta = policy.meta
    context = ""
    if clause.kind is ClauseKind.TABLE and len(clause.text) > limit:
        context, spans = _row_pieces(clause, limit)
    elif len(clause.text) > limit:
        spans = _sentence_pieces(clause.text, clause.start, limit)
    else:
        spans = [(clause.start, clause.end)]
    units = []
    for n, (a, b) in enumerate(spans, start=1):
        units.append(
            RetrievalUnit(
                unit_id=clause.clause_id if len(spans) == 1 else f"{clause.clause_id}~{n}",
                policy_id=policy.id,
                doc_number=meta.doc_number,
                short_title=meta.short_title,
                clause_id=clause.clause_id,
                heading_path=clause.heading_path,
                start=a,
                end=b,
                text=policy.text[a:b],
                region=meta.region_name,
                context=context,
            )
        )
    return units


def corpus_fingerprint(settings: Settings) -> str:
    """A hash of every policy file and the chunking settings: the index is stale when it changes."""
    digest = hashlib.sha256(f"{CHUNKING_VERSION}|{settings.max_unit_chars}".encode())
    for path in sorted(Path(settings.policies_dir).glob("*/*")):
        if path.name in INDEXED_FILES:
            digest.update(str(path.relative_to(settings.policies_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def library_units(library: Library, max_chars: int) -> list[RetrievalUnit]:
    """The units of every indexable clause of `library`, in text order."""
    units: list[RetrievalUnit] = []
    for clause in library.clauses.values():
        if clause.indexable and not _is_bare_heading(clause):
            units.extend(clause_units(library.policies[clause.policy_id], clause, max_chars))
    return units


@lru_cache(maxsize=4)
def load_units(settings: Settings) -> list[RetrievalUnit]:
    return library_units(load_library(settings.policies_dir), settings.max_unit_chars)
