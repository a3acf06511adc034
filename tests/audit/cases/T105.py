CASES = [
    {
        "name": "negative count",
        "expect": "fail",
        "where": "table2.licensing.decisions",
        "report": {"table2": {"licensing": {"decisions": -3}}},
    },
    {
        "name": "fractional count",
        "expect": "fail",
        "where": "table2.penalty.decisions",
        "report": {"table2": {"penalty": {"decisions": 2.5}}},
    },
    {"name": "money may have decimals", "expect": "pass", "report": {"table2": {"fees": {"amount": 2.5}}}},
    {
        "name": "2019 change may be negative",
        "expect": "pass",
        "report": {"meta": {"year": 2019}, "table2": {"penalty": {"change": -18}}},
    },
]
