"""policy.yaml from what the text itself says: its title, number, issuer, date, region and validity.

Each field is read only where the text states it ("皖政办秘〔2021〕82号", "2021年9月2日", "自发布之日起
施行，暂定三年有效期", "有效期至2025年12月31日"); a field the text does not state is left null and listed
under `review` with the reason, for the maintainer to fill from the publishing page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from assistant.reading.place_table import china

DOC_NUMBER = re.compile(r"[\u4e00-\u9fa5]{1,10}[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]\s*\d{1,4}\s*号")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
TITLE = re.compile(r"关于.{2,60}?的(通知|意见|办法|措施|政策|规定|细则|方案|决定)")
# A title without 关于 ("甘井子区支持科技创新若干规定") is a whole line ending in the kind of document.
BARE_TITLE = re.compile(r"^[\u4e00-\u9fa5“”《》（）()、\d]{4,60}(规定|办法|政策|意见|措施|细则|方案|决定|通知)$")
# A first line that is a heading ("总则", "第一章 总则", "一、…") is no title: the text came without one.
HEADING = re.compile(r"^(总则|附则|第[一二三四五六七八九十百\d]+[章节条]|[一二三四五六七八九十]+\s*[、．.])")
# Who interprets the text is, in local policies, nearly always who issued it: a candidate, for review.
INTERPRETER = re.compile(r"由((?:中共)?[\u4e00-\u9fa5、]{2,40}?)负责解释")
ISSUER = re.compile(r"^[\u4e00-\u9fa5]{2,30}(人民政府办公厅|人民政府办公室|人民政府|委员会|管理委员会|局|厅|办公室)$")
START = re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起\s*(施行|实施|执行)")
FROM_ISSUE = re.compile(r"自(印发|发布|公布)之日起(施行|实施|执行)")
FROM_YEAR = re.compile(r"[自从]\s*(\d{4})\s*年(开始|起)?(执行|施行|实施)")
UNTIL = re.compile(r"有效期至\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
YEARS = re.compile(
    r"有效期\s*(?:为|暂定)?\s*([一二三四五六七八九十\d]{1,2})\s*年|暂定([一二三四五六七八九十\d]{1,2})年有效期"
)
CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass
class Metadata:
    fields: dict[str, object] = field(default_factory=dict)
    review: dict[str, str] = field(default_factory=dict)  # field → why it needs a person


def _day(m: re.Match[str], first: int = 1) -> date | None:
    try:
        return date(int(m.group(first)), int(m.group(first + 1)), int(m.group(first + 2)))
    except ValueError:
        return None


def _years(token: str) -> int:
    return int(token) if token.isdigit() else CN.get(token, 0)


def _sentence(text: str, at: int) -> str:
    start = max(text.rfind("。", 0, at), text.rfind("\n", 0, at)) + 1
    end = min(x for x in (text.find("。", at), text.find("\n", at), len(text)) if x >= 0)
    return text[start : end + 1].strip()


def _region(names: str) -> list[str] | None:
    """The administrative unit the issuer names at its start (安徽省人民政府, 湖州市德清县人民政府), read
    name after name from the first character: a name inside a word (范县 in 示范县) is not a place."""
    table = china()
    pos, chain = 0, []
    while pos < len(names):
        found = next(
            (
                names[pos : pos + n]
                for n in range(min(table.longest, len(names) - pos), 1, -1)
                if names[pos : pos + n] in table.anywhere
            ),
            None,
        )
        if found is None:
            break
        chain.append(table.anywhere[found])
        pos += len(found)
    if not chain:
        return None
    units = chain[-1]
    for parents in chain[:-1]:
        units = {u for u in units if any(u.path.startswith(p.path) for p in parents)} or units
    if len(units) != 1:
        return None
    unit = next(iter(units))
    every = {u.path: u for us in table.anywhere.values() for u in us}
    parts, done = [], ""
    for depth in range(1, unit.depth + 1):
        prefix = next((p for p, u in every.items() if u.depth == depth and unit.path.startswith(p)), None)
        if prefix is None:
            return None
        parts.append(prefix[len(done) :])
        done = prefix
    return parts


def read_metadata(policy_id: str, text: str, source_file: str) -> Metadata:
    meta = Metadata()
    f, review = meta.fields, meta.review
    lines = [line.strip(" \t\u3000") for line in text.splitlines() if line.strip(" \t\u3000")]
    title = next((m.group(0) for line in lines[:8] for m in [TITLE.search(line)] if m), None) or next(
        (line for line in lines[:3] if BARE_TITLE.match(line)), None
    )
    if title is None and lines and not HEADING.match(lines[0]):
        title = lines[0]
    if title is None:
        review["title"] = f"原文没有标题行（第一行是“{lines[0] if lines else ''}”），请从发布网页补上标题和简称"
    title = title or ""
    number = next((m for line in lines[:6] for m in [DOC_NUMBER.search(line)] if m), None)  # not one it cites
    issuer = next((line for line in lines[:40] if ISSUER.match(line)), None)
    if issuer is None and "关于" in title:
        issuer = title.split("关于", 1)[0] or None
    interpreter = INTERPRETER.search(text) if issuer is None else None
    if interpreter:
        issuer = interpreter.group(1)
        review["issuer"] = f"读自“{_sentence(text, interpreter.start())}”：解释机关通常即发文机关，请对照发布网页核实"
    dates = [(m, d) for m in DATE.finditer(text[:3000]) if (d := _day(m))]
    issued = next(
        (d for m, d in dates if text[m.end() : m.end() + 1] in "\n）)" or text[m.start() - 1 : m.start()] in "（("),
        None,
    )
    f.update(
        id=policy_id,
        source_file=source_file,
        doc_number=number.group(0).strip() if number else None,
        title=title or None,
        short_title=((title[:24] + "…") if len(title) > 25 else title) or None,
        issuer=issuer,
        issue_date=issued,
    )
    if not number:
        review["doc_number"] = "原文未见文号（如“某政〔2023〕5号”）；确无文号可保持 null"
    if not issuer:
        review["issuer"] = "原文未写明发文机关，请从发布网页补上"
    if not issued:
        review["issue_date"] = "原文未见成文日期；确实未载明可保持 null"
    region = _region((issuer or "").removeprefix("中共") + title)
    f["region"] = region
    if not region:
        review["region"] = "未能从发文机关读出地区，请逐级写全称，如 [安徽省] 或 [浙江省, 湖州市, 德清县]"
    start, basis = _start(text, issued)
    f["valid_from"] = start
    if start is None:
        review["valid_from"] = "原文未写明施行日期，请从发布网页核实后填写"
    end, end_basis = _end(text, start)
    f["valid_to"] = end
    basis = "；".join(dict.fromkeys(b for b in (basis, end_basis) if b))  # one sentence may give both
    f["validity_basis"] = f"正文：“{basis}”" if basis else "文中未载明施行期限"
    if end is None:
        review["valid_to"] = "原文未写明有效期；确实未载明则保持 null（答复将说明效力无法确定）"
    return meta


def _start(text: str, issued: date | None) -> tuple[date | None, str]:
    m = START.search(text)
    if m:
        return _day(m), _sentence(text, m.start())
    m = FROM_ISSUE.search(text)
    if m:
        return issued, _sentence(text, m.start())
    m = FROM_YEAR.search(text)
    if m:
        return date(int(m.group(1)), 1, 1), _sentence(text, m.start())
    return None, ""


def _end(text: str, start: date | None) -> tuple[date | None, str]:
    m = UNTIL.search(text)
    if m:
        return _day(m), _sentence(text, m.start())
    m = YEARS.search(text)
    if m and start:
        years = _years(m.group(1) or m.group(2))
        try:
            return date(start.year + years, start.month, start.day) - timedelta(days=1), _sentence(text, m.start())
        except ValueError:
            return None, ""
    return None, ""
