"""Run curio's benchmarks against asyncio, uvloop and trio and print one table per module.

Usage::

    python tests/benchmarks/run.py [--only TEXT] [--impl curio,asyncio,...] [--repeat N]
                                   [--quick] [--jobs N] [--gc] [--json PATH] [--list]

Every ``bench_*.py`` file next to this script is a benchmark module exposing
``BENCHMARKS: list[_harness.Case]`` (see ``_harness.py`` for the contract). Each
(case, implementation) pair runs in a fresh interpreter (``run.py --child ...``) that warms up,
measures its own CPU time (``time.process_time()``, so load from other processes on a shared
machine matters little) and prints its value as a JSON line. With ``--repeat N`` every pair runs
N times, interleaved across implementations, and the best value is kept. ``--quick`` uses the
cases' small sizes, one repetition, one interpreter per (module, implementation) and two
interpreters at a time: a smoke test of the whole harness in under 30 seconds. A peer that is not
installed shows as ``n/a``. The cyclic garbage collector is off while measuring (``--gc``: on).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from _harness import IMPLEMENTATIONS, Case, Result, Skipped, lower_is_better, measure  # noqa: E402

__all__ = ["main"]

_MARK = "BENCH-RESULT "
_PACKAGES = ("curio-kernel", "uvloop", "trio", "janus")
_LEFT = (0, 2)  # columns aligned left: case and unit


@dataclass
class _Outcome:
    """Everything measured for one (module, case, implementation) across repetitions."""

    status: str = "pending"  # ok | n/a | skipped | error | pending
    values: list[float] = field(default_factory=list)
    extras: list[dict[str, float]] = field(default_factory=list)
    message: str = ""

    def add(self, record: dict[str, object]) -> None:
        """Fold one child's JSON record into the outcome (a failure wins over success)."""
        status = str(record["status"])
        if status == "ok":
            value = record["value"]
            extra = record.get("extra", {})
            if not isinstance(value, (int, float)) or not isinstance(extra, dict):
                raise TypeError(f"malformed benchmark record: {record!r}")
            self.values.append(float(value))
            self.extras.append({str(k): float(v) for k, v in extra.items()})
            if self.status == "pending":
                self.status = "ok"
        else:
            self.status = status
            self.message = str(record.get("message", ""))


def _discover(names: Sequence[str] | None = None) -> list[str]:
    """Names of the benchmark modules beside this script, sorted."""
    found = sorted(p.stem for p in _HERE.glob("bench_*.py"))
    return [m for m in found if names is None or m in names]


def _load(module_name: str) -> list[Case]:
    """Import a benchmark module and return its cases, checking the contract."""
    module: ModuleType = importlib.import_module(module_name)
    cases = getattr(module, "BENCHMARKS", None)
    if not isinstance(cases, list) or not all(isinstance(c, Case) for c in cases):
        raise TypeError(f"{module_name}.BENCHMARKS must be a list of _harness.Case")
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"{module_name}: case names must be unique")
    return cases


def _title(module_name: str) -> str:
    """First line of a module's docstring, used as the table title."""
    doc = (sys.modules[module_name].__doc__ or "").strip()
    return doc.splitlines()[0] if doc else module_name


# ---------------------------------------------------------------------------------------------
# Child side: measure and print JSON lines.


def _child(
    module_name: str, impl: str, quick: bool, with_gc: bool, case_names: Sequence[str]
) -> None:
    """Measure ``impl`` on the named cases of a module, one JSON line per case."""
    cases = {c.name: c for c in _load(module_name)}
    for name in case_names:
        case = cases[name]
        record: dict[str, object] = {"case": name, "impl": impl}
        try:
            n = case.quick_n if quick else case.n
            result = measure(case, impl, n, with_gc=with_gc)
        except ModuleNotFoundError as exc:
            record.update(status="n/a", message=f"{exc.name} not installed")
        except Skipped as exc:
            record.update(status="skipped", message=str(exc))
        except Exception as exc:  # reported in the table, the run goes on
            traceback.print_exc(file=sys.stderr)
            record.update(status="error", message=f"{type(exc).__name__}: {exc}")
        else:
            if not isinstance(result, Result):
                result = Result(float(result))
            record.update(status="ok", value=result.value, extra=dict(result.extra))
        print(_MARK + json.dumps(record), flush=True)


# ---------------------------------------------------------------------------------------------
# Parent side: schedule children, collect and print.


def _spawn_child(
    module_name: str,
    impl: str,
    case_names: Sequence[str],
    *,
    quick: bool,
    with_gc: bool,
    timeout: float,
) -> list[dict[str, object]]:
    """Run one child interpreter and return its records (failures become error records)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", module_name, impl]
    cmd += ["--quick"] if quick else []
    cmd += ["--gc"] if with_gc else []
    cmd += ["--", *case_names]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return [
            {"case": c, "status": "error", "message": f"timed out after {timeout:.0f} s"}
            for c in case_names
        ]
    records = [
        json.loads(line[len(_MARK) :])
        for line in proc.stdout.splitlines()
        if line.startswith(_MARK)
    ]
    if proc.stderr.strip() and any(r["status"] == "error" for r in records):
        sys.stderr.write(f"--- {module_name} / {impl} stderr:\n{proc.stderr}\n")
    seen = {r["case"] for r in records}
    if proc.returncode != 0 or len(seen) != len(case_names):
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        sys.stderr.write(f"--- {module_name} / {impl} failed:\n{proc.stderr}\n")
        records += [
            {"case": c, "status": "error", "message": tail[0]} for c in case_names if c not in seen
        ]
    return records


def _fmt(value: float) -> str:
    """A value with three significant digits and a k/M suffix for large numbers."""
    scale, suffix = (1e6, " M") if value >= 1e6 else (1e3, " k") if value >= 1e4 else (1.0, "")
    x = value / scale
    decimals = max(0, 3 - len(str(int(abs(x))))) if x else 0
    return f"{x:.{decimals}f}{suffix}"


def _best(values: Sequence[float], lower_better: bool) -> float:
    return min(values) if lower_better else max(values)


def _cell(outcome: _Outcome | None, lower_better: bool, extra: str | None) -> str:
    if outcome is None:
        return "-"
    if outcome.status != "ok":
        return outcome.status
    values = outcome.values if extra is None else [e[extra] for e in outcome.extras if extra in e]
    return _fmt(_best(values, lower_better)) if values else "-"


def _value(outcome: _Outcome | None, lower_better: bool, extra: str | None) -> float | None:
    if outcome is None or outcome.status != "ok":
        return None
    values = outcome.values if extra is None else [e[extra] for e in outcome.extras if extra in e]
    return _best(values, lower_better) if values else None


def _print_table(
    module_name: str,
    cases: Sequence[Case],
    impls: Sequence[str],
    results: dict[tuple[str, str], _Outcome],
    quick: bool,
    repeat: int,
    with_gc: bool,
) -> None:
    """Print one module's table: a row per metric, a column per implementation, ratios."""
    peers = [i for i in impls if i != "curio"]
    header = ["case", "n", "unit", *impls, *(f"vs {p}" for p in peers), "curio goal"]
    rows: list[list[str]] = []
    for case in cases:
        metrics: list[tuple[str, str, bool, str | None]] = [
            (case.name, case.unit, case.lower_better, None)
        ]
        extra_units: list[str] = []
        for impl in impls:
            outcome = results.get((case.name, impl))
            for ex in outcome.extras if outcome else []:
                extra_units += [u for u in ex if u not in extra_units]
        metrics += [(f"  {case.name}", u, lower_is_better(u), u) for u in extra_units]
        for label, unit, lower, extra in metrics:
            arrow = "(lower better)" if lower else ""
            row = [label, _fmt(case.quick_n if quick else case.n), f"{unit} {arrow}".strip()]
            row += [_cell(results.get((case.name, i)), lower, extra) for i in impls]
            mine = _value(results.get((case.name, "curio")), lower, extra)
            for peer in peers:
                theirs = _value(results.get((case.name, peer)), lower, extra)
                if mine is None or theirs is None or theirs == 0 or mine == 0:
                    row.append("n/a")
                else:
                    row.append(f"{(theirs / mine) if lower else (mine / theirs):.2f}")
            if case.goal is not None and extra is None:
                sign = "<=" if lower else ">="
                met = (
                    ""
                    if mine is None
                    else " met"
                    if (mine <= case.goal if lower else mine >= case.goal)
                    else " MISSED"
                )
                row.append(f"{sign} {_fmt(case.goal)}{met}")
            else:
                row.append("")
            rows.append(row)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    size = "quick sizes, 1 run" if quick else f"best of {repeat}"
    collector = "cyclic GC on" if with_gc else "cyclic GC off unless a case needs it"
    print(f"\n== {module_name}: {_title(module_name)}")
    print(f"   ({size}; {collector}; values from the CPU time of the measuring process)")
    for k, row in enumerate([header, *rows]):
        cells = [
            c.ljust(w) if i in _LEFT else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print(
        "vs <peer>: how many times curio is ahead of that peer (curio/peer for rates, "
        "peer/curio for costs marked 'lower better'); above 1 means curio is ahead."
    )
    notes = [f"  {c.name}: {c.note}" for c in cases if c.note]
    failures = [
        f"  {c.name} / {i}: {o.status}: {o.message}"
        for c in cases
        for i in impls
        if (o := results.get((c.name, i))) is not None and o.status not in ("ok", "pending")
    ]
    for line in notes + failures:
        print(line)


def _progress(text: str) -> None:
    """Show progress on a terminal (overwriting one line); silent when stderr is redirected."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{text:<60}\r" if text else "\r" + " " * 60 + "\r")
        sys.stderr.flush()


def _versions() -> str:
    parts = [f"Python {platform.python_version()} ({platform.machine()}, {platform.system()})"]
    for dist in _PACKAGES:
        try:
            parts.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{dist} not installed")
    return "; ".join(parts)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="run cases whose 'module: case' name contains TEXT (repeatable)",
    )
    parser.add_argument(
        "--impl",
        default=",".join(IMPLEMENTATIONS),
        help="comma-separated implementations to run (default: all)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="runs per (case, implementation); the best is kept (default 3)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, one run, one interpreter per module and implementation",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="child interpreters run at once (default: 1, or 2 with --quick); more than 1 "
        "makes runs share caches and cores, fine for a smoke test but not for numbers",
    )
    parser.add_argument(
        "--gc",
        action="store_true",
        help="keep the cyclic garbage collector on during measurements (default: off)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds allowed per child interpreter (default 600)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write raw results here")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--child", nargs=2, metavar=("MODULE", "IMPL"), help=argparse.SUPPRESS)
    parser.add_argument("cases", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.jobs < 0:
        parser.error("--jobs must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the selected benchmarks and print the tables (or act as a child)."""
    args = _parse(argv)
    if args.child:
        _child(args.child[0], args.child[1], args.quick, args.gc, args.cases)
        return 0

    wanted_impls = [i.strip() for i in args.impl.split(",") if i.strip()]
    bad = set(wanted_impls) - set(IMPLEMENTATIONS)
    if bad:
        print(f"unknown implementation(s): {', '.join(sorted(bad))}", file=sys.stderr)
        return 2
    plan: list[tuple[str, list[Case]]] = []
    for module_name in _discover():
        try:
            cases = _load(module_name)
        except Exception as exc:
            print(f"cannot load {module_name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        cases = [
            c
            for c in cases
            if not args.only
            or any(t.lower() in f"{module_name}: {c.name}".lower() for t in args.only)
        ]
        if cases:
            plan.append((module_name, cases))
    if args.list:
        for module_name, cases in plan:
            for c in cases:
                print(f"{module_name}: {c.name}  [{c.unit}]  impls: {', '.join(c.impls)}")
        return 0

    repeat = 1 if args.quick else args.repeat
    jobs = args.jobs or (min(2, os.cpu_count() or 1) if args.quick else 1)
    print(_versions())
    started = time.monotonic()
    raw: list[dict[str, object]] = []
    for module_name, cases in plan:
        module_started = time.monotonic()
        impls = [
            i for i in IMPLEMENTATIONS if i in wanted_impls and any(i in c.impls for c in cases)
        ]
        results: dict[tuple[str, str], _Outcome] = {}
        batches: list[tuple[str, list[str]]] = []
        for _ in range(repeat):
            if args.quick:
                batches += [(i, [c.name for c in cases if i in c.impls]) for i in impls]
            else:
                batches += [(i, [c.name]) for c in cases for i in impls if i in c.impls]

        def run_batch(
            batch: tuple[str, list[str]], module_name: str = module_name
        ) -> tuple[str, list[dict[str, object]]]:
            impl, names = batch
            records = _spawn_child(
                module_name, impl, names, quick=args.quick, with_gc=args.gc, timeout=args.timeout
            )
            return impl, records

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for done, (impl, records) in enumerate(pool.map(run_batch, batches), 1):
                for record in records:
                    results.setdefault((str(record["case"]), impl), _Outcome()).add(record)
                    raw.append({"module": module_name, "impl": impl, **record})
                _progress(f"{module_name}: {done}/{len(batches)} runs")
        _progress("")
        _print_table(module_name, cases, impls, results, args.quick, repeat, args.gc)
        print(f"({module_name}: {time.monotonic() - module_started:.1f} s wall)")
    print(f"\n(all: {time.monotonic() - started:.1f} s wall)")
    if args.json:
        args.json.write_text(json.dumps(raw, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
