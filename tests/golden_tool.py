"""The golden sample site: `make golden` (python -m tests.golden_tool regenerate) rewrites tests/golden/.

The golden site is the repository's own content built with a fixed sub-path base URL, so a
change to any layout, module or sample file shows up as a reviewable diff of tests/golden/.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from digest import pipeline

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
BASE_URL = "https://example.org/digest/"
# Search indexes are binary and versioned by Pagefind itself; they are tested separately.
SKIPPED = ("pagefind/",)


def build_sample(workdir: Path) -> tuple[pipeline.Outcome, Path]:
    """Build a copy of the repository's sample project; return the outcome and its site/."""
    root = workdir / "sample"
    for name in ("content", "layouts", "seeds"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    outcome = pipeline.build(root, {"base_url": BASE_URL})
    return outcome, root / "site"


def tree(folder: Path) -> dict[str, bytes]:
    """Files under a folder by relative path, minus the skipped ones."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith(SKIPPED)}


def regenerate() -> int:
    """Rebuild tests/golden/ from the sample; review the result with `git diff tests/golden`."""
    with tempfile.TemporaryDirectory() as workdir:
        outcome, site = build_sample(Path(workdir))
        outcome.report.print()
        if not outcome.written:
            print("the sample did not build; tests/golden/ left as it was", file=sys.stderr)
            return 1
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in tree(site).items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    print(f"wrote {GOLDEN.relative_to(REPO)}/; review it with: git diff --stat tests/golden")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["regenerate"]:
        sys.exit("usage: python -m tests.golden_tool regenerate")
    sys.exit(regenerate())
