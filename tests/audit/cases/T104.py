CASES = [
    {
        "name": "ambiguous glued run",
        "expect": "fail",
        "where": "table2.normative_documents.in_force",
        "report": {
            "status": {
                "table2.normative_documents.in_force": {
                    "status": "ambiguous",
                    "value": None,
                    "raw": "77132470",
                    "candidates": [70, 470],
                }
            }
        },
    },
    {
        "name": "missing table",
        "expect": "fail",
        "where": "table4",
        "report": {
            "status": {
                f"table4.{g}.{c}": "missing"
                for g in ("review", "litigation_direct", "litigation_after_review")
                for c in ("upheld", "corrected", "other", "pending", "total")
            }
        },
    },
    {"name": "all read", "expect": "pass", "report": {}},
]
