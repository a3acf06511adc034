CASES = [
    {
        "name": "total row larger than the results",
        "expect": "fail",
        "where": "table3.total.natural_person",
        "report": {
            "table3": {
                "new": {"natural_person": 5, "total": 5},
                "granted": {"natural_person": 4, "total": 4},
                "total": {"natural_person": 5, "total": 5},
            }
        },
    },
    {
        "name": "blank result totals hide the sum",
        "expect": "fail",
        "where": "table3.total.total",
        "report": {
            "table3": {
                "new": {"natural_person": 1, "total": 1},
                "granted": {"natural_person": 1, "total": None},
                "total": {"natural_person": 1, "total": 1},
            }
        },
    },
    {
        "name": "2019 single other row counts",
        "expect": "pass",
        "report": {
            "meta": {"year": 2020},
            "table3": {
                "new": {"natural_person": 1, "total": 1},
                "other": {"natural_person": 1, "total": 1},
                "total": {"natural_person": 1, "total": 1},
            },
        },
    },
]
