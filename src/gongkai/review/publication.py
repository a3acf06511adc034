"""Publication metadata a reviewer corrects (source URL, 发布日期): stored on the document through the store's
own ``set_publication`` (so the timeliness rule and the roster's on-time check read it), and logged."""

from __future__ import annotations

import dataclasses

from gongkai.errors import InputError
from gongkai.review.common import log, opened
from gongkai.store.publication import Publication

REVIEWER_SOURCE = "given"  # a date a person gave, as the agreed source names call it
SOURCE_LABELS = {
    "given": "人工填写",
    "title": "标题",
    "opening": "正文开头",
    "signature": "落款",
    "page_title": "网页标题",
    "file_name": "文件名",
    "html_meta": "网页元数据",
    "page_text": "网页正文",
    "pdf_metadata": "PDF 属性",
    "docx_metadata": "Word 属性",
    "body": "正文",
    "list_page": "栏目列表页",
}


def edit_publication(
    url_or_store, report_id: int, source_url: str | None, published: str | None, user: str | None = None
) -> Publication:
    """Set a document's source URL and publication date (ISO ``YYYY-MM-DD``); other fields are kept."""
    if source_url and not source_url.lower().startswith(("http://", "https://")):
        raise InputError(f"来源网址应以 http:// 或 https:// 开头 (not a web address: {source_url!r})")
    with opened(url_or_store) as store:
        old = store.publication(report_id)
        if old is None:
            raise InputError(f"没有编号为 {report_id} 的文件 (no document {report_id})")
        try:
            new = dataclasses.replace(
                old,
                source_url=source_url,
                published=published,
                published_source=REVIEWER_SOURCE if published else None,
            )
        except (ValueError, TypeError) as e:
            raise InputError(f"发布日期应写作 2025-01-31 (bad date: {e})") from None
        store.set_publication(report_id, new)
        with store.engine.begin() as c:
            log(c, user, "publication", f"report:{report_id}", source_url=source_url, published=published)
    return new
