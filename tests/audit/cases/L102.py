OTHERS = ["table3.other_no_correction", "table3.other_fee_unpaid", "table3.other_other"]
CASES = [
    {
        "name": "single （六）其他处理 row in a 2023 report",
        "expect": "fail",
        "where": "table3.other",
        "report": {"meta": {"year": 2023}, "drop_rows": OTHERS, "add_rows": ["table3.other"]},
    },
    {"name": "three rows in 2023", "expect": "pass", "report": {"meta": {"year": 2023}}},
]
