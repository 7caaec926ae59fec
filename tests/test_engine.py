"""The Dask engine on a real LocalCluster gives what the local engine gives, and a
worker that dies mid-run costs nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SAMPLE_LIST

from sanitizer.batch import CleanJob, CleanOutcome, CleanTask
from sanitizer.engine import EngineError, LocalEngine, make_engine

distributed = pytest.importorskip("distributed")

JOBS = [CleanJob(str(s.path / "source.html"), base_url=s.url) for s in SAMPLE_LIST]
JOBS.append(CleanJob("/no/such/page.html"))


@pytest.fixture(scope="module")
def dask_engine():  # type: ignore[no-untyped-def]
    engine = make_engine("dask", workers=2)
    yield engine
    engine.close()


def test_dask_gives_the_same_outcomes_as_local(dask_engine) -> None:  # type: ignore[no-untyped-def]
    task = CleanTask(fmt="json")
    local = dict(LocalEngine().run(task, JOBS))
    on_dask = dict(dask_engine.run(task, JOBS))
    assert sorted(on_dask) == list(range(len(JOBS)))
    assert on_dask == local
    assert not on_dask[len(JOBS) - 1].ok  # the missing file is a result, not a lost input


@dataclass(frozen=True)
class DieOnce:
    """Kills the worker process the first time it sees `victim` (a marker file says so)."""

    marker: str
    victim: str
    task: CleanTask

    def __call__(self, job: CleanJob) -> CleanOutcome:
        if job.source == self.victim and not os.path.exists(self.marker):
            Path(self.marker).touch()
            os._exit(1)
        return self.task(job)


def test_a_killed_worker_loses_nothing(dask_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    task = CleanTask(fmt="text")
    dying = DieOnce(str(tmp_path / "died"), JOBS[1].source, task)
    outcomes = dict(dask_engine.run(dying, JOBS))
    assert (tmp_path / "died").exists()  # a worker really died
    assert outcomes == dict(LocalEngine().run(task, JOBS))


def test_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(EngineError, match="unknown engine"):
        make_engine("spark")
    with pytest.raises(EngineError, match="--scheduler goes with --engine dask"):
        make_engine("local", scheduler="tcp://127.0.0.1:1")


def test_clean_command_on_dask_writes_what_local_writes(tmp_path: Path) -> None:
    from sanitizer.cli import main

    files = [str(s.path / "source.html") for s in SAMPLE_LIST]
    assert main(["clean", "-q", *files, "--out-dir", str(tmp_path / "local")]) == 0
    assert main(["clean", "-q", *files, "--out-dir", str(tmp_path / "dask"),
                 "--engine", "dask", "--workers", "2"]) == 0
    local = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "local").iterdir()}
    on_dask = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "dask").iterdir()}
    assert len(local) == len(files)
    assert on_dask == local
