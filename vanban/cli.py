"""The command line: `vanban run`, `vanban check`, `vanban cite`, `vanban rules`.

Exit status: 0 when every document was processed, 1 when any failed (or when
`--fail-on` found findings of that severity), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from vanban import __version__


def _err(msg: str) -> None:
    print(f"vanban: error: {msg}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with one clear line, as argparse does, plus a hint
        self.print_usage(sys.stderr)
        _err(message)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="vanban", description="Vietnamese government decisions and plans as structured data.")
    p.add_argument("--version", action="version", version=f"vanban {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="process files and folders, write the tables to OUT")
    r.add_argument("inputs", nargs="+", metavar="INPUT", help="files and folders (searched recursively)")
    r.add_argument("-o", "--out", default="out", help="output folder (default: ./out)")
    r.add_argument("--fail-on", choices=["error", "warning"], help="exit 1 when findings of this severity (or worse) exist")
    r.add_argument("--rules-config", metavar="TOML", help="enable, disable or re-grade rules")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress, only errors and the summary")

    c = sub.add_parser("check", help="the findings of one document, in the terminal")
    c.add_argument("file")
    c.add_argument("--rules-config", metavar="TOML")
    c.add_argument("--json", action="store_true", help="one JSON object per finding")

    ci = sub.add_parser("cite", help="the citations in a text or a file, normalized")
    ci.add_argument("text", nargs="?", help="the text to read")
    ci.add_argument("--file", metavar="PATH", help="read this file instead ('-' for standard input)")
    ci.add_argument("--json", action="store_true", help="one JSON object per citation")

    sub.add_parser("rules", help="the rules, their ids, categories and default severities")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"run": cmd_run, "check": cmd_check, "cite": cmd_cite, "rules": cmd_rules}[args.command](args)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return 0


def _rules_config(path: str | None):
    if not path:
        return None
    from vanban.rules.engine import Config

    try:
        return Config.from_toml(path)
    except (OSError, ValueError) as e:
        _err(f"{path}: {e}")
        sys.exit(2)


def cmd_run(args: argparse.Namespace) -> int:
    from vanban.outputs.writer import write_outputs
    from vanban.pipeline import discover, process_file

    cfg = _rules_config(args.rules_config)
    missing = [i for i in args.inputs if not Path(i).exists()]
    files, skipped = discover([i for i in args.inputs if Path(i).exists()])
    out = Path(args.out)
    t0 = time.perf_counter()
    results = []
    for path in missing:
        from vanban.pipeline import Result
        from vanban.extract.base import doc_id_for

        results.append(Result(str(path), error="no such file or folder", doc_id=doc_id_for(path, "0" * 64)))
        _err(f"{path}: no such file or folder")
    for f, why in skipped:
        if not args.quiet:
            print(f"vanban: skipped {f}: {why}", file=sys.stderr)
    for i, f in enumerate(files, 1):
        res = process_file(f, rules_config=cfg)
        results.append(res)
        if res.error:
            _err(f"{f}: {res.error}")
        elif not args.quiet and sys.stderr.isatty():
            print(f"\r[{i}/{len(files)}] {f.name[:60]:<60}", end="", file=sys.stderr)
    if not args.quiet and sys.stderr.isatty() and files:
        print(file=sys.stderr)
    counts = write_outputs(results, out)
    failed = sum(1 for r in results if r.error)
    ok = len(results) - failed
    by_sev: dict[str, int] = {}
    for r in results:
        for f in r.findings:
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
    dt = time.perf_counter() - t0
    sev = ", ".join(f"{by_sev.get(s, 0)} {s}" for s in ("error", "warning", "info"))
    print(
        f"vanban: {ok} document(s) processed, {failed} failed, in {dt:.1f} s; "
        f"{counts['tasks']} tasks, {counts['citations']} citations, {counts['findings']} findings ({sev}); "
        f"tables in {out}/",
        file=sys.stderr,
    )
    status = 1 if failed else 0
    if args.fail_on:
        worst = ("error",) if args.fail_on == "error" else ("error", "warning")
        if any(by_sev.get(s) for s in worst):
            status = 1
    return status


def cmd_check(args: argparse.Namespace) -> int:
    from vanban.outputs.terminal import findings_table
    from vanban.outputs.tables import finding_record
    from vanban.pipeline import process_file

    res = process_file(args.file, rules_config=_rules_config(args.rules_config))
    if res.error:
        _err(f"{args.file}: {res.error}")
        return 1
    if args.json:
        for f in res.findings:
            print(json.dumps(finding_record(f), ensure_ascii=False))
    else:
        print(findings_table(res.findings))
    return 0


def cmd_cite(args: argparse.Namespace) -> int:
    from vanban.normalize.citations import citation_record, find_citations, format_table
    from vanban.normalize.fold import nfc

    if args.file:
        try:
            if args.file == "-":
                text = sys.stdin.read()
            else:
                from vanban.extract.text import decode_bytes

                text, _ = decode_bytes(Path(args.file).read_bytes())
        except OSError as e:
            _err(f"{args.file}: {e.strerror or e}")
            return 1
    elif args.text is not None:
        text = args.text
    else:
        _err("give a TEXT or --file PATH")
        return 2
    cites = find_citations(nfc(text))
    if args.json:
        for c in cites:
            print(json.dumps(citation_record(c), ensure_ascii=False))
    else:
        print(format_table(cites))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from vanban.rules.engine import describe

    rows = describe()
    if not rows:
        print("(no rules registered)")
        return 0
    w = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in ("id", "category", "severity")}
    print(f"{'id':<{w['id']}}  {'category':<{w['category']}}  {'severity':<{w['severity']}}  description")
    for r in rows:
        print(f"{r['id']:<{w['id']}}  {r['category']:<{w['category']}}  {r['severity']:<{w['severity']}}  {r['description']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
