CASES = [
    {
        "name": "2019 trial layout in a 2022 report",
        "expect": "fail",
        "where": "table2",
        "report": {"meta": {"year": 2022, "template": "2019"}},
    },
    {"name": "2021 layout in 2024", "expect": "pass", "report": {}},
]
