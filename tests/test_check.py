"""`make check` (tests/check.py) picks the test folders of what a change touches."""

from tests.check import QUICK, targets


def test_a_change_runs_the_tests_of_its_apps():
    assert targets(["deputies/selectors.py", "tests/projects/test_views.py", "deputies/views.py"]) == [
        "tests/deputies", "tests/projects"]


def test_a_changed_top_level_test_runs_itself_and_other_files_run_nothing_more():
    assert targets(["tests/test_check.py", "README.md", "templates/base.html", "tests/fuzz/world.py"]) == [
        "tests/test_check.py"]
    assert targets([]) == []


def test_the_quick_tier_leaves_out_the_slow_kinds():
    marks = QUICK[QUICK.index("-m") + 1]
    assert all(f"not {m}" in marks for m in ("fuzz", "browser", "integration"))
    assert "--ignore=tests/demo" in QUICK
