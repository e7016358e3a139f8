"""China's administrative divisions as names → full paths, from jionlp's province → city → county table.

A hand list of place words cannot tell 河口区 (东营) from 河口瑶族自治县 (云南) or 梅河口市 (吉林); the
real table can, because it knows every unit and its parents. Paths are spelled the way policy.yaml's
`region` and texts.regions.covers spell them: the names of the levels, outermost first, joined
("山东省东营市河口区", "河南省济源市", "北京市东城区"), skipping jionlp's placeholder levels
(省直辖行政区划) and a city that repeats its province (北京市 › 北京市).

Which names are read where is decided by how safe the name is in running text:

- a full name (垦利区, 梅河口市, 滑县) anywhere, except the generic one-character ones (城区, 东区);
- the short name of a province or a prefecture city (河南, 洛阳, 晋城) anywhere;
- the short name of a county-level unit (垦利, 河口, 解放) only right after a place above it (东营垦利),
  because two characters at that level are often an everyday word (合作, 新建, 通道); the vocabulary
  names the few that staff write on their own (河口, 济源), see places.py. Short names of three or more
  characters (梅河口, 东营港) are safe enough anywhere, except those of zones (经开区, 高新区, 产业园).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

PLACEHOLDER_LEVEL = "直辖"  # 省直辖行政区划, 市直辖行政区划: a grouping, not a place
ZONE_ENDINGS = ("区", "园", "辖")  # short names like 经开区, 产业园, 市直辖 name a kind of zone, not one place
COUNTY_DEPTH = 3


@dataclass(frozen=True)
class Unit:
    """One administrative unit: its full path and level (1 province, 2 city, 3 county)."""

    path: str
    depth: int


@dataclass
class PlaceTable:
    """Names → the units they may mean. `anywhere` names are read on their own; `after_parent` names
    only right after a place that contains them."""

    anywhere: dict[str, set[Unit]] = field(default_factory=dict)
    after_parent: dict[str, set[Unit]] = field(default_factory=dict)
    longest: int = 0

    def units(self, name: str) -> set[Unit]:
        """Every unit `name` may mean, however it may be read."""
        return self.anywhere.get(name, set()) | self.after_parent.get(name, set())

    def add(self, name: str, unit: Unit, anywhere: bool) -> None:
        """One more meaning of `name`; a single character is never read as a place."""
        if len(name) < 2:
            return
        (self.anywhere if anywhere else self.after_parent).setdefault(name, set()).add(unit)
        self.longest = max(self.longest, len(name))


def _aliases(node: dict[str, Any]) -> list[str]:
    alias = node.get("_alias")
    return [alias] if isinstance(alias, str) else list(alias or [])


def _generic_full_name(name: str) -> bool:
    """城区, 东区, 矿区: one character and 区 says what kind of district, not which."""
    return len(name) == 2 and name.endswith("区")


def _add_unit(table: PlaceTable, node: dict[str, Any], unit: Unit) -> None:
    full = str(node["_full_name"])
    if not _generic_full_name(full):
        table.add(full, unit, anywhere=True)
    for alias in _aliases(node):
        if alias == full:
            continue
        if unit.depth < COUNTY_DEPTH:
            table.add(alias, unit, anywhere=True)
        else:
            table.add(alias, unit, anywhere=len(alias) >= 3 and not alias.endswith(ZONE_ENDINGS))
        if full.endswith("自治州"):  # 红河州, 延边州: how everyone writes an autonomous prefecture
            table.add(alias + "州", unit, anywhere=True)


def _walk(table: PlaceTable, node: dict[str, Any], path: list[str]) -> None:
    for key, child in node.items():
        if key.startswith("_") or not isinstance(child, dict):
            continue
        name = str(child["_full_name"])
        skipped = PLACEHOLDER_LEVEL in name or (bool(path) and name == path[-1])
        here = path if skipped else [*path, name]
        if not skipped:
            _add_unit(table, child, Unit("".join(here), len(here)))
        _walk(table, child, here)


def build_table(tree: dict[str, Any]) -> PlaceTable:
    """The names of a jionlp-shaped tree ({province: {_full_name, _alias, city: {…}}})."""
    table = PlaceTable()
    _walk(table, tree, [])
    return table


@lru_cache(maxsize=1)
def china() -> PlaceTable:
    """The whole country, loaded once (about a second). jionlp prints a banner on import; it is kept
    off stdout, which `ask --json` owns."""
    with contextlib.redirect_stdout(io.StringIO()):
        from jionlp.dictionary.dictionary_loader import china_location_loader

        tree = china_location_loader(detail=False)
    return build_table(tree)
