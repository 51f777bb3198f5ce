"""Reading barcodes back from what LeanOps painted: images, and PDF pages via pdftoppm."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import zxingcpp
from PySide6.QtGui import QImage


def image_array(image: QImage) -> np.ndarray:
    """A QImage as an 8-bit grey array zxing-cpp reads."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    data = np.frombuffer(bytes(grey.constBits()), dtype=np.uint8).reshape(height, stride)
    return data[:, :width].copy()


def read_symbols(image: QImage) -> dict[str, str]:
    """Format name ("Code128", "QRCode") -> text of every symbol found."""
    found = {}
    for result in zxingcpp.read_barcodes(image_array(image)):
        found[result.format.name] = result.text
    return found


def pdf_pages(pdf: Path, folder: Path, dpi: int = 150) -> list[QImage]:
    """Every page of ``pdf`` rendered by poppler's pdftoppm (independent of Qt)."""
    tool = shutil.which("pdftoppm")
    assert tool is not None, "pdftoppm (Debian: poppler-utils) is needed to read PDF pages"
    prefix = folder / "page"
    subprocess.run([tool, "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(folder.glob("page-*.png"), key=lambda path: int(path.stem.split("-")[-1]))
    return [QImage(str(page)) for page in pages]


def pdf_page_size_points(pdf: Path) -> tuple[float, float]:
    """The first page's size in points, as poppler's pdfinfo reports it."""
    tool = shutil.which("pdfinfo")
    assert tool is not None
    out = subprocess.run([tool, str(pdf)], check=True, capture_output=True, text=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("Page size:"))
    width, _x, height = line.split(":", 1)[1].split()[:3]
    return float(width), float(height)
