"""A plan's text as paragraphs under their headings, each sentence and clause with its place in the text.

Chinese plans of this genre number their headings 一、 （一） 1. (1) and often write a numbered
paragraph's title before its first full stop (1.目标任务。…). Quotes are slices of the original text, so
every span keeps its start offset; nothing is normalised inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEVELS = (
    re.compile(r"^第[一二三四五六七八九十]+[章部分]"),
    re.compile(r"^[一二三四五六七八九十]+、"),
    re.compile(r"^[（(][一二三四五六七八九十]+[）)]"),
    re.compile(r"^\d{1,2}[.．、](?!\d)"),
    re.compile(r"^[（(]\d{1,2}[）)]"),
)
_MARKDOWN = re.compile(r"^#+\s*")
_SENTENCE_END = re.compile(r"[。；;！？!?]")
# a heading about the present (一、发展基础; （一）发展现状): its figures are baselines and achievements
_PRESENT = re.compile(
    r"(?:^|[、）)．.])\s*(?:发展基础|工作基础|产业基础|基础条件|发展现状|现状|基本情况|主要成效|取得的?成效|发展形势|面临的?形势|背景)"
)
_OPEN, _CLOSE = "（(“《【[", "）)”》】]"
_LINE_ENDS = ("。", "；", ";", "！", "？", "：", ":", "）", ")", "”")


@dataclass(frozen=True)
class Span:
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Paragraph:
    start: int
    text: str
    section: str  # the headings above it, e.g. 一、总体要求（三）发展目标


def _level(line: str) -> int | None:
    for level, pattern in enumerate(_LEVELS):
        if pattern.match(line):
            return level
    return None


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with the breaks a PDF or a typesetter put mid-sentence joined again: a line that does not end
    a sentence (。；！？：) runs on into the next one, unless it is a heading."""
    lines: list[tuple[int, str]] = []
    offset, open_line = 0, False
    for raw in text.split("\n"):
        start = offset
        offset += len(raw) + 1
        stripped = raw.strip()
        if not stripped:
            continue
        start += len(raw) - len(raw.lstrip())
        bare = _MARKDOWN.sub("", stripped)
        start += len(stripped) - len(bare)
        heading = _level(bare) is not None or stripped.startswith("#")
        if open_line and lines and not heading:
            lines[-1] = (lines[-1][0], lines[-1][1] + bare)
        else:
            lines.append((start, bare))
        short_title = heading and len(bare) <= 30 and not _SENTENCE_END.search(bare)
        open_line = not (short_title or bare.endswith(_LINE_ENDS))
    return lines


def paragraphs(text: str) -> list[Paragraph]:
    """Every paragraph (a logical line), with the section its headings make."""
    found = []
    headings: dict[int, str] = {}
    for start, bare in _logical_lines(text):
        level = _level(bare)
        if level is not None:
            first_stop = _SENTENCE_END.search(bare)
            title = bare if first_stop is None else bare[: first_stop.start()]
            if len(title) <= 30:
                headings = {k: v for k, v in headings.items() if k < level}
                headings[level] = title
        section = "".join(headings[k] if k < 3 else f" {headings[k]}" for k in sorted(headings)).strip()
        found.append(Paragraph(start, bare, section))
    return found


def describes_present(section: str) -> bool:
    """Whether the section's headings are about the present (发展基础, 现状): its figures are not targets."""
    return bool(_PRESENT.search(section))


def sentences(paragraph: Paragraph) -> list[Span]:
    """The paragraph cut at 。；！？ (outside brackets), each with its offset in the text."""
    return split(Span(paragraph.start, paragraph.text), "。；;！？!?")


def clauses(sentence: Span) -> list[Span]:
    """The sentence cut at ，、： outside brackets: the pieces a plan lists its targets in."""
    return split(sentence, "，,、：:")


def _ratio_colon(text: str, index: int) -> bool:
    """A colon between two numbers (2.3 : 1) is a ratio, not a break."""
    if text[index] not in ":：∶":
        return False
    return bool(re.search(r"\d\s*$", text[:index])) and bool(re.match(r"\s*\d", text[index + 1 :]))


def split(span: Span, stops: str) -> list[Span]:
    """The span cut at any of `stops` outside brackets and quotes, each piece stripped, with its offset."""
    pieces, depth, begin = [], 0, 0
    for index, character in enumerate(span.text):
        if character in _OPEN:
            depth += 1
        elif character in _CLOSE:
            depth = max(0, depth - 1)
        elif character in stops and depth == 0 and not _ratio_colon(span.text, index):
            pieces.append((begin, index))
            begin = index + 1
    pieces.append((begin, len(span.text)))
    found = []
    for begin, end in pieces:
        piece = span.text[begin:end]
        stripped = piece.strip()
        if stripped:
            found.append(Span(span.start + begin + piece.index(stripped), stripped))
    return found
