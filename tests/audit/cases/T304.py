CASES = [
    {
        "name": "group total 0 with cases",
        "expect": "fail",
        "where": "table4.review.total",
        "report": {"table4": {"review": {"upheld": 10, "corrected": 1, "total": 0}}},
    },
    {
        "name": "inferred value only warns",
        "expect": "fail",
        "severity": "warning",
        "report": {
            "table4": {"review": {"upheld": 1, "total": 2}},
            "status": {"table4.review.upheld": {"status": "inferred", "raw": "12", "value": 1}},
        },
    },
    {
        "name": "group adds up",
        "expect": "pass",
        "report": {"table4": {"review": {"upheld": 3, "other": 1, "pending": 1, "total": 5}}},
    },
]
