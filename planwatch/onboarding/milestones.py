"""Milestones: dated actions in a plan's paragraphs (2021年底前完成…, 到2023年建成…, 预计2024年底申报成功),
with their lead unit."""

from __future__ import annotations

import re

from planwatch.onboarding.outline import Paragraph, clauses, describes_present, sentences
from planwatch.onboarding.proposals import Extraction, MilestoneProposal
from planwatch.onboarding.years import BASE_YEAR

_MILESTONE_VERBS = (
    "建成", "完成", "投产", "竣工", "投入使用", "开工", "启动", "上市", "完工", "运营", "达产", "落地", "全覆盖",
    "实现县", "率先实现", "发展成为", "建立健全", "形成", "成功",
)  # fmt: skip
_DEADLINE = re.compile(r"(?:到|至|于)?\s*(20\d{2})\s*年(?:\s*(\d{1,2})\s*月)?(?:底|末)?(?:前|以前)?")


def paragraph_milestones(paragraph: Paragraph, lead: str | None, responsible: list[str], result: Extraction) -> None:
    if describes_present(paragraph.section):
        return
    for sentence in sentences(paragraph):
        sentence_deadline = None
        previous = None
        for clause in clauses(sentence):
            deadline = _DEADLINE.search(BASE_YEAR.sub("", clause.text)) or sentence_deadline
            sentence_deadline = deadline  # 到2025年，…实现…: the year heads the sentence
            verb = next((v for v in _MILESTONE_VERBS if v in clause.text), None)
            before, previous = previous, clause.text
            if deadline is None or verb is None:
                continue
            project = clause.text[deadline.end() :].strip("，、 ") if deadline.string == clause.text else clause.text
            if len(project) <= 4 and before:
                project = f"{before}，{clause.text}"  # 正在申报…，预计2024年底申报成功: what succeeds is said before
            month = int(deadline.group(2)) if deadline.group(2) else 12
            # 预计2024年底申报成功: an expected date is a date to watch, if less certain than a committed one
            confidence = (0.8 if lead else 0.6) - (0.2 if "预计" in clause.text else 0.0)
            result.milestones.append(
                MilestoneProposal(
                    sentence.text,
                    sentence.start,
                    paragraph.section,
                    project or clause.text,
                    int(deadline.group(1)),
                    month,
                    lead,
                    responsible,
                    round(confidence, 2),
                )
            )
