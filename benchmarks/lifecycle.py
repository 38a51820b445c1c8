"""What the engine and store benchmarks run: the national SOP's lifecycle, and how they time it."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

STEPS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("verify", {"classification": "pengaduan", "category": "kesehatan"}),
    ("distribute", {"agency": "dinas_kesehatan"}),
    ("follow_up", {"response": "Sudah ditangani"}),
    ("reply", {"message": "Belum selesai"}),
    ("follow_up", {"response": "Sudah diperbaiki"}),
    ("close", {}),
)
DESCRIPTION = (
    "Sudah dua minggu lampu penerangan jalan di RT 04 RW 02 mati, sehingga warga yang pulang malam "
    "merasa tidak aman. Kami sudah melapor ke kelurahan tetapi belum ada tindak lanjut. Mohon segera "
    "diperbaiki sebelum terjadi kecelakaan atau tindak kejahatan."
)


def timed(fn: Callable[[], None]) -> float:
    """Seconds one call of ``fn`` takes, with the garbage collector off."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.enable()
