"""Renderers: the official layout as terminal tables, HTML, DOCX, PDF, XLSX and JSON."""
