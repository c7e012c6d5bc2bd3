"""`make bench`: build synthetic digests of N articles and print how long each kind of build takes.

Each measurement is a whole `build.py build` process (start-up included), timed for wall time,
CPU time (user + system, all its processes) and peak memory (largest resident set of the process
or any worker). Rows: cold build (no cache, no site), rebuild with no change, after editing one
article's body, after editing one article's title and tags, after editing one layout, the
preview showing a body edit (bench/preview.py, in a process of its own), and the search indexing step
alone. Environment: SIZES (default "1000 5000"), BIG=1 adds 20000,
PEERS=1 adds Hugo and Pelican (bench/peers.py) and the issue's reference floor (bench/floor.py), OUT=file for the Markdown report,
BENCH_SETTLE=seconds to wait before each cold build (default 61, see SETTLE_SECONDS),
REPEAT=k to measure every cold build k times and show the median run.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import generate

REPO = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/digest-bench"))
PYTHON = sys.executable
# ext4 without a journal (this machine's /tmp) skips, when it hands out an inode, every inode
# deleted in the last 60 s (6 min while its table block is unwritten): right after the bench's own
# deletions (a corpus, a peer's output, pages a rebuild replaced), each file and folder a cold
# build creates cost a scan, 10–40 % of the build by what was deleted just before. So every cold
# build (ours and the peers') starts after a sync and a minute without deletions.
SETTLE_SECONDS = float(os.environ.get("BENCH_SETTLE", "61"))
# This virtual machine's speed drifts by 10–25 % within the hour: with REPEAT=k every cold build
# (ours, the floor's, the peers') is measured k times and its row shows the median run.
REPEAT = max(1, int(os.environ.get("REPEAT", "1")))


def measure(command: list[str], cwd: Path | None = None) -> dict:
    """Run a command; wall seconds, CPU seconds of it and its children, peak RSS in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def measure_cold(command: list[str], reset, cwd: Path | None = None, at_least: float = 0.0) -> dict:
    """A cold build measured REPEAT times, each after reset() and a settle: the median run by
    wall time, with the fastest and slowest wall times when there are several."""
    runs = []
    for _ in range(REPEAT):
        reset()
        settle(at_least)
        runs.append(measure(command, cwd))
    return median_run(runs)


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time (the slower middle one of an even count), with the range."""
    ordered = sorted(runs, key=lambda run: run["wall"])
    middle = dict(ordered[len(ordered) // 2])
    if len(ordered) > 1:
        middle["range"] = (ordered[0]["wall"], ordered[-1]["wall"])
    return middle


def settle(at_least: float = 0.0) -> None:
    """Let the file system forget the bench's deletions before a cold build (see SETTLE_SECONDS)."""
    os.sync()
    time.sleep(max(SETTLE_SECONDS, at_least))


def our_build(root: Path, search: bool = False) -> list[str]:
    return [PYTHON, str(REPO / "build.py"), "--root", str(root), "build"] + ([] if search else ["--no-search"])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if old not in text:
        raise SystemExit(f"bench edit: {old!r} not in {path}")
    path.write_text(text.replace(old, new, 1))


def bench_size(n: int) -> list[tuple[str, dict]]:
    """All rows for one corpus size."""
    root = WORK / f"digest-{n}"
    generate(n, root)
    # Inputs changed less than a second before a build are never trusted by the up-to-date
    # check (digest/uptodate.py: timestamps are coarse); an editor's files are older than that.
    rows = [("cold build", measure_cold(our_build(root), lambda: _clear(root, ("site", ".digest-cache", ".site.spare")),
                                        at_least=1.1))]
    rows.append(("no-change rebuild", measure(our_build(root))))
    article = root / "content" / "articles" / f"article-{n // 2}.md"
    edit(article, "\n\n", "\n\nAn edited sentence for the benchmark.\n\n")
    rows.append(("one article's body edited", measure(our_build(root))))
    edit(article, "title: Article number", "title: Retitled article number")
    edit(article, "tags: [", 'tags: ["bench edit", ')
    rows.append(("one article's title and tags edited", measure(our_build(root))))
    edit(root / "layouts" / "partials" / "meta.html", "Date unknown", "Date not known")
    rows.append(("one layout edited", measure(our_build(root))))
    rows.append(("preview: body edit saved → page reloaded (median)", preview_row(root, article, f"/articles/article-{n // 2}/")))
    rows.append(("search index (Pagefind) alone", measure(_pagefind_command(root))))
    return rows


def preview_row(root: Path, article: Path, page: str) -> dict:
    """bench/preview.py's row, measured in a process of its own (see there why)."""
    done = subprocess.run([PYTHON, "-m", "bench.preview", str(root), str(article), page], cwd=REPO,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: the preview row failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def _pagefind_command(root: Path) -> list[str]:
    import pagefind_bin

    return [str(pagefind_bin.get_executable()), "--site", str(root / "site"), "--output-subdir", "pagefind", "--silent"]


def floor_rows(n: int) -> list[tuple[str, dict]]:
    """The issue's reference floor (bench/floor.py) on the same articles, on one core and on two."""
    corpus, rows = WORK / f"digest-{n}", []
    for workers in (1, 2):
        out = WORK / f"floor-{n}-{workers}"
        command = [PYTHON, "-m", "bench.floor", str(corpus), str(out), "--workers", str(workers)]
        rows.append((f"reference floor, {workers} core{'s' if workers > 1 else ''}",
                     measure_cold(command, lambda: shutil.rmtree(out, ignore_errors=True), cwd=REPO)))
    return rows


def _clear(root: Path, names: tuple[str, ...]) -> None:
    """Remove what a build left under root, so that the next one is cold."""
    for name in names:
        shutil.rmtree(root / name, ignore_errors=True)


def peer_rows(n: int) -> list[tuple[str, dict]]:
    """Hugo and Pelican building the same articles, each cold, in the same run."""
    from bench import peers

    bin_dir = peers.ensure_peer_env(WORK / "peers-venv")
    corpus = WORK / f"digest-{n}"
    rows = []
    for name, prepare in (("hugo", peers.prepare_hugo), ("pelican", peers.prepare_pelican)):
        project = prepare(corpus, WORK / f"{name}-{n}")
        rows.append((f"{name} cold build", measure_cold(peers.peer_command(name, project, bin_dir),
                                                        lambda: peers.peer_reset(name, project), cwd=project)))
    return rows


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def table(n: int, rows: list[tuple[str, dict]]) -> list[str]:
    cold = rows[0][1]["wall"]
    lines = [f"### N = {n:,}", "", "| build | wall s | CPU s | peak MiB | % of our cold |", "|---|---:|---:|---:|---:|"]
    for name, m in rows:
        cpu = "–" if m["cpu"] is None else f"{m['cpu']:.2f}"  # the preview row: in this process
        rss = "–" if m["rss"] is None else f"{m['rss']:.0f}"
        lines.append(f"| {name} | {m['wall']:.2f} | {cpu} | {rss} | {100 * m['wall'] / cold:.0f} % |")
    for name, m in rows:
        if "worst" in m:
            lines.append(f"\nThe preview showed a body edit in {m['wall']:.2f} s (median), {m['worst']:.2f} s at worst "
                         f"(target: within 0.5 s).")
    peers = [(name, m) for name, m in rows if name.endswith("cold build") and name != "cold build"]
    for name, m in peers:
        lines.append(f"\nOur cold build takes {cold / m['wall']:.2f} × the time of {name.split()[0]} "
                     f"(memory {rows[0][1]['rss']:.0f} vs {m['rss']:.0f} MiB).")
    spread = [f"{name} {m['range'][0]:.2f}–{m['range'][1]:.2f} s" for name, m in rows if "range" in m]
    if spread:
        lines.append(f"\nCold builds are the median of {REPEAT} runs each; fastest to slowest: {'; '.join(spread)}.")
    floors = [(name.split(", ")[1], m["wall"]) for name, m in rows if name.startswith("reference floor")]
    if floors:
        each = " and ".join(f"{wall:.2f} s on {cores}" for cores, wall in floors)
        lines.append(f"\nThe reference floor (bench/floor.py: read, front matter, markdown-it-py, one small template, "
                     f"write; article pages only) takes {each}: our cold build takes "
                     f"{cold / min(wall for _, wall in floors):.2f} × the faster.")
    return lines + [""]


def compile_generator() -> str:
    """Compile the generator's bytecode before measuring, as installing a package does (pip
    compiles Pelican's, Hugo is a binary): where PYTHONDONTWRITEBYTECODE is set, as on this
    machine, every build process would compile digest/ from source again, 0.08 s of each (a
    quarter of a no-change rebuild). Says what the report should."""
    import compileall

    compileall.compile_dir(str(REPO / "digest"), quiet=1)
    return ("The generator's bytecode was compiled before the run (PYTHONDONTWRITEBYTECODE is "
            f"{'set' if os.environ.get('PYTHONDONTWRITEBYTECODE') else 'not set'} here).")


def main() -> int:
    sizes = [int(s) for s in os.environ.get("SIZES", "1000 5000").split()]
    if os.environ.get("BIG") == "1" and 20000 not in sizes:
        sizes.append(20000)
    WORK.mkdir(parents=True, exist_ok=True)
    compiled = compile_generator()
    report = ["# Benchmark results", "", f"Machine: {machine()}.", f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
              compiled, ""]
    colds = {}
    for n in sizes:
        rows = bench_size(n)
        if os.environ.get("PEERS") == "1":
            rows += floor_rows(n) + peer_rows(n)
        colds[n] = rows[0][1]["wall"]
        lines = table(n, rows)
        print("\n".join(lines), flush=True)
        report += lines
    if 5000 in colds and 20000 in colds:
        line = f"N = 20,000 takes {colds[20000] / colds[5000]:.2f} × the time of N = 5,000 (target: at most 4.5 ×)."
        print(line)
        report += [line, ""]
    out = Path(os.environ.get("OUT", REPO / "BENCHMARKS.md"))
    out.write_text("\n".join(report) + "\n")
    print(f"wrote {out}")
    shutil.rmtree(WORK / "tmp", ignore_errors=True)
    # The corpora and their sites (gigabytes at N = 20,000) go now, not at the start of the next
    # run: ext4 is slow to hand out inodes for some minutes after mass deletions, which would
    # weigh on the next run's cold builds.
    for path in WORK.glob("*-[0-9]*"):
        shutil.rmtree(path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
