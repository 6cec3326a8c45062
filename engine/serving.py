"""What `formwork serve` checks before it starts more than one web process."""

from __future__ import annotations

from engine.settings import Settings


def secret_refusal(settings: Settings, workers: int) -> str | None:
    """Why `workers` web processes may not start on these settings (None when they may).

    Every process signs and checks the signed-out visitor's cookie (the sign-in form's CSRF token) and the public
    forms' page tokens with the workspace secret. Without a configured one each process would make up its own, and
    a page served by one process would be refused by the next: the secret must be set, and be the same everywhere.
    """
    if workers <= 1 or str(settings.values.get("secret") or "").strip():
        return None
    return (f"--workers {workers} needs the workspace secret (setting `secret`, environment variable "
            f"FORMWORK_SECRET) so that every process signs cookies and tokens with the same key; set it in "
            f"{settings.home_path / 'config.json'} (`formwork init` writes one) or in the environment, the same "
            f"on every host")
