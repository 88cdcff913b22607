"""Which department a plan means by the name it writes: a short name (市农业农村局, 农牧局) means the bureau
of whichever government writes it, so a city's plan never lands a duty on a county-level city's bureau
under it that goes by the same short name; a full name, or an alias naming its place, means the same
whoever writes it."""

from __future__ import annotations

from planwatch.registry.reference import load_reference

from .conftest import PLANS_DIR

JIXI, HULIN = "230300", "230381"  # 虎林市, a county-level city under 鸡西市
REFERENCE = load_reference(PLANS_DIR / "reference")


def _resolved(spelling: str, plan_region: str) -> list[str]:
    return [department.department_id for department in REFERENCE.resolve_department(spelling, plan_region)]


def test_a_short_name_in_a_city_plan_is_not_a_county_level_citys_bureau() -> None:
    hulin_bureau = _resolved("虎林市农业农村局", HULIN)
    assert len(hulin_bureau) == 1
    # 虎林's own plan: its short names are its own bureau's
    assert _resolved("市农业农村局", HULIN) == hulin_bureau == _resolved("农业农村局", HULIN)
    # a 鸡西 plan: the reference has no 鸡西 bureau of that name, so the name is unknown (to be added), not 虎林's
    assert _resolved("市农业农村局", JIXI) == []
    assert _resolved("农业农村局", JIXI) == []
    # its full name means 虎林's bureau from any plan above it
    assert _resolved("虎林市农业农村局", JIXI) == hulin_bureau


def test_an_alias_naming_its_place_means_the_same_from_the_city_plan() -> None:
    # 和林县人民政府 is an alias of 和林格尔县人民政府 (under 呼和浩特市 150100) that names its county
    [county_government] = _resolved("和林格尔县人民政府", "150100")
    assert _resolved("和林县人民政府", "150100") == [county_government]
