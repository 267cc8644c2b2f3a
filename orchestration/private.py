"""Owner-only files and folders for person-level data, whatever the umask.

The warehouse, its work copies and lock, Dagster's home (run and event databases,
compute logs) and the work lists hold pseudonyms or worse: nobody but the owner reads
them. Published aggregates are the exception: a web server must read those
(`world_readable`).
"""

from __future__ import annotations

import os
from pathlib import Path

OWNER_DIR, OWNER_FILE = 0o700, 0o600
PUBLIC_DIR, PUBLIC_FILE = 0o755, 0o644


def private_dir(path: Path, *, create_parents: bool = False, chmod: bool = True) -> Path:
    """Create `path` owner-only; an existing folder is made owner-only when `chmod`.

    Parents created on the way are owner-only too; existing parents (a folder the
    operator chose, like /data) are left as they are.
    """
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        if not create_parents or p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=OWNER_DIR, exist_ok=True)
        os.chmod(d, OWNER_DIR)
    if chmod and path.is_dir() and not path.is_symlink():
        os.chmod(path, OWNER_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create (or truncate nothing of) `path` with mode 0600, before anything is written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, OWNER_FILE)
    try:
        os.fchmod(fd, OWNER_FILE)
    finally:
        os.close(fd)
    return path


def private_tree(root: Path) -> None:
    """Make a whole tree owner-only (Dagster's home: runs.db, event logs, compute logs)."""
    if not root.is_dir():
        return
    os.chmod(root, OWNER_DIR)
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            if not os.path.islink(p):
                os.chmod(p, OWNER_DIR)
        for f in filenames:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                os.chmod(p, OWNER_FILE)


def public_tree(root: Path) -> None:
    """Published aggregates: readable by a web server, writable by the owner only."""
    if not root.is_dir():
        return
    os.chmod(root, PUBLIC_DIR)
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), PUBLIC_DIR)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), PUBLIC_FILE)
