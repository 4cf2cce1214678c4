"""Checks on a file a CLI command is about to write, made before any work is done."""

from __future__ import annotations

import os
from pathlib import Path


def csv_path_problem(path: Path) -> str | None:
    """Why the file cannot be written (for "--csv PATH: <reason>"), or None when it can."""
    folder = path.parent
    try:
        if path.is_dir():
            return "is a folder"
        if not folder.is_dir():
            return (f"{folder} is not a folder" if folder.exists()
                    else f"the folder {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"cannot write in the folder {folder}"
        if path.exists() and not os.access(path, os.W_OK):
            return "the file is read-only"
    except OSError as exc:
        return f"cannot check it ({exc.strerror or exc})"
    return None
