"""Deterministic Lambda zips: the same `bootstrap` bytes always give the same zip bytes.

Pulumi decides whether a function's code changed by hashing the archive, so a zip that
embeds the build time or the file system's order would show a code change in every
`pulumi preview`. Here every entry has a fixed timestamp, fixed permissions and a fixed
order, and compression is fixed too.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can represent
EXECUTABLE = 0o100755  # regular file, rwxr-xr-x: Lambda runs `bootstrap` directly
COMPRESSION_LEVEL = 9


def deterministic_zip(entries: Mapping[str, bytes]) -> bytes:
    """A zip of `entries` (name -> content), executable, in sorted name order."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP)
            info.external_attr = EXECUTABLE << 16
            info.create_system = 3  # Unix, so the mode above is honoured
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name], compresslevel=COMPRESSION_LEVEL)
    return buffer.getvalue()


def package_bootstrap(binary: Path, out: Path) -> int:
    """Write `out` with `binary` as `bootstrap`; returns the zip's size in bytes."""
    data = deterministic_zip({"bootstrap": binary.read_bytes()})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(data)
