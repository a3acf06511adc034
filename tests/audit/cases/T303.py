CASES = [
    {
        "name": "row total blank though applicants add to 272",
        "expect": "fail",
        "where": "table3.granted.total",
        "report": {
            "table3": {"granted": {"natural_person": 258, "commercial_enterprise": 12, "total": None}}
        },
    },
    {
        "name": "row adds up",
        "expect": "pass",
        "report": {
            "table3": {
                "new": {"natural_person": 3, "other_org": 1, "total": 4},
                "granted": {"natural_person": 3, "other_org": 1, "total": 4},
                "total": {"natural_person": 3, "other_org": 1, "total": 4},
            }
        },
    },
]
