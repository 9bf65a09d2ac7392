"""Type-check curio the way its users do, against the installed distributions.

Run by ``nox -s downstream`` in an environment holding the built wheels, mypy and pyright:

1. ``app/``, a sample application, must pass ``mypy --strict`` and pyright's strict mode.
2. Each file in ``mistakes/`` marks the lines that hold a deliberate mistake with
   ``# expect-error``; both checkers must report an error on each marked line, and on no
   other line.
3. ``pyright --verifytypes`` must find every distribution's public API 100 % typed.

Exits non-zero when any of these fails, after running them all.  ``--allow-source``
accepts distributions installed from the working tree (editable installs), for a quick
local run; the session itself always checks the wheels.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import sysconfig
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DISTRIBUTIONS = {
    "curio-traps": "curio_traps",
    "curio-kernel": "curio_kernel",
    "curio-sync": "curio_sync",
    "curio-io": "curio_io",
    "curio-net": "curio_net",
    "curio-subprocess": "curio_subprocess",
    "curio-signal": "curio_signal",
    "curio": "curio",
    "pytest-curio": "pytest_curio",
}
MARKER = "# expect-error"
MYPY = [sys.executable, "-m", "mypy", "--config-file", "mypy.ini"]
PYRIGHT = [sys.executable, "-m", "pyright", "--pythonpath", sys.executable]

#: (file name, line) pairs at which a checker reported an error.
Errors = set[tuple[str, int]]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(command[2:] if command[0] == sys.executable else command), flush=True)
    return subprocess.run(command, cwd=HERE, capture_output=True, text=True, check=False)


def _mypy(target: str) -> tuple[int, Errors, str]:
    result = _run([*MYPY, target])
    errors = {
        (Path(match["file"]).name, int(match["line"]))
        for match in re.finditer(r"^(?P<file>[^:\n]+):(?P<line>\d+): error:", result.stdout, re.M)
    }
    return result.returncode, errors, result.stdout


def _pyright(target: str) -> tuple[int, Errors, str]:
    result = _run([*PYRIGHT, "--outputjson", "-p", str(HERE), target])
    report = json.loads(result.stdout)
    errors: Errors = set()
    lines: list[str] = []
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] != "error":
            continue
        line = diagnostic["range"]["start"]["line"] + 1  # pyright counts from 0
        errors.add((Path(diagnostic["file"]).name, line))
        lines.append(f"{Path(diagnostic['file']).name}:{line}: {diagnostic['message']}")
    return result.returncode, errors, "\n".join(lines)


def check_app() -> list[str]:
    """The sample application is clean under both checkers."""
    failures = []
    for name, checker in (("mypy --strict", _mypy), ("pyright strict", _pyright)):
        code, errors, output = checker("app")
        if code != 0 or errors:
            failures.append(f"{name} rejects the sample application:\n{output}")
        else:
            print(f"ok: {name} accepts app/")
    return failures


def _expected() -> Errors:
    expected: Errors = set()
    for path in sorted((HERE / "mistakes").glob("*.py")):
        marked = {
            (path.name, number)
            for number, text in enumerate(path.read_text().splitlines(), start=1)
            if text.rstrip().endswith(MARKER)
        }
        if not marked:
            raise SystemExit(f"{path.name} marks no line with {MARKER!r}")
        expected |= marked
    return expected


def check_mistakes() -> list[str]:
    """Each marked mistake is an error for both checkers, and nothing else is."""
    expected = _expected()
    failures = []
    for name, checker in (("mypy --strict", _mypy), ("pyright strict", _pyright)):
        code, errors, output = checker("mistakes")
        missed = sorted(expected - errors)
        extra = sorted(errors - expected)
        if code == 0 or missed or extra:
            failures.append(
                f"{name} on mistakes/: accepted {missed} (should be errors), "
                f"reported {extra} (not marked)\n{output}"
            )
        else:
            by_file: defaultdict[str, int] = defaultdict(int)
            for file, _ in expected:
                by_file[file] += 1
            print(f"ok: {name} rejects all {len(expected)} mistakes in {len(by_file)} files")
    return failures


def _where(diagnostic: dict[str, object]) -> str:
    """``file:line: `` of a pyright diagnostic, when it has a place."""
    place = diagnostic.get("range")
    if not isinstance(place, dict):
        return ""
    return f"{diagnostic.get('file')}:{place['start']['line'] + 1}: "


def check_completeness() -> list[str]:
    """``pyright --verifytypes`` scores every distribution at 100 %."""
    failures = []
    for distribution, module in DISTRIBUTIONS.items():
        result = _run([*PYRIGHT, "--outputjson", "--verifytypes", module, "--ignoreexternal"])
        report = json.loads(result.stdout)["typeCompleteness"]
        score = report["completenessScore"]
        print(f"   {distribution}: {score:.1%} of {report['exportedSymbolCounts']} symbols")
        if score < 1.0:
            holes = [
                f"  {symbol['name']}: {_where(d)}{d['message']}"
                for symbol in report["symbols"]
                for d in symbol["diagnostics"]
                if d["severity"] == "error"
            ]
            failures.append(
                f"{distribution} is {score:.1%} type-complete:\n" + "\n".join(sorted(set(holes)))
            )
    return failures


def check_installed_from_wheels() -> list[str]:
    """Every distribution comes from site-packages, as a user's would."""
    purelib = Path(sysconfig.get_paths()["purelib"]).resolve()
    failures = []
    for module in DISTRIBUTIONS.values():
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            failures.append(f"{module} is not installed")
        elif not Path(spec.origin).resolve().is_relative_to(purelib):
            failures.append(f"{module} comes from {spec.origin}, not from an installed wheel")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--allow-source", action="store_true", help="accept editable installs of the tree"
    )
    args = parser.parse_args()
    failures = [] if args.allow_source else check_installed_from_wheels()
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    failures += check_app()
    failures += check_mistakes()
    failures += check_completeness()
    for failure in failures:
        print(f"\nFAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
