"""The citation list, the [n] links and the document viewer (assistant.web.citations) on real answers:
item n is what [n] in the answer's text means, no clause is listed twice, no retrieved annex line,
and the viewer holds the whole policy text, escaped, with the quote marked where it is."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from assistant.answering import presenter
from assistant.answering.engine import Engine, default_engine
from assistant.web.citations import citation_items, document_view, linked_numbers

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
AS_OF = date(2021, 6, 30)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


def test_item_n_is_the_answers_n_and_no_clause_is_listed_twice(engine: Engine) -> None:
    answer = engine.ask(HEKOU, AS_OF)
    items = citation_items(engine, answer)
    numbered = presenter.citations(answer.programs)
    assert len(numbered) >= 2 and len(items) > len(numbered)  # retrieved clauses follow the answer's own
    assert [(i["clause"], i["quote"]) for i in items[: len(numbered)]] == [(c.clause, c.quote) for c in numbered]
    for n, line in enumerate(numbered, start=1):
        assert f"[{n}] {line.label}" in answer.answer  # the text's [n] is item n
    extra = [i["clause"] for i in items[len(numbered) :]]
    assert len(extra) == len(set(extra)) and not set(extra) & {c.clause for c in numbered}
    assert len(extra) < len(answer.sources), "the retrieved clauses already cited are dropped"


def test_retrieved_annex_lines_are_not_listed(engine: Engine) -> None:
    answer = engine.ask("河口区技改推进工作专班由谁负责？", AS_OF)
    annexed = [s for s in answer.sources if any(h.startswith("附件") for h in s.heading_path)]
    assert annexed, "the question retrieves the annex's name list"
    shown = [i for i in citation_items(engine, answer) if i["origin"] == "检索到的相关条款"]
    assert not any(i["heading"].startswith("附件") for i in shown)


def test_only_the_answers_numbers_become_links() -> None:
    text = "依据：\n  [1] 甲\n  [2] 乙\n见[3]与【1】"
    linked = linked_numbers(text, 2)
    assert "[\\[1\\]](#cite-1)" in linked and "[\\[2\\]](#cite-2)" in linked
    assert "见[3]与【1】" in linked


def test_the_viewer_holds_the_whole_document_escaped_with_the_quote_marked(engine: Engine) -> None:
    answer = engine.ask(HEKOU, AS_OF)
    item = citation_items(engine, answer)[0]
    view = document_view(engine, item, AS_OF)
    policy = engine.book.library.policies[item["policy_id"]]
    body = view[view.index("<div class='doc-body'") :]
    body = body[body.index(">") + 1 : body.rindex("</div></div>")]
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == policy.text  # every character, nothing added
    marked = re.findall(r"<mark id='cited-quote'>(.*?)</mark>", view)
    assert [html.unescape(m) for m in marked] == [item["quote"]]
    assert "条款：三、扶持措施 › (一)加大财政支持力度" in view and "现行有效" in view


def test_a_quote_not_in_its_clause_is_said_not_marked_elsewhere(engine: Engine) -> None:
    item = {**citation_items(engine, engine.ask(HEKOU, AS_OF))[0], "quote": "<b>不存在的句子</b>", "start": None}
    view = document_view(engine, item, AS_OF)
    assert "未在条款中找到引用的原句" in view and "&lt;b&gt;不存在的句子&lt;/b&gt;" in view and "<b>不存在" not in view
    assert re.search(r"<mark id='cited-quote'></mark>", view)
