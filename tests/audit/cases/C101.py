CASES = [
    {
        "name": "carried over differs from last year's carried forward",
        "expect": "fail",
        "where": "table3.carried_over.total",
        "report": {
            "table3": {
                "carried_over": {"natural_person": 1, "total": 1},
                "granted": {"natural_person": 1, "total": 1},
                "total": {"natural_person": 1, "total": 1},
            }
        },
        "previous": {"meta": {"year": 2023}},
    },
    {
        "name": "matches, agency written with its city",
        "expect": "pass",
        "report": {"meta": {"agency": "洪泽区人民政府"}},
        "previous": {"meta": {"year": 2023, "agency": "淮安市洪泽区人民政府"}},
    },
]
