"""The sample site, byte for byte: a change in output must be a reviewed change of tests/golden/."""

import difflib

from tests.golden_tool import GOLDEN, build_sample, tree


def test_sample_site_matches_the_golden_copy(tmp_path):
    outcome, site = build_sample(tmp_path)
    assert outcome.report.ok, [str(p) for p in outcome.report.errors]
    built, golden = tree(site), tree(GOLDEN)
    assert golden, "tests/golden/ is empty: run `make golden`"
    assert sorted(built) == sorted(golden), "pages added or removed: run `make golden` and review the diff"
    for name in built:
        if built[name] != golden[name]:
            diff = "\n".join(difflib.unified_diff(golden[name].decode(errors="replace").splitlines(),
                                                  built[name].decode(errors="replace").splitlines(),
                                                  f"golden/{name}", f"built/{name}", lineterm="", n=2))
            raise AssertionError(f"{name} differs from tests/golden (run `make golden` if intended):\n{diff[:4000]}")


def test_sample_site_builds_without_warnings_other_than_undated(tmp_path):
    outcome, _ = build_sample(tmp_path)
    unexpected = [str(p) for p in outcome.report.warnings if "undated" not in p.message]
    assert unexpected == []
