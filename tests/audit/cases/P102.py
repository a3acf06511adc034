CASES = [
    {
        "name": "审核审核",
        "expect": "fail",
        "where": "s1",
        "report": {"sections": {"s1": "二是规范审核审核发布机制。"}},
    },
    {
        "name": "reduplication is normal",
        "expect": "pass",
        "report": {"sections": {"s1": "工作人员常常加班，认真审核发布。"}},
    },
]
