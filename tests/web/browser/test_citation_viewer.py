"""Citations that open the document (issue #17 item 3), in the real Chromium: [1] in the answer is a
link; clicking it opens the viewer with the whole policy text, scrolled so that the quoted sentence,
highlighted, is in view, under the clause's heading path; the list beside the answer has no duplicate
and no annex line. Screenshot: test-artifacts/citation-viewer.png."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: `make test` installs it"),
]

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
FIRST = "给予直接奖补的,按照实际设备投资额(含工艺包和软件)最高不超过6%予以奖补。单个项目不超过 100 万元,单个企业不超过 300万元。"
THIRD = "给予贷款贴息的,按照项目贷款实际发生额,以最近一次公布的一年期市场报价利率(LPR)的 25%给予一次性贴息。"
HEADING = "三、扶持措施 › (一)加大财政支持力度"

QUOTE_IN_VIEW = """() => {
  const mark = document.querySelector('#citation-view mark');
  const body = document.querySelector('#citation-view .doc-body');
  if (!mark || !body || mark.offsetParent === null) return false;
  const m = mark.getBoundingClientRect(), b = body.getBoundingClientRect();
  return m.height > 0 && m.top >= b.top && m.bottom <= b.bottom && m.top >= 0 && m.bottom <= window.innerHeight;
}"""


def test_a_citation_link_opens_the_whole_document_at_the_highlighted_quote(asked_page, artifacts) -> None:
    page = asked_page("2021-06-30", HEKOU, "180,000")

    labels = page.locator("#citations label").all_inner_texts()
    assert labels and len(labels) == len(set(labels))
    assert not any("附件" in label or "专班" in label for label in labels)
    assert labels[0].startswith("[1] ") and "给予直接奖补的" in labels[0]

    page.locator("#chat [role=button]").filter(has_text="点击展开").last.click()  # the details hold 依据 [n]
    link = page.locator('#chat a[href="#cite-1"]').first
    link.wait_for()
    assert link.inner_text() == "[1]"
    assert not page.locator("#doc-viewer").is_visible()
    link.scroll_into_view_if_needed()
    link.click()

    viewer = page.locator("#doc-viewer")
    viewer.wait_for(state="visible")
    assert HEADING in page.locator("#citation-view .heading-path").inner_text()
    assert page.locator("#citation-view mark").inner_text() == FIRST
    body = page.locator("#citation-view .doc-body").inner_text()
    assert body.lstrip().startswith("河口区人民政府关于实施新一轮技术改造") or "东河政发" in body[:200]
    assert "附件" in body and len(body) > 3000  # the whole document, not the clause alone
    page.wait_for_function(QUOTE_IN_VIEW, timeout=5000)
    assert page.evaluate("() => document.querySelector('#citation-view .doc-body').scrollTop") > 0
    chat = page.locator("#chat").bounding_box()  # the page stayed at the chat, beside the viewer
    assert chat and chat["y"] < 1100 and chat["y"] + chat["height"] > 0
    page.screenshot(path=artifacts / "citation-viewer.png")

    page.locator("#close-viewer").click()
    viewer.wait_for(state="hidden")
    page.locator('#chat a[href="#cite-3"]').first.click()  # another one opens the viewer again, at its quote
    viewer.wait_for(state="visible")
    page.locator("#citation-view mark").filter(has_text=THIRD).wait_for()
    page.wait_for_function(QUOTE_IN_VIEW, timeout=5000)
