"""Settings of the tunable stages: PDF reading, OCR and extraction.

Each stage has a frozen dataclass whose defaults are what gongkai uses when nothing is given. `resolve`
is the one place that turns what a caller passes (``None`` for the defaults, a dict nested by stage, or a
`Settings`) into a `Settings`; an unknown key or a bad value raises `SettingsError` naming it.

>>> import gongkai
>>> report = gongkai.parse("scan.pdf", settings={"ocr": {"dpi": 300}, "extract": {"ocr_trust": 0.85}})

The same in a TOML file (``gongkai parse --settings gongkai.toml``, see `load`)::

    [ocr]
    dpi = 300
    [extract]
    ocr_trust = 0.85
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path

from gongkai.errors import InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "OCR_TRUST",
    "ExtractSettings",
    "OcrSettings",
    "PdfSettings",
    "Settings",
    "SettingsError",
    "SettingsLike",
    "load",
    "resolve",
]

# OCR confidence (0–1) below which a digit is not trusted on its own: extraction lets the identities
# confirm it, correct it or leave it ambiguous; the audit and the web mark such cells. One number for all.
OCR_TRUST = 0.8


class SettingsError(InputError, ValueError):
    """An unknown setting or a value out of range."""


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise SettingsError(
            f"设置无效 (bad setting {name}={value!r}: expected a number from {low} to {high})"
        )


@dataclass(frozen=True)
class PdfSettings:
    """Reading PDF files."""

    max_pages: int = 300  # longer PDFs are refused before any parsing (no annual report is longer)
    ocr_missing_pages: bool = True  # pages without a usable text layer are OCRed (needs gongkai[ocr])

    def __post_init__(self) -> None:
        if isinstance(self.max_pages, bool) or not isinstance(self.max_pages, int):
            raise SettingsError(
                f"设置无效 (bad setting pdf.max_pages={self.max_pages!r}: expected a whole number)"
            )
        _check_range("pdf.max_pages", self.max_pages, 1, 100_000)
        if not isinstance(self.ocr_missing_pages, bool):
            value = self.ocr_missing_pages
            raise SettingsError(
                f"设置无效 (bad setting pdf.ocr_missing_pages={value!r}: expected true or false)"
            )


@dataclass(frozen=True)
class OcrSettings:
    """OCR of scanned PDFs and images."""

    dpi: int = 200  # resolution PDF pages are rendered at before recognition
    timeout: float = 120.0  # seconds per file
    # a table number read with less confidence (0–1) is read again from other crops of the same ink
    # (wider, denoised, binarised, enlarged), and its doubtful digits are listed as alternatives
    recheck_below: float = 0.9
    # the confidence a number keeps when those readings disagree (the best-supported one is kept)
    disagree_cap: float = 0.5

    def __post_init__(self) -> None:
        _check_range("ocr.dpi", self.dpi, 72, 1200)
        _check_range("ocr.timeout", self.timeout, 0.001, 86_400)
        _check_range("ocr.recheck_below", self.recheck_below, 0.0, 1.0)
        _check_range("ocr.disagree_cap", self.disagree_cap, 0.0, 1.0)


@dataclass(frozen=True)
class ExtractSettings:
    """Extraction of the tables from a read document."""

    ocr_trust: float = OCR_TRUST  # see `OCR_TRUST`

    def __post_init__(self) -> None:
        _check_range("extract.ocr_trust", self.ocr_trust, 0.0, 1.0)


@dataclass(frozen=True)
class Settings:
    """All tunable stages; ``Settings()`` holds the defaults."""

    pdf: PdfSettings = field(default_factory=PdfSettings)
    ocr: OcrSettings = field(default_factory=OcrSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)


DEFAULT = Settings()
if TYPE_CHECKING:
    SettingsLike = Settings | dict[str, Any] | None
else:  # the same at run time, where nothing reads a dict's parameters
    SettingsLike = Settings | dict | None


def resolve(settings: SettingsLike) -> Settings:
    """``None`` → the defaults; a dict such as ``{"ocr": {"dpi": 300}}`` → those values over the
    defaults; a `Settings` as it is. Raises `SettingsError` naming an unknown key or a bad value."""
    if settings is None:
        return DEFAULT
    if isinstance(settings, Settings):
        return settings
    if not isinstance(settings, dict):
        raise SettingsError(f"设置无效 (settings must be a dict or Settings, not {type(settings).__name__})")
    return _build(Settings, settings, "")


def _build(cls: type, given: dict[str, Any], prefix: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = [k for k in given if k not in known]
    if unknown:
        name = f"{prefix}{unknown[0]}"
        raise SettingsError(
            f"未知设置 (unknown setting {name!r}; known: {', '.join(prefix + k for k in known)})"
        )
    values: dict[str, Any] = {}
    for key, value in given.items():
        factory = known[key].default_factory
        default = factory() if callable(factory) else None
        if is_dataclass(default):
            if isinstance(value, type(default)):
                values[key] = value
            elif isinstance(value, dict):
                values[key] = _build(type(default), value, f"{prefix}{key}.")
            else:
                raise SettingsError(f"设置无效 (bad setting {prefix}{key}: expected a dict of its settings)")
        else:
            values[key] = value
    return cls(**values)


def load(path: str | Path) -> Settings:
    """Settings from a TOML file with a table per stage (``[pdf]``, ``[ocr]``, ``[extract]``); the keys not
    given keep their defaults. A file that cannot be read or is not TOML, an unknown key or a bad value
    raises `SettingsError` with one line naming it."""
    import tomllib

    try:
        with open(path, "rb") as f:
            given = tomllib.load(f)
    except OSError as e:
        raise SettingsError(f"无法读取设置文件 (cannot read settings file: {e.strerror or e})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SettingsError(f"设置文件不是有效的 TOML (settings file is not TOML: {e})") from None
    return resolve(given)
