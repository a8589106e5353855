"""The Dask task runner for scale-out runs (optional extra "dask": prefect-dask)."""

from __future__ import annotations

from typing import Any

from config.settings import Settings
from flows.cli.errors import UserError


def dask_task_runner(settings: Settings) -> Any:
    """A DaskTaskRunner for an existing cluster (dask_address) or a local one (dask_workers).

    Local workers are started non-daemonic so each can run its own extraction process pool
    (with the per-page kill time limit); they listen on 127.0.0.1 only.
    """
    try:
        import dask
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise UserError("Dask runs need the optional extra: pip install 'newsflow[dask]'") from None
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    dask.config.set({"distributed.worker.daemon": False})
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": settings.dask_workers,
            "threads_per_worker": 2,
            "processes": True,
            "host": "127.0.0.1",
            "dashboard_address": None,
        },
    )
