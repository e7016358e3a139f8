"""`python app.py` (what `make run` calls): the enterprise page at / and the officer console at /console.

Address and port follow Gradio's own variables, GRADIO_SERVER_NAME (default 127.0.0.1, i.e. this
machine only) and GRADIO_SERVER_PORT (default 7860); ASSISTANT_DATA_DIR decides where the SQLite
file with the conversation log and the officer accounts lives.
"""

from __future__ import annotations

import logging
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub at run time
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860


def address() -> tuple[str, int]:
    """(host, port) from the environment; a bad port is a Chinese message, not a traceback."""
    host = os.environ.get("GRADIO_SERVER_NAME") or DEFAULT_HOST
    raw = os.environ.get("GRADIO_SERVER_PORT") or str(DEFAULT_PORT)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"错误：GRADIO_SERVER_PORT 应为 1–65535 之间的端口号，而不是“{raw}”")
    return host, int(raw)


def main() -> int:
    from assistant.core.settings import Settings
    from assistant.web.serving import private_temp, serve

    settings = Settings.from_env()
    private_temp(settings.data_dir)  # before Gradio is imported: it reads GRADIO_TEMP_DIR then

    from assistant.texts.policies import CorpusError
    from assistant.web.server import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    host, port = address()
    try:
        app = create_app(settings, server_name=host, server_port=port)
    except CorpusError as err:  # a maintainer's edit to index/policies: say which file, no traceback
        raise SystemExit(f"错误：{err}") from None
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    print(f"政策自评估助手：http://{shown}:{port}/    审核台：http://{shown}:{port}/console", flush=True)
    serve(app, host, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
