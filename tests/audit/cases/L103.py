GOOD = (
    "第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 0\n行政规范性文件 0 0 0\n"
)
CASES = [
    {
        "name": "本年度止件数",
        "expect": "fail",
        "where": "table2.rules.repealed",
        "report": {"sections": {"s2": GOOD.replace("本年废止件数", "本年度止件数")}},
    },
    {
        "name": "row label with characters missing",
        "expect": "fail",
        "where": "table3.denied_law_prohibited",
        "report": {
            "sections": {
                "s3": "（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0\n2.其他法律行政止公开 0 0 0 0 0 0 0\n"
            }
        },
    },
    {"name": "official labels", "expect": "pass", "report": {"sections": {"s2": GOOD}}},
    {
        "name": "a label broken by a line wrap is not a misprint",
        "expect": "fail",
        "severity": "info",
        "where": "table3.new.social_welfare_org",
        "report": {
            "sections": {
                "s3": "申请人情况 自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益\n"
                "法律服务机构 其他\n组织\n"
            }
        },
    },
]
