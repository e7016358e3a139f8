"""Which places a region covers: the one rule every layer uses (the calculator, the choice of policies
for an answer, the console's region filter).

Places are administrative paths written out in full, province first ("河南省济源市", "山东省东营市河口区"),
as policy.yaml's `region` and the vocabulary's place keys spell them; the reader resolves what the
user wrote to such a path before anything is matched here. A region covers itself and every place
under it: 河南省 covers 河南省济源市, and 山东省东营市河口区 covers only itself.
"""

from __future__ import annotations


def covers(region: str, place: str | None) -> bool:
    """Whether the full path `place` lies in the full path `region`; an unknown place lies nowhere."""
    return place is not None and place.startswith(region)
