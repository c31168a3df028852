"""The bench's figures over the corpus (bench/__main__.py): ratios, memory, the model generator's share."""

from __future__ import annotations

from pathlib import Path

from bench.__main__ import _linked_groups, growth_row, ratios, table


def _row(tmp_path: Path, name: str, ours: float, peer: float, models: float) -> dict[str, object]:
    spec = tmp_path / name
    spec.write_text("{}" * int(ours * 10), encoding="utf-8")
    return growth_row(
        spec,
        {"seconds": ours, "ok": True, "peak_mb": 300.0, "steps": {"models": models, "rendering": ours - models}},
        {"seconds": peer, "ok": True, "peak_mb": 200.0},
    )


def test_ratios_are_median_and_worst_and_the_share_shows_over_one(tmp_path):
    rows = [_row(tmp_path, "a.json", 1.0, 2.0, 0.5), _row(tmp_path, "b.json", 6.0, 2.0, 3.0),
            _row(tmp_path, "c.json", 3.0, 2.0, 0.3)]  # fmt: skip
    assert [r["ratio"] for r in rows] == [0.5, 3.0, 1.5]
    assert [r["models_share"] for r in rows] == [None, 0.5, 0.1]  # only where we are slower
    assert ratios(rows) == {"median_ratio": 1.5, "worst_ratio": 3.0, "worst_spec": "b.json"}
    printed = table({"growth": {"rows": rows, **ratios(rows), "exponent": 1.0, "peer_exponent": 1.0,
                                "exponent_over_100kb": None, "peer_exponent_over_100kb": None,
                                "target": "close to 1"}})  # fmt: skip
    assert "median 1.50" in printed and "worst 3.00 (b.json)" in printed
    b_line = next(line for line in printed.splitlines() if line.strip().startswith("b.json"))
    assert "300.00" in b_line and "200.00" in b_line and "50%" in b_line


def test_a_spec_either_tool_failed_is_left_out_of_the_ratios(tmp_path):
    rows = [_row(tmp_path, "a.json", 1.0, 2.0, 0.5), {**_row(tmp_path, "b.json", 9.0, 1.0, 1.0), "peer_ok": False}]
    assert ratios(rows)["worst_ratio"] == 0.5


def test_linked_groups_follow_refs_either_way():
    ref = {"$ref": "#/components/schemas/B"}
    schemas = {"A": {"properties": {"b": ref}}, "B": {}, "C": {"items": {"$ref": "#/components/schemas/B"}}, "D": {}}
    assert sorted(map(sorted, _linked_groups(schemas))) == [["A", "B", "C"], ["D"]]


def test_paired_runs_take_turns_and_the_median_run_counts(tmp_path, monkeypatch):
    import bench.__main__ as bench

    calls = []
    ours_times, peer_times = iter([3.0, 1.0, 2.0]), iter([5.0, 9.0, 4.0])

    def fake(tool, times):
        def run(spec, out):
            calls.append(tool)
            assert not out.exists()  # every run starts from an empty folder
            out.mkdir(parents=True)
            return {"seconds": next(times), "ok": True, "peak_mb": 1.0, "steps": {}}

        return run

    monkeypatch.setattr(bench, "ours_spec", fake("ours", ours_times))
    monkeypatch.setattr(bench, "peer_spec", fake("peer", peer_times))
    ours, theirs = bench.paired(tmp_path / "s.json", tmp_path / "o", tmp_path / "p", 3)
    assert calls == ["ours", "peer", "peer", "ours", "ours", "peer"]  # 24 s: no fourth turn (BUDGET_SECONDS)
    assert (ours["seconds"], ours["runs"]) == (2.0, [3.0, 1.0, 2.0])
    assert (theirs["seconds"], theirs["runs"]) == (5.0, [5.0, 9.0, 4.0])
    row = growth_row(tmp_path / "s.json", ours, theirs) if (tmp_path / "s.json").write_text("{}") else None
    assert row is not None and row["ratio"] == 0.4 and row["ours_runs"] == [3.0, 1.0, 2.0]


def test_a_spec_whose_runs_are_short_runs_more_turns_up_to_the_budget(tmp_path, monkeypatch):
    import bench.__main__ as bench

    def run(seconds):
        def tool(spec, out):
            out.mkdir(parents=True)
            return {"seconds": seconds, "ok": True, "peak_mb": 1.0, "steps": {}}

        return tool

    for seconds, turns in [(1.0, bench.MAX_RUNS), (3.0, 3), (1.5, 6), (30.0, 3)]:  # 1.5 s: 6 turns of 3 s fit 20 s
        monkeypatch.setattr(bench, "ours_spec", run(seconds))
        monkeypatch.setattr(bench, "peer_spec", run(seconds))
        ours, theirs = bench.paired(tmp_path / "s.json", tmp_path / "o", tmp_path / "p", 3)
        assert len(ours["runs"]) == len(theirs["runs"]) == turns, seconds
