"""What makes the enterprise page usable with a screen reader, a keyboard and weak eyes (issue #17 item 7).

Gradio draws some controls with English names ("Copy message") or none (the date picker's calendar, the
arrow of a folded chat section), and its default orange and grey fail WCAG's 4.5:1 contrast. The CSS
darkens those colours and draws a visible focus ring; the script gives the unnamed controls Chinese
names as Gradio renders them (again after each answer, since the chat re-renders its buttons).
Checked by axe-core in tests/web/browser/test_accessibility.py.
"""

from __future__ import annotations

import json

# White on #c2410c is 5.2:1 (Gradio's #f97316 is 2.8:1); #525252 on white is 7.8:1 (its #bbbbc2 is 1.9:1).
CSS = """
button.primary, button.primary:hover {background:#c2410c !important;border-color:#c2410c !important;color:#fff !important}
button.primary:hover {background:#9a3412 !important}
.info-text, .subdued, .show-api, footer, footer a, footer button {color:#525252 !important}
[role=button] button {pointer-events:none}
:focus-visible {outline:3px solid #1d4ed8 !important;outline-offset:2px !important}
"""

# (CSS selector, Chinese name) for the controls Gradio leaves unnamed or names in English.
NAMES: list[tuple[str, str]] = [
    ("#as-of button.calendar", "打开日历选择日期"),
    ('button[aria-label="Copy message"], button[title="Copy message"]', "复制这条回答"),
    ('button[aria-label="Copy"], button[title="Copy"]', "复制"),
    ('button[aria-label="Clear"], button[title="Clear"]', "清空对话，重新开始"),
    ('button[aria-label="Fullscreen"], button[title="Fullscreen"]', "全屏查看"),
    ('button[aria-label="Download"], button[title="Download"]', "下载"),
]


def naming_script() -> str:
    """A page-load script: names the controls in NAMES, and makes the arrow inside a folded chat
    section inert (clicks fall through to the section's title is itself the button; a button inside a button is
    announced twice and caught by axe's nested-interactive rule). Repeats on every DOM change."""
    pairs = ",".join(f"[{_js(sel)},{_js(name)}]" for sel, name in NAMES)
    return (
        "() => {"
        f"const names = [{pairs}];"
        "const apply = () => {"
        " for (const [sel, name] of names) document.querySelectorAll(sel).forEach((b) => {"
        "  if (b.getAttribute('aria-label') !== name) { b.setAttribute('aria-label', name); b.title = name; } });"
        " document.querySelectorAll('[role=button] button').forEach((b) => { if (!b.inert) b.inert = true; });"
        "};"
        "apply(); new MutationObserver(apply).observe(document.body, {subtree: true, childList: true});"
        "}"
    )


def _js(text: str) -> str:
    """A JavaScript string literal (the selectors hold quotes)."""
    return json.dumps(text, ensure_ascii=False)
