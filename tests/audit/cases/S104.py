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
    {
        "name": "table 二 fee situation",
        "expect": "fail",
        "where": "s6",
        "report": {"sections": {"s6": "本年度行政事业性收费情况见表二。"}},
    },
    {"name": "fee stated", "expect": "pass", "report": {}},
    {
        "name": "no fee of any kind",
        "expect": "pass",
        "report": {"sections": {"s6": "本年度未收取任何费用。"}},
    },
    {
        "name": "no disclosure charge",
        "expect": "pass",
        "report": {"sections": {"s6": "本年度未发生政府信息公开收费情况。"}},
    },
    {
        "name": "2020 report, before 国办函〔2020〕109号 applied",
        "expect": "pass",
        "report": {"meta": {"year": 2020}, "sections": {"s6": "无。"}},
    },
]
