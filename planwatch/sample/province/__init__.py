"""A synthetic provincial deployment for `planwatch sample --scale province`: one made-up province's registry.

`write_province_registry` writes, deterministically from the seed, a registry in the format of `plans/`
(plan files, plan texts, reference regions, departments, indicators and units, decisions) for one
province (code 990000, which no real province has) with 14 cities and over 100 counties, 40-odd
departments and a dozen plans at province, city and county level for 2021–2025. Its indicators and
units are copied from the launch catalogue, never invented. The sample generator then writes what
the departments of those plans would have sent, as for the launch plans.
"""

from planwatch.sample.province.registry import ProvinceRegistry, write_province_registry

__all__ = ["ProvinceRegistry", "write_province_registry"]
