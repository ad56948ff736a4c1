"""A document's normalized text, read from OUT/docs/<doc_id>.json for the review page and the report."""

from __future__ import annotations

import json
from pathlib import Path


def document_text(out: Path, doc_id: str) -> str | None:
    """The document's normalized text (OUT/docs/<doc_id>.json), or None when it is not there."""
    if not doc_id or any(not (c.isascii() and (c.isalnum() or c in "-_")) for c in doc_id):
        return None  # doc_ids are [0-9a-z_-]: anything else is not a file name we wrote
    path = out / "docs" / f"{doc_id}.json"
    try:
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        text = _leading_text(raw)
        if text is None:
            data = json.loads(raw)
            text = data.get("text") if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None
    return text if isinstance(text, str) else None


_DECODER = json.JSONDecoder()


def _leading_text(raw: str) -> str | None:
    """The top-level "text" of a document's JSON when it comes among the first members, as the writer
    puts it (after doc_id, source, sha256, format), decoded without parsing the rest: the whole
    Decision is some 40 times larger than its text. None when it is not found so (then parse it all)."""
    at = raw.find('"text": "', 0, 8192)
    if at < 0 or raw.count("{", 0, at) != 1 or raw.count("[", 0, at):  # only a top-level member will do
        return None
    try:
        value, _ = _DECODER.raw_decode(raw, at + 8)
    except ValueError:
        return None
    return value if isinstance(value, str) else None
