"""The six sections' headings and bodies."""

from __future__ import annotations

from gongkai.extract.locate import Found, find_sections
from gongkai.extract.stream import Stream
from gongkai.lazyre import lazy_compile
from gongkai.model import SectionText

_SUBHEADING = lazy_compile(
    r"(?:^|(?<=[\n。；;]))[ \t#]*[（(]([一二三四五六七八九十])[)）][ \t]*([^。\n:：]{2,30})"
)


def sub_parts(body: str) -> list[dict]:
    """The numbered sub-headings of a section body (总体情况's （一）主动公开 … （五）监督保障)."""
    marks = list(_SUBHEADING.finditer(body))
    parts = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        parts.append(
            {
                "number": m.group(1),
                "heading": m.group(2).strip(),
                "text": body[m.end() : end].strip(),
                "start": m.start(),
            }
        )
    return parts


def extract_sections(stream: Stream, source_text: str) -> tuple[dict[str, SectionText], list[Found]]:
    found = find_sections(stream)
    out: dict[str, SectionText] = {}
    for i, f in enumerate(found):
        end = found[i + 1].start if i + 1 < len(found) else len(stream.compact)
        t_head = stream.to_text(f.start)
        t_body = stream.to_text(f.end - 1) + 1
        t_end = stream.to_text(end)
        start_off = stream.orig_offset[t_body] if t_body < len(stream.orig_offset) else len(source_text)
        end_off = stream.orig_offset[t_end] if t_end < len(stream.orig_offset) else len(source_text)
        span = stream.span_at(t_head)
        heading = source_text[stream.orig_offset[t_head] : start_off].strip()
        out[f.key] = SectionText(
            key=f.key,
            heading=heading,
            text=source_text[start_off:end_off].strip(),
            line=span[2].line if span else None,
            start=start_off,
            end=end_off,
        )
        if f.key == "s1":
            out[f.key].parts = sub_parts(out[f.key].text)
    return out, found
