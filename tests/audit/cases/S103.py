CASES = [
    {
        "name": "empty",
        "expect": "fail",
        "where": "s5",
        "severity": "error",
        "report": {"sections": {"s5": "无。"}},
    },
    {
        "name": "measures only",
        "expect": "fail",
        "where": "s5",
        "report": {"sections": {"s5": "下一步，我们将继续加强政务公开工作，推进平台建设。"}},
    },
    {"name": "problems and measures", "expect": "pass", "report": {}},
]
