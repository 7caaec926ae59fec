"""Where per-document work runs: in this process, or on a Dask cluster (DESIGN.md §6).

Both engines take the same picklable task (a callable from one item to one result that
never raises for a bad item: failures are results too) and yield `(index, result)`
pairs as they finish. The caller puts them in order and writes them: workers compute,
the driver stores, so a killed worker loses nothing that was stored.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from sanitizer.errors import SanitizerError

T = TypeVar("T")
R = TypeVar("R")
ENGINES = ("local", "dask")
#: Documents per Dask partition: big enough to amortise scheduling, small enough
#: that a lost worker costs little to redo.
PARTITION_SIZE = 16
TASK_RETRIES = 3


class EngineError(SanitizerError):
    """The engine can't start: Dask missing, a scheduler that can't be reached."""


class Engine(Protocol):
    def run(self, task: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]: ...

    def close(self) -> None: ...


class LocalEngine:
    """Runs the task in this process, one item after another."""

    def run(self, task: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        for index, item in enumerate(items):
            yield index, task(item)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskEngine:
    """Runs the task over `dask.bag` partitions on a cluster.

    With `scheduler` (an address such as `tcp://10.0.0.5:8786`) it joins that cluster;
    without, it starts a LocalCluster of `workers` processes. A partition whose worker
    dies is computed again elsewhere (up to TASK_RETRIES times).
    """

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None,
                 partition_size: int = PARTITION_SIZE) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:
            raise EngineError("--engine dask needs Dask: pip install "
                              "'repost-sanitizer[dask]'") from err
        self.partition_size = partition_size
        self._cluster: Any = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="20s")
            else:
                self._cluster = LocalCluster(n_workers=workers or min(4, os.cpu_count() or 1),
                                             threads_per_worker=1, processes=True,
                                             dashboard_address=":0")
                self.client = Client(self._cluster)
        except (OSError, TimeoutError) as err:
            raise EngineError(f"can't reach the Dask scheduler {scheduler}: {err}") from err

    def run(self, task: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        import dask.bag as db
        from distributed import as_completed

        if not items:
            return
        bag = db.from_sequence(list(enumerate(items)), partition_size=self.partition_size)
        parts = bag.map_partitions(run_partition, task).to_delayed()
        futures = self.client.compute(parts, retries=TASK_RETRIES)
        for future in as_completed(futures):
            yield from future.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_partition(pairs: Sequence[tuple[int, T]], task: Callable[[T], R]) -> list[tuple[int, R]]:
    """One partition on a worker: the task on each item, keeping its index."""
    return [(index, task(item)) for index, item in pairs]


def make_engine(name: str, *, scheduler: str | None = None,
                workers: int | None = None) -> LocalEngine | DaskEngine:
    """The engine called `name` ("local" or "dask")."""
    if name == "dask":
        return DaskEngine(scheduler=scheduler, workers=workers)
    if name == "local":
        if scheduler:
            raise EngineError("--scheduler goes with --engine dask")
        return LocalEngine()
    raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
