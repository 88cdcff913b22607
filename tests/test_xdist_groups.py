"""`make test` runs `pytest -n <cores + 1> --dist loadgroup`: the tests of one xdist group run on one worker, so the
session and module fixtures they share (the briefing sample warehouse, ...) are built once, and the
longest units are handed out first.

Each case runs pytest with two xdist workers on a small project whose conftest takes its hooks from
tests/conftest.py, as this suite's does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pytest_plugins = ["pytester"]

CONFTEST = """
import json, os

import pytest

import tests.conftest
from tests.conftest import pytest_collection_modifyitems, pytest_configure  # the hooks under test

tests.conftest.LONGEST_FIRST = ("late",)


@pytest.fixture(scope="session")
def shared(tmp_path_factory):
    with open(os.environ["BUILDS"], "a") as builds:  # one line per build
        builds.write(os.environ.get("PYTEST_XDIST_WORKER", "none") + "\\n")


@pytest.fixture(autouse=True)
def record(request):
    with open(os.environ["RUNS"], "a") as runs:
        runs.write(json.dumps([os.environ.get("PYTEST_XDIST_WORKER"), request.node.nodeid]) + "\\n")
"""

GROUPED_MODULE = """
import pytest

pytestmark = pytest.mark.xdist_group("shared")


def test_one(shared):
    pass


@pytest.mark.parametrize("n", range(3))
def test_many(shared, n):
    pass
"""

GROUPED_CLASS = """
import pytest


@pytest.mark.xdist_group("shared")
class TestInAClass:
    def test_one(self, shared):
        pass

    def test_two(self, shared):
        pass


def test_alone():
    pass
"""

SHORT = """
import pytest


@pytest.mark.parametrize("n", range(12))
def test_short(n):
    pass
"""

LONG = """
import pytest

pytestmark = pytest.mark.xdist_group("late")


def test_long_one():
    pass


def test_long_two():
    pass
"""


def test_a_group_runs_on_one_worker_which_builds_its_session_fixture_once_and_the_longest_unit_goes_first(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)  # when this suite itself runs under xdist
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    monkeypatch.setenv("BUILDS", str(tmp_path / "builds.txt"))
    monkeypatch.setenv("RUNS", str(tmp_path / "runs.jsonl"))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_a_grouped=GROUPED_MODULE, test_b_class=GROUPED_CLASS, test_c_short=SHORT, test_z_long=LONG)
    result = pytester.runpytest_subprocess("-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=21)
    runs = [json.loads(line) for line in (tmp_path / "runs.jsonl").read_text().splitlines()]

    grouped = [(worker, nodeid) for worker, nodeid in runs if nodeid.endswith("@shared")]
    # a module mark, a parametrised test and a class mark all put their tests in the group
    assert len(grouped) == 6, runs
    assert len({worker for worker, _ in grouped}) == 1, grouped
    assert len((tmp_path / "builds.txt").read_text().split()) == 1
    # the tests outside the groups are spread over both workers
    assert len({worker for worker, nodeid in runs if "@" not in nodeid}) == 2, runs
    # the unit named in LONGEST_FIRST starts first, though it was collected last and holds fewer tests
    first_on_each_worker = {worker: nodeid for worker, nodeid in reversed(runs)}
    assert any(nodeid.endswith("@late") for nodeid in first_on_each_worker.values()), runs
