DEPT = {"agency": "测试县交通运输局"}
GOV = {"agency": "测试县人民政府"}
CASES = [
    {
        "name": "department published in February",
        "expect": "fail",
        "severity": "error",
        "where": "meta",
        "report": {"meta": {**DEPT, "published": "2025-02-18", "sources": {"published": "page_text"}}},
    },
    {
        "name": "department on time",
        "expect": "pass",
        "report": {"meta": {**DEPT, "published": "2025-01-20", "sources": {"published": "page_text"}}},
    },
    {
        "name": "本级人民政府 by 3月31日",
        "expect": "pass",
        "report": {"meta": {**GOV, "published": "2025-03-28", "sources": {"published": "html_meta"}}},
    },
    {
        "name": "本级人民政府 in April",
        "expect": "fail",
        "severity": "error",
        "report": {"meta": {**GOV, "published": "2025-04-02"}},
    },
    {
        "name": "the roster's kind wins over the name",
        "expect": "pass",
        "report": {"meta": {**DEPT, "kind": "government", "published": "2025-03-01"}},
    },
    {
        "name": "a file property date is only a warning",
        "expect": "fail",
        "severity": "warning",
        "report": {"meta": {**DEPT, "published": "2025-02-18", "sources": {"published": "pdf_metadata"}}},
    },
    {
        "name": "no date is a note",
        "expect": "fail",
        "severity": "info",
        "report": {"meta": DEPT},
    },
    {
        "name": "deadline set by the caller",
        "expect": "pass",
        "report": {"meta": {**DEPT, "published": "2025-02-18", "deadlines": {"department": "02-28"}}},
    },
]
