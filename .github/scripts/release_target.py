"""Turn a release tag into the distribution to publish, refusing any mismatch.

A release tag is ``<distribution>-v<version>``: ``curio-v0.1.0`` publishes the meta-package,
``curio-kernel-v0.1.0`` publishes curio-kernel.  The tag's distribution must be one of
``packages/*`` and its version must equal the ``version`` in that package's pyproject.toml,
so a tag can never publish something other than what it names.

Usage: ``python .github/scripts/release_target.py TAG`` prints ``distribution=...``,
``version=...`` and ``path=...`` lines (the format of ``$GITHUB_OUTPUT``), or exits with
status 1 and the reason on stderr.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

__all__ = ["ReleaseTagError", "main", "release_target"]

_ROOT = Path(__file__).resolve().parents[2]
_TAG = re.compile(r"(?P<distribution>curio(?:-[a-z]+)?)-v(?P<version>[0-9][0-9A-Za-z.+!-]*)")


class ReleaseTagError(ValueError):
    """The tag does not name a distribution of this repository at its current version."""


def release_target(tag: str, root: Path = _ROOT) -> tuple[str, str, Path]:
    """Return ``(distribution, version, package folder)`` for a release tag.

    Raises :class:`ReleaseTagError` naming the problem when the tag is malformed, names no
    distribution of the repository, or disagrees with the package's version.
    """
    match = _TAG.fullmatch(tag)
    if match is None:
        raise ReleaseTagError(
            f"tag {tag!r} is not <distribution>-v<version> (e.g. curio-kernel-v0.1.0)"
        )
    distribution, version = match["distribution"], match["version"]
    folder = root / "packages" / distribution
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        known = sorted(p.parent.name for p in (root / "packages").glob("*/pyproject.toml"))
        raise ReleaseTagError(
            f"tag {tag!r} names {distribution!r}, which is not one of: {', '.join(known)}"
        )
    with pyproject.open("rb") as f:
        project = tomllib.load(f)["project"]
    if project["name"] != distribution:
        raise ReleaseTagError(
            f"{pyproject.relative_to(root)} is named {project['name']!r}, not {distribution!r}"
        )
    if project["version"] != version:
        raise ReleaseTagError(
            f"tag {tag!r} says version {version}, "
            f"but {pyproject.relative_to(root)} says {project['version']}"
        )
    return distribution, version, folder


def main(argv: list[str]) -> int:
    """Print the release target of ``argv[1]`` as ``$GITHUB_OUTPUT`` lines."""
    if len(argv) != 2:
        print(f"usage: {argv[0]} TAG", file=sys.stderr)
        return 2
    try:
        distribution, version, folder = release_target(argv[1])
    except ReleaseTagError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"distribution={distribution}")
    print(f"version={version}")
    print(f"path={folder.relative_to(_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
