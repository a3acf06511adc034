CASES = [
    {"name": "section 五 missing", "expect": "fail", "where": "s5", "report": {"sections": {"s5": None}}},
    {"name": "all six", "expect": "pass", "report": {}},
]
