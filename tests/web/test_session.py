"""A tab's chat is bounded (assistant.web.session.RecentMessages): the page sends it whole with every answer."""

from __future__ import annotations

from assistant.web.session import KEPT_MESSAGES, RecentMessages


def test_the_chat_keeps_its_latest_messages_however_it_grows() -> None:
    chat = RecentMessages()
    for n in range(KEPT_MESSAGES):
        chat += [{"role": "user", "content": f"q{n}"}, {"role": "assistant", "content": f"a{n}"}]
    chat.append({"role": "assistant", "content": "last"})
    assert len(chat) == KEPT_MESSAGES and chat[-1]["content"] == "last"
    assert chat[0]["content"] == f"a{KEPT_MESSAGES // 2}" and isinstance(chat, list)
    assert chat + [{"role": "user", "content": "x"}] == [*chat, {"role": "user", "content": "x"}]
