"""The benchmark's own parts: the synthetic corpus is deterministic, our build reads it without
a problem, the reference floor writes one page per article on one core as on two, and the
generator is measured with its bytecode compiled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.generate import generate
from digest.pipeline import build

REPO = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_corpus_is_deterministic_and_builds_cleanly(tmp_path):
    generate(40, tmp_path / "a")
    generate(40, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    outcome = build(tmp_path / "a", {"search": False})
    assert outcome.report.problems == [] and outcome.written
    assert len(list((tmp_path / "a" / "site" / "articles").glob("*/index.html"))) == 40


def test_the_reference_floor_writes_the_same_pages_on_one_core_and_on_two(tmp_path):
    generate(30, tmp_path / "corpus")
    for workers in (1, 2):
        subprocess.run([sys.executable, "-m", "bench.floor", str(tmp_path / "corpus"), str(tmp_path / f"out{workers}"),
                        "--workers", str(workers)], cwd=REPO, check=True)
    one, two = _files(tmp_path / "out1"), _files(tmp_path / "out2")
    assert one == two and len(one) == 30
    page = one["articles/article-7/index.html"].decode()
    assert "<title>Article number 7 about" in page and "<p>" in page


def test_a_repeated_measurement_shows_its_median_run_and_range():
    from bench.run import median_run

    runs = [{"wall": 3.0, "cpu": 5.0}, {"wall": 1.0, "cpu": 2.0}, {"wall": 2.0, "cpu": 4.0}]
    assert median_run(runs) == {"wall": 2.0, "cpu": 4.0, "range": (1.0, 3.0)}
    assert median_run([{"wall": 1.5}, {"wall": 2.5}]) == {"wall": 2.5, "range": (1.5, 2.5)}
    assert median_run([{"wall": 1.5}]) == {"wall": 1.5}


def test_the_generator_is_measured_compiled_as_an_installed_package_is():
    import importlib.util

    from bench import run

    run.compile_generator()
    for source in (run.REPO / "digest").rglob("*.py"):
        cached = Path(importlib.util.cache_from_source(str(source)))
        assert cached.is_file() and cached.stat().st_mtime >= source.stat().st_mtime, source
