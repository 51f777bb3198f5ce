"""The machine-readable symbols of a printed job: a Code 128 barcode and a QR code.

Both are computed here as plain modules (no drawing): ``qt/travelers`` paints them. Code 128
comes from python-barcode's encoder (it picks code sets B and C itself, so digit runs stay
short), the QR code from segno (error correction M at least, so a smudged label still reads).
A job id is what the kiosk's scanner types, so that is all either symbol holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from barcode.codex import Code128

from leanops_desktop.core.errors import ValidationError
from leanops_desktop.core.validation import check_id

#: Quiet zone each side of a Code 128 symbol, in modules (the standard asks for 10).
CODE128_QUIET_MODULES = 10
#: Quiet zone around a QR code, in modules (the standard asks for 4).
QR_QUIET_MODULES = 4


@dataclass(frozen=True, slots=True)
class Barcode:
    """A Code 128 symbol: ``modules[i]`` is True for a bar (without the quiet zones)."""

    text: str
    modules: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR code: ``rows[y][x]`` is True for a dark module (without the quiet zone)."""

    text: str
    rows: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        return len(self.rows)


def code128(text: str) -> Barcode:
    """The Code 128 symbol of a job id."""
    job_id = check_id("job id", text)
    (pattern,) = Code128(job_id).build()
    if set(pattern) - {"0", "1"}:  # pragma: no cover - the encoder's output format
        raise ValidationError("job id", "cannot be encoded as Code 128")
    return Barcode(job_id, tuple(module == "1" for module in pattern))


def qr_code(text: str) -> QrCode:
    """The QR code of a job id (error correction M or better)."""
    job_id = check_id("job id", text)
    symbol = segno.make_qr(job_id, error="m", boost_error=True)
    rows = tuple(tuple(bool(module) for module in row) for row in symbol.matrix)
    return QrCode(job_id, rows)
