"""Files written atomically, damaged files found and moved aside, full disks named: how every file of the
pipeline is written and checked, whatever its format (the formats are in :mod:`rnnchaos.io`).

:func:`write_atomically` writes to a temporary name beside the target and renames it (atomic on POSIX), so a
killed job never leaves a file that looks complete; a write that fails on a full disk raises
:class:`DiskFullError` naming the folder and its free space. A damaged file is renamed to ``<name>.corrupt``
(:func:`move_aside`, :func:`raise_damaged`), a name the pipeline never reads, so the next run recomputes it;
:func:`quarantine_damaged` finds damaged NetCDF-4 files from their superblock alone (:func:`hdf5_damage`), when
the Snakefile is parsed.
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
import struct
import tempfile
from pathlib import Path

#: suffix of a damaged file moved aside (the pipeline never reads it; delete it once inspected)
CORRUPT_SUFFIX = ".corrupt"


class IncompleteOutputError(RuntimeError):
    """A file that is truncated, foreign, unfinished, corrupt, or lacks expected variables."""


class DiskFullError(OSError):
    """A write that failed because the disk is full; the message names the directory and the free space."""


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: free space below which a failed write is reported as a full disk (on top of the bytes the write needed)
DISK_MARGIN = 1 << 20


def move_aside(path: str | os.PathLike) -> Path:
    """Rename a damaged file to ``<name>.corrupt`` (``.corrupt.1``, ... if taken); returns the new path."""
    path = Path(path)
    target, n = path.with_name(path.name + CORRUPT_SUFFIX), 0
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{CORRUPT_SUFFIX}.{n}")
    os.rename(path, target)
    return target


def raise_damaged(path: Path, reason: str, quarantine: bool, cause: BaseException | None = None):
    """Raise :class:`IncompleteOutputError` for a damaged file ``path`` (``reason``: what is wrong), first moving
    it aside to ``<name>.corrupt`` when ``quarantine``; the message says how the file gets recomputed."""
    if not quarantine:
        raise IncompleteOutputError(f"{path}: {reason}") from cause
    try:
        where = f"moved to {move_aside(path)} so that rerunning snakemake recomputes it"
    except OSError as err:
        where = f"could not be moved aside ({err}); delete it and rerun snakemake to recompute it"
    raise IncompleteOutputError(f"{path}: damaged file: {reason}; {where}") from cause


def hdf5_damage(path: str | os.PathLike) -> str | None:
    """What is wrong with a NetCDF-4 file judged from its first bytes alone, or None if nothing shows there.

    Cheap enough for thousands of files (one 64-byte read): the HDF5 signature and the end-of-file address of
    the superblock against the file's size (a truncated file is shorter). Checksums and the completeness
    marker need the whole file and are checked by :func:`rnnchaos.io.read_dataset`.
    """
    with open(path, "rb") as fh:
        head = fh.read(64)
        size = os.fstat(fh.fileno()).st_size
    if not head.startswith(HDF5_SIGNATURE):
        return "not an HDF5 (NetCDF-4) file" if size else "empty file"
    version = head[8] if len(head) > 8 else -1
    # superblock layout (HDF5 file format spec. 3.0, section II.A): base and end-of-file addresses
    at = {0: (24, 40, 13), 1: (28, 44, 13), 2: (12, 28, 9), 3: (12, 28, 9)}.get(version)
    if at is None or len(head) < at[1] + 8 or head[at[2]] != 8:
        return f"unreadable HDF5 superblock (version {version}, {size} bytes)"
    base, end = struct.unpack_from("<Q", head, at[0])[0], struct.unpack_from("<Q", head, at[1])[0]
    if base + end > size:
        return f"truncated: {size} of {base + end} bytes"
    return None


def quarantine_damaged(root: str | os.PathLike) -> list[str]:
    """Move aside every ``*.nc`` under ``root`` that :func:`hdf5_damage` finds damaged; one message per file.

    Run when the Snakefile is parsed, so that the damaged outputs are missing and are recomputed by that run.
    """
    messages = []
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            path = Path(folder) / name
            if name.endswith(".nc") and not name.startswith("."):
                try:
                    reason = hdf5_damage(path)
                    if reason:
                        messages.append(f"{path}: damaged file ({reason}); moved to {move_aside(path)}, "
                                        "it will be recomputed")
                except OSError as err:
                    messages.append(f"{path}: could not be checked or moved aside ({err})")
    return messages


def _file_mode() -> int:
    """The mode a newly created file gets under the process's umask (0o666 & ~umask)."""
    try:  # Linux >= 4.7 reports it without changing it (thread-safe)
        with open("/proc/self/status") as fh:
            mask = next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: Path, write, *, suffix: str, needed: int = 0) -> None:
    """``write(tmp)`` to a temporary name beside ``path``, then rename it to ``path`` (mode from the umask).

    A failure removes the temporary file; one on a full disk raises :class:`DiskFullError` naming the folder
    and its free space (HDF5 reports a full disk as "NetCDF: HDF error" or "Permission denied").
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp{suffix}"):  # left by a killed attempt
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, Exception):
            _raise_if_disk_full(err, path, needed)
        raise


def _raise_if_disk_full(err: Exception, path: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        return
    if getattr(err, "errno", None) == errno.ENOSPC or free < needed + DISK_MARGIN:
        raise DiskFullError(errno.ENOSPC, f"{path}: not written, the disk holding {path.parent} is full "
                                          f"({free / 2**20:.1f} MiB free, about {needed / 2**20:.1f} MiB "
                                          f"needed); free space and rerun ({type(err).__name__}: {err})") from err
