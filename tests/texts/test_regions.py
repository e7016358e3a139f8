"""The one region rule, as a table: a region covers itself and the places under it, nothing else."""

from __future__ import annotations

import pytest

from assistant.texts.regions import covers


@pytest.mark.parametrize(
    ("region", "place", "expected"),
    [
        ("河南省", "河南省", True),
        ("河南省", "河南省济源市", True),
        ("河南省济源市", "河南省", False),  # a city's policy does not reach the rest of the province
        ("山东省东营市河口区", "山东省东营市河口区", True),
        ("山东省东营市河口区", "山东省东营市", False),
        ("山东省东营市河口区", "河南省济源市", False),
        ("河南省", None, False),  # an unknown place is covered by nothing
    ],
)
def test_a_region_covers_itself_and_what_lies_under_it(region: str, place: str | None, expected: bool) -> None:
    assert covers(region, place) is expected
