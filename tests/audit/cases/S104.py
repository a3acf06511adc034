CASES = [
    {
        "name": "nothing about the fee",
        "expect": "fail",
        "where": "s6",
        "report": {"sections": {"s6": "无。"}},
    },
    {
        "name": "table 二 fee instead",
        "expect": "fail",
        "where": "s6",
        "report": {"sections": {"s6": "本年度行政事业性收费0万元。"}},
    },
    {"name": "fee stated", "expect": "pass", "report": {}},
]
