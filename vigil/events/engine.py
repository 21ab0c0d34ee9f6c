"""Where ingest parsing and panel building run: locally in DuckDB, or on a Dask cluster.

The Dask engine is for event histories that outgrow one machine (GDELT's runs to hundreds of
millions of rows). It runs the *same* code: each worker stages one file with the same DuckDB SQL
the local engine uses and hands back Parquet; the store merges it in one local transaction. Panels
are aggregated per partition on the workers and combined, then completed by the same function.
Dask is the optional extra ``vigil[scale]``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from vigil.errors import MissingDependencyError, UsageError
from vigil.events.model import ViolenceType
from vigil.events.panels import KEYS, LETHAL, Level, complete, measure_columns, source_filter
from vigil.events.store import EventStore

ENGINES = ("local", "dask")


def require_dask() -> ModuleType:
    """The ``dask.distributed`` module, or MissingDependencyError naming the extra."""
    try:
        importlib.import_module("dask.dataframe")
        return importlib.import_module("distributed")
    except ImportError as err:
        raise MissingDependencyError(
            "dask[distributed]", "scale", "The Dask engine (--engine dask)"
        ) from err


def check_engine(engine: str) -> None:
    """Raise UsageError unless ``engine`` is a known engine name."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")


def client_for(scheduler: str | None) -> Any:
    """A Dask client for a scheduler address, or for a new local cluster when None."""
    distributed = require_dask()
    if scheduler:
        return distributed.Client(scheduler)
    return distributed.Client(
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0")
    )


def _partition_counts(frame: pd.DataFrame, level: Level) -> pd.DataFrame:
    """Additive per-partition aggregates (counts and sums) of events; runs on a worker."""
    keys = [*KEYS[level], "month"]
    out = frame[keys].copy()
    out["events"] = 1
    fatal = pd.to_numeric(frame["fatalities_best"]).fillna(0).astype("int64")
    for kind in ViolenceType:
        hit = frame["violence_type"].eq(kind.value).fillna(False).astype("int64")
        out[f"events_{kind.value}"] = hit
        out[f"fatalities_{kind.value}"] = fatal * hit
    out["fatalities"] = fatal
    out["civilian_deaths"] = pd.to_numeric(frame["civilian_deaths"]).fillna(0).astype("int64")
    return out.groupby(keys, dropna=False).sum().reset_index()


def export_parquet(store: EventStore, sources: Sequence[str] | None) -> Path:
    """Write the panel-relevant event columns as Parquet files the Dask workers read.

    The folder sits beside the store; with a remote scheduler it must be on storage the workers
    share.
    """
    folder = store.path.parent / "events.parquet"
    columns = "iso3, admin1, month, violence_type, fatalities_best, civilian_deaths, actor1"
    with store.connect() as con:
        con.execute(
            f"COPY (SELECT {columns} FROM {source_filter(sources)}) TO '{folder}' "
            "(FORMAT parquet, PER_THREAD_OUTPUT true, OVERWRITE true)"
        )
    return folder


def dask_panel(
    store: EventStore,
    level: Level,
    sources: Sequence[str] | None,
    client: Any,
) -> pd.DataFrame:
    """The complete panel at ``level``, aggregated on the Dask cluster behind ``client``."""
    require_dask()
    import dask.dataframe as dd

    folder = export_parquet(store, sources)
    ddf = dd.read_parquet(str(folder))
    if level == "admin1":
        ddf = ddf.dropna(subset=["admin1"])
    keys = [*KEYS[level], "month"]
    sums = ddf.map_partitions(_partition_counts, level).groupby(keys, dropna=False).sum()
    lethal = {t.value for t in LETHAL}
    violent = ddf[ddf["violence_type"].isin(lethal)]
    perpetrators = violent[[*keys, "actor1"]].dropna().drop_duplicates().groupby(keys).size()
    parts = {"sums": sums, "perpetrators": perpetrators}
    if level == "country":
        units = ddf[[*keys, "admin1"]].dropna().drop_duplicates().groupby(keys).size()
        parts["admin1_units"] = units
    computed = client.compute(list(parts.values()), sync=True)
    frame = computed[0]
    for name, series in zip(list(parts)[1:], computed[1:], strict=True):
        frame = frame.join(series.rename(name), how="left")
    frame = frame.reset_index()
    return complete(frame[[*keys, *measure_columns(level)]].fillna(0), level)
