CASES = [
    {
        "name": "last year's period",
        "expect": "fail",
        "where": "meta",
        "report": {"preamble": "本报告所列数据统计期限为2023年1月1日至2023年12月31日。"},
    },
    {
        "name": "the report year",
        "expect": "pass",
        "report": {"preamble": "本报告所列数据统计期限为2024年1月1日至2024年12月31日。"},
    },
    {
        "name": "last year's period in its short form",
        "expect": "fail",
        "where": "meta",
        "report": {"preamble": "本报告所列数据统计期限为2023年1月1日至12月31日。"},
    },
    {
        "name": "the report year in its short form",
        "expect": "pass",
        "report": {"preamble": "本报告所列数据统计期限为2024年1月1日至12月31日。"},
    },
]
