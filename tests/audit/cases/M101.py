CASES = [
    {
        "name": "not the official title",
        "expect": "fail",
        "where": "meta",
        "report": {"meta": {"title": "2024年度政务公开工作总结"}},
    },
    {
        "name": "title year differs",
        "expect": "fail",
        "where": "meta",
        "report": {"meta": {"title": "测试县人民政府办公室2023年政府信息公开工作年度报告"}},
    },
    {"name": "agency then year", "expect": "pass", "report": {}},
    {
        "name": "year first",
        "expect": "pass",
        "report": {"meta": {"title": "2024年测试县人民政府办公室政府信息公开工作年度报告"}},
    },
]
