"""Command line: `specgen generate|check|lint|review|corpus`.

Every failure a user can cause ends as diagnostic lines on stderr and a non-zero exit; a traceback
means a bug in specgen.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from generator import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="specgen", description=__doc__)
    parser.add_argument("--version", action="version", version=f"specgen {__version__}")
    strict = argparse.ArgumentParser(add_help=False)
    strict.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="warnings fail the build (default: on for specs in a folder that [tool.specgen] curated "
        "of the nearest pyproject.toml names, off elsewhere)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", parents=[strict], help="generate client packages from spec files or folders")
    gen.add_argument("paths", nargs="+", type=Path)
    gen.add_argument("--out", type=Path, required=True, help="output folder, one package per spec")
    gen.add_argument("--force", action="store_true", help="ignore the no-op cache and rebuild")
    gen.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an output package specgen did not write, and delete files in a package that it "
        "did not write (custom/ and tests/test_custom*.py are always kept)",
    )
    gen.add_argument(
        "--formatter",
        choices=["ruff", "black"],
        default="ruff",
        help="ruff (default: black's style, black-clean output, ~100x faster) or black itself",
    )

    chk = sub.add_parser("check", parents=[strict], help="fail when --out differs from what generate would write")
    chk.add_argument("paths", nargs="+", type=Path)
    chk.add_argument("--out", type=Path, required=True)

    lint = sub.add_parser("lint", help="validate and lint curated specs")
    lint.add_argument("paths", nargs="+", type=Path)

    rev = sub.add_parser("review", help="report spec changes against a git revision")
    rev.add_argument(
        "--base",
        default=None,
        help="git revision (default: merge-base with the CI target branch, main or origin/main)",
    )
    rev.add_argument("--format", choices=["markdown", "json", "github"], default="markdown")
    rev.add_argument("--specs", type=Path, default=Path("specs"))
    rev.add_argument(
        "--rules",
        nargs="?",
        const="-",
        default=None,
        metavar="FILE",
        help="print the rule table (or write it to FILE, e.g. docs/review-rules.md) and exit",
    )

    cor = sub.add_parser("corpus", help="generate a client for every spec of a corpus and report")
    cor.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    cor.add_argument("--json", type=Path, default=None, help="also write the report as JSON here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "generate":
            if len(args.paths) == 1 and args.paths[0].is_file():  # one spec: no pool of processes
                from generator import workers

                workers.prestart_for(args.paths[0], early=True)  # before the rest of specgen is imported
            from generator.pipeline import generate_command

            return generate_command(
                args.paths, args.out, force=args.force, strict=args.strict, overwrite=args.overwrite,
                formatter=args.formatter,
            )
        if args.command == "check":
            from generator.pipeline import check_command

            return check_command(args.paths, args.out, strict=args.strict)
        if args.command == "lint":
            from generator.lint import lint_command

            return lint_command(args.paths)
        if args.command == "review":
            from generator.review import review_command, rules_command

            if args.rules is not None:
                return rules_command(None if args.rules == "-" else Path(args.rules))
            return review_command(base=args.base, fmt=args.format, specs_dir=args.specs)
        if args.command == "corpus":
            from generator.corpus import corpus_command

            return corpus_command(args.corpus, json_out=args.json)
    except KeyboardInterrupt:
        print("specgen: interrupted", file=sys.stderr)
        return 130
    raise AssertionError(args.command)


def leave(code: int) -> NoReturn:
    """End the process with `code`, without the full garbage collection Python's shutdown runs over
    everything still alive: it took 0.2-0.5 s after even a small spec, to free memory the system
    takes back anyway. What is alive is frozen (gc.freeze) instead; atexit handlers still run and
    output is still flushed. For processes only: in a caller's process (tests) it would keep
    everything alive."""
    gc.freeze()
    raise SystemExit(code)


def run() -> NoReturn:
    """The `specgen` command."""
    leave(main())


if __name__ == "__main__":
    run()
