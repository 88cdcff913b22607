"""Looking up what a cell names: regions by code, name or alias; indicators by name; units.

Names are compared after NFKC and with all spaces removed, so "土左旗 " and "土左旗" are one region.
A name that two regions share (全市, 城关镇) is resolved within the sender's city.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from planwatch.ingest.values import compact
from planwatch.registry.reference import IncompatibleUnitsError, ReferenceData, UnknownUnitError
from planwatch.registry.schema import Indicator

CITY_WIDE_NAMES = {"全市", "全县", "全区", "全旗", "全盟", "市本级", "全市合计"}
# names that say where only relative to who writes them (全省, 首府): a title's 全省 names no other region
_RELATIVE_NAMES = CITY_WIDE_NAMES | {"全省", "全州", "首府"}


# what a statistics table puts before an indicator's name (compacted: NFKC made ：（） ASCII)
_LEAD_IN = re.compile(r"^(?:其中:?|[#]+|\(?[一二三四五六七八九十]{1,3}[)、.]|\(?\d{1,2}[)、.](?!\d))+")
# a bracket closing a label (compacted: ASCII parentheses), and the footnote marks after a name
_TRAILING_BRACKET = re.compile(r"\(([^()]*)\)$")
_FOOTNOTE_MARKS = "*＊△"


class Resolver:
    def __init__(
        self,
        reference: ReferenceData,
        indicator_labels: dict[str, str] | None = None,
        reported_regions: Mapping[str, set[str]] | None = None,
    ) -> None:
        self.reference = reference
        self.reported_regions = reported_regions or {}  # city → regions outside it that its plans set targets for
        self._regions_by_name: dict[str, set[str]] = defaultdict(set)
        for region in reference.regions.values():
            for spelling in (region.name, *region.aliases):
                self._regions_by_name[compact(spelling)].add(region.code)
        self._indicators_by_label: dict[str, str] = {}
        for indicator in reference.indicators.values():
            self._indicators_by_label[compact(indicator.name)] = indicator.indicator_code
            self._indicators_by_label[compact(indicator.indicator_code)] = indicator.indicator_code
        for label, code in (indicator_labels or {}).items():
            self._indicators_by_label[compact(label)] = code
        # departments' distinctive spellings (4 characters or more, and one department's only: 市统计局 is
        # every city's), longest first
        owners: dict[str, set[str]] = defaultdict(set)
        for department in reference.departments.values():
            for spelling in (department.name, *department.aliases):
                if len(spelling) >= 4:
                    owners[spelling].add(department.department_id)
        self._cities: dict[str, str | None] = {}  # region → its city: asked for every row a sender reports
        self._department_spellings = sorted(
            ((spelling, next(iter(ids))) for spelling, ids in owners.items() if len(ids) == 1),
            key=lambda pair: (len(pair[0]), pair[1]),
            reverse=True,
        )

    def department_named_in(self, text: str) -> str | None:
        """The department whose full name (or a distinctive alias) a file name or title carries, longest first."""
        return next((department for spelling, department in self._department_spellings if spelling in text), None)

    def city_of(self, region_code: str | None) -> str | None:
        """The city (or, failing that, the top region) a region belongs to."""
        if region_code is None:
            return None
        if region_code not in self._cities:
            self._cities[region_code] = self._city_of(region_code)
        return self._cities[region_code]

    def _city_of(self, region_code: str) -> str | None:
        chain = self.reference.ancestors_and_self(region_code)
        for code in chain:
            if self.reference.regions[code].level == "city":
                return code
        return chain[-1] if chain else None

    def in_scope(self, region_code: str, city: str | None) -> bool:
        """Whether a sender of `city` may report the region: one of its city, or one its city's plans set a
        target for (Hohhot's plan counts milk-source bases in 包头市); any region when the city is unknown."""
        if city is None:
            return True
        return self.city_of(region_code) == city or region_code in self.reported_regions.get(city, ())

    def region(
        self, name: object, code: object = None, within: str | None = None, whole: str | None = None
    ) -> str | None:
        """A region code from a code cell (trusted when known) or a name, or None. A name is looked for
        `within` a region (the sender's city) when it is ambiguous; 全市/全县/全旗 name the sender's `whole`
        region (a county statistics bureau's 全县 is its county, not its city), else `within`."""
        code_text = compact(code)
        if code_text in self.reference.regions:
            return code_text
        text = compact(name)
        if not text:
            return None
        if text in self.reference.regions:
            return text
        if text in CITY_WIDE_NAMES:
            return whole or within
        candidates = self._regions_by_name.get(text, set())
        if within is not None and len(candidates) > 1:
            candidates = candidates & self.reference.descendants_and_self(within)
        return next(iter(candidates)) if len(candidates) == 1 else None

    def name_disagrees_with_code(self, name: object, code: object, within: str | None = None) -> bool:
        """Whether a row's region name is not a spelling of its known code's region (庄浪县 beside 静宁县's
        code, a name typed over keeping the code, a district the registry does not know): which of the
        two the figures are for is not guessed. A blank name, one of the code's region's own spellings,
        and 全市/全县/全旗 (the sender's whole region, at whichever level) beside a code within the
        sender's city agree."""
        code_text, text = compact(code), compact(name)
        if not text or code_text not in self.reference.regions:
            return False
        if text in CITY_WIDE_NAMES:
            return within is not None and code_text not in self.reference.descendants_and_self(within)
        return text != code_text and code_text not in self._regions_by_name.get(text, ())

    def named_in(self, text: object) -> str | None:
        """The one region a title names (平凉市2024年1-6月主要指标 → 620800), the longest name winning."""
        words = compact(text)
        named = self._regions_by_name.items()
        found = sorted((name for name, codes in named if len(codes) == 1 and len(name) >= 2 and name in words), key=len)
        found.reverse()
        return next(iter(self._regions_by_name[found[0]])) if found else None

    def regions_titled(self, text: object) -> set[str]:
        """The regions a title is about: every region its words name (a spelling of one region only, 2 characters
        or more, not part of a longer name found), less those another named region lies in (平凉市庄浪县: 庄浪县)."""
        words = compact(text)
        if not words:
            return set()
        found = [
            name
            for name, codes in self._regions_by_name.items()
            if len(codes) == 1 and len(name) >= 2 and name in words and name not in _RELATIVE_NAMES
        ]
        names = [name for name in found if not any(name != longer and name in longer for longer in found)]
        codes = {next(iter(self._regions_by_name[name])) for name in names}
        ancestors = {code for named in codes for code in self.reference.ancestors_and_self(named)[1:]}
        return codes - ancestors

    def region_titled_outside(self, text: object, sender_region: str | None) -> str | None:
        """A region a title is about that is neither the sender's region, one within it, nor one it lies in (平凉市
        in a table sent as 张掖市统计局's; a county's table may carry its city's title): not the sender's to report."""
        if sender_region is None:
            return None
        agrees = self.reference.descendants_and_self(sender_region) | set(
            self.reference.ancestors_and_self(sender_region)
        )
        return next((code for code in sorted(self.regions_titled(text)) if code not in agrees), None)

    def whole_region(self, title: object, sender_region: str | None) -> str | None:
        """What 全市/全县 name in a table: the one region its title is about when that is the sender's or within it
        (a city bureau's table titled 庄浪县… : 全县 is 庄浪县), else the sender's region."""
        titled = self.regions_titled(title)
        if sender_region is not None and len(titled) == 1:
            [region] = titled
            if region in self.reference.descendants_and_self(sender_region):
                return region
        return sender_region

    def common_city(self, region_codes: list[str]) -> str | None:
        cities = {self.city_of(code) for code in region_codes if code}
        return cities.pop() if len(cities) == 1 else None

    def indicator(self, label: object) -> Indicator | None:
        text = compact(label)
        code = self._indicators_by_label.get(text)
        if code is None:
            # a label with its unit or a footnote mark attached: 农产品加工业产值（万元）, 产值*; with the
            # statistics tables' lead-ins: 其中：…, 一、…, (二)…, 1.…, #…. A bracket is dropped only when
            # it holds a unit: 肉牛出栏量（上年同期）, 蔬菜产量（含食用菌）, 产值（可比价） are other figures than
            # the indicator's, and are left unknown (quarantined), never read as its current figure
            stripped = _LEAD_IN.sub("", text).rstrip(_FOOTNOTE_MARKS)
            code = self._indicators_by_label.get(stripped)
            while code is None and (bracket := _TRAILING_BRACKET.search(stripped)) and self._is_unit(bracket[1]):
                stripped = stripped[: bracket.start()].rstrip(_FOOTNOTE_MARKS)
                code = self._indicators_by_label.get(stripped)
        return self.reference.indicators.get(code) if code else None

    def _is_unit(self, text: str) -> bool:
        """A bracket's content that says only a unit: 万元, 单位:万元, 计量单位：头, or nothing."""
        unit = re.sub(r"^(?:计量)?单位:?", "", text.strip())
        return unit == "" or self.reference.unit_table.knows(unit)

    def conversion_factor(self, unit: str | None, indicator: Indicator) -> float | None:
        """Factor to the indicator's canonical unit; 1 when no unit is given; None when impossible."""
        if unit is None or compact(unit) == "":
            return 1.0
        try:
            return self.reference.unit_table.factor(unit, indicator.canonical_unit)
        except (UnknownUnitError, IncompatibleUnitsError):
            return None
