"""Find and drop biometric data (fingerprint, face, palm templates, photos) in a pushed line.

Templates never leave the terminal, not even inside an error record: a line that carries one
(``FP PIN=..\\tFID=..\\tTMP=..`` sent under the wrong table, ``BIODATA ..\\tTmp=..``,
``USERPIC ..\\tContent=..``) is reduced to its kind and the fields known to hold no biometric
data (PIN, finger index, sizes, flags). Every other field goes, whatever its name.
"""

from __future__ import annotations

import re

# Record kinds whose lines carry templates or photos.
KINDS = frozenset(
    {
        "FP", "FACE", "BIODATA", "FVEIN", "FINGERTMP", "FACETMP", "PALM", "USERPIC",
        "BIOPHOTO", "ATTPHOTO", "UNLOCKPHOTO",
    }
)  # fmt: skip
# Field names that hold template or photo data in any kind of line.
_DATA_KEYS = frozenset({"TMP", "TEMPLATE", "CONTENT", "PHOTO", "PIC", "IMAGE", "FACE", "FP"})
# The fields kept from a biometric line: none of them holds biometric data.
_SAFE_KEYS = frozenset(
    {"PIN", "FID", "NO", "INDEX", "VALID", "DURESS", "TYPE", "SIZE", "MAJORVER", "MINORVER",
     "FORMAT", "FILENAME"}
)  # fmt: skip
_KIND_ALT = "|".join(sorted(KINDS))
_KEY_ALT = "|".join(sorted(_DATA_KEYS))
_MARK = re.compile(
    rf"(?i)^\s*(?:{_KIND_ALT})(?![A-Za-z0-9_])|(?:^|[\s,])(?:{_KEY_ALT})=".encode("ascii")
)
_FIELD_SPLIT = re.compile(rb"[\t ,]+")
_SAFE_VALUE = re.compile(rb"[A-Za-z0-9_.\-]{0,64}")


def strip_biometric(raw: bytes) -> tuple[bytes, str | None]:
    """(``raw`` without biometric data, the kind found) - ``(raw, None)`` when it has none."""
    if _MARK.search(raw) is None:
        return raw, None
    parts = [part for part in _FIELD_SPLIT.split(raw.strip()) if part]
    head = parts[0].decode("ascii", errors="replace").upper() if parts else ""
    kind = head if head in KINDS else "template"
    kept = [head.encode()] if head in KINDS else []
    for part in parts:
        key, sep, value = part.partition(b"=")
        name = key.decode("ascii", errors="replace").upper()
        if sep and name in _SAFE_KEYS and _SAFE_VALUE.fullmatch(value):
            kept.append(part)
    return b"\t".join(kept), kind
