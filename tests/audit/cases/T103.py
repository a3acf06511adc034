CASES = [
    {
        "name": "glued digits split by identities",
        "expect": "fail",
        "where": "table3.new.natural_person",
        "report": {"status": {"table3.new.natural_person": {"status": "inferred", "raw": "0000000"}}},
    },
    {"name": "plainly read", "expect": "pass", "report": {}},
]
