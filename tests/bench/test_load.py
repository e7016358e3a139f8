"""`python -m assistant bench load`, short: it starts the real app itself, drives it through
gradio_client (questions on /ask, a conversation on /chat) with 1 and 8 concurrent users for ~3 s
each, prints the figures and stops the app.

The full benchmark (60 s per level, 1/8/32 users) runs in `make bench`; this proves the script, the
CLI wiring and the app under concurrent users: zero errors means no exception, no timeout and no
answer differing from the one given to a lone user.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from assistant.bench.load import parse_levels
from assistant.core.settings import REPO_ROOT

pytestmark = pytest.mark.slow

ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")


def test_short_load_run_prints_figures_and_has_no_errors() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "assistant", "bench", "load", "--levels", "1,8", "--seconds", "3"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [tuple(float(x) for x in m.groups()) for m in map(ROW.match, run.stdout.splitlines()) if m]
    assert [int(r[0]) for r in rows] == [1, 8], run.stdout
    for users, requests, errors, p50, p95, p99, rps in rows:
        assert requests >= users and errors == 0, run.stdout
        assert 0 < p50 <= p95 <= p99 and rps > 0, run.stdout
    assert "[met] zero errors at every level" in run.stdout
    assert re.search(r"\[(met|NOT met)\] p95 ≤ 1000 ms at 8 users: [\d.]+", run.stdout), run.stdout


@pytest.mark.parametrize("text", ["", "0", "1,x", "-8"])
def test_bad_levels_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="--levels"):
        parse_levels(text)
