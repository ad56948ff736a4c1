"""The command line: `vanban run`, `vanban check`, `vanban cite`, `vanban rules`, `vanban review`,
`vanban annotate` (with the `spacy` extra).

Exit status: 0 when every document was processed, 1 when any failed (or when
`--fail-on` found findings of that severity), 2 on bad usage; with
`--engine dask`, 3 to 6 when the cluster cannot be used (`vanban.cluster`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vanban import __version__


def _err(msg: str) -> None:
    from vanban.pipeline import one_line

    print(f"vanban: error: {one_line(msg)}", file=sys.stderr)


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
    r.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files and folders (searched recursively), or storage URLs (s3://bucket/inbox/, gs://, az://, file://)")
    r.add_argument("-o", "--out", default="out", help="output folder or storage URL (default: ./out)")
    r.add_argument("--jobs", "-j", type=_nonneg_int, default=0, metavar="N", help="worker processes (default: all cores; 1: in this process)")
    r.add_argument("--timeout", type=_positive_float, default=300.0, metavar="S", help="seconds one document may take (default: 300)")
    r.add_argument("--max-memory", type=_nonneg_int, default=2048, metavar="MB", help="memory one worker may use, 0 for no limit (default: 2048)")
    r.add_argument("--force", action="store_true", help="process every document again, even those unchanged since the last run")
    r.add_argument("--force-output", action="store_true",
                   help="write into OUT even when it is a non-empty folder vanban did not make (nothing of yours is deleted)")
    r.add_argument("--follow-links", action="store_true", help="follow symbolic links inside input folders (not by default)")
    r.add_argument("--engine", choices=["local", "dask"], default="local", help="a local process pool (default) or a Dask cluster")
    r.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --engine dask)")
    r.add_argument("--formats", type=_formats, default=("csv",), metavar="LIST", help="csv,jsonl,parquet,xlsx: copies of the tables to write besides the CSVs")
    r.add_argument("--fail-on", choices=["error", "warning"], help="exit 1 when findings of this severity (or worse) exist")
    r.add_argument("--rules-config", metavar="TOML", help="enable, disable or re-grade rules")
    r.add_argument("--no-validate", action="store_true", help="skip checking the tables against the expectation suite")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress, only errors and the summary")
    r.add_argument("--registry", metavar="PATH", help="the registry of documents in force to check against and to add what this run learned to")
    r.add_argument("--profile", action="store_true",
                   help="after the run, print where its time went: seconds by format and stage (read: LibreOffice conversion, "
                        "PDF tables, OCR; normalize; rules) for the documents processed in it")

    c = sub.add_parser("check", help="the findings of one document, in the terminal")
    c.add_argument("file")
    c.add_argument("--rules-config", metavar="TOML")
    c.add_argument("--json", action="store_true", help="one JSON object per finding")
    c.add_argument("--registry", metavar="PATH", help="the registry of documents in force (default: $VANBAN_REGISTRY or ~/.local/share/vanban/registry.sqlite)")
    c.add_argument("--format-only", action="store_true", help="only the presentation (thể thức) findings: NĐ 30/2020, HD 36-HD/VPTW")

    ci = sub.add_parser("cite", help="the citations in a text or a file, normalized")
    ci.add_argument("text", nargs="?", help="the text to read")
    ci.add_argument("--file", metavar="PATH", help="read this file instead ('-' for standard input)")
    ci.add_argument("--json", action="store_true", help="one JSON object per citation")
    ci.add_argument("--registry", metavar="PATH", help="the registry of documents in force that resolves laws cited by name")

    rg = sub.add_parser("registry", help="the registry of documents in force: import what a run learned, show a document")
    rgs = rg.add_subparsers(dest="registry_command", required=True, parser_class=_Parser)
    ri = rgs.add_parser("import", help="add the relations, effective dates and names a run learned (OUT/docs/*.json)")
    ri.add_argument("out", metavar="OUT", help="the output folder of a run")
    rs = rgs.add_parser("show", help="what the registry knows of a document, with sources, confidence and conflicts")
    rs.add_argument("symbol", metavar="SYMBOL", help='a symbol ("80/2015/QH13") or a law\'s name and year ("Luật Đất đai năm 2024")')
    rs.add_argument("--json", action="store_true", help="one JSON object per fact")
    for q in (ri, rs):
        q.add_argument("--registry", metavar="PATH", help="the registry file (default: $VANBAN_REGISTRY or ~/.local/share/vanban/registry.sqlite)")

    sub.add_parser("rules", help="the rules, their ids, categories and default severities")
    _add_annotate(sub)

    rv = sub.add_parser("review", help="the review page for legal staff, served on 127.0.0.1")
    rv.add_argument("out", metavar="OUT", help="the output folder of a run (with vanban.sqlite)")
    rv.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765; 0 for any free port)")
    rv.add_argument("--report", action="store_true", help="write OUT/report.html (self-contained, for e-mail) and exit")
    rv.add_argument("--export", metavar="CSV", help="write the review decisions to this CSV file and exit")
    return p


def _add_annotate(sub) -> None:
    from vanban.normalize.annotate import SPAN_GROUPS

    a = sub.add_parser("annotate", help="one document's citations, dates, deadlines, agencies and targets as spaCy spans "
                                        "(needs the spacy extra)")
    a.add_argument("file")
    a.add_argument("-o", "--out", metavar="PATH", required=True,
                   help="PATH.html: displaCy's page of one span group; any other name: a spaCy DocBin (.spacy) with every group")
    a.add_argument("--group", choices=SPAN_GROUPS, default="citations", help="the span group the HTML page shows (default: citations)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _use_registry(getattr(args, "registry", None))
        return {"run": cmd_run, "check": cmd_check, "cite": cmd_cite, "rules": cmd_rules, "review": cmd_review,
                "registry": cmd_registry, "annotate": cmd_annotate}[args.command](args)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return 0


def _use_registry(path: str | None) -> None:
    """--registry PATH: the registry this process and its workers read (they inherit the environment)."""
    if path:
        import os

        os.environ["VANBAN_REGISTRY"] = str(Path(path).resolve())


def cmd_registry(args: argparse.Namespace) -> int:
    from vanban.registry import RegistryError

    try:
        return _registry(args)
    except RegistryError as e:
        _err(str(e))
        return 2


def _registry(args: argparse.Namespace) -> int:
    from vanban.registry import Registry, default_path, learn

    path = default_path()
    if args.registry_command == "import":
        try:
            facts = list(learn(Path(args.out)))
        except FileNotFoundError as e:
            _err(str(e))
            return 2
        reg = Registry(path)
        n = reg.add(facts, origin=str(Path(args.out).resolve()))
        print(f"vanban: {n} new fact(s) of {len(facts)} learned from {args.out} added to {path}", file=sys.stderr)
        return 0
    from vanban.outputs.registry_view import show

    return show(Registry(path if path.exists() else None), args.symbol, as_json=args.json)


def _rules_config(path: str | None):
    if not path:
        return None
    from vanban.rules.engine import Config

    try:
        return Config.from_toml(path)
    except (OSError, ValueError) as e:
        _err(f"{path}: {e}")
        sys.exit(2)


def _nonneg_int(v: str) -> int:
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {v!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {v}")
    return n


def _positive_float(v: str) -> float:
    try:
        x = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {v!r}") from None
    if x <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {v}")
    return x


def _formats(v: str) -> tuple[str, ...]:
    from vanban.outputs.writer import FORMATS

    got = tuple(dict.fromkeys(f.strip().lower() for f in v.split(",") if f.strip()))
    bad = [f for f in got if f not in FORMATS]
    if bad or not got:
        raise argparse.ArgumentTypeError(f"unknown format(s) {', '.join(bad) or v!r}; choose from {','.join(FORMATS)}")
    return got


#: runs of up to this many files start the validation process at once (see cmd_run)
EARLY_VALIDATOR_MAX = 20


def _at_most(inputs: list[str], n: int) -> bool:
    """Whether the inputs hold at most n files (counting stops at n + 1; a URL counts as many)."""
    from vanban.storage import is_url

    count = 0
    for i in inputs:
        if is_url(i):
            return False
        p = Path(i)
        it = (q for q in p.rglob("*") if q.is_file()) if p.is_dir() else iter([p])
        for _ in it:
            count += 1
            if count > n:
                return False
    return True


def cmd_run(args: argparse.Namespace) -> int:
    from vanban.batch import Settings, publish, run

    if args.engine == "dask" and not args.scheduler:
        _err("--engine dask needs --scheduler ADDRESS")
        return 2
    from vanban.cluster import ClusterError
    from vanban.outputs.outdir import OutputError, prepare

    cfg = _rules_config(args.rules_config)
    try:
        prepare(args.out, force=args.force_output)  # before anything starts: a bad -o is one line and exit 2
    except OutputError as e:
        _err(str(e))
        return 2
    validator = None
    if not args.no_validate and args.engine == "local":
        from vanban.outputs.background import BackgroundValidator

        # a small run: import Great Expectations (2-3 s) while the documents are processed; a large run
        # imports it in its last seconds of work, when the memory allows (`vanban.pool.run_pool`'s near_end),
        # so that its memory does not sit beside the workers' for the whole run
        validator = BackgroundValidator(wait=not _at_most(args.inputs, EARLY_VALIDATOR_MAX))
    settings = Settings(
        out=args.out, jobs=args.jobs, timeout=args.timeout, max_memory=args.max_memory or None, force=args.force,
        rules_config=cfg, force_output=args.force_output, follow_links=args.follow_links,
    )
    try:
        s = run(args.inputs, settings, engine=args.engine, scheduler=args.scheduler, formats=args.formats, quiet=args.quiet,
                keep_cluster=True, near_end=validator.warm if validator is not None else None)
    except OutputError as e:  # OUT changed under us since the check above
        _err(str(e))
        return 2
    except ClusterError as e:
        _err(str(e))
        return e.status
    try:
        status = _finish_run(args, s, settings, validator)
    finally:
        if s.cluster is not None:
            s.cluster.close()
    try:
        publish(settings, s.manifest, final=True)  # a remote OUT: the report and the validation's files
    except Exception as e:  # noqa: BLE001 - the storage's own errors
        from vanban.storage import reason

        _err(f"{settings.where}: the report and validation files could not be uploaded ({reason(e)})")
        status = 1
    if s.cluster_error:
        message, code = s.cluster_error
        _err(message)  # the last line: what stopped the run
        status = code
    return status


def _finish_run(args: argparse.Namespace, s, settings, validator) -> int:
    """The summary, the validation and the report of a run; the exit status they give."""
    tables = settings.out  # OUT, or the staging folder of a remote OUT
    _print_summary(s, settings.where.rstrip("/"), args.quiet)
    if args.profile:
        _print_profile(s, settings.jobs)
    status = 1 if s.failed else 0
    if args.registry and not _add_to_registry(args.registry, Path(tables)):
        status = 1
    if not args.no_validate and validator is None:
        from vanban.outputs.background import BackgroundValidator

        validator = BackgroundValidator()
    if validator is not None:
        validator.begin(tables)  # in its own process, while this one writes the report
    try:
        from vanban.outputs.report import write_report

        # on a Dask cluster, its workers write the documents' pages of a large report (not this machine)
        write_report(tables, pages=s.cluster.report_pages(settings) if s.cluster is not None else None)
    except Exception as e:  # the report is for people; the tables are written either way
        _err(f"{settings.where.rstrip('/')}/report.html not written: {e}")
    if validator is not None:
        try:
            report = validator.result()
        except Exception as e:  # a validation that cannot run is a failure, never a silent pass
            _err(f"validation of {settings.where.rstrip('/')}/ could not run: {e}")
            status = 1
        else:
            for line in report.summary_lines():
                print(f"vanban: {line}", file=sys.stderr)
            if not report.success:
                status = 1
    if args.fail_on:
        worst = ("error",) if args.fail_on == "error" else ("error", "warning")
        if any(s.by_severity.get(k) for k in worst):
            status = 1
    return status


def _add_to_registry(path: str, out: Path) -> bool:
    """--registry PATH: add what the run learned (the tables are written either way)."""
    from vanban.registry import Registry, RegistryError, learn

    try:
        n = Registry(path).add(learn(out), origin=str(out.resolve()))
    except RegistryError as e:
        _err(str(e))
        return False
    print(f"vanban: {n} new fact(s) added to the registry {path}", file=sys.stderr)
    return True
def _print_profile(s, jobs: int | None) -> None:
    import os

    workers = jobs or os.cpu_count() or 1
    print(f"vanban: profile of the {s.processed} document(s) processed in this run ({s.process_seconds:.1f} s of wall time, "
          f"{workers} worker(s)); seconds of the documents' own time:", file=sys.stderr)
    for line in s.profile.lines():
        print(f"  {line}", file=sys.stderr)


def _print_summary(s, out: str, quiet: bool) -> None:
    ok = s.documents - s.failed - s.duplicates
    sev = ", ".join(f"{s.by_severity.get(k, 0)} {k}" for k in ("error", "warning", "info"))
    print(
        f"vanban: {ok} document(s) processed, {s.failed} failed, in {s.seconds:.1f} s; "
        f"{s.counts['tasks']} tasks, {s.counts['citations']} citations, {s.counts['findings']} findings ({sev}); "
        f"tables in {out}/",
        file=sys.stderr,
    )
    if not quiet:
        rate = s.processed / s.process_seconds if s.process_seconds > 0 else 0.0
        print(
            f"vanban: {s.processed} new, {s.reused} unchanged since the last run, {s.skipped} skipped, {s.duplicates} duplicate; "
            f"{rate:.1f} docs/s; {s.pages} pages, {s.text_chars / 1e6:.1f} MB of text",
            file=sys.stderr,
        )


def cmd_check(args: argparse.Namespace) -> int:
    from vanban.outputs.terminal import findings_table
    from vanban.outputs.tables import finding_record
    from vanban.pipeline import process_file

    config = _rules_config(args.rules_config)
    if args.format_only:
        from vanban.rules.engine import format_only

        config = format_only(config)
    res = process_file(args.file, rules_config=config)
    if res.error:
        _err(f"{args.file}: {res.error}")
        return 1
    if args.json:
        for f in res.findings:
            print(json.dumps(finding_record(f), ensure_ascii=False))
    else:
        print(findings_table(res.findings))
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    from vanban.extras import MissingExtra
    from vanban.normalize import annotate
    from vanban.pipeline import process_file

    try:
        annotate.blank_vi()  # before reading the document: a missing extra is said at once
    except MissingExtra as e:
        _err(str(e))
        return 2
    res = process_file(args.file)
    if res.error:
        _err(f"{args.file}: {res.error}")
        return 1
    out = Path(args.out)
    if out.suffix.lower() in (".html", ".htm"):
        out.write_text(annotate.render_html(res.decision, args.group), encoding="utf-8")
    else:
        annotate.write_docbin(res.decision, out)
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
    text = nfc(text)
    cites = find_citations(text)
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
    cols = ("id", "category", "severity", "precision_check", "precision_tune")
    w = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in cols}
    print("  ".join(f"{k:<{w[k]}}" for k in cols) + "  description")
    for r in rows:
        print("  ".join(f"{r[k]:<{w[k]}}" for k in cols) + f"  {r['description']}")
    print("\nprecision: the share of the rule's findings on ../shared/corpus-dev that a legal reviewer judged true or")
    print("defensible, on the half never tuned on (check) and the tuning half (tune), of so many judged; README, 'Findings and rules'.")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from vanban.review.store import RunStore

    out = Path(args.out)
    try:
        store = RunStore(out)
    except FileNotFoundError as e:
        _err(str(e))
        return 2
    if args.report or args.export:
        if args.export:
            path = store.write_export(args.export)
            print(f"vanban: {len(store.export_rows())} review decision(s) written to {path}", file=sys.stderr)
        if args.report:
            from vanban.outputs.report import write_report

            print(f"vanban: report written to {write_report(out)}", file=sys.stderr)
        return 0
    if not 0 <= args.port <= 65535:
        _err(f"--port {args.port}: not a port number")
        return 2
    from vanban.review.server import make_server

    try:
        srv = make_server(out, args.port, quiet=False)
    except OSError as e:
        _err(f"cannot listen on 127.0.0.1:{args.port}: {e.strerror or e}")
        return 1
    print(f"vanban: review page at {srv.url} (Ctrl-C to stop)", file=sys.stderr)
    try:
        srv.serve_forever()
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
