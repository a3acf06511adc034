ROW = {"natural_person": 2, "total": 2}
CASES = [
    {
        "name": "new + carried over != total + carried forward",
        "expect": "fail",
        "where": "table3.carried_forward.natural_person",
        "report": {"table3": {"new": ROW, "granted": ROW, "total": ROW, "carried_forward": ROW}},
    },
    {"name": "balanced", "expect": "pass", "report": {"table3": {"new": ROW, "granted": ROW, "total": ROW}}},
]
