CASES = [
    {
        "name": "cell missing in source, inferred from totals",
        "expect": "fail",
        "where": "table3.unable_not_held.natural_person",
        "report": {"status": {"table3.unable_not_held.natural_person": {"status": "inferred", "raw": None}}},
    },
    {
        "name": "glued digits are not 'not printed'",
        "expect": "pass",
        "report": {"status": {"table3.new.natural_person": {"status": "inferred", "raw": "000"}}},
    },
]
