"""Open one policy folder for the onboarding commands, with a Chinese message for what is missing.

The commands take any folder (a draft under review, not only a served `index/policies/<id>`), so
they read it themselves rather than through the library. A `policy.yaml` that does not validate yet
(a draft with fields still to fill) is reported as problems, and the text is still opened, so that
`outline` and `check` can say everything at once instead of stopping at the first error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.onboarding.problems import Problem, key_line, validation_problems
from assistant.texts.policies import CorpusError, Plan, Policy, PolicyMeta

REQUIRED = {
    "source.txt": "收到的政策原文（UTF-8 纯文本，可用 `assistant policy draft` 生成）",
    "policy.yaml": "政策的发文机关、日期、地区和效力（可用 `assistant policy draft` 生成）",
}


class FolderError(CorpusError):
    """A policy folder that cannot be opened at all: the message names the file and what to do."""


@dataclass
class OpenedPolicy:
    policy: Policy
    meta_text: str  # policy.yaml as written, for line numbers
    problems: list[Problem] = field(default_factory=list)


def read_yaml(path: Path) -> object:
    """A YAML file's data; FolderError in Chinese (with the line) when it is not valid YAML."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise FolderError(f"{path} 不是 UTF-8 文本：请另存为 UTF-8 编码") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else ""
        raise FolderError(
            f"{path} {where}不是合法的 YAML（{getattr(err, 'problem', err)}）：请检查缩进和冒号"
        ) from None


def open_policy(folder: Path) -> OpenedPolicy:
    """The folder's policy and what is wrong with its policy.yaml; FolderError when nothing can be read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FolderError(f"找不到政策文件夹 {folder}：请给出含 source.txt 和 policy.yaml 的文件夹")
    for name, what in REQUIRED.items():
        if not (folder / name).is_file():
            raise FolderError(f"{folder / name} 不存在：这里应放{what}")
    raw = (folder / "source.txt").read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FolderError(f"{folder / 'source.txt'} 不是 UTF-8 文本：请另存为 UTF-8 编码") from None
    meta_text = (folder / "policy.yaml").read_text(encoding="utf-8")
    data = read_yaml(folder / "policy.yaml")
    if not isinstance(data, dict):
        raise FolderError(f"{folder / 'policy.yaml'} 应是“字段: 值”的列表")
    problems: list[Problem] = []
    try:
        meta = PolicyMeta.model_validate(data)
    except ValidationError as err:
        problems += validation_problems(err, "policy.yaml", meta_text)
        meta = _lenient_meta(folder, data)
    if meta.id != folder.name:
        problems.append(
            Problem(
                "policy.yaml",
                key_line(meta_text, "id"),
                f"id {meta.id!r} 与文件夹名 {folder.name!r} 不同",
                "把文件夹改名为 id，或把 id 改为文件夹名",
            )
        )
    digest = hashlib.sha256(raw).hexdigest()
    if meta.source_sha256 and digest != meta.source_sha256:
        problems.append(
            Problem(
                "source.txt",
                None,
                "与收到的原文不一致：SHA-256 与 policy.yaml 的 source_sha256 不符（文本被修改或损坏）",
                "从 original.* 或收到的文件恢复 source.txt；原文本身有误也不要改它，引文照原样抄",
            )
        )
    return OpenedPolicy(Policy(meta=meta, folder=folder, text=text), meta_text, problems)


def _lenient_meta(folder: Path, data: dict[str, object]) -> PolicyMeta:
    """What the parser needs (id, plans, boilerplate) from a policy.yaml that does not validate yet."""
    plans_raw = data.get("plans")
    plans = []
    for item in plans_raw if isinstance(plans_raw, list) else []:
        try:
            plans.append(Plan.model_validate(item))
        except ValidationError:
            continue
    boiler = data.get("boilerplate")
    region = data.get("region")
    ident = data.get("id")
    return PolicyMeta.model_construct(
        id=ident if isinstance(ident, str) else folder.name,
        source_sha256=None,
        doc_number=data.get("doc_number") if isinstance(data.get("doc_number"), str) else None,
        title=str(data.get("title") or folder.name),
        short_title=str(data.get("short_title") or data.get("title") or folder.name),
        plans=plans,
        boilerplate=[str(b) for b in boiler] if isinstance(boiler, list) else [],
        region=[str(r) for r in region] if isinstance(region, list) else [],
    )


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset, as an editor shows it."""
    return text.count("\n", 0, offset) + 1
