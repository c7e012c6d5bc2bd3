"""The commands: parse arguments, call the pipeline, print the report. Nothing else."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import pipeline
from .problems import Report
from .schema import is_web_url

ROOT = Path(__file__).resolve().parent.parent


# What a command made, held until the process ends: build.py leaves by os._exit, so a model of
# hundreds of thousands of objects is never freed one by one for nothing.
_HELD: list = []


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status is 0 when all went well, 1 when there were errors."""
    parser = _parser()
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if not root.is_dir():
        parser.error(f"--root {args.root}: no such folder")
    if getattr(args, "base_url", None) and not is_web_url(args.base_url):
        parser.error(f"--base-url {args.base_url!r}: give an http:// or https:// address, e.g. https://example.org/digest/")
    try:
        return args.command(root, args)
    except OSError as exc:  # a full disk, a read-only folder …: say which, without a traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}; site/ and your files are as they were", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the annotated news digest.")
    parser.add_argument("--root", default=str(ROOT), help="the project folder (default: this one)")
    commands = parser.add_subparsers(title="commands", required=True)

    build = commands.add_parser("build", help="build site/ from content/ and layouts/")
    _build_options(build)
    build.set_defaults(command=cmd_build)

    check = commands.add_parser("check", help="check content and layouts without writing site/")
    _build_options(check)
    check.set_defaults(command=cmd_check)

    imp = commands.add_parser("import", help="turn raw texts in seeds/ into content files")
    imp.add_argument("seeds", nargs="*", help="seed files (default: every seed not imported yet)")
    imp.add_argument("--force", action="store_true", help="re-import into side files (*.md.new), never over the editor's")
    imp.set_defaults(command=cmd_import)

    serve = commands.add_parser("serve", help="preview the site at http://127.0.0.1:8000, rebuilt and reloaded on every save")
    _build_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="a loopback address: 127.0.0.1 (default), ::1 or localhost")
    serve.add_argument("--port", type=int, default=8000, help="the port (default: 8000; 0 picks a free one)")
    serve.set_defaults(command=cmd_serve)
    return parser


def _build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="the URL the site will live at, e.g. https://example.org/digest/")
    parser.add_argument("--drafts", action="store_true", help="include items with status: draft")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--no-search", action="store_true", help="skip building the search index")


def _overrides(args) -> dict:
    overrides = {}
    if args.base_url:
        overrides["base_url"] = args.base_url if args.base_url.endswith("/") else args.base_url + "/"
    if args.drafts:
        overrides["drafts"] = True
    if args.no_search:
        overrides["search"] = False
    return overrides


def _finish(report: Report, strict: bool) -> int:
    report.print()
    failed = not report.ok or (strict and report.warnings)
    if report.problems:
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)", file=sys.stderr)
    return 1 if failed else 0


def cmd_build(root: Path, args) -> int:
    """build: the whole pipeline, site/ replaced only on success."""
    if args.strict:
        outcome = pipeline.build(root, _overrides(args), write=False)
        if outcome.report.warnings or not outcome.report.ok:
            return _finish(outcome.report, strict=True)
    outcome = pipeline.build(root, _overrides(args))
    _HELD.append(outcome)
    status = _finish(outcome.report, args.strict)
    if outcome.current:
        print(f"site/ is up to date: no input changed since the last build ({outcome.seconds:.2f} s)")
    elif outcome.written:
        print(f"built {outcome.pages} pages in {outcome.seconds:.2f} s → site/")
    else:
        print("site/ left unchanged", file=sys.stderr)
    return status


def cmd_check(root: Path, args) -> int:
    """check: everything build does except writing."""
    outcome = pipeline.build(root, _overrides(args), write=False)
    status = _finish(outcome.report, args.strict)
    if status == 0:
        print(f"checked {outcome.pages} pages: no errors")
    return status


def cmd_import(root: Path, args) -> int:
    """import: seeds → content files, never over an existing file."""
    from .ingest import import_seeds, pending_seeds

    report = Report(root=root)
    content_dir = root / "content"
    seeds = [Path(s).absolute() for s in args.seeds] if args.seeds else pending_seeds(root / "seeds", content_dir)
    written = import_seeds(seeds, content_dir, report, force=args.force)
    for path in written:
        print(f"wrote {path.relative_to(root).as_posix()}")
    if not seeds:
        print("no new seeds to import")
    return _finish(report, strict=False)


def cmd_serve(root: Path, args) -> int:
    """serve: build, serve site/ on loopback, rebuild and reload the open page on every save."""
    from .serve import serve

    return serve(root, host=args.host, port=args.port, overrides=_overrides(args) or None)
