"""The split suite: curio-traps, curio-kernel and curio-sync installed alone, from wheels.

``nox -s split`` builds that environment and sets ``CURIO_SPLIT_ENV=1``.  The isolation
test asserts facts that hold only there (the other distributions are absent), so it is
collected only when that variable is set; the tests of the kernel and curio-sync working
together hold everywhere and run in every session.
"""

from __future__ import annotations

import os

collect_ignore = [] if os.environ.get("CURIO_SPLIT_ENV") == "1" else ["test_isolation.py"]
