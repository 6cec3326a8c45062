"""Password hashing with argon2 (costs configurable so tests stay fast) and generated passwords."""

from __future__ import annotations

import os
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_FAST = os.environ.get("FORMWORK_FAST_HASH") == "1"  # test suites only: argon2 at minimum cost
_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1) if _FAST else PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if the password matches the stored hash."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password(length: int = 14) -> str:
    """A random password of letters and digits, easy to type from a terminal."""
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password
