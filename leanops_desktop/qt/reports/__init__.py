"""Plant reports painted with QPainter to a PDF page (the shift report)."""
