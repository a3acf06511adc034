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
    {
        "name": "table header text in section 一 is not prose",
        "expect": "pass",
        "report": {
            "sections": {
                "s1": "本年度，本机关持续推进政务公开工作。\n"
                "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计\n"
            }
        },
    },
]
