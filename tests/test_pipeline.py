"""The generator end to end: determinism, atomicity, clear errors, the no-op cache, `check`,
hand-written files, and warnings versus errors."""

from __future__ import annotations

import gc
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator import workers
from generator.corpus import count_operations
from generator.pipeline import render_spec
from tests.conftest import FIXTURES, ROOT, run_specgen, tree_digest

PETSTORE = FIXTURES / "petstore.yaml"


def test_render_is_deterministic() -> None:
    first = render_spec(PETSTORE, strict=False)
    second = render_spec(PETSTORE, strict=False)
    assert first.ok, [d.format() for d in first.diagnostics]
    assert first.files == second.files


def test_render_leaves_the_garbage_collector_as_it_found_it() -> None:
    # render_spec freezes the long-lived objects while it renders and formats; it must thaw them
    # (else they would never be collected), and leave a caller's own frozen objects frozen.
    assert render_spec(PETSTORE, strict=False).ok
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert render_spec(PETSTORE, strict=False).ok
        assert 0 < gc.get_freeze_count() <= frozen and gc.isenabled()  # (some frozen ones died)
    finally:
        gc.unfreeze()


def test_generate_twice_gives_byte_identical_trees(tmp_path: Path) -> None:
    for out in ("a", "b"):
        result = run_specgen("generate", str(PETSTORE), "--out", str(tmp_path / out), "--force")
        assert result.returncode == 0, result.stderr
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_second_generate_is_a_no_op_and_a_change_rebuilds(tmp_path: Path) -> None:
    spec = tmp_path / "petstore.yaml"
    shutil.copy(PETSTORE, spec)
    out = tmp_path / "out"
    assert run_specgen("generate", str(spec), "--out", str(out)).returncode == 0
    again = run_specgen("generate", str(spec), "--out", str(out))
    assert "0 generated, 1 up to date" in again.stdout
    spec.write_text(spec.read_text().replace("List pets", "List all pets"))
    changed = run_specgen("generate", str(spec), "--out", str(out))
    assert "1 generated, 0 up to date" in changed.stdout
    assert "List all pets" in (out / "petstore/petstore_client/resources/pets.py").read_text()


BROKEN = {
    "unreadable": ("openapi: 3.1.0\ninfo: {title: x\n", "invalid YAML"),
    "dangling-ref": (
        (
            "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
            "        '200':\n          description: ok\n          content:\n            application/json:\n"
            "              schema: {$ref: '#/components/schemas/Missing'}\n"
        ),
        "#/paths/~1a/get/responses/200/content/application~1json/schema",
    ),
    "duplicate-operation-id": (
        (
            "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: same\n"
            "      responses: {'200': {description: ok}}\n  /b:\n    get:\n      operationId: same\n"
            "      responses: {'200': {description: ok}}\n"
        ),
        "operationId",
    ),
    "circular-ref": (
        (
            "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
            "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"
        ),
        "#/components/schemas/",
    ),
    "external-ref": (
        (
            "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
            "        '200': {$ref: 'other.yaml#/responses/ok'}\n"
        ),
        "#/paths/~1a/get/responses/200",
    ),
}


# Outside specs/ these are degraded, not fatal (tests/test_degraded.py); --strict holds the spec to
# the curated bar, where they are errors.
STRICT_ONLY = {"dangling-ref", "external-ref"}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_spec_gives_one_clear_line_and_leaves_output_untouched(tmp_path: Path, case: str) -> None:
    text, expected = BROKEN[case]
    strict = ["--strict"] if case in STRICT_ONLY else []
    out = tmp_path / "out"
    assert run_specgen("generate", str(PETSTORE), "--out", str(out)).returncode == 0
    before = tree_digest(out)
    spec = tmp_path / f"{case.replace('-', '_')}.yaml"
    spec.write_text(text)
    result = run_specgen("generate", str(PETSTORE), str(spec), "--out", str(out), "--force", *strict)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith(str(spec.name)) or str(spec) in line]
    assert problem_lines, result.stderr
    assert any(expected in line for line in problem_lines), result.stderr
    first = problem_lines[0]
    assert first.split(":")[1].strip().isdigit() or "#" in first  # file:LINE: #/pointer or file: #/pointer
    assert tree_digest(out) == before  # the good spec was not written either


def test_unreadable_yaml_reports_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("openapi: 3.1.0\ninfo:\n  title: [unclosed\npaths: {}\n")
    result = run_specgen("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 2  # the diagnostic, and "generation failed ... unchanged"
    assert f"{spec}:" in result.stderr or "bad.yaml:" in result.stderr
    assert ": #: error: invalid YAML" in result.stderr
    assert not (tmp_path / "out" / "bad").exists()


def test_yaml_keeps_dates_as_strings_and_json_needs_no_yaml(tmp_path: Path) -> None:
    import subprocess
    import sys

    from generator.load import load

    spec = tmp_path / "dated.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: 2021-01-28}\npaths: {}\n")
    doc = load(spec)
    assert doc.data["info"]["version"] == "2021-01-28" and doc.line_of("#/info/version") == 2
    probe = (
        "import sys; from pathlib import Path; from generator.load import load; "
        f"load(Path({str(tmp_path / 'plain.json')!r})); print('yaml' in sys.modules)"
    )
    (tmp_path / "plain.json").write_text('{"openapi": "3.1.0", "paths": {}}')
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"  # a no-op or a JSON spec does not pay for PyYAML's import


def test_generate_repairs_whatever_check_flags(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_specgen("generate", str(PETSTORE), "--out", str(out)).returncode == 0
    assert run_specgen("check", str(PETSTORE), "--out", str(out)).returncode == 0
    models = out / "petstore/petstore_client/models/__init__.py"
    generated = models.read_text()
    pets = out / "petstore/petstore_client/resources/pets.py"
    models.write_text(generated + "\n# edited by hand\n")
    pets.unlink()
    check = run_specgen("check", str(PETSTORE), "--out", str(out))
    assert check.returncode == 1
    assert f"{models}\n" in check.stderr and f"{pets} (missing)" in check.stderr
    repair = run_specgen("generate", str(PETSTORE), "--out", str(out))  # no --force: the cache sees the edit
    assert "1 generated, 0 up to date" in repair.stdout, repair.stdout + repair.stderr
    assert models.read_text() == generated and pets.is_file()
    assert run_specgen("check", str(PETSTORE), "--out", str(out)).returncode == 0


def test_build_leftovers_are_ignored_by_check_and_generate(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_specgen("generate", str(PETSTORE), "--out", str(out)).returncode == 0
    package = out / "petstore"
    # What `pip install ./out/petstore`, pytest, mypy and ruff leave behind.
    for leftover in (
        "build/lib/petstore_client/models.py", "build/bdist.linux-x86_64/x", "petstore_client.egg-info/PKG-INFO",
        "dist/petstore_client-0.0.0.tar.gz", "petstore_client/__pycache__/models.cpython-311.pyc",
        ".pytest_cache/v/cache/nodeids", ".mypy_cache/3.11/x.json", ".ruff_cache/0.17.5/x",
        "tests/__pycache__/conftest.cpython-311.pyc",
    ):
        (package / leftover).parent.mkdir(parents=True, exist_ok=True)
        (package / leftover).write_text("x")
    check = run_specgen("check", str(PETSTORE), "--out", str(out))
    assert check.returncode == 0 and check.stderr == "", check.stderr
    again = run_specgen("generate", str(PETSTORE), "--out", str(out))
    assert "0 generated, 1 up to date" in again.stdout and again.stderr == "", again.stderr


def test_files_a_user_adds_are_reported_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_specgen("generate", str(PETSTORE), "--out", str(out)).returncode == 0
    mine = out / "petstore/petstore_client/mine.py"
    mine.write_text("x = 1\n")
    for command in (("generate", "--force"), ("generate",), ("check",)):
        result = run_specgen(command[0], str(PETSTORE), "--out", str(out), *command[1:])
        assert result.returncode == 0, result.stderr
        assert f"{mine}: warning: not written by specgen; kept" in result.stderr, command
        assert mine.read_text() == "x = 1\n"
    cleaned = run_specgen("generate", str(PETSTORE), "--out", str(out), "--overwrite")
    assert cleaned.returncode == 0 and "1 generated" in cleaned.stdout
    assert not mine.exists()
    assert (out / "petstore/petstore_client/custom/__init__.py").is_file()


def test_a_user_file_where_specgen_now_writes_is_not_replaced(tmp_path: Path) -> None:
    spec = tmp_path / "petstore.yaml"
    spec.write_text(PETSTORE.read_text())
    out = tmp_path / "out"
    assert run_specgen("generate", str(spec), "--out", str(out)).returncode == 0
    photos = out / "petstore/petstore_client/resources/photos.py"
    photos.write_text("MINE = True\n")
    text = PETSTORE.read_text()
    photo_op = text.index("operationId: getPetPhoto")
    spec.write_text(text[:photo_op] + text[photo_op:].replace("tags: [pets]", "tags: [photos]", 1))
    refused = run_specgen("generate", str(spec), "--out", str(out))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"specgen: error: {photos} not written by specgen" in refused.stderr and "--overwrite" in refused.stderr
    assert photos.read_text() == "MINE = True\n"
    assert run_specgen("generate", str(spec), "--out", str(out), "--overwrite").returncode == 0
    assert photos.read_text().startswith("# Generated by specgen")


def test_generate_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    precious = out / "petstore" / "notes.txt"
    precious.parent.mkdir(parents=True)
    precious.write_text("mine")
    result = run_specgen("generate", str(PETSTORE), "--out", str(out))
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"specgen: error: {out / 'petstore'} exists and was not written by specgen")
    assert "--overwrite" in result.stderr
    assert precious.read_text() == "mine" and sorted(p.name for p in precious.parent.iterdir()) == ["notes.txt"]
    check = run_specgen("check", str(PETSTORE), "--out", str(out))
    assert check.returncode == 1 and "not written by specgen" in check.stderr
    assert run_specgen("generate", str(PETSTORE), "--out", str(out), "--overwrite").returncode == 0
    assert not precious.exists() and (out / "petstore" / ".specgen-hash").is_file()


def test_generate_removes_packages_whose_spec_is_gone_and_check_reports_them(tmp_path: Path) -> None:
    specs, out = tmp_path / "specs", tmp_path / "out"
    specs.mkdir()
    shutil.copy(PETSTORE, specs / "petstore.yaml")
    shutil.copy(PETSTORE, specs / "zoo.yaml")
    elsewhere = tmp_path / "elsewhere.yaml"  # named on its own: never an orphan of specs/
    shutil.copy(PETSTORE, elsewhere)
    assert run_specgen("generate", str(specs), "--out", str(out)).returncode == 0
    assert run_specgen("generate", str(elsewhere), "--out", str(out)).returncode == 0
    (out / "handmade").mkdir()  # no stamp: not specgen's to remove
    (out / "handmade" / "x.py").write_text("x = 1\n")
    (specs / "zoo.yaml").rename(specs / "zoo_v2.yaml")
    check = run_specgen("check", str(specs), "--out", str(out))
    assert check.returncode == 1
    assert f"{out / 'zoo'} (its spec is gone" in check.stderr and "elsewhere" not in check.stderr
    result = run_specgen("generate", str(specs), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"{out / 'zoo'}: removed (its spec is gone)" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["elsewhere", "handmade", "petstore", "zoo_v2"]
    assert run_specgen("check", str(specs), "--out", str(out)).returncode == 0


def test_hand_written_files_survive_regeneration(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_specgen("generate", str(PETSTORE), "--out", str(out)).returncode == 0
    custom = out / "petstore/petstore_client/custom/helpers.py"
    custom.write_text("ANSWER = 42\n")
    init = out / "petstore/petstore_client/custom/__init__.py"
    init.write_text('"""mine"""\n')
    assert run_specgen("generate", str(PETSTORE), "--out", str(out), "--force").returncode == 0
    assert custom.read_text() == "ANSWER = 42\n"
    assert init.read_text() == '"""mine"""\n'
    assert run_specgen("check", str(PETSTORE), "--out", str(out)).returncode == 0


def warning_spec(spec: Path) -> Path:
    """The petstore with one generator warning (an unsupported security scheme), written to `spec`."""
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(
        PETSTORE.read_text().replace(
            "    apiKeyHeader: {type: apiKey, in: header, name: X-API-Key}",
            "    apiKeyHeader: {type: apiKey, in: header, name: X-API-Key}\n    tls: {type: mutualTLS}",
        ).replace("  - apiKeyHeader: []", "  - apiKeyHeader: []\n  - tls: []")
    )
    return spec


def test_warning_is_reported_but_not_fatal_unless_strict(tmp_path: Path) -> None:
    spec = warning_spec(tmp_path / "tls.yaml")
    result = run_specgen("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "warning: unsupported security scheme" in result.stderr
    strict = run_specgen("generate", str(spec), "--out", str(tmp_path / "out2"), "--strict")
    assert strict.returncode == 1
    assert not (tmp_path / "out2" / "tls").exists()


def test_output_is_a_package_per_spec_stem(tmp_path: Path) -> None:
    result = run_specgen("generate", str(PETSTORE), "--out", str(tmp_path))
    assert result.returncode == 0
    package = tmp_path / "petstore"
    assert (package / "pyproject.toml").is_file()
    assert (package / "README.md").is_file()
    assert (package / "petstore_client" / "py.typed").is_file()
    text = (package / "petstore_client" / "_client.py").read_text()
    assert text.startswith("# Generated by specgen")
    assert "class PetstoreClient(SyncAPIClient)" in text and "class AsyncPetstoreClient(AsyncAPIClient)" in text


def test_unquoted_status_codes_render_like_quoted_ones(tmp_path):
    # YAML reads `200:` as an int; the spec means the same as with '200':
    quoted = PETSTORE.read_text()
    assert "'200':" in quoted
    unquoted = tmp_path / "petstore.yaml"
    unquoted.write_text(re.sub(r"'(\d{3})':", r"\1:", quoted))
    first, second = render_spec(PETSTORE, strict=False), render_spec(unquoted, strict=False)
    assert second.ok, [d.format() for d in second.diagnostics]
    assert (second.operations, second.typed_operations) == (first.operations, first.typed_operations)
    assert count_operations(yaml.safe_load(unquoted.read_text())) == count_operations(yaml.safe_load(quoted))


def test_a_model_generator_note_is_placed_at_the_schema_it_is_about(tmp_path: Path) -> None:
    from generator.load import Document
    from generator.pipeline import _model_notes

    colour = {"type": "string", "format": "colour"}
    data = {
        "paths": {"/a": {"get": {"parameters": [{"schema": {"type": "string", "format": "colour"}}]}}},
        "components": {"schemas": {"Box": {"type": "object", "properties": {"tint": colour}}, "Rest": {}}},
    }
    doc = Document(tmp_path / "x.json", "x.json", "{}", data)
    notes = ["format of 'colour' not understood for 'string'", "format of 'sepia' not understood"]
    first, unknown = _model_notes(doc, {}, notes)
    assert first.pointer == "#/components/schemas/Box/properties/tint"  # a component's use before the path's
    assert unknown.pointer == "#/components/schemas"
    del data["components"]["schemas"]["Box"]
    (only,) = _model_notes(doc, {}, notes[:1])
    assert only.pointer == "#/paths/~1a/get/parameters/0/schema"  # no component uses it
    renamed = _model_notes(doc, {"Rest": data["components"]["schemas"]["Rest"]}, ["at '#/components/schemas/SpecgenComponent__Rest/x'"])
    assert renamed[0].pointer == "#/components/schemas/Rest/x"


def test_a_regeneration_links_unchanged_files_and_writes_changed_ones(tmp_path):
    """Unchanged files are hard links to the old package's (no write, no delete of their blocks);
    a file reached through a symlink is written, never linked."""
    import os
    import shutil
    from pathlib import PurePosixPath

    from generator.pipeline import RenderResult, write_packages

    out = tmp_path / "out"
    outside = tmp_path / "elsewhere.py"
    outside.write_text("same = 1\n", encoding="utf-8")

    def result(files: dict[str, str]) -> RenderResult:
        r = RenderResult(stem="pkg", spec=tmp_path / "pkg.yaml", digest="d")
        r.files = {PurePosixPath("pkg") / k: v for k, v in files.items()}
        return r

    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "d.py").write_text("d = 1\n", encoding="utf-8")
    files = {"a.py": "a = 1\n", "b.py": "b = 1\n", "c.py": "same = 1\n", "sub/d.py": "d = 1\n"}
    write_packages(out, [result(files)])
    before = {n: os.stat(out / "pkg" / n).st_ino for n in ("a.py", "b.py")}
    (out / "pkg" / "c.py").unlink()
    (out / "pkg" / "c.py").symlink_to(outside)
    shutil.rmtree(out / "pkg" / "sub")
    (out / "pkg" / "sub").symlink_to(folder)  # a folder reached through a link: its files too
    write_packages(out, [result({**files, "b.py": "b = 2\n"})])
    d = out / "pkg" / "sub" / "d.py"
    assert not d.parent.is_symlink() and os.stat(d).st_ino != os.stat(folder / "d.py").st_ino
    assert os.stat(out / "pkg" / "a.py").st_ino == before["a.py"]  # linked in
    assert (out / "pkg" / "b.py").read_text() == "b = 2\n" and os.stat(out / "pkg" / "b.py").st_ino != before["b.py"]
    c = out / "pkg" / "c.py"
    assert not c.is_symlink() and os.stat(c).st_ino != os.stat(outside).st_ino and c.read_text() == "same = 1\n"
    assert not list(out.glob(".specgen-staging-*"))


def test_a_regeneration_keeps_hand_written_files_it_had_linked_unchanged(tmp_path):
    """custom/ files are carried over from the old package; one still holding the default text was
    already linked in, and carrying it again must not copy it onto itself."""
    from pathlib import PurePosixPath

    from generator.pipeline import RenderResult, write_packages

    out = tmp_path / "out"

    def result() -> RenderResult:
        r = RenderResult(stem="pkg", spec=tmp_path / "pkg.yaml", digest="d")
        r.files = {PurePosixPath("pkg/a.py"): "a = 1\n"}
        r.custom = {PurePosixPath("pkg/p/custom/__init__.py"): "# yours\n"}
        return r

    write_packages(out, [result()])
    (out / "pkg" / "p" / "custom" / "mine.py").write_text("mine = 1\n", encoding="utf-8")
    write_packages(out, [result()])  # the default custom file is unchanged: linked, then not copied again
    assert (out / "pkg" / "p" / "custom" / "__init__.py").read_text() == "# yours\n"
    assert (out / "pkg" / "p" / "custom" / "mine.py").read_text() == "mine = 1\n"


def test_the_first_spec_of_a_process_gets_a_warm_worker_and_a_later_one_runs_here(monkeypatch, tmp_path):
    """The first spec's models run in a worker started before loading, while this process imports
    what rendering needs; the output is the same as the models run here."""
    from generator import pipeline, workers

    spawned, preloads = [], []
    real_spawn, real_preload = workers.spawn, pipeline._preload
    monkeypatch.setattr(workers, "spawn", lambda: spawned.append(real_spawn()) or spawned[-1])
    monkeypatch.setattr(pipeline, "_preload", lambda: preloads.append(real_preload()))
    monkeypatch.setattr(workers, "jobs", lambda: 2)
    monkeypatch.setattr(workers, "_first_spec", True)
    first = render_spec(PETSTORE, strict=False, cache_dir=tmp_path / "a")
    assert len(spawned) == 1 and spawned[0].wait(timeout=30) == 0 and len(preloads) == 1
    assert workers.waiting() == 0
    second = render_spec(PETSTORE, strict=False, cache_dir=tmp_path / "b")  # cold again, but not first
    assert len(spawned) == 1 and len(preloads) == 1
    assert first.ok and first.files == second.files


def test_generate_of_one_spec_file_starts_its_worker_before_importing_the_pipeline(tmp_path):
    """`specgen generate` of one spec file starts the model worker first thing; the process then
    generates as usual and leaves no worker behind."""
    script = (
        "import sys\n"
        "from generator import cli, workers\n"
        "seen = []\n"
        "real = workers.prestart\n"
        "workers.prestart = lambda n, here: seen.append(('generator.pipeline' in sys.modules, n, here)) or real(n, here=here)\n"
        f"code = cli.main(['generate', {str(PETSTORE)!r}, '--out', {str(tmp_path / 'out')!r}])\n"
        "print(seen, code, workers.waiting())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split("\n")[-2] == "[(False, 1, True)] 0 0", done.stdout + done.stderr  # forked from it
    assert (tmp_path / "out" / "petstore").is_dir()


def test_a_large_specs_models_split_and_tests_render_in_processes_of_their_own_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from generator import ends, pipeline, render, split

    alone = render_spec(PETSTORE, strict=False)
    calls: list[str] = []
    real = ends.Call.__init__

    def call(self: ends.Call, target: str, warm: tuple[str, ...] = ()) -> None:
        calls.append(target)
        real(self, target, warm)

    monkeypatch.setattr(pipeline, "_large", lambda spec: True)
    monkeypatch.setattr(ends.Call, "__init__", call)
    monkeypatch.setattr(render, "render_package_tests", lambda *a: pytest.fail("rendered here"))
    monkeypatch.setattr(split, "split_models", lambda *a, **k: pytest.fail("split here"))
    beside = render_spec(PETSTORE, strict=False)
    assert calls == ["generator.split:split_models", "generator.render:render_package_tests"]
    assert beside.files == alone.files and any(p.name.startswith("test_") for p in beside.files)
    assert [d.message for d in beside.diagnostics] == [d.message for d in alone.diagnostics]


def test_a_failed_process_of_a_large_spec_leaves_its_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import ends, pipeline

    alone = render_spec(PETSTORE, strict=False)
    monkeypatch.setattr(pipeline, "_large", lambda spec: True)
    monkeypatch.setattr(ends.Call, "result", lambda self: self.close())  # as if it had died: None
    assert render_spec(PETSTORE, strict=False).files == alone.files


def test_the_preload_thread_starts_after_the_imports_it_could_deadlock_with(tmp_path: Path) -> None:
    import subprocess
    import sys

    spec = tmp_path / "small.yaml"
    spec.write_text("openapi: 3.1.0\n")
    probe = f"""
import sys, threading
from pathlib import Path
from generator import pipeline, workers
workers.waiting = lambda: 1  # as when a model worker was started ahead
seen = []
real = threading.Thread.start
def start(self):
    seen.append(("importlib.metadata" in sys.modules, "importlib.resources" in sys.modules))
    real(self)
threading.Thread.start = start
with pipeline._preloading(Path({str(spec)!r})):
    pass
print(seen)
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[(True, True)]" and "Traceback" not in done.stderr


def test_a_failed_preload_prints_nothing_and_raises_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import pipeline, render

    def broken() -> None:
        raise ImportError("deadlock detected by _ModuleLock")

    monkeypatch.setattr(render, "compile_templates", broken)
    pipeline._preload()  # the imports happen again where they are used


_FORKED_TESTS = """
import sys
from pathlib import Path
from generator import ends, pipeline
started = []
real = ends.Fork
class Fork(real):
    def __init__(self, *args):
        super().__init__(*args)
        started.append(self.started)
ends.Fork = Fork
forked = pipeline.render_spec(Path(sys.argv[1]), strict=False)
ends.FORK = False
here = pipeline.render_spec(Path(sys.argv[1]), strict=False)
print(started, forked.ok and forked.files == here.files, any("tests/" in str(p) for p in forked.files))
"""


@pytest.mark.skipif(not workers.FORK, reason="processes fork on Linux only")
def test_a_specs_tests_rendered_in_a_forked_child_are_those_rendered_here(tmp_path):
    env = dict(os.environ, SPECGEN_CACHE_DIR="")  # nothing read back: both render everything
    done = subprocess.run(
        [sys.executable, "-c", _FORKED_TESTS, str(PETSTORE)], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300, check=True,
    )  # fmt: skip
    assert done.stdout.split("\n")[-2] == "[True, False] True True", done.stdout + done.stderr
