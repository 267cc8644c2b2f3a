"""Where things live, from environment variables with the defaults of SPEC §4.

Read when a command or a run needs them, never at import time.
"""

from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
REGISTRY_SEED = DBT_PROJECT_DIR / "seeds" / "gemeenten.csv"

DEFAULT_INBOX = "demo/inbox"
DEFAULT_WAREHOUSE = "warehouse/inbeeld.duckdb"
DEFAULT_PUBLISH = "publish"
DEFAULT_EXPORTS = "exports"
DEMO_KEY_FILE = ".inbeeld/pseudonym.key"
KEY_ENV = "INBEELD_PSEUDONYM_KEY"


def _path(env: str, default: str, override: str | None = None) -> Path:
    return Path(override or os.environ.get(env) or default).expanduser().resolve()


def inbox_path(override: str | None = None) -> Path:
    return _path("INBEELD_INBOX", DEFAULT_INBOX, override)


def warehouse_path(override: str | None = None) -> Path:
    return _path("INBEELD_WAREHOUSE", DEFAULT_WAREHOUSE, override)


def publish_path(override: str | None = None) -> Path:
    return _path("INBEELD_PUBLISH", DEFAULT_PUBLISH, override)


def exports_path(override: str | None = None) -> Path:
    return _path("INBEELD_EXPORTS", DEFAULT_EXPORTS, override)


def publish_url() -> str | None:
    """INBEELD_PUBLISH_URL: the address of publish/ behind the reverse proxy, if any."""
    return os.environ.get("INBEELD_PUBLISH_URL") or None


class SettingError(ValueError):
    """An INBEELD_* setting that cannot be read; the message says which and how."""


def configured_first_month() -> date | None:
    """INBEELD_FIRST_MONTH (YYYY-MM): the first month partition, and the oldest month
    folder the ingest accepts. Unset: the inbox's first month decides (defs/partitions.py)."""
    value = os.environ.get("INBEELD_FIRST_MONTH", "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(f"{value[:7]}-01")
    except ValueError:
        raise SettingError(
            f"INBEELD_FIRST_MONTH '{value}' is geen maand in de vorm JJJJ-MM."
        ) from None


def check_exports_location(publish: Path, exports: Path) -> None:
    """Work lists hold personal data: never inside the folder that is published."""
    if exports == publish or publish in exports.parents:
        raise ValueError(
            f"INBEELD_EXPORTS ({exports}) ligt in INBEELD_PUBLISH ({publish}): de werklijsten "
            "bevatten persoonsgegevens en mogen nooit mee gepubliceerd worden. Kies voor "
            "INBEELD_EXPORTS een map buiten de publicatiemap."
        )


def registry_path() -> Path:
    return _path("INBEELD_REGISTRY", str(REGISTRY_SEED))


def dagster_home() -> Path:
    return _path("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home"))


class MissingKeyError(RuntimeError):
    pass


MISSING_KEY_MESSAGE = (
    "INBEELD_PSEUDONYM_KEY is niet gezet: zonder de pseudonimiseringssleutel leest inbeeld "
    "geen BSN's. Zet de geheime sleutel van de regio (bewaar die even veilig als de ruwe "
    "bestanden: wie hem heeft, kan elk pseudoniem terugrekenen), of start `inbeeld demo`, "
    "dat een lokale demosleutel maakt."
)


MIN_KEY_LENGTH = 16
SHORT_KEY_MESSAGE = (
    "INBEELD_PSEUDONYM_KEY is te kort ({n} tekens; minstens {min} nodig): een korte sleutel "
    "is te raden, en met de sleutel is elk pseudoniem terug te rekenen naar een BSN. Kies "
    "een lange willekeurige sleutel (bijvoorbeeld 64 hexadecimale tekens) en bewaar die "
    "even veilig als de ruwe bestanden."
)


def pseudonym_key() -> str:
    key = os.environ.get(KEY_ENV, "")
    if not key:
        raise MissingKeyError(MISSING_KEY_MESSAGE)
    if len(key) < MIN_KEY_LENGTH:
        raise MissingKeyError(SHORT_KEY_MESSAGE.format(n=len(key), min=MIN_KEY_LENGTH))
    return key


@functools.cache
def _dbt_vars() -> dict[str, object]:
    """dbt_project.yml's vars, read once per process (texts, cube and work lists ask often)."""
    import yaml  # dbt's own dependency; only needed here

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"]


def dbt_var(name: str) -> object:
    return _dbt_vars()[name]


def disclosure_k() -> int:
    """k of SPEC §2 (counts 1..k-1 are suppressed): INBEELD_DISCLOSURE_K, else the dbt
    var `disclosure_k`. Read through DisclosureResource, which checks it."""
    return int(os.environ.get("INBEELD_DISCLOSURE_K") or dbt_var("disclosure_k"))


def retention_months() -> int:
    """Months after a youth's last listing, event or registration that their person-level
    data is kept: INBEELD_RETENTION_MONTHS, else the dbt var `retention_months` (24)."""
    n = int(os.environ.get("INBEELD_RETENTION_MONTHS") or dbt_var("retention_months"))
    if n < 13:
        raise ValueError(f"retention_months must be at least 13 (the frozen year), got {n}")
    return n


def today() -> date:
    """Today in Europe/Amsterdam; INBEELD_TODAY (YYYY-MM-DD) pins it (tests, replays)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    pinned = os.environ.get("INBEELD_TODAY")
    if pinned:
        return dt.date.fromisoformat(pinned)
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def _workers(env: str) -> int:
    value = os.environ.get(env, "").strip()
    if value:
        n = int(value)
        if n < 1:
            raise ValueError(f"{env} must be at least 1, got {n}")
        return n
    return len(os.sched_getaffinity(0))


def publish_workers() -> int:
    """Processes that build and write regions at once: INBEELD_PUBLISH_WORKERS, else the
    cores this process may use. 1 builds every region in the step's own process."""
    return _workers("INBEELD_PUBLISH_WORKERS")


def ingest_workers() -> int:
    """Processes that read a large run's files at once: INBEELD_INGEST_WORKERS, else the
    cores this process may use. 1 reads every file in the step's own process."""
    return _workers("INBEELD_INGEST_WORKERS")
