"""The search step: Pagefind indexes the staged site, so search works with no server code.

Only item pages are indexed (their `data-pagefind-body`), with filters for kind, tag, entity and
incident kind set in the layouts. The index is written inside the staging folder, so it is
swapped in together with the pages it describes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .problems import Report

TIMEOUT_SECONDS = 600


def pagefind_executable() -> Path | None:
    """The Pagefind binary shipped by the pinned pagefind_bin package, if installed."""
    try:
        import pagefind_bin
    except ImportError:
        return None
    return pagefind_bin.get_executable()


def index_site(site_dir: Path, report: Report) -> bool:
    """Build the search index under site_dir/pagefind/; report (not raise) if it fails."""
    executable = pagefind_executable()
    if executable is None:
        report.error("requirements.txt", 1, "pagefind_bin is not installed; run `make site` to set up .venv")
        return False
    command = [str(executable), "--site", str(site_dir), "--output-subdir", "pagefind", "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        report.error("site", 1, f"search indexing took longer than {TIMEOUT_SECONDS} s")
        return False
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        report.error("site", 1, "search indexing failed: " + (detail[-1] if detail else f"exit {result.returncode}"))
        return False
    return True
