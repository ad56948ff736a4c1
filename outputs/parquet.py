"""Parquet copies of the tables (OUT/<table>.parquet), typed, written in row groups as rows stream in."""

from __future__ import annotations

import json
from contextlib import ExitStack
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vanban.outputs import tables as T
from vanban.outputs.definitions import TABLES as DEFINITIONS, Column
from vanban.outputs.files import atomic_path

ALL_TABLES = T.ALL_TABLES
#: the Arrow type of each column type (outputs/definitions.py); dates, date-times and evidence spans are text
#: (spans as JSON)
ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
ROW_GROUP = 20_000


def arrow_type(column: Column) -> pa.DataType:
    return ARROW_TYPES.get(column.type, pa.string())


@cache
def schema(table: str) -> pa.Schema:
    return pa.schema([(c.name, arrow_type(c)) for c in DEFINITIONS[table].columns])


def _coerce(t: pa.DataType, v: Any) -> Any:
    if v is None or v == "":
        return None
    if t == pa.string():
        if isinstance(v, (list, dict)):
            return json.dumps(v, ensure_ascii=False)
        return v if isinstance(v, str) else str(v)
    if t == pa.int64():
        return int(v)
    if t == pa.float64():
        return float(v)
    return bool(v)


class ParquetSink:
    """One Parquet file per table, each renamed into place when the whole run's rows are in."""

    def __init__(self, out: Path):
        self.out = out
        self.buffers: dict[str, list[dict[str, Any]]] = {t: [] for t in ALL_TABLES}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.stack = ExitStack()

    def __enter__(self) -> "ParquetSink":
        for table in ALL_TABLES:
            tmp = self.stack.enter_context(atomic_path(self.out / f"{table}.parquet"))
            self.writers[table] = pq.ParquetWriter(tmp, schema(table), compression="zstd")
        return self

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        buf = self.buffers[table]
        buf.extend(rows)
        if len(buf) >= ROW_GROUP:
            self._flush(table)

    def _flush(self, table: str) -> None:
        buf = self.buffers[table]
        if not buf:
            return
        arrays = {c.name: [_coerce(t, r.get(c.name)) for r in buf] for c, t in zip(DEFINITIONS[table].columns, schema(table).types)}
        self.writers[table].write_table(pa.table(arrays, schema=schema(table)))
        buf.clear()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                for table in ALL_TABLES:
                    self._flush(table)
        finally:
            for w in self.writers.values():
                w.close()
            self.stack.__exit__(exc_type, exc, tb)
