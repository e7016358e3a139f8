"""The evaluation run as one self-contained HTML page: tables, two inline-SVG charts, failed cases.

Self-contained (no scripts, fonts or images from elsewhere) so the file can be mailed or archived
with the run and still open years later; the charts are drawn here as SVG rather than through a
plotting library, which the project does not otherwise need.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jinja2 import Environment, StrictUndefined

from assistant.evaluation.metrics import METRICS, Metric

HIST_BINS = 20
BAR_METRICS = ("eligibility_accuracy", "amount_exact", "pass_rate")  # per-policy accuracy bars
BAR_COLOURS = {"eligibility_accuracy": "#3b7dd8", "amount_exact": "#2a9d8f", "pass_rate": "#e9a23b"}
BAR_LABELS = {
    "eligibility_accuracy": "资格判定 eligibility",
    "amount_exact": "金额 amount",
    "pass_rate": "用例通过 cases passed",
}


def fmt(value: float | None, unit: str = "share") -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if unit == "ms" else f"{value * 100:.1f}%"


def _nice_step(span: float, bins: int) -> float:
    """A bin width of 1, 2 or 5 times a power of ten that covers `span` in about `bins` bins."""
    raw = max(span / bins, 1e-9)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def histogram(values: Sequence[float], bins: int = HIST_BINS) -> list[tuple[float, float, int]]:
    """(low, high, count) per bin of equal, round width starting at 0."""
    if not values:
        return []
    step = _nice_step(max(values), bins)
    count = max(1, math.ceil(max(values) / step + 1e-9))
    counts = [0] * count
    for v in values:
        counts[min(int(v // step), count - 1)] += 1
    return [(i * step, (i + 1) * step, c) for i, c in enumerate(counts)]


def latency_svg(values: Sequence[float], width: int = 640, height: int = 220) -> str:
    rows = histogram(values)
    if not rows:
        return "<p>（无数据 / no data）</p>"
    left, bottom, top = 40, 34, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(c for _, _, c in rows)
    bar_w = plot_w / len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="latency histogram">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#555"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    label_every = max(1, len(rows) // 8)
    for i, (low, high, c) in enumerate(rows):
        h = plot_h * c / peak if peak else 0
        x = left + i * bar_w
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
            f'fill="#3b7dd8"><title>{low:g}–{high:g} ms: {c}</title></rect>'
        )
        if i % label_every == 0:
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="11">{low:g}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" text-anchor="middle" font-size="11">'
        f"单轮时延 latency per turn (ms)</text></svg>"
    )
    return "".join(parts)


def policy_bars_svg(by_policy: Mapping[str, Mapping[str, Any]], width: int = 640) -> str:
    """Grouped horizontal bars per policy: eligibility, amount, share of cases passed."""
    label_w, row_h, bar_h = 190, 16 * len(BAR_METRICS) + 14, 14
    names = list(by_policy)
    height = row_h * len(names) + 40
    plot_w = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="accuracy per policy">'
    ]
    for i, name in enumerate(names):
        s = by_policy[name]
        y0 = 10 + i * row_h
        parts.append(f'<text x="0" y="{y0 + 2 * bar_h}" font-size="12">{_xml(name)}</text>')
        for j, key in enumerate(BAR_METRICS):
            value = s["passed"] / s["cases"] if key == "pass_rate" else s[key]["value"]
            y = y0 + j * (bar_h + 2)
            w = plot_w * (value or 0)
            parts.append(f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{bar_h}" fill="#eee"/>')
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{BAR_COLOURS[key]}">'
                f"<title>{_xml(BAR_LABELS[key])}: {fmt(value)}</title></rect>"
            )
            parts.append(f'<text x="{label_w + plot_w + 4}" y="{y + 11}" font-size="11">{fmt(value)}</text>')
    legend_y = height - 12
    for j, key in enumerate(BAR_METRICS):
        x = label_w + j * 150
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{BAR_COLOURS[key]}"/>'
            f'<text x="{x + 14}" y="{legend_y}" font-size="11">{_xml(BAR_LABELS[key])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _amount(value: float | None) -> str:
    return "null" if value is None else f"{value:,.2f}"


TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>评测报告 evaluation {{ config.run_id }}</title>
<style>
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 20px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.ok { color: #1b7f3b; } .bad { color: #b3261e; font-weight: 600; }
.case { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.case h3 { margin: 4px 0; font-size: 15px; } pre { white-space: pre-wrap; background: #f7f7f7; padding: 8px; }
.gate-ok { background: #e6f4ea; padding: 8px; } .gate-bad { background: #fce8e6; padding: 8px; }
</style></head><body>
<h1>政策自评估助手 评测报告 / evaluation report</h1>
<p>运行 run <b>{{ config.run_id }}</b> · {{ config.started_at }} · commit {{ config.git_commit or "—" }} ·
用例 {{ config.case_count }} cases ({{ config.cases_file }}, sha256 {{ config.cases_sha256[:12] }}) ·
用时 {{ summary.runtime_s }} s</p>
{% if summary.gate %}<div class="gate-bad"><b>门槛未达标 / gate failed</b><ul>
{% for line in summary.gate %}<li>{{ line }}</li>{% endfor %}</ul></div>
{% else %}<div class="gate-ok"><b>门槛全部达标 / gate passed</b></div>{% endif %}

<h2>汇总 summary</h2>
<p>{{ summary.overall.passed }}/{{ summary.overall.cases }} 个用例通过 cases passed</p>
<table><tr><th>指标 metric</th><th>值 value</th><th>n</th><th>门槛 threshold</th></tr>
{% for m in metrics %}{% set s = summary.overall[m.key] %}
<tr><td>{{ m.zh }} / {{ m.en }}</td>
<td class="{{ cls(m, s.value) }}">{{ fmt(s.value, m.unit) }}</td><td>{{ s.n }}</td>
<td>{{ fmt(thresholds[m.key], m.unit) if m.key in thresholds else "" }}</td></tr>{% endfor %}
</table>

{% for title, section in [("按政策 by policy", "by_policy"), ("按用例类型 by case type", "by_type")] %}
<h2>{{ title }}</h2>
<table><tr><th></th><th>cases</th><th>passed</th>{% for m in metrics %}<th>{{ m.en }}</th>{% endfor %}</tr>
{% for name, s in summary[section].items() %}
<tr><td>{{ name }}</td><td>{{ s.cases }}</td><td>{{ s.passed }}</td>
{% for m in metrics %}<td class="{{ cls(m, s[m.key].value) }}">{{ fmt(s[m.key].value, m.unit) }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}

<h2>时延分布 latency</h2>
{{ latency_svg | safe }}
<h2>各政策准确率 accuracy per policy</h2>
{{ policy_svg | safe }}

<h2>未通过的用例 failed cases ({{ failed | length }})</h2>
{% for r in failed %}{% set v = r.verdict %}
<div class="case" id="{{ r.id }}">
<h3>{{ r.id }} <small>{{ r.type }} · {{ r.policy or "—" }} · as of {{ r.as_of }}</small>
<span class="bad">{{ v.failures | join(", ") }}</span></h3>
{% for q in r.asked %}<div>{% if r.asked | length > 1 %}第{{ loop.index }}轮：{% endif %}{{ q[:300] }}
{%- if q | length > 300 %}…（{{ q | length }} 字）{% endif %}</div>{% endfor %}
{% if r.note %}<div><small>{{ r.note }}</small></div>{% endif %}
{% if v.error %}<div class="bad">出错 error: {{ v.error }}</div>{% endif %}
{% if v.programs %}<table><tr><th>program</th><th>expected status</th><th>got status</th>
<th>expected amount</th><th>got amount</th></tr>
{% for p in v.programs %}<tr>
<td>{{ p.program_id }}{% if not p.found %} <span class="bad">(not in answer)</span>{% endif %}</td>
<td>{{ p.expected_status or "" }}</td>
<td class="{{ 'bad' if p.status_ok is false else '' }}">{{ p.got_status or "—" }}</td>
<td>{{ amount(p.expected_amount) if p.amount_ok is defined else "" }}</td>
<td class="{{ 'bad' if p.amount_ok is false else '' }}">{{ amount(p.got_amount) }}</td></tr>{% endfor %}
</table>{% endif %}
{% for c in v.citations if not c.ok %}<div class="bad">引用 citation {{ c.program_id }}:
expected {{ c.gold }}, got {{ c.got | join(", ") or "—" }}</div>{% endfor %}
{% if v.retrieval and not v.retrieval.hit_at_5 %}<div class="bad">检索 retrieval:
gold {{ v.retrieval.gold | join(", ") }}; top 5 {{ v.retrieval.ranking[:5] | join(", ") }}</div>{% endif %}
{% for u in v.unsupported_numbers %}{% if u %}<div class="bad">无依据的数字 unsupported numbers
{%- if r.asked | length > 1 %}（第{{ loop.index }}轮）{% endif %}: {{ u | join(", ") }}</div>{% endif %}{% endfor %}
{% if v.refusal and not v.refusal.ok %}<div class="bad">拒答 refusal:
expected {{ "no figure" if v.refusal.refused_expected else "figures kept" }}, got kind {{ v.refusal.kind }}
{{- ", with a figure" if v.refusal.figure else "" }}</div>{% endif %}
{% if v.answer and not v.answer.ok %}<div class="bad">答案 answer:
{% if v.answer.missing %}missing {{ v.answer.missing | join(" / ") }}{% endif %}
{% if v.answer.forbidden %} contains forbidden {{ v.answer.forbidden | join(" / ") }}{% endif %}</div>{% endif %}
{% if v.kind and not v.kind.ok %}<div class="bad">类型 kind:
expected {{ v.kind.expected }}, got {{ v.kind.got }}</div>{% endif %}
<details><summary>回答全文 answer</summary><pre>{{ r.responses[-1].answer }}</pre></details>
</div>
{% endfor %}
</body></html>
"""


def _classifier(thresholds: Mapping[str, float]) -> Callable[[Metric, float | None], str]:
    """Colour a gated metric by its threshold; metrics without one stay plain."""

    def cls(metric: Metric, value: float | None) -> str:
        if value is None or metric.key not in thresholds:
            return ""
        return "ok" if value >= thresholds[metric.key] else "bad"

    return cls


def render_report(
    config: Mapping[str, Any],
    summary: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    thresholds: Mapping[str, float],
) -> str:
    env = Environment(autoescape=True, undefined=StrictUndefined)
    template = env.from_string(TEMPLATE)
    latencies = [x for r in records for x in r["latency_ms"]]
    return template.render(
        config=config,
        summary=summary,
        thresholds=thresholds,
        metrics=METRICS,
        fmt=fmt,
        cls=_classifier(thresholds),
        amount=_amount,
        failed=[r for r in records if not r["verdict"]["passed"]],
        latency_svg=latency_svg(latencies),
        policy_svg=policy_bars_svg(summary["by_policy"]),
    )
