"""The hardening benchmark's report says whether the flood target is met from the figures it got."""

from __future__ import annotations

from assistant.bench.hardening import format_hardening_report

FIGURES = {
    "users": 4,
    "seconds": 15.0,
    "quiet_p95_ms": 100.0,
    "quiet_answers": 50,
    "quiet_errors": 0,
    "flood_answers": 40,
    "flood_errors": 0,
    "flood_requests": {"200": 10, "429": 990, "error": 1},
    "body_bytes": 2 * 1024 * 1024,
    "body_status": 413,
    "body_rss_growth_kb": 12,
    "server_sessions": 200,
    "server_memory_per_1000_sessions_mb": 140.0,
    "sessions": 1000,
    "memory_per_1000_sessions_mb": 110.0,
    "gradio_state_per_1000_sessions_mb": 85.0,
    "turns": 100,
    "turns_11_20_p50_ms": 40.0,
    "last_10_turns_p50_ms": 41.0,
    "turns_rss_growth_kb": 900,
    "late_turns_rss_growth_kb": 300,
    "longest_chat": 40,
}


def test_the_report_judges_the_ratio_and_counts_the_flood() -> None:
    met = format_hardening_report({**FIGURES, "flood_p95_ms": 190.0})
    assert "ratio 1.90 [met" in met and "1001 jobs sent, 10 admitted, 990 refused with 429, other 1" in met
    assert (
        "status 413" in met
        and "140.0 MB" in met
        and "110.0 MB per 1,000" in met
        and "+900 KB (turns 51–100: +300 KB)" in met
    )
    assert "ratio 2.50 [NOT met" in format_hardening_report({**FIGURES, "flood_p95_ms": 250.0})
