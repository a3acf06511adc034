FUJIAN = {"agency": "平潭综合实验区政务服务中心"}
CASES = [
    {
        "name": "another province's document",
        "expect": "fail",
        "where": "s1",
        "report": {
            "meta": FUJIAN,
            "sections": {"s1": "转发《江苏省政务公开标准化规范》，组织全体人员学习。"},
        },
    },
    {
        "name": "own province and national documents",
        "expect": "pass",
        "report": {
            "meta": FUJIAN,
            "sections": {
                "s1": "转发《福建省政务公开标准化规范》，学习《中华人民共和国政府信息公开条例》"
                "和《平安建设工作方案》。"
            },
        },
    },
    {
        "name": "agency of unknown province",
        "expect": "pass",
        "report": {"sections": {"s1": "转发《江苏省政务公开标准化规范》。"}},
    },
]
