"""The few git reads the review needs: resolve a revision, list and read spec files at it."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from generator.load import SPEC_SUFFIXES


class GitError(Exception):
    """A git command failed; the message is git's own first line of complaint."""


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise GitError(lines[0] if lines else f"git {args[0]} failed with status {done.returncode}")
    return done.stdout


def toplevel(cwd: Path) -> Path:
    return Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())


def resolve_base(base: str | None, top: Path) -> tuple[str, str]:
    """(label, commit): the named revision, or the merge-base of HEAD and main, else HEAD."""
    if base is None:
        try:
            commit = _git(["merge-base", "HEAD", "main"], top).strip()
            return "merge-base with main", commit
        except GitError:
            base = "HEAD"
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], top).strip()
    except GitError:
        raise GitError(f"unknown revision {base!r}") from None
    return base, commit


def spec_paths_at(commit: str, specs_rel: PurePosixPath, top: Path) -> list[PurePosixPath]:
    out = _git(["ls-tree", "--name-only", "-z", commit, "--", f"{specs_rel}/"], top)
    paths = [PurePosixPath(p) for p in out.split("\0") if p]
    return sorted(p for p in paths if p.suffix in SPEC_SUFFIXES and p.parent == specs_rel)


def read_at(commit: str, path: PurePosixPath, top: Path) -> str:
    return _git(["show", f"{commit}:{path}"], top)


def list_files_at(commit: str, folder: PurePosixPath, top: Path) -> list[PurePosixPath]:
    out = _git(["ls-tree", "-r", "--name-only", "-z", commit, "--", f"{folder}/"], top)
    return [PurePosixPath(p) for p in out.split("\0") if p]


def read_many_at(commit: str, paths: list[PurePosixPath], top: Path) -> dict[PurePosixPath, str]:
    """Several files of one revision through a single `git cat-file --batch`."""
    if not paths:
        return {}
    request = "".join(f"{commit}:{p}\n" for p in paths).encode()
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"], cwd=top, input=request, capture_output=True, check=False
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode(errors="replace").strip() or "git cat-file failed")
    found: dict[PurePosixPath, str] = {}
    data, pos = done.stdout, 0
    for path in paths:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # "<name> missing"
        size = int(header[2])
        found[path] = data[pos : pos + size].decode("utf-8", errors="replace")
        pos += size + 1
    return found
