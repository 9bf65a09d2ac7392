"""``python -m curio_kernel.monitor [ADDRESS]``: the same client as ``python -m curio.monitor``."""

from ._client import main

if __name__ == "__main__":
    raise SystemExit(main())
