CASES = [
    {"name": "section 五 missing", "expect": "fail", "where": "s5", "report": {"sections": {"s5": None}}},
    {"name": "all six", "expect": "pass", "report": {}},
    {
        "name": "heading lost, table 三 present",
        "expect": "fail",
        "severity": "info",
        "where": "s3",
        "report": {"sections": {"s3": None}},
    },
    {
        "name": "heading of 五 lost, its content in 四",
        "expect": "fail",
        "severity": "info",
        "where": "s5",
        "report": {
            "sections": {
                "s4": "本年度未发生行政复议、行政诉讼。"
                "存在的主要问题：信息更新不够及时。改进措施：加强督促检查。",
                "s5": None,
            }
        },
    },
    {
        "name": "a page excerpt that starts and ends midway",
        "expect": "fail",
        "severity": "warning",
        "where": "s1",
        "report": {
            "meta": {"title": ""},
            "sections": {"s1": None, "s2": None, "s6": None},
        },
    },
    {
        "name": "sections missing from a complete report",
        "expect": "fail",
        "severity": "error",
        "where": "s6",
        "report": {"sections": {"s6": None}},
    },
]
