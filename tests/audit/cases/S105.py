GOV = {"agency": "测试县人民政府"}
CASES = [
    {
        "name": "government report without 考核、评议、责任追究",
        "expect": "fail",
        "where": "s6",
        "report": {"meta": GOV},
    },
    {
        "name": "government report with them",
        "expect": "pass",
        "report": {
            "meta": GOV,
            "sections": {
                "s6": "本年度未收取信息处理费。政务公开工作纳入年度绩效考核，"
                "开展社会评议，未发生责任追究情况。"
            },
        },
    },
    {
        "name": "a department is not asked",
        "expect": "pass",
        "report": {"meta": {"agency": "测试县交通运输局"}},
    },
]
