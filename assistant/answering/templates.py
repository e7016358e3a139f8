"""The templated answer: prompts/answer/*.j2 rendered from the response the calculator produced.

Templates read only the response (figures already formatted from calculator Decimals, quotes
already resolved in the source), so the answer cannot state a number the calculator did not give.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from assistant.core.paths import locate

TEMPLATE_DIR = locate().prompts_dir / "answer"
PARTS = [
    "01_card.j2",
    "03_programs.j2",
    "04_conditions.j2",
    "05_alternatives.j2",
    "06_missing.j2",
    "07_validity.j2",
    "08_contact.j2",
    "09_citations.j2",
]


@lru_cache(maxsize=2)
def _environment(directory: Path = TEMPLATE_DIR) -> Environment:
    return Environment(
        loader=FileSystemLoader(directory), undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
    )


def render(template: str, context: dict[str, Any]) -> str:
    return _environment().get_template(template).render(**context).strip()


def render_assessment(context: dict[str, Any]) -> str:
    """All answer parts in order; a part with nothing to say renders empty and is left out."""
    parts = [render(name, context) for name in PARTS]
    return "\n\n".join(p for p in parts if p)
