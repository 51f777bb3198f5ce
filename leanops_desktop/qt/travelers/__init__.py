"""Printed job travelers: one page per job, painted with QPainter to a PDF or a printer."""
