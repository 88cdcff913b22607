"""Files written whole or not at all: what a user opens is never half a file.

`write_atomically` has a file produced under a hidden temporary name in its folder (`.<name>.<random>.part`)
and renamed over its final name only once complete; a process killed meanwhile (kill -9, a power cut)
leaves at most that hidden part file, which `remove_leftovers` clears on the folder's next write.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

PART_SUFFIX = ".part"


def _file_mode() -> int:
    """The mode any new file gets (0644 under the usual umask 022), not mkstemp's owner-only 0600, so a
    web server or a colleague delivering receipts and briefings can read them. The umask is read from
    /proc (Linux), which changes nothing; only where that is missing is it set and restored (setting it
    is the only other way to read it, and another thread would see the moment between)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, produce: Callable[[Path], None]) -> Path:
    """Run `produce(temp_path)` and rename the result to `path`; on any error remove the temp file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        produce(temp)
        os.chmod(temp, _file_mode())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete the part files an interrupted writer left in `folder` (only ours: hidden, `.part`)."""
    if not folder.is_dir():
        return []
    removed = [path for path in folder.glob(f".*{PART_SUFFIX}") if path.is_file()]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
