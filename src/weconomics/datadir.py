"""Create-once secrets in the data folder (secret key, OIDC signing key).

A secret is generated the first time it is needed and then read back, so every
process (web workers, the task worker, management commands) shares it. The file
is created with O_EXCL so two processes starting at once cannot write two keys.
"""

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, factory: Callable[[], str]) -> str:
    """Return the secret stored at path, creating it with factory() when absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text().strip()
        if value:
            return value
        # A concurrent creator has not finished writing yet: wait for it.
        return _wait_for_content(path)
    with os.fdopen(fd, "w") as handle:
        value = factory()
        handle.write(value + "\n")
    return value


def _wait_for_content(path: Path) -> str:
    import time

    for _ in range(100):
        time.sleep(0.05)
        value = path.read_text().strip()
        if value:
            return value
    raise RuntimeError(f"{path} exists but stays empty; remove it to regenerate")


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_rsa_private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode()
