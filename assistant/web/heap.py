"""Freezing the startup heap, so that Python's full garbage collections stay cheap.

Why: most of the server's heap is what it loads once (the rules, the retrieval index, the embedding
model, Gradio's pages); a full collection scans it in about half a second on this machine. Python
runs one only when the objects that survived since the last reach a quarter of the long-lived ones,
so cyclic garbage made per answer (the chart's matplotlib Figure) piled up by tens of MB between
them, and each one paused the answers. `gc.freeze()` puts what exists now out of the collector's
sight (reference counting still frees it): a full collection then scans only what came after, in
milliseconds, which lets the chart collect its Figure at once (assistant.web.chart).
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect what loading left behind, then freeze the rest. Called once the pages are built and
    again once the retrieval index has loaded; each call adds what was loaded since."""
    gc.collect()
    gc.freeze()
