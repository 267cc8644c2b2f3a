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
    """Create `path` (empty, or left as it is) with mode 0600 before anything is written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, OWNER_FILE)
    try:
        os.fchmod(fd, OWNER_FILE)
    finally:
        os.close(fd)
    return path


def _chmod_tree(root: Path, dir_mode: int, file_mode: int) -> None:
    """Set the modes of a whole tree; links are left alone (they are not followed)."""
    if not root.is_dir():
        return
    os.chmod(root, dir_mode)
    for dirpath, dirnames, filenames in os.walk(root):
        for names, mode in ((dirnames, dir_mode), (filenames, file_mode)):
            for name in names:
                p = os.path.join(dirpath, name)
                if not os.path.islink(p):
                    os.chmod(p, mode)


def private_tree(root: Path) -> None:
    """Make a whole tree owner-only (Dagster's home: runs.db, event logs, compute logs)."""
    _chmod_tree(root, OWNER_DIR, OWNER_FILE)


def public_tree(root: Path) -> None:
    """Published aggregates: readable by a web server, writable by the owner only."""
    _chmod_tree(root, PUBLIC_DIR, PUBLIC_FILE)
