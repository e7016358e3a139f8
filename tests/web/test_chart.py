"""The chart's figures are the calculator's: the curve is 0 below the threshold, the rate between,
flat at the cap; the user's point lies on it; thresholds and caps are where the rules put them."""

from __future__ import annotations

import base64
import gc
from datetime import date
from decimal import Decimal

import pytest
from matplotlib.figure import Figure

from assistant.answering.engine import Engine, default_engine
from assistant.web.chart import chart_png, chart_svg, chart_webp_uri, subsidy_curve

HEKOU = "我们在河口区做技改，总投资500万，设备300万，能拿多少？"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


def test_the_hekou_curve_has_its_threshold_rate_and_cap(engine: Engine) -> None:
    curve = subsidy_curve(engine, engine.ask(HEKOU, date(2021, 6, 30)))
    assert curve is not None and curve.program_id == "hekou-direct-award"
    assert curve.user == (Decimal(3_000_000), Decimal("180000.00"))
    # 总投资 moves with 设备 (5:3): its 500万 threshold is crossed at 设备 300万
    assert curve.thresholds == [(Decimal(3_000_000), "项目总投资500万元以上（含500万元）")]
    assert curve.scaled == ["总投资"]
    assert (Decimal(1_000_000), "单项目上限") in curve.caps
    figures = dict(curve.points)
    assert figures[Decimal("2999999.99")] == 0  # below the threshold: ineligible, nothing
    below_cap = [(x, y) for x, y in curve.points if Decimal(3_000_000) <= x <= Decimal(16_000_000)]
    assert below_cap and all(y == (x * Decimal("0.06")).quantize(Decimal("0.01")) for x, y in below_cap)
    assert max(y for _, y in curve.points) == Decimal(1_000_000)  # flat at the cap
    assert curve.points[-1][0] > Decimal(1_000_000) / Decimal("0.06")  # the axis reaches past where it bites


def test_no_curve_without_a_figure_from_amounts(engine: Engine) -> None:
    assert subsidy_curve(engine, engine.ask("什么样的企业算僵尸企业？", date(2021, 6, 30))) is None
    assert subsidy_curve(engine, engine.ask("河口区技改项目，总投资500万", date(2021, 6, 30))) is None


def test_the_drawings(engine: Engine) -> None:
    curve = subsidy_curve(engine, engine.ask(HEKOU, date(2021, 6, 30)))
    assert curve is not None
    assert chart_png(curve).startswith(b"\x89PNG")
    svg = chart_svg(curve)
    assert svg.startswith("<svg") and "<text" not in svg  # glyphs as paths: no font needed to open it


def test_the_page_image_is_webp_and_leaves_no_figure_behind(engine: Engine) -> None:
    """Each drawing collects its Figure before returning: left to Python's rare full collections,
    one figure per answer grew the server by tens of MB (README "Reliability")."""
    curve = subsidy_curve(engine, engine.ask(HEKOU, date(2021, 6, 30)))
    assert curve is not None
    gc.disable()  # only the drawing's own collection may free the figures
    try:
        uris = [chart_webp_uri(curve) for _ in range(3)]
        assert not [o for o in gc.get_objects() if isinstance(o, Figure)]
    finally:
        gc.enable()
    head, data = uris[0].split(",", 1)
    assert head == "data:image/webp;base64" and base64.b64decode(data)[8:12] == b"WEBP"
