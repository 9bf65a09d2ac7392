"""Every check a developer or CI runs on curio.

``nox`` alone runs the default sessions, which are exactly what CI runs::

    tests-3.11/3.12/3.13  pytest over tests/ on each interpreter the machine has
    lint                 ruff, ruff format, actionlint, zizmor, shellcheck, validate-pyproject
                         and twine check
    typing               mypy --strict over every package (and the examples)
    build                sdist and wheel of every distribution into dist/
    split                curio-traps + curio-kernel + curio-sync + pytest-curio alone, from
                         the wheels
    docs                 the Sphinx documentation, warnings as errors (Python 3.13)
    downstream           mypy --strict and pyright strict on a sample application against
                         the wheels, deliberate mistakes rejected, verifytypes at 100 %

Sessions run on request only (CI runs ``wheels`` and ``coverage`` too)::

    wheels               curio from the wheels alone: the manual's examples and a smoke test
                         of every package
    coverage             the test suite under coverage.py: branch coverage of every package,
                         a table of what is missed (the newest Python)
    fuzz                 tests/fuzz/ with CURIO_FUZZ_ROUNDS=20000: run it after changing any
                         wait path
    reexports            rewrite the meta-package's generated re-export modules
    bench                benchmarks against asyncio, uvloop and trio
    demo                 the README's demonstration

Each session makes its own virtual environment and installs what it needs, so a machine
with Python 3.11+ and ``pip install nox`` is enough.  Interpreters are never downloaded; a
missing one skips its session locally and is an error when ``CI`` is set.  Tool versions
come from the ``[dependency-groups]`` of the workspace ``pyproject.toml``.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterable
from pathlib import Path

import nox
from nox.command import CommandFailed

nox.needs_version = ">=2025.10.14"  # --download-python and `requires=`

ROOT = Path(__file__).resolve().parent
PACKAGES = ROOT / "packages"
DIST = ROOT / "dist"
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PYTHONS = ["3.11", "3.12", "3.13"]
PYTEST = ("pytest", "-p", "no:cacheprovider", "--import-mode=importlib")

#: The distributions proven to work on their own by the ``split`` session.
SPLIT_DISTRIBUTIONS = ("curio-traps", "curio-kernel", "curio-sync", "pytest-curio")


def _ci() -> bool:
    """Whether we run under CI (GitHub sets ``CI=true``; ``.ci/run`` sets ``CI=1``)."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


nox.options.sessions = ["tests", "lint", "typing", "build", "split", "docs", "downstream"]
nox.options.error_on_missing_interpreters = _ci()
nox.options.download_python = "never"


# --- helpers ------------------------------------------------------------------------------


def _distributions() -> dict[str, Path]:
    """Map each distribution name to its folder under packages/, sorted by folder."""
    found: dict[str, Path] = {}
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        with pyproject.open("rb") as f:
            name = tomllib.load(f)["project"]["name"]
        found[name] = pyproject.parent
    return found


def _version(distribution: str) -> str:
    """The static version in a distribution's pyproject.toml."""
    with (_distributions()[distribution] / "pyproject.toml").open("rb") as f:
        version: str = tomllib.load(f)["project"]["version"]
    return version


def _wheel_name(distribution: str) -> str:
    """The file-name stem of a distribution in wheels and sdists (PEP 427/625)."""
    return distribution.replace("-", "_")


def _install_groups(session: nox.Session, *groups: str) -> None:
    """Install the pinned tools of the named dependency groups."""
    session.install(*nox.project.dependency_groups(PYPROJECT, *groups))


def _install_tool(session: nox.Session, group: str, tool: str) -> None:
    """Install one tool at the version a dependency group pins, without the rest of it."""
    pins = [r for r in nox.project.dependency_groups(PYPROJECT, group) if r.split("==")[0] == tool]
    if not pins:
        session.error(f"the dependency group {group!r} pins no {tool}")
    session.install(*pins)


def _install_workspace(session: nox.Session) -> None:
    """Install every distribution from the working tree (non-editable, like a user gets it).

    The packages are built with the session's own hatchling and installed with
    ``--no-index``, so each one comes from this tree and never from an index; their one
    dependency outside curio, pytest (for pytest-curio), is installed first at its pin and
    left alone by the forced reinstall (``--no-deps``: every other dependency is in the
    list).
    """
    build_requires = _build_requires()
    session.install(*build_requires)
    _install_tool(session, "test", "pytest")  # pytest-curio's one dependency outside curio
    session.install(
        "--no-build-isolation",
        "--no-index",
        "--force-reinstall",
        "--no-deps",
        *(str(path) for path in _distributions().values()),
    )


def _build_requires() -> list[str]:
    """The union of every distribution's ``[build-system] requires``."""
    requires: set[str] = set()
    for path in _distributions().values():
        with (path / "pyproject.toml").open("rb") as f:
            requires.update(tomllib.load(f)["build-system"]["requires"])
    return sorted(requires)


def _dist_files(session: nox.Session, distributions: Iterable[str]) -> list[Path]:
    """The sdist and the wheel of each distribution, at its current version, in dist/.

    Ends the session with a clear message when one is missing or ambiguous.
    """
    files: list[Path] = []
    for distribution in distributions:
        stem = f"{_wheel_name(distribution)}-{_version(distribution)}"
        for pattern in (f"{stem}.tar.gz", f"{stem}-*.whl"):
            matches = sorted(DIST.glob(pattern))
            if len(matches) != 1:
                session.error(
                    f"dist/ should hold exactly one {pattern}, found {len(matches)}: "
                    "run `nox -s build` first"
                )
            files.extend(matches)
    return files


# --- default sessions ---------------------------------------------------------------------


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the whole test suite against the packages installed from the working tree."""
    _install_groups(session, "test")
    _install_workspace(session)
    session.run(*PYTEST, *session.posargs)


@nox.session(requires=["build"])
def lint(session: nox.Session) -> None:
    """Style, workflows and packaging metadata; every check runs, then failures are listed."""
    _install_groups(session, "lint")
    pyprojects = [str(ROOT / "pyproject.toml")]
    pyprojects += [str(path / "pyproject.toml") for path in _distributions().values()]
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.y*ml"))
    zizmor_mode = [] if os.environ.get("GH_TOKEN") else ["--offline"]
    checks: list[tuple[str, list[str]]] = [
        ("ruff check", ["ruff", "check", "."]),
        ("ruff format", ["ruff", "format", "--check", "."]),
        ("actionlint", ["actionlint", *workflows]),
        ("shellcheck", ["shellcheck", str(ROOT / ".ci" / "run")]),
        ("zizmor", ["zizmor", *zizmor_mode, str(ROOT / ".github")]),
        ("validate-pyproject", ["validate-pyproject", *pyprojects]),
        (
            "twine check",
            ["twine", "check", "--strict", *map(str, _dist_files(session, _distributions()))],
        ),
    ]
    failed: list[str] = []
    for name, command in checks:
        try:
            session.run(*command)
        except CommandFailed:
            failed.append(name)
    if failed:
        session.error(f"failed: {', '.join(failed)}")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict (settings in pyproject.toml) over every package, the examples, the tooling."""
    _install_groups(session, "typing")
    _install_tool(session, "test", "pytest")  # pytest-curio is typed against it
    targets: list[str] = []
    for name, path in _distributions().items():
        if any((path / "src").rglob("*.py")):
            targets.append(str(path / "src"))
        else:
            session.warn(f"{name} has no Python source yet: nothing to check there")
    examples = ROOT / "docs" / "examples"
    if any(examples.glob("*.py")):
        targets.append(str(examples))
    session.run("mypy", *targets, *session.posargs)
    # The repository's own tooling is typed too.
    session.run("mypy", "noxfile.py", str(ROOT / ".github" / "scripts"))


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdist and the wheel of every distribution into a clean dist/."""
    _install_groups(session, "build")
    shutil.rmtree(DIST, ignore_errors=True)
    for path in _distributions().values():
        session.run("python", "-m", "build", "--outdir", str(DIST), str(path))
    files = _dist_files(session, _distributions())
    session.log(f"built {len(files)} files into {DIST.relative_to(ROOT)}/")


@nox.session(requires=["build"])
def split(session: nox.Session) -> None:
    """Prove the split: curio-traps, curio-kernel, curio-sync and pytest-curio alone, from
    the wheels only.

    The environment gets those distributions from dist/ with ``--no-index`` (nothing from an
    index, nothing from the working tree) plus the test tools, then runs tests/split/ (which
    also proves the other packages are absent), tests/sync/ and tests/pytest_curio/.
    """
    _install_groups(session, "test")
    _dist_files(session, SPLIT_DISTRIBUTIONS)  # fail clearly if a wheel is missing
    session.install("--no-index", "--find-links", str(DIST), *SPLIT_DISTRIBUTIONS)
    suites = [str(ROOT / "tests" / "split")]
    suites += [str(ROOT / "tests" / area) for area in ("sync", "pytest_curio")]
    # tests/split/test_isolation.py only runs where this variable says it is the split.
    session.run(*PYTEST, *suites, *session.posargs, env={"CURIO_SPLIT_ENV": "1"})


# --- sessions run on request ------------------------------------------------------------


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks of curio against asyncio, asyncio on uvloop, and trio (CPU time)."""
    _install_groups(session, "bench")
    _install_workspace(session)
    session.run("python", "tests/benchmarks/run.py", *session.posargs)


#: How many rounds each test of tests/fuzz/ plays in ``nox -s fuzz`` (elsewhere, in the
#: tests session for one, tests/fuzz/ plays its own default).
FUZZ_ROUNDS = 20000


@nox.session(default=False)
def fuzz(session: nox.Session) -> None:
    """The long run of tests/fuzz/: random interleavings, CURIO_FUZZ_ROUNDS rounds a test.

    Run it after changing any wait path (a trap, the kernel's scheduling, a primitive's
    queue).  ``CURIO_FUZZ_SEED`` passes through from the environment, so
    ``CURIO_FUZZ_SEED=<seed> nox -s fuzz`` replays a run, and ``CURIO_FUZZ_ROUNDS=<n>``
    sets the rounds (20000 by default).
    """
    suite = ROOT / "tests" / "fuzz"
    if not suite.is_dir():
        session.error("tests/fuzz/ does not exist yet: there is nothing to fuzz")
    _install_groups(session, "test")
    _install_workspace(session)
    # tests/fuzz/ bounds each of its tests in proportion to the rounds it plays.
    rounds = os.environ.get("CURIO_FUZZ_ROUNDS", str(FUZZ_ROUNDS))  # a shorter run on request
    session.run(*PYTEST, str(suite), *session.posargs, env={"CURIO_FUZZ_ROUNDS": rounds})


#: Where ``nox -s coverage`` keeps its data files: an absolute ``COVERAGE_FILE``, so the
#: children the tests start in other directories write theirs there too.
COVERAGE_DATA = ROOT / ".nox" / "coverage-data"


@nox.session(python=PYTHONS[-1], default=False)
def coverage(session: nox.Session) -> None:
    """Branch coverage of every package by the whole test suite, as a table of what is missed.

    The packages are installed as the tests session installs them (non-editable); the
    ``[tool.coverage]`` settings of pyproject.toml measure them by import name and report
    them against packages/*/src.  Every Python child the tests start is measured too, but
    for one killed while it saved its data (the session says how many).  One
    interpreter, the newest: code that runs only on an older Python would show as missed.
    """
    _install_groups(session, "test", "coverage")
    _install_workspace(session)
    shutil.rmtree(COVERAGE_DATA, ignore_errors=True)
    COVERAGE_DATA.mkdir(parents=True)
    env = {"COVERAGE_FILE": str(COVERAGE_DATA / ".coverage")}
    failed = False
    try:
        session.run("coverage", "run", "-m", *PYTEST, *session.posargs, env=env)
    except CommandFailed:
        failed = True  # still report what ran
    session.run("coverage", "combine", env=env)
    # What combine could not read is left behind: the data of a child killed (tests kill
    # children on purpose) while it was saving.
    unread = sorted(COVERAGE_DATA.glob(".coverage.*"))
    for path in unread:
        path.unlink()
    if unread:
        session.log(f"not counted: {len(unread)} unreadable data files (children killed mid-save)")
    session.run("coverage", "report", env=env)
    if failed:
        session.error("the test suite failed: the coverage above is of a failing run")


@nox.session(default=False)
def demo(session: nox.Session) -> None:
    """The README's demonstration: the kernel at work, then an echo server with its clients."""
    _install_workspace(session)
    session.run("python", "docs/examples/demo.py", *session.posargs)
    session.run("python", "docs/examples/echo_server.py")


@nox.session(default=False)
def reexports(session: nox.Session) -> None:
    """Rewrite the meta-package's generated modules from the distributions' ``__all__``.

    Run after a distribution adds or removes a public name (tests/meta fails until then);
    see .github/scripts/write_reexports.py.  ``curio/__init__.py`` is edited by hand.
    """
    _install_tool(session, "lint", "ruff")
    _install_workspace(session)
    session.run("python", str(ROOT / ".github" / "scripts" / "write_reexports.py"))


# --- documentation, downstream typing and the wheels ----------------------------------------

#: Sphinx 9.1+ needs Python 3.12+; the documentation is built on the newest we support.
DOCS_PYTHON = "3.13"


def _install_wheels(session: nox.Session, *distributions: str) -> None:
    """Install *distributions* and their dependencies from dist/ alone, never from an index."""
    _dist_files(session, _distributions())  # end the session clearly if a wheel is missing
    session.install("--no-index", "--find-links", str(DIST), *distributions)


@nox.session(python=DOCS_PYTHON)
def docs(session: nox.Session) -> None:
    """Build the Sphinx documentation: warnings are errors, every reference must resolve."""
    session.install("-r", str(ROOT / "docs" / "requirements.txt"))
    _install_workspace(session)
    out = ROOT / "docs" / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)
    session.run(
        "sphinx-build",
        *("-W", "--keep-going", "-n", "-q", "-b", "html"),
        str(ROOT / "docs"),
        str(out),
        *session.posargs,
    )
    session.log(f"documentation in {out.relative_to(ROOT)}/index.html")


@nox.session(requires=["build"])
def downstream(session: nox.Session) -> None:
    """Type-check a sample application and deliberate mistakes against the wheels.

    mypy --strict and pyright (strict) must accept tests/downstream/app and report every
    marked line of tests/downstream/mistakes; ``pyright --verifytypes`` must find every
    distribution 100 % typed.  See tests/downstream/check.py.
    """
    session.install("-r", str(ROOT / "tests" / "downstream" / "requirements.txt"))
    _install_tool(session, "test", "pytest")  # what pytest-curio integrates with
    _install_wheels(session, "curio", "pytest-curio")
    session.run("python", str(ROOT / "tests" / "downstream" / "check.py"), *session.posargs)


@nox.session(requires=["build"], default=False)
def wheels(session: nox.Session) -> None:
    """Install curio from the wheels alone; run the manual's examples and a smoke test.

    Every distribution comes from dist/ with ``--no-index``.  tests/meta proves each public
    name reaches ``curio`` and runs the smoke test of every package; tests/docs runs every
    example of the documentation, the manual's among them.
    """
    _install_groups(session, "test")
    _install_wheels(session, "curio")
    session.run("python", "-m", "pip", "check")
    session.run("python", str(ROOT / "tests" / "meta" / "smoke.py"), "--from-wheels")
    session.run(
        *PYTEST, str(ROOT / "tests" / "meta"), str(ROOT / "tests" / "docs"), *session.posargs
    )
