"""The few git reads the review needs: resolve a revision, list and read spec files at it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
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


# Where CI services name the branch a pull request merges into.
CI_TARGET_VARIABLES = (
    "GITHUB_BASE_REF",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "BITBUCKET_PR_DESTINATION_BRANCH",
    "SYSTEM_PULLREQUEST_TARGETBRANCH",
    "CHANGE_TARGET",
)


def _commit(rev: str, top: Path) -> str | None:
    try:
        return _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top).strip() or None
    except GitError:
        return None


def _merge_base(rev: str, top: Path) -> str | None:
    try:
        return _git(["merge-base", "HEAD", rev], top).strip() or None
    except GitError:
        return None


def _candidates(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(variable or "", branch) in the order tried: the CI's target branch names what the change
    merges into, so it comes before the conventional main."""
    found: list[tuple[str, str]] = []
    for var in CI_TARGET_VARIABLES:
        branch = env.get(var, "").strip().removeprefix("refs/heads/")
        if branch:
            found += [(var, f"origin/{branch}"), (var, branch)]
    return found + [("", "main"), ("", "origin/main")]


def resolve_base(
    base: str | None, top: Path, env: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """(label, commit) to compare the working tree with: the named revision; else the merge-base
    of HEAD with the CI's target branch, main or origin/main, whichever is found first. Never a
    silent fallback: without any of them it fails, since comparing HEAD with itself would report
    every committed change as "unchanged"."""
    if base is not None:
        commit = _commit(base, top)
        if commit is None:
            raise GitError(f"unknown revision {base!r}")
        return base, commit
    tried: list[str] = []
    for var, rev in _candidates(os.environ if env is None else env):
        if rev in tried or _commit(rev, top) is None:
            continue
        tried.append(rev)
        commit = _merge_base(rev, top)
        if commit is not None:
            return f"merge-base with {rev}" + (f" (from {var})" if var else ""), commit
    shallow = _git(["rev-parse", "--is-shallow-repository"], top).strip() == "true"
    if tried:
        why = f"HEAD has no common ancestor with {', '.join(tried)}"
        hint = "fetch more history (git fetch --unshallow) or set BASE" if shallow else "set BASE"
    else:
        why = "no main, origin/main or CI target branch to compare with"
        hint = "fetch the target branch or set BASE (make review BASE=<revision>)"
    raise GitError(f"cannot choose a base revision: {why}; {hint}")


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
            ["git", "cat-file", "--batch"],
            cwd=top,
            input=request,
            capture_output=True,
            check=False,
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
