"""Gradio's session store without the deep-link copy of the page's configuration, and without closed
tabs whose state expired (assistant.web.session_store), on real Gradio Blocks. The memory it saves on
the real server is measured in tests/web/test_memory.py."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI

from assistant.web.session_store import LeanSessionState, LeanStateHolder, use_lean_sessions


def blocks_with_state(deleted: list[object]) -> tuple[gr.Blocks, int, int]:
    with gr.Blocks() as blocks:
        state = gr.State(None, time_to_live=0, delete_callback=deleted.append)  # expires at once
        box = gr.Textbox()
    return blocks, state._id, box._id


def test_a_session_keeps_its_state_and_updates_but_no_copy_of_the_page_config() -> None:
    blocks, state_id, box_id = blocks_with_state([])
    holder = LeanStateHolder()
    holder.set_blocks(blocks)
    session = holder["tab"]
    assert isinstance(session, LeanSessionState) and holder["tab"] is session
    session[state_id] = {"facts": 1}
    session[box_id] = gr.Textbox(visible=False)  # a per-session component update, read by later events
    session._update_value_in_config(box_id, "typed")
    assert session[state_id] == {"facts": 1} and session[box_id].visible is False
    assert list(session.components) == [] and session.config_values == {}


def test_a_closed_tab_whose_state_expired_leaves_the_store_and_an_open_one_stays() -> None:
    deleted: list[object] = []
    blocks, state_id, _ = blocks_with_state(deleted)
    holder = LeanStateHolder()
    holder.set_blocks(blocks)
    for name in ("open", "closed", "closed-recently"):
        holder[name][state_id] = name
    holder["closed"].is_closed = holder["closed-recently"].is_closed = True
    holder["closed"].STATE_TTL_WHEN_CLOSED = 0  # Gradio keeps a closed tab's state this long (3600 s)
    holder.delete_all_expired_state()
    assert sorted(deleted) == ["closed", "open"]  # both expired: their delete callbacks ran
    assert "closed" not in holder and "open" in holder and "closed-recently" in holder
    assert holder["closed-recently"][state_id] == "closed-recently"


def test_mounted_blocks_get_the_lean_store() -> None:
    blocks, _, _ = blocks_with_state([])
    app = gr.mount_gradio_app(FastAPI(), blocks, path="/")
    use_lean_sessions(app, blocks)
    assert isinstance(blocks.state_holder, LeanStateHolder)
    mounted = next(r.app for r in app.routes if getattr(r.app, "get_blocks", None))
    assert mounted.state_holder is blocks.state_holder
