"""Many strings as two arrays, for pickle and skops files.

skops writes every Python object but an array as JSON (a 400,000-word
vocabulary as a dict: 270 MB, 11 s to load) and pickle writes each string
as an object of its own; the UTF-8 bytes of all strings end to end, with
where each one ends, are two plain arrays in either format.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pack_strings", "unpack_strings"]


def pack_strings(strings) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of ``strings`` end to end (``uint8``), and where each
    one ends (``int32``, or ``int64`` past 2 GiB)."""
    encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
    ends = np.cumsum([len(b) for b in encoded], dtype=np.int64)
    if not ends.size or ends[-1] < 2**31:
        ends = ends.astype(np.int32)
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), ends


def unpack_strings(data: np.ndarray, ends: np.ndarray) -> list[str]:
    """The strings that :func:`pack_strings` packed."""
    buffer = np.asarray(data, dtype=np.uint8).tobytes()
    ends = np.asarray(ends, dtype=np.int64).tolist()
    return [
        buffer[a:b].decode("utf-8", "surrogatepass")
        for a, b in zip([0, *ends[:-1]], ends)
    ]
