"""The BM25 thesaurus: staff words bring in the policy's words; nothing else changes."""

from assistant.retrieval.query_expansion import expand, load_expansions


def test_colloquial_words_add_the_policy_terms() -> None:
    table = {"借钱": ("贷款",), "利息": ("贴息", "贷款")}
    assert expand("借钱的利息能报吗", table) == "借钱的利息能报吗 贷款 贴息 贷款"
    assert expand("技术改造奖补", table) == "技术改造奖补"


def test_the_shipped_thesaurus_loads_and_maps_to_words_of_the_texts() -> None:
    from assistant.core.settings import Settings
    from assistant.texts.library import load_library

    texts = "".join(p.text for p in load_library(Settings.from_env().policies_dir).policies.values())
    table = load_expansions()
    assert len(table) >= 30
    missing = sorted({term for terms in table.values() for term in terms if term not in texts})
    assert missing == [], f"expansion terms that no policy text uses: {missing}"
