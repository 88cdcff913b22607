"""The synthetic province's regions and departments: one province, 14 cities, 100+ counties.

Codes follow GB/T 2260 (province XX0000, city XXYY00, county XXYYZZ: a district 02, counties from 21) under
a province code no real province has (99), and every name is made up (甲市, 甲一县), so that nothing of
the synthetic deployment can be taken for a real government's figures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

PROVINCE_CODE = "990000"
PROVINCE_NAME = "样例省"
PROVINCE_SLUG = "yangli"
# the ten heavenly stems, then four earthly branches: 14 cities
CITY_STEMS = (
    ("甲", "jia"),
    ("乙", "yi"),
    ("丙", "bing"),
    ("丁", "ding"),
    ("戊", "wu"),
    ("己", "ji"),
    ("庚", "geng"),
    ("辛", "xin"),
    ("壬", "ren"),
    ("癸", "gui"),
    ("子", "zi"),
    ("丑", "chou"),
    ("寅", "yin"),
    ("卯", "mao"),
)
COUNTY_NUMERALS = "一二三四五六七八九"
COUNTIES_PER_CITY = (7, 9)  # besides the city's district: 14 × 8 ≥ 112 county-level regions

# (id suffix, name after the government's, short forms the plan texts use)
PROVINCE_DEPARTMENTS = (
    ("agriculture_rural_department", "农业农村厅", ("省农业农村厅",)),
    ("statistics_bureau", "统计局", ("省统计局",)),
    ("development_reform_commission", "发展和改革委员会", ("省发展改革委", "省发改委")),
    ("industry_it_department", "工业和信息化厅", ("省工业和信息化厅", "省工信厅")),
    ("commerce_department", "商务厅", ("省商务厅",)),
)
CITY_DEPARTMENTS = (
    ("agriculture_rural_bureau", "农业农村局", ("市农业农村局",)),
    ("statistics_bureau", "统计局", ("市统计局",)),
    ("development_reform_commission", "发展和改革委员会", ("市发展改革委", "市发改委")),
)
COUNTY_DEPARTMENTS = (
    ("agriculture_rural_bureau", "农业农村局", ("县农业农村局",)),
    ("statistics_bureau", "统计局", ("县统计局",)),
)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    slug: str  # ids of its plans and departments
    level: str
    parent_code: str | None
    aliases: tuple[str, ...] = ()

    def as_entry(self) -> dict[str, object]:
        entry: dict[str, object] = {"code": self.code, "name": self.name, "level": self.level}
        if self.parent_code:
            entry["parent_code"] = self.parent_code
        if self.aliases:
            entry["aliases"] = list(self.aliases)
        return entry


@dataclass(frozen=True)
class Department:
    department_id: str
    name: str
    region: str
    aliases: tuple[str, ...]

    def as_entry(self) -> dict[str, object]:
        return {
            "department_id": self.department_id,
            "name": self.name,
            "region": self.region,
            "aliases": list(self.aliases),
        }


@dataclass
class City:
    place: Place
    counties: list[Place] = field(default_factory=list)


@dataclass
class Province:
    place: Place
    cities: list[City]
    departments: list[Department] = field(default_factory=list)

    @property
    def counties(self) -> list[Place]:
        return [county for city in self.cities for county in city.counties]

    def department(self, place: Place, suffix: str) -> Department:
        wanted = f"{place.slug}.{suffix}"
        return next(item for item in self.departments if item.department_id == wanted)

    def add_departments(self, place: Place, kinds: tuple[tuple[str, str, tuple[str, ...]], ...]) -> None:
        for suffix, name, aliases in kinds:
            self.departments.append(Department(f"{place.slug}.{suffix}", place.name + name, place.code, aliases))


def build_province(rng: random.Random) -> Province:
    """The province, its cities and counties (how many counties each city has is drawn), with departments
    for the province and every city; county departments are added for the counties that issue plans."""
    province = Province(Place(PROVINCE_CODE, PROVINCE_NAME, PROVINCE_SLUG, "province", None), [])
    province.add_departments(province.place, PROVINCE_DEPARTMENTS)
    for number, (stem, slug) in enumerate(CITY_STEMS, start=1):
        city_code = f"{PROVINCE_CODE[:2]}{number:02d}00"
        name = f"{stem}市"
        city = City(Place(city_code, name, slug, "city", PROVINCE_CODE, (f"{PROVINCE_NAME}{name}",)))
        district = f"{stem}城区"
        city.counties.append(
            Place(f"{city_code[:4]}02", district, f"{slug}0", "county", city_code, (f"{name}{district}",))
        )
        for index in range(rng.randint(*COUNTIES_PER_CITY)):
            county = f"{stem}{COUNTY_NUMERALS[index]}县"
            city.counties.append(
                Place(
                    f"{city_code[:4]}{21 + index}",
                    county,
                    f"{slug}{index + 1}",
                    "county",
                    city_code,
                    (f"{name}{county}",),
                )
            )
        province.cities.append(city)
        province.add_departments(city.place, CITY_DEPARTMENTS)
    return province
