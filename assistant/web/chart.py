"""How the subsidy of the program in focus changes with the amount it is computed from: a chart.

Why: after "能拿多少" people ask "投资再多一些呢？". The curve answers it with the calculator's own
figures: the program is assessed again (calculator.assessment.assess) at sample amounts, nothing is
interpolated or computed here. Along the x axis the formula's base (设备投资 for a 6% award) runs from
zero to well past where the cap bites; the user's other amounts that the program reads (总投资 for
its 500万 threshold) move in proportion with it, as if the same project were bigger or smaller. So
the threshold on 总投资 appears where that project would cross it, marked with the text's own
number; caps are horizontal lines; the user's point is marked.

No Gradio here: `chart_figure` is a matplotlib Figure; `chart_webp_uri` is the image gr.Plot shows,
`chart_svg` goes into the printed report (glyphs as paths, so it needs no font where it is opened),
`chart_png` anywhere else. Each of these three drops its Figure and collects it at once (`_encoded`).
"""

from __future__ import annotations

import base64
import gc
import io
from dataclasses import dataclass
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # no display: drawn into files and pages only

from matplotlib import font_manager  # noqa: E402  (after the backend is chosen)
from matplotlib.figure import Figure  # noqa: E402

from assistant.answering.api_models import Answer  # noqa: E402
from assistant.answering.engine import Engine  # noqa: E402
from assistant.answering.presenter import fact_label  # noqa: E402
from assistant.calculator.assessment import Status, assess  # noqa: E402
from assistant.calculator.facts import EnterpriseFacts  # noqa: E402
from assistant.core.money import WAN, format_amount, format_wan, to_cents  # noqa: E402
from assistant.rules.schema import CAP_LABEL  # noqa: E402

SAMPLES = 160
SPAN = Decimal(2)  # the x axis reaches at least twice the user's amount …
CAP_MARGIN = Decimal("1.25")  # … and a quarter past where the smallest cap bites
MAX_SPAN = Decimal(20)
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC")


@dataclass(frozen=True)
class Curve:
    """The calculator's figures for one program at sample amounts, with what to mark."""

    program_id: str
    title: str
    base_label: str
    points: list[tuple[Decimal, Decimal]]
    """(base amount, subsidy) in yuan; 0 where the program does not apply at that amount."""
    user: tuple[Decimal, Decimal]
    """The user's own amount and figure."""
    thresholds: list[tuple[Decimal, str]]
    """Base amounts where a condition's threshold is crossed, with the condition's words."""
    caps: list[tuple[Decimal, str]]
    """The caps, in yuan, with their names (单项目上限 …)."""
    expired: bool
    """The policy is not in force on the as-of date: the curve is for reference only."""
    scaled: list[str]
    """The user's other amounts that move in proportion with the base (总投资 …), by label."""


def focus_program(answer: Answer) -> str | None:
    """The program the chart is about: the first with a figure computed from amounts (eligible first)."""
    ranked = sorted(answer.programs, key=lambda p: p.status != "eligible")
    for p in ranked:
        if p.amount_yuan is not None and p.status in ("eligible", "expired"):
            return p.program_id
    return None


def subsidy_curve(engine: Engine, answer: Answer, program_id: str | None = None) -> Curve | None:
    """The curve of `program_id` (default: `focus_program`), or None when its figure does not
    depend on an amount the user gave (a fixed award, a figure not computed)."""
    book = engine.book
    program_id = program_id or focus_program(answer)
    if program_id is None or program_id not in book.programs:
        return None
    program = book.programs[program_id]
    facts = answer.facts_state
    base_roles = list(program.formula.base)
    if not base_roles or not all(r in facts.amounts for r in base_roles):
        return None
    user_x = sum((facts.amounts[r] for r in base_roles), Decimal(0))
    if user_x <= 0:
        return None
    moving = [r for r in program.amount_facts() if r in facts.amounts]

    def figure(x: Decimal) -> tuple[Decimal, Status] | None:
        scale = x / user_x
        amounts = dict(facts.amounts) | {r: to_cents(facts.amounts[r] * scale) for r in moving}
        try:
            scaled = EnterpriseFacts.model_validate({**facts.model_dump(), "amounts": amounts})
        except ValueError:  # past the plausible bound of core.money: no point there
            return None
        result = assess(book, scaled, answer.as_of, [program_id], engine.lpr).results[0]
        if result.status in (Status.ELIGIBLE, Status.EXPIRED):
            return (result.amount or Decimal(0)), result.status
        if result.status is Status.INELIGIBLE:
            return Decimal(0), result.status
        return None  # needs information that no amount gives: no point here

    at_user = figure(user_x)
    if at_user is None:
        return None
    thresholds = []
    for c in program.conditions:
        t = c.threshold
        if t is not None and t.fact in moving and facts.amounts[t.fact] > 0:
            thresholds.append((t.number * user_x / facts.amounts[t.fact], c.describe))
    caps = [(cap.amount.value, CAP_LABEL[cap.scope]) for cap in program.caps if cap.amount.unit == "元"]
    span = max([user_x * SPAN] + [x * Decimal("1.5") for x, _ in thresholds])
    if caps and at_user[0] > 0:
        span = max(span, min(v for v, _ in caps) * user_x / at_user[0] * CAP_MARGIN)
    span = min(span, user_x * MAX_SPAN)
    xs = {span * n / SAMPLES for n in range(SAMPLES + 1)} | {user_x}
    xs |= {x for x, _ in thresholds} | {x - Decimal("0.01") for x, _ in thresholds if x > 0}
    points = []
    for x in sorted(to_cents(x) for x in xs):
        got = figure(x) if x > 0 else (Decimal(0), Status.INELIGIBLE)
        if got is not None:
            points.append((x, got[0]))
    return Curve(
        program_id=program_id,
        title=program.title,
        base_label="＋".join(fact_label(book, r) for r in base_roles),
        points=points,
        user=(user_x, at_user[0]),
        thresholds=thresholds,
        caps=caps,
        expired=at_user[1] is Status.EXPIRED,
        scaled=[fact_label(book, r) for r in moving if r not in base_roles],
    )


def _font() -> list[str]:
    """The CJK fonts this machine has, in order of preference (matplotlib falls back along the list)."""
    have = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in have] + ["DejaVu Sans"]


def chart_figure(curve: Curve) -> Figure:
    """The chart as a matplotlib Figure (8×4.2 in): axes in 万元, thresholds, caps and the user's point."""
    fig = Figure(figsize=(8, 4.2), dpi=110)
    ax = fig.add_subplot()
    family = _font()
    xs = [float(x / WAN) for x, _ in curve.points]
    ys = [float(y / WAN) for _, y in curve.points]
    top = max(ys) if ys else 0.0
    binding = [(v, label) for v, label in curve.caps if float(v / WAN) <= top * 1.0001]  # the caps the curve reaches
    ax.plot(xs, ys, color="#1565c0", linewidth=2, label="可获奖补（计算器测算）")
    for value, label in binding:
        ax.axhline(float(value / WAN), color="#b71c1c", linestyle="--", linewidth=1)
        ax.annotate(
            f"{label} {format_wan(value)}",
            (xs[0], float(value / WAN)),
            xytext=(4, 4),
            textcoords="offset points",
            color="#b71c1c",
            fontsize=9,
            family=family,
        )
    for x, label in curve.thresholds:
        ax.axvline(float(x / WAN), color="#6d4c00", linestyle=":", linewidth=1.2)
        ax.annotate(
            f"门槛：{label}",
            (float(x / WAN), top * 0.5),
            xytext=(4, 0),
            textcoords="offset points",
            color="#6d4c00",
            fontsize=9,
            rotation=90,
            va="center",
            family=family,
        )
    ux, uy = curve.user
    ax.plot(
        [float(ux / WAN)],
        [float(uy / WAN)],
        marker="o",
        markersize=8,
        color="#e65100",
        linestyle="none",
        label=f"您的项目：{format_wan(ux)} → {format_amount(uy)}",
    )
    along = f"（{'、'.join(curve.scaled)}按您项目的比例同步变化）" if curve.scaled else ""
    ax.set_xlabel(f"{curve.base_label}（万元）{along}", family=family)
    ax.set_ylabel("奖补金额（万元）", family=family)
    title = curve.title + ("（政策已不在有效期内，仅供参考）" if curve.expired else "")
    ax.set_title(title, family=family, fontsize=11)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0, top=top * 1.15 or 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", prop={"family": family, "size": 9})
    fig.tight_layout()
    return fig


def _encoded(curve: Curve, fmt: str, **rc: object) -> bytes:
    """The chart drawn and saved as `fmt`, its Figure collected before returning. Why: a matplotlib
    figure is a web of reference cycles; drawn, it has already been moved to the collector's oldest
    generation, which Python scans only in its rare full collections. A server drawing one per
    answer grew by 12-30 MB between them (README "Reliability"). With the startup heap frozen
    (assistant.web.heap) a full collection takes milliseconds."""
    out = io.BytesIO()
    with matplotlib.rc_context(rc):
        chart_figure(curve).savefig(out, format=fmt)
    gc.collect()
    return out.getvalue()


def chart_webp_uri(curve: Curve) -> str:
    """The chart as a data URI of a WebP image: what gr.Plot sends for a matplotlib figure."""
    return "data:image/webp;base64," + base64.b64encode(_encoded(curve, "webp")).decode("ascii")


def chart_svg(curve: Curve) -> str:
    """The chart as an SVG element (glyphs drawn as paths: no font needed where it is opened)."""
    text = _encoded(curve, "svg", **{"svg.fonttype": "path", "svg.hashsalt": curve.program_id}).decode("utf-8")
    return text[text.index("<svg") :]


def chart_png(curve: Curve) -> bytes:
    return _encoded(curve, "png")
