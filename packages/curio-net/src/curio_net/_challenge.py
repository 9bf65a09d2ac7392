"""The HMAC challenge of :mod:`multiprocessing.connection`, as pure functions of the bytes.

Each side proves it knows the shared key: one sends ``#CHALLENGE#`` and a random nonce,
the other answers with the HMAC of the nonce under the key, and the first replies
``#WELCOME#`` or ``#FAILURE#``.  Python 3.12 named the digest in the nonce
(``{sha256}`` and 40 random bytes) and in the answer; Python 3.11, curio 1.x and older
peers send a 20-byte nonce and answer with a bare 16-byte HMAC-MD5.  The nonce made here
names SHA-256, which both kinds of peer answer (an old one with HMAC-MD5 of the whole
nonce, which is accepted as Python 3.12 accepts it); both kinds of nonce are answered.
Problems raise ``ValueError`` with the reason, which the channel turns into its
``AuthenticationError``.
"""

from __future__ import annotations

import hmac
import os
from typing import Final

__all__ = [
    "CHALLENGE",
    "FAILURE",
    "LIMIT",
    "WELCOME",
    "answer",
    "make_nonce",
    "verify",
]

CHALLENGE: Final = b"#CHALLENGE#"
WELCOME: Final = b"#WELCOME#"
FAILURE: Final = b"#FAILURE#"
#: The largest message of the handshake either side accepts.
LIMIT: Final = 256

_DIGESTS: Final = frozenset({"md5", "sha256", "sha384", "sha3_256", "sha3_384"})
_PREFERRED: Final = "sha256"
_NONCE_BYTES: Final = 40
_LEGACY_NONCE_BYTES: Final = 20
_MD5_BYTES: Final = 16


def make_nonce() -> bytes:
    """A fresh nonce naming the digest this side prefers (send it after ``CHALLENGE``)."""
    return b"{%s}%s" % (_PREFERRED.encode("ascii"), os.urandom(_NONCE_BYTES))


def _named_digest(message: bytes) -> tuple[str, bytes] | None:
    """``(digest name, rest)`` if *message* starts with a known ``{digest}``, else ``None``."""
    if not message.startswith(b"{"):
        return None
    end = message.find(b"}", 1, 2 + max(map(len, _DIGESTS)))
    if end < 0:
        return None
    name = message[1:end].decode("ascii", "replace")
    return (name, message[end + 1 :]) if name in _DIGESTS else None


def _mac(authkey: bytes, nonce: bytes, digest: str) -> bytes:
    try:
        return hmac.new(authkey, nonce, digest).digest()
    except ValueError as exc:  # a digest this build of Python refuses (FIPS mode)
        raise ValueError(f"HMAC-{digest} is not available here: {exc}") from None


def answer(authkey: bytes, nonce: bytes) -> bytes:
    """The answer to the challenge *nonce* (the bytes after ``CHALLENGE``)."""
    if len(nonce) == _LEGACY_NONCE_BYTES:
        return _mac(authkey, nonce, "md5")  # an old peer: a bare HMAC-MD5
    if len(nonce) < _LEGACY_NONCE_BYTES:
        raise ValueError(f"the challenge is too short: {len(nonce)} bytes")
    named = _named_digest(nonce)
    if named is None:
        raise ValueError("the challenge names no digest this side supports")
    digest = named[0]
    return b"{%s}%s" % (digest.encode("ascii"), _mac(authkey, nonce, digest))


def verify(authkey: bytes, nonce: bytes, response: bytes) -> None:
    """Check that *response* answers *nonce* under *authkey*; ``ValueError`` if it does not."""
    if len(response) == _MD5_BYTES:
        digest, mac = "md5", response  # an old peer's bare HMAC-MD5
    else:
        named = _named_digest(response)
        if named is None:
            raise ValueError(
                f"the answer ({len(response)} bytes) is neither an HMAC-MD5 nor names a digest"
            )
        digest, mac = named
    if not hmac.compare_digest(_mac(authkey, nonce, digest), mac):
        raise ValueError("the answer to the challenge is wrong: the peer has another authkey")
