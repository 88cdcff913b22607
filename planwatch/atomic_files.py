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
# the process's umask, read once (setting it is the only way to read it): a file written here gets the
# mode any new file gets (0644 under the usual 022), not mkstemp's owner-only 0600, so a web server or a
# colleague delivering receipts and briefings can read them
_UMASK = os.umask(0o022)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


def write_atomically(path: Path, produce: Callable[[Path], None]) -> Path:
    """Run `produce(temp_path)` and rename the result to `path`; on any error remove the temp file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        produce(temp)
        os.chmod(temp, FILE_MODE)
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
