"""Which figures of a sentence a plan commits to, and in which pieces of it.

A plan lists its targets in clauses cut at ，and ： and at the 、 that closes a figure (企业1个、合作社2家);
a 、 inside a description (1个知名度高、影响力大的品牌), a list of places (在甲县、乙县设立2个…) or a run of
figures of one thing (864个、总投资80.49亿元的项目) does not cut. Within a clause, 和/及 before a figure joins
two targets (1个区域公用品牌和2个企业品牌); figures in a run each describe what follows them; otherwise
the figure a clause commits to closes it (示范基地6个) and an earlier one qualifies (200亩以上的…).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from planwatch.onboarding.outline import Span, split
from planwatch.onboarding.quantities import Quantity, quantities

_AFTER_FIGURE = r"\s*(?:及以上|以上|以内|以下|左右)?\s*"
_CONNECTOR = re.compile(r"以及|和|及|并")
_RUN_GAP = re.compile(r"\s*、\s*([\u4e00-\u9fff]{0,4}?)\s*")  # 864个、总投资80.49亿元: 、 and a word or two


@dataclass(frozen=True)
class Committed:
    """A figure a clause commits to, with the words to read its subject from (`frame`, the figure at
    `start`:`end` within it): the clause's own piece, or for a figure in a run, the run's surroundings."""

    quantity: Quantity
    frame: str
    start: int
    end: int

    def as_quantity(self) -> Quantity:
        return Quantity(self.quantity.value, self.quantity.unit, self.start, self.end, self.quantity.comparator)


def _ends_with_figure(text: str, found: list[Quantity]) -> bool:
    return bool(found) and bool(re.fullmatch(_AFTER_FIGURE + r"(?:[（(][^（）()]*[）)])?\s*", text[found[-1].end :]))


def _bare(text: str, found: list[Quantity]) -> bool:
    """Only a figure (864个, 17万吨以上): no words to name what it counts."""
    words = text[: found[0].start] + text[found[0].end :].lstrip("以上及左右内下")
    return len(found) == 1 and not re.search(r"[\u4e00-\u9fff]", words)


def target_clauses(sentence: Span, pattern: re.Pattern[str]) -> list[Span]:
    """The sentence cut into the clauses its targets are listed in (see the module's docstring)."""
    found_clauses = []
    for piece in split(sentence, "，,：:"):
        segments = split(piece, "、")
        merged = [segments[0]]
        for previous, segment in itertools.pairwise(segments):
            before, after = quantities(previous.text, pattern), quantities(segment.text, pattern)
            cuts = bool(before) and bool(after) and not _bare(previous.text, before)
            if cuts and not _ends_with_figure(previous.text, before):
                cuts = "的" not in segment.text[: after[0].start]  # 知名度高、影响力大的品牌: one description
            if cuts:
                merged.append(segment)
            else:
                last = merged[-1]
                merged[-1] = Span(last.start, piece.text[last.start - piece.start : segment.end - piece.start])
        found_clauses += merged
    return found_clauses


def _pieces(clause: str, found: list[Quantity], regions: tuple[str, ...]) -> list[tuple[int, int]]:
    """The clause cut at a 和/及 that opens or closes a figure (…品牌和2个…; 企业1家和合作社2家)."""
    cuts = []
    for left, right in itertools.pairwise(found):
        between = clause[left.end : right.start]
        for connector in _CONNECTOR.finditer(between):
            opens = not between[connector.end() :].strip()
            closes = re.fullmatch(_AFTER_FIGURE, between[: connector.start()]) is not None
            if (opens or closes) and not between[connector.start() :].startswith(regions):
                cuts.append(left.end + connector.start())
                break
    bounds = [0, *cuts, len(clause)]
    return list(itertools.pairwise(bounds))


def _runs(text: str, found: list[Quantity]) -> list[Committed] | None:
    """Figures one after another (864个、总投资80.49亿元的…项目): each of the thing that follows."""
    if len(found) < 2:
        return None
    prefixes = [""]
    for left, right in itertools.pairwise(found):
        gap = _RUN_GAP.fullmatch(text[left.end : right.start])
        if gap is None:
            return None
        prefixes.append(gap.group(1))
    before, after = text[: found[0].start], text[found[-1].end :]
    committed = []
    for quantity, prefix in zip(found, prefixes, strict=True):
        figure = text[quantity.start : quantity.end]
        frame = before + prefix + figure + after
        start = len(before) + len(prefix)
        committed.append(Committed(quantity, frame, start, start + len(figure)))
    return committed


def committed(clause: str, found: list[Quantity], places: tuple[str, ...]) -> list[Committed]:
    """The figures the clause commits to, each with the words that say what it counts."""
    chosen = []
    for begin, end in _pieces(clause, found, places):
        text = clause[begin:end]
        local = [
            Quantity(q.value, q.unit, q.start - begin, q.end - begin, q.comparator)
            for q in found
            if begin <= q.start and q.end <= end
        ]
        # a count of places (2个重点帮扶县…) says where, not how much
        own = [q for q in local if not text[q.end :].lstrip().startswith(places)] or local
        if not own:
            continue
        run = _runs(text, own)
        if run:
            chosen += run
            continue
        # the figure a clause commits to closes it (…示范基地6个); an earlier one qualifies (200亩以上设施…)
        last = own[-1]
        tail = re.sub(r"[（(][^（）()]*[）)]?\s*$", "", text[last.end :])  # a closing breakdown aside
        quantity = last if re.fullmatch(_AFTER_FIGURE, tail) else own[0]
        chosen.append(Committed(quantity, text, quantity.start, quantity.end))
    return chosen


def counts_its_list(clause: str, quantity: Quantity) -> bool:
    """A figure after 等 that is the number of items listed before it (甲、乙、丙等3个产业): how many the text
    names, not a target."""
    listed = re.search(r"([^，,；;。：:]*)等\s*$", clause[: quantity.start])
    if listed is None:
        return False
    items = [item for item in listed.group(1).split("、") if item.strip()]
    return len(items) >= 2 and len(items) == quantity.value


def region_named(text: str, regions: list[str]) -> str | None:
    """The one place a clause names before its figure (甲县…, 在甲县建成…), outside brackets and titles;
    none when it names two (在甲县、乙县…) or none."""
    bare = re.sub(r"《[^《》]*》|[（(][^（）()]*[）)]", "", text)
    named = []
    for name in regions:  # longest first, so 和林县 is not read as 和林
        if name in bare:
            named.append(name)
            bare = bare.replace(name, "\u3000")
    return named[0] if len(named) == 1 else None
