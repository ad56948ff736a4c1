"""A large run's validation imports Great Expectations in the run's last seconds (issue 21): not for the
whole run beside the workers (memory), not after it (3-4 s of waiting). Real runs of real decisions, a real
validation child."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SEED, run_cli
from vanban import batch, pool
from vanban.batch import Settings, run
from vanban.cli import EARLY_VALIDATOR_MAX
from vanban.outputs.background import BackgroundValidator

N = EARLY_VALIDATOR_MAX + 5  # a "large" run: its validator waits


def _inbox(folder: Path, n: int = N) -> Path:
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"qd_{i:03d}.txt").write_text(text.replace("3248", str(4000 + i)), encoding="utf-8")
    return folder


def _run(inbox: Path, out: Path, validator: BackgroundValidator, monkeypatch):
    """The run, and for each call of near_end how many documents had ended by then."""
    calls: list[int] = []
    ended = [0]
    real = batch.run_pool

    def counted(todo, settings, jobs, near_end=None):
        for s in real(todo, settings, jobs, near_end):
            ended[0] += 1
            yield s

    def near_end() -> None:
        calls.append(ended[0])
        validator.warm()

    monkeypatch.setattr(batch, "run_pool", counted)
    summary = run([str(inbox)], Settings(out=out, jobs=2), near_end=near_end)
    return summary, calls


def test_the_validation_warms_up_near_the_end_and_validates_the_tables(tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "RUN_MEMORY_MB", 10**6)  # this test process is large: only the timing is tested
    # the seed's estimate is about 70 ms: 0.1 s of two cores is the last three documents of the run
    monkeypatch.setattr(pool, "NEAR_END_S", 0.1)
    validator = BackgroundValidator(wait=True)
    summary, calls = _run(_inbox(tmp_path / "in"), tmp_path / "out", validator, monkeypatch)
    assert summary.processed == N and summary.failed == 0
    assert len(calls) == 1 and N - 10 <= calls[0] < N  # once, with the last documents still in hand
    assert validator.warmed_at is not None
    validator.begin(tmp_path / "out")
    verdict = validator.result()
    assert verdict.success and verdict.expectations >= 30


def test_no_warming_without_room_in_memory_and_the_validation_still_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "RUN_MEMORY_MB", 1)  # never room
    validator = BackgroundValidator(wait=True)
    summary, calls = _run(_inbox(tmp_path / "in"), tmp_path / "out", validator, monkeypatch)
    assert summary.processed == N and calls == [] and validator.warmed_at is None
    validator.begin(tmp_path / "out")  # the child imports then, as before
    assert validator.result().success


def test_a_worker_holding_much_is_renewed_near_the_end_and_no_row_is_lost(tmp_path, monkeypatch):
    """While the warm-up waits for room, a free worker over RENEW_MB is replaced by a fresh one (or ended when
    nothing is left): every document is still processed once and the tables hold them all."""
    monkeypatch.setattr(pool, "RENEW_MB", 0)  # every free worker near the end is renewed
    monkeypatch.setattr(pool, "RUN_MEMORY_MB", 1)  # and the warm-up never fires, so renewing goes on to the end
    validator = BackgroundValidator(wait=True)
    summary, _ = _run(_inbox(tmp_path / "in"), tmp_path / "out", validator, monkeypatch)
    assert summary.processed == N and summary.failed == 0
    rows = (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == N + 1
    validator.begin(tmp_path / "out")
    assert validator.result().success


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux's smaps_rollup")
def test_the_memory_read_is_this_process(tmp_path):
    mb = pool.pss_mb([os.getpid()])
    assert mb is not None and 10 < mb < 4000
    assert pool.pss_mb([2**22 + 12345]) is None  # no such process: unknown, not zero


def test_a_large_run_from_the_command_line_into_a_folder_named_like_the_message(tmp_path):
    """`vanban run` over more than EARLY_VALIDATOR_MAX files validates as a small run does; an output folder
    named "warm" is a folder, not the message that warms the child up."""
    inbox = _inbox(tmp_path / "in")
    out = tmp_path / "warm"
    proc = run_cli("run", str(inbox), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "expectations met" in proc.stderr
    assert (out / "validation" / "results.json").exists()
