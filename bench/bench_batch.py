"""Benchmark of `vanban run` end to end on a corpus built from the samples (not a test).

    .venv/bin/python bench/bench_batch.py                 # 1,000 and 4,000 seed-size decisions, PDFs, extraction
    .venv/bin/python bench/bench_batch.py --counts 200    # quicker
    .venv/bin/python bench/bench_batch.py --profile 200   # where the time of one worker goes (cProfile, in-process)

Prints documents/s, pages/s for PDFs, MB/s of text and peak memory (the sum of
the proportional set size of the run's processes, sampled, so that pages forked
processes share count once; and the largest single process's resident size from
getrusage of the children); then compares PDF text extraction
through pypdfium2 and pdfplumber on the same pages.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "samples"
SEED = SAMPLES / "000_2460ae3cff98ef28.txt"
DECREE_NAME = "82_2020_ND-CP_392611.pdf"
DECREE_FALLBACK = ROOT.parent / "shared" / "corpus" / "vnlegal_nd" / DECREE_NAME


def build_text_corpus(folder: Path, n: int) -> int:
    """n copies of the seed, each with its own last line (so its own sha256), in folders of 500; bytes written."""
    seed = SEED.read_bytes()
    total = 0
    for i in range(n):
        d = folder / f"lô {i // 500:03}"
        d.mkdir(parents=True, exist_ok=True)
        data = seed + f"\nBản sao số {i}\n".encode()
        (d / f"Quyết định {i:05}.txt").write_bytes(data)
        total += len(data)
    return total


def build_mixed_corpus(folder: Path, copies: int) -> list[Path]:
    """`copies` of each Word plan and PDF of the samples, bytes varied (a comment after the end of the file)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for src in sorted(SAMPLES.iterdir()):
        if src.suffix.lower() not in (".docx", ".pdf"):
            continue
        for i in range(copies):
            dst = folder / f"{src.stem} {i}{src.suffix}"
            data = src.read_bytes()
            if src.suffix.lower() == ".pdf":
                data += f"\n% copy {i}\n".encode()
            else:  # a zip tolerates trailing bytes only in its comment: vary the name instead and keep the bytes
                pass
            dst.write_bytes(data)
            made.append(dst)
    return made


def _pss(p) -> int:
    try:
        return p.memory_full_info().pss
    except Exception:  # noqa: BLE001 - no smaps here (not Linux) or the process just ended
        return p.memory_info().rss


def run_vanban(inputs: list[Path], out: Path, jobs: int, extra: list[str] | None = None) -> dict:
    """`vanban run` in a subprocess, with the resident memory of its process tree sampled every 50 ms."""
    try:
        import psutil
    except ImportError:
        psutil = None
    cmd = [sys.executable, "-m", "vanban.cli", "run", *map(str, inputs), "-o", str(out), "-q", "--force"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    cmd += extra or []
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_tree = 0
    if psutil:
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                procs = [root, *root.children(recursive=True)]
                # PSS: a page shared by forked processes counts once in all (RSS would count it in each)
                peak_tree = max(peak_tree, sum(_pss(p) for p in procs))
            except psutil.Error:
                pass
            time.sleep(0.05)
    _, err = proc.communicate()
    dt = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu": (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime),
        "seconds": dt,
        "returncode": proc.returncode,
        "stderr": err,
        "peak_tree_mb": peak_tree / 2**20,
        "peak_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def documents_table(out: Path) -> list[dict]:
    import csv

    with open(out / "documents.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def no_corpus_rules(work: Path) -> list[str]:
    """A rules configuration that leaves out the corpus rules (measured apart: see bench_corpus_rules)."""
    from vanban.rules.engine import describe

    ids = [r["id"] for r in describe() if r["corpus"]]
    if not ids:
        return []
    cfg = work / "no-corpus-rules.toml"
    cfg.write_text("[rules]\ndisable = [" + ", ".join(f'"{i}"' for i in ids) + "]\n", encoding="utf-8")
    return ["--rules-config", str(cfg)]


def bench_text(n: int, jobs: int, work: Path, extra: list[str]) -> dict:
    folder = work / f"text{n}"
    nbytes = build_text_corpus(folder, n)
    r = run_vanban([folder], work / f"out{n}", jobs, extra)
    docs = documents_table(work / f"out{n}")
    ok = sum(d["status"] == "ok" for d in docs)
    print(
        f"text  {n:>6} docs  {r['seconds']:6.1f} s  {n / r['seconds']:6.1f} docs/s  {nbytes / 2**20 / r['seconds']:5.2f} MB/s  "
        f"ok {ok}/{n}  peak memory {r['peak_tree_mb']:.0f} MB (all processes, PSS), {r['peak_child_mb']:.0f} MB (largest, RSS)\n"
        f"      cpu {r['cpu']:.1f} s = {r['cpu'] / n * 1000:.0f} ms per document; on {os.cpu_count()} idle cores "
        f"that is at most {os.cpu_count() * n / r['cpu']:.0f} docs/s (load average now {os.getloadavg()[0]:.1f})"
    )
    shutil.rmtree(folder)
    return r | {"n": n}


def bench_mixed(copies: int, jobs: int, work: Path) -> None:
    files = build_mixed_corpus(work / "mixed", copies)
    if not files:
        print("mixed: no .docx or .pdf in corpus/samples; skipped")
        return
    out = work / "outmixed"
    r = run_vanban([work / "mixed"], out, jobs)
    docs = documents_table(out)
    pdf = [d for d in docs if d["format"] == "pdf" or d["source"].lower().endswith(".pdf")]
    pages = sum(int(d["pages"] or 0) for d in pdf)
    failed = [(Path(d["source"]).name, d["error"]) for d in docs if d["status"] != "ok"]
    print(f"mixed {len(docs):>6} docs  {r['seconds']:6.1f} s  {len(docs) / r['seconds']:6.1f} docs/s  "
          f"{len(pdf)} PDFs, {pages} pages ({pages / r['seconds']:.0f} pages/s over the whole mixed run)  "
          f"peak memory {r['peak_tree_mb']:.0f} MB")
    for name, err in failed[:5]:
        print(f"      failed: {name}: {err}")
    # PDFs alone: pages/s of the whole pipeline on text-layer PDFs
    only = [f for f in files if f.suffix.lower() == ".pdf"]
    if only:
        r = run_vanban(only, work / "outpdf", jobs)
        docs = documents_table(work / "outpdf")
        pages = sum(int(d["pages"] or 0) for d in docs)
        print(f"pdf   {len(docs):>6} docs  {r['seconds']:6.1f} s  {pages} pages  {pages / r['seconds']:6.1f} pages/s (whole pipeline, tables included)")


def bench_extraction(pdf: Path | None) -> None:
    """pypdfium2 and pdfplumber text extraction on the same pages."""
    if pdf is None or not pdf.exists():
        print(f"extraction: {DECREE_NAME} not found in corpus/samples or {DECREE_FALLBACK.parent}; skipped")
        return
    import pdfplumber
    import pypdfium2 as pdfium

    t = time.perf_counter()
    doc = pdfium.PdfDocument(str(pdf))
    n = len(doc)
    chars_pdfium = 0
    for i in range(n):
        page = doc[i]
        tp = page.get_textpage()
        chars_pdfium += len(tp.get_text_range())
        tp.close()
        page.close()
    doc.close()
    t_pdfium = time.perf_counter() - t
    t = time.perf_counter()
    chars_plumber = 0
    with pdfplumber.open(str(pdf)) as p:
        for page in p.pages:
            chars_plumber += len(page.extract_text() or "")
            page.flush_cache()
    t_plumber = time.perf_counter() - t
    print(f"extraction {pdf.name}: {n} pages")
    print(f"  pypdfium2   {t_pdfium:6.2f} s  {n / t_pdfium:7.0f} pages/s  {chars_pdfium} chars")
    print(f"  pdfplumber  {t_plumber:6.2f} s  {n / t_plumber:7.0f} pages/s  {chars_plumber} chars  ({t_plumber / t_pdfium:.0f}x slower)")
    from vanban.extract.pdf import read

    t = time.perf_counter()
    src = read(pdf)
    dt = time.perf_counter() - t
    print(f"  vanban.extract.pdf.read  {dt:6.2f} s  {n / dt:7.0f} pages/s (reader: text, layout, table detection)")
    from vanban.normalize.document import normalize

    t = time.perf_counter()
    normalize(src)
    dt2 = time.perf_counter() - t
    print(f"  + normalize  {dt2:6.2f} s; reader + normalize {n / (dt + dt2):.0f} pages/s")


def bench_corpus_rules(counts: list[int], work: Path) -> None:
    """The corpus rules (corpus=True) over n decisions of the seed, in-process: how their time grows."""
    import pickle

    from vanban.batch import Item, Settings, corpus_findings, process_one, store
    from vanban.cache import load_decision, sign
    from vanban.rules.engine import describe

    if not any(r["corpus"] for r in describe()):
        print("corpus rules: none registered")
        return
    folder = work / "corpusrules"
    build_text_corpus(folder, 1)
    settings = Settings(out=work / "outcorpus", cache_key="bench")
    res = process_one(next(folder.rglob("*.txt")), settings)
    store(res, settings)
    from vanban.batch import cache_path

    path = cache_path(settings.out, res.doc_id, ".pickle")
    for n in counts:
        items = []
        for i in range(n):  # the same decision under n ids: every citation is shared, the worst case for the index
            dec = load_decision(path)
            dec.doc_id = f"d{i:05}"
            p = cache_path(settings.out, dec.doc_id, ".pickle")
            p.write_bytes(sign(pickle.dumps(dec)))
            items.append(Item(Path(dec.doc_id), dec.doc_id, "0"))
        t = time.perf_counter()
        corpus_findings(items, settings)
        print(f"corpus rules over {n:>5} decisions: {time.perf_counter() - t:6.1f} s")


def profile(n: int, work: Path) -> None:
    """Where one worker's time goes on seed-size decisions (cProfile, in-process, top functions)."""
    import cProfile
    import pstats

    from vanban.batch import Settings, process_one, store

    folder = work / "prof"
    build_text_corpus(folder, n)
    files = sorted(folder.rglob("*.txt"))
    settings = Settings(out=work / "outprof", cache_key="bench")
    process_one(files[0], settings)  # reference data loaded once, as in a worker
    pr = cProfile.Profile()
    t = time.perf_counter()
    pr.enable()
    for f in files:
        store(process_one(f, settings), settings)
    pr.disable()
    dt = time.perf_counter() - t
    print(f"profile: {n} docs in one process, {dt / n * 1000:.1f} ms per document")
    stats = pstats.Stats(pr)
    by_module: dict[str, float] = {}
    for (file, _, _), (_, _, tt, _, _) in stats.stats.items():
        key = next((k for k in ("normalize/", "extract/", "rules/", "outputs/", "vanban/batch", "json", "pickle") if k in file), "other")
        name = key.rstrip("/") if key != "other" else "other (stdlib, re, ...)"
        by_module[name] = by_module.get(name, 0) + tt
    total = sum(by_module.values())
    for k, v in sorted(by_module.items(), key=lambda kv: -kv[1]):
        print(f"  {k:<28} {v / n * 1000:6.1f} ms/doc  {100 * v / total:4.0f}%")
    stats.sort_stats("cumulative").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", default="1000,4000", help="sizes of the text corpora (default 1000,4000)")
    ap.add_argument("--jobs", type=int, default=0, help="worker processes (default: all cores)")
    ap.add_argument("--copies", type=int, default=3, help="copies of each Word plan and PDF for the mixed run")
    ap.add_argument("--profile", type=int, metavar="N", help="profile N documents in-process instead")
    ap.add_argument("--corpus-rules", action="store_true", help="keep the corpus rules in the text runs (quadratic today)")
    ap.add_argument("--work", help="folder for the corpora and outputs (default: a temporary folder, removed)")
    args = ap.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="vanban-bench-"))
    try:
        print(f"vanban bench: {os.cpu_count()} cores, python {sys.version.split()[0]}, work in {work}")
        if args.profile:
            profile(args.profile, work)
            return
        extra = [] if args.corpus_rules else no_corpus_rules(work)
        results = [bench_text(int(n), args.jobs, work, extra) for n in args.counts.split(",") if n.strip()]
        if len(results) >= 2:
            a, b = results[0], results[-1]
            per_a, per_b = a["seconds"] / a["n"], b["seconds"] / b["n"]
            print(f"linearity: {b['n']}/{a['n']} docs took {b['seconds'] / a['seconds']:.2f}x the time "
                  f"({per_a * 1000:.1f} vs {per_b * 1000:.1f} ms per document)")
        if not args.corpus_rules:
            bench_corpus_rules([125, 250, 500], work)
        bench_mixed(args.copies, args.jobs, work)
        decree = SAMPLES / DECREE_NAME if (SAMPLES / DECREE_NAME).exists() else DECREE_FALLBACK
        bench_extraction(decree if decree.exists() else None)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
