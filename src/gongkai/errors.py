"""Typed errors the library raises; the CLI turns them into one ``错误/Error: <file>: <reason>`` line."""


class GongkaiError(Exception):
    """Base class for every error gongkai raises on purpose."""


class InputError(GongkaiError):
    """The input cannot be used: empty, binary, undecodable, encrypted, corrupt, too large or not a report."""


class ConversionError(InputError):
    """An external converter (LibreOffice, OCR) failed or is missing."""
