"""Every setting in one list (name, default, help, environment variable), driving the CLI, docs and tests."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, help text and the environment variable that overrides it."""

    name: str
    default: str
    help: str
    env: str


SETTINGS: tuple[Setting, ...] = (
    Setting("home", "workspace", "Folder of the workspace: config, SQLite database and uploaded files.", "FORMWORK_HOME"),
    Setting("database_url", "", "SQLAlchemy URL of the database; empty means SQLite at <home>/formwork.db. "
            "Use postgresql://user@host/db to scale out.", "DATABASE_URL"),
    Setting("database_replica_url", "", "SQLAlchemy URL of a read replica of the database (a PostgreSQL streaming "
            "replica); reports and dashboards compute their numbers there. Empty: they read the database itself.",
            "DATABASE_REPLICA_URL"),
    Setting("secret", "", "Secret key that signs cookies and tokens; `formwork init` generates one.", "FORMWORK_SECRET"),
    Setting("timezone", "Asia/Shanghai", "Workspace time zone: dates, relative filters and schedules use it.",
            "FORMWORK_TIMEZONE"),
    Setting("language", "zh", "Default language of the workspace (zh or en).", "FORMWORK_LANGUAGE"),
    Setting("https", "", "1 when the site is only reached over HTTPS: session cookies are always Secure. Without it "
            "they are Secure for requests that came over HTTPS (X-Forwarded-Proto is believed from the proxies "
            "uvicorn trusts, FORWARDED_ALLOW_IPS).", "FORMWORK_HTTPS"),
    Setting("session_idle_minutes", "10080", "Minutes a browser session may go unused before it ends and the user "
            "signs in again (10080 = 7 days).", "FORMWORK_SESSION_IDLE_MINUTES"),
    Setting("session_lifetime_days", "30", "Days after signing in at which a browser session ends however much it "
            "is used.", "FORMWORK_SESSION_LIFETIME_DAYS"),
    Setting("access_log", "0", "1 to have `formwork serve` log every request (uvicorn's access log); off by default, "
            "as a production site behind a proxy logs requests there and the log costs each request time.",
            "FORMWORK_ACCESS_LOG"),
    Setting("redis_url", "", "Redis URL for background jobs (redis://host:6379/0); run `formwork worker` beside the "
            "web server. Empty: jobs run in the web process.", "REDIS_URL"),
    Setting("job_lease", "300", "Seconds a job may run before another worker takes it over (a dead worker's jobs "
            "are picked up after this).", "FORMWORK_JOB_LEASE"),
    Setting("job_backoff", "10", "Seconds before a failed job's first retry; each further retry waits twice as "
            "long (at most an hour).", "FORMWORK_JOB_BACKOFF"),
    Setting("export_background_rows", "5000", "Exports of more records than this run as a background job with "
            "progress and a download link; smaller ones download at once.", "FORMWORK_EXPORT_BACKGROUND_ROWS"),
    Setting("export_keep_hours", "24", "Hours a background export's file is kept for its download before it is "
            "deleted.", "FORMWORK_EXPORT_KEEP_HOURS"),
    Setting("import_max_mb", "100", "Largest file (MB) an import takes; a bigger one is refused before it is read.",
            "FORMWORK_IMPORT_MAX_MB"),
    Setting("smtp_url", "", "SMTP server for outgoing email when none is saved on the E-mail admin page: "
            "smtp://user:password@host:587?security=starttls&from=noreply@example.com (security none, starttls or "
            "ssl; smtps:// means ssl). Empty: emails are retried, then fail, until a server is set up.",
            "FORMWORK_SMTP_URL"),
    Setting("public_posts_per_address", "10", "Posts one address may send to public forms (/f/…) in 10 minutes; "
            "more get 429 until the window moves on.", "FORMWORK_PUBLIC_POSTS_PER_ADDRESS"),
    Setting("public_posts_per_link", "300", "Posts one public form link takes in 10 minutes from everyone together; "
            "more get 429.", "FORMWORK_PUBLIC_POSTS_PER_LINK"),
    Setting("backup_time", "", "Local time (HH:MM, workspace time zone) of the daily backup taken by the job "
            "runner; empty: no scheduled backups (`formwork backup FILE` still works).", "FORMWORK_BACKUP_TIME"),
    Setting("backup_keep", "7", "How many scheduled backups to keep; older ones are deleted after each new one.",
            "FORMWORK_BACKUP_KEEP"),
    Setting("backup_folder", "backups", "Folder of the scheduled backups, relative to the workspace home (or "
            "absolute).", "FORMWORK_BACKUP_FOLDER"),
    Setting("base_url", "http://127.0.0.1:8000", "Public address of the site, used in emails: links to records and "
            "the open and click tracking links.", "FORMWORK_BASE_URL"),
    Setting("company_name", "", "Company name at the head of printed records (print templates read it).",
            "FORMWORK_COMPANY_NAME"),
    Setting("company_address", "", "Company address printed under its name.", "FORMWORK_COMPANY_ADDRESS"),
    Setting("company_phone", "", "Company phone printed under its name.", "FORMWORK_COMPANY_PHONE"),
)
CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class Settings:
    """Resolved settings: environment variables over the workspace's config.json over defaults."""

    values: Mapping[str, str]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @cached_property
    def home_path(self) -> Path:
        """The workspace folder, absolute (resolved once: requests ask for it and `resolve` reads the disk)."""
        return Path(self.values["home"]).expanduser().resolve()

    @property
    def url(self) -> str:
        """The database URL, defaulting to the workspace's SQLite file."""
        return self.values["database_url"] or f"sqlite:///{self.home_path / 'formwork.db'}"

    @classmethod
    def load(cls, overrides: Mapping[str, str | None] | None = None,
             environ: Mapping[str, str] | None = None) -> Settings:
        """Settings for a workspace; explicit overrides beat the environment, which beats config.json."""
        environ = os.environ if environ is None else environ
        given = {k: v for k, v in (overrides or {}).items() if v is not None}
        home = given.get("home") or environ.get("FORMWORK_HOME") or "workspace"
        config_path = Path(home).expanduser() / CONFIG_FILE
        stored = json.loads(config_path.read_text()) if config_path.is_file() else {}
        values = {}
        for s in SETTINGS:
            values[s.name] = str(given.get(s.name) or environ.get(s.env) or stored.get(s.name) or s.default)
        values["home"] = home
        return cls(values)

    def save(self) -> Path:
        """Write config.json in the workspace folder (the secret included; keep the folder private)."""
        self.home_path.mkdir(parents=True, exist_ok=True)
        path = self.home_path / CONFIG_FILE
        data = {k: v for k, v in self.values.items() if k != "home"}
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        path.chmod(0o600)
        return path
