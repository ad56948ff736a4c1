"""The Dask engine gives the same tables as the local pool."""

from __future__ import annotations

import pytest

from test_batch import TABLES, seed_copy, tables, vanban

distributed = pytest.importorskip("distributed")


def test_dask_engine_equals_local_engine(tmp_path):
    from distributed import LocalCluster

    box = tmp_path / "in"
    for i in range(4):
        seed_copy(box / f"Quyết định {i}.txt", i)
    (box / "hỏng.txt").write_bytes(b"")
    local, cluster_out = tmp_path / "local", tmp_path / "dask"
    assert vanban("run", str(box), "-o", str(local)).returncode == 1
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        proc = vanban("run", str(box), "-o", str(cluster_out), "--engine", "dask", "--scheduler", cluster.scheduler_address)
    assert proc.returncode == 1, proc.stderr
    assert "5 new" in proc.stderr
    assert tables(cluster_out) == tables(local)
    assert sorted(p.name for p in (cluster_out / "docs").iterdir()) == sorted(p.name for p in (local / "docs").iterdir())
