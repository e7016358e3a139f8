"""The optional language model: any OpenAI-compatible endpoint, through langchain's chat interface.

Off unless ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL are set. It may read facts out of a
question and rephrase a templated answer; assistant.answering.guard decides what of that is kept. Timeouts,
endpoint errors and garbage all end in the deterministic path with a logged warning.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from decimal import Decimal

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.calculator.facts import EnterpriseFacts
from assistant.core.paths import locate
from assistant.reading.amounts import InputError, parse_amount, parse_percent
from assistant.rules.rulebook import Vocabulary
from assistant.rules.schema import Level

logger = logging.getLogger(__name__)
PROMPTS = locate().prompts_dir / "llm"
JSON_OBJECT = re.compile(r"\{.*\}", re.S)


@dataclass(frozen=True)
class LlmSettings:
    base_url: str
    model: str
    api_key: str
    timeout_s: float = 20.0

    @classmethod
    def from_env(cls) -> LlmSettings | None:
        env = os.environ
        if not env.get("ASSISTANT_LLM_BASE_URL") or not env.get("ASSISTANT_LLM_MODEL"):
            return None
        return cls(
            env["ASSISTANT_LLM_BASE_URL"],
            env["ASSISTANT_LLM_MODEL"],
            env.get("ASSISTANT_LLM_API_KEY", "none"),
            float(env.get("ASSISTANT_LLM_TIMEOUT", "20")),
        )

    def __repr__(self) -> str:  # never print the key
        return f"LlmSettings(base_url={self.base_url!r}, model={self.model!r}, timeout_s={self.timeout_s})"


class ExtractedFacts(BaseModel):
    """What the model is asked to return: the user's own words for each fact, not computed values."""

    model_config = ConfigDict(extra="ignore")
    place_mention: str | None = None
    place: str | None = None
    amounts: dict[str, str] = {}
    level: str | None = None
    lpr_rate_text: str | None = None


def _prompt(name: str, **values: str) -> str:
    return (PROMPTS / name).read_text(encoding="utf-8").format(**values)


class LanguageModel:
    def __init__(self, chat: BaseChatModel, vocabulary: Vocabulary):
        self.chat = chat
        self.vocabulary = vocabulary

    def _call(self, prompt: str) -> str | None:
        try:
            reply = self.chat.invoke([HumanMessage(content=prompt)])
        except Exception as err:  # timeouts, connection and API errors alike: fall back, never fail the answer
            logger.warning("语言模型调用失败，使用确定性结果 / language model call failed: %s", type(err).__name__)
            return None
        content = reply.content if isinstance(reply.content, str) else ""
        return content.strip() or None

    def _structured(self, prompt: str) -> ExtractedFacts | None:
        """Structured output where the endpoint supports it (tool calling); None where it does not."""
        try:
            result = self.chat.with_structured_output(ExtractedFacts).invoke([HumanMessage(content=prompt)])
        except NotImplementedError:
            return None
        except Exception as err:
            logger.warning("语言模型结构化抽取失败 / structured extraction failed: %s", type(err).__name__)
            return None
        return result if isinstance(result, ExtractedFacts) else None

    def extract_facts(self, question: str) -> EnterpriseFacts | None:
        roles = "\n".join(f"  {name}: {role.label}" for name, role in self.vocabulary.amount_roles.items())
        prompt = _prompt("extract_facts.txt", places="、".join(self.vocabulary.places), roles=roles, question=question)
        raw = self._structured(prompt)
        if raw is None:
            match = JSON_OBJECT.search(self._call(prompt) or "")
            if not match:
                return None
            try:
                raw = ExtractedFacts.model_validate(json.loads(match.group()))
            except (json.JSONDecodeError, ValidationError):
                logger.warning("语言模型返回的事实无法解析，已忽略 / unparseable facts from the language model")
                return None
        return self._to_facts(raw)

    def _to_facts(self, raw: ExtractedFacts) -> EnterpriseFacts:
        amounts: dict[str, Decimal] = {}
        for role, written in raw.amounts.items():
            if role in self.vocabulary.amount_roles:
                try:
                    amounts[role] = parse_amount(written)
                except InputError:
                    continue
        try:
            rate = parse_percent(raw.lpr_rate_text) if raw.lpr_rate_text else None
        except InputError:
            rate = None
        place = raw.place if raw.place in self.vocabulary.places else None
        level = Level(raw.level) if raw.level in {lv.value for lv in Level} else None
        return EnterpriseFacts(
            place=place, place_mention=raw.place_mention, amounts=amounts, level=level, lpr_rate=rate
        )

    def rephrase(self, question: str, answer: str) -> str | None:
        return self._call(_prompt("rephrase.txt", question=question, answer=answer))


def load_language_model(vocabulary: Vocabulary, settings: LlmSettings | None = None) -> LanguageModel | None:
    settings = settings or LlmSettings.from_env()
    if settings is None:
        return None
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(
        base_url=settings.base_url,
        model=settings.model,
        api_key=settings.api_key,
        timeout=settings.timeout_s,
        max_retries=0,
        temperature=0,
    )
    logger.info("语言模型已启用 / language model on: %r", settings)
    return LanguageModel(chat, vocabulary)
