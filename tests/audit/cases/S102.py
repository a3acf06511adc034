CASES = [
    {
        "name": "行政法复议",
        "expect": "fail",
        "where": "s4",
        "report": {"headings": {"s4": "四、政府信息公开行政法复议、行政诉讼情况"}},
    },
    {
        "name": "wrong number",
        "expect": "fail",
        "where": "s5",
        "report": {"headings": {"s5": "六、存在的主要问题及改进情况"}},
    },
    {
        "name": "documented variant",
        "expect": "pass",
        "report": {"headings": {"s5": "五、政府信息公开工作存在的主要问题及改进情况"}},
    },
    {"name": "official", "expect": "pass", "report": {}},
]
