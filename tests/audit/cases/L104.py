from gongkai import template

S4_SWAPPED = "行政复议 行政诉讼\n结果纠正 结果维持 其他结果 尚未审结 总计\n0 0 0 0 0\n"
S4_ADDED = "行政复议 行政诉讼\n结果维持 部分纠正 结果纠正 其他结果 尚未审结 总计\n0 0 0 0 0 0\n"
S4_WRAPPED = "行政复议 行政诉讼\n结果 结果 其他 尚未 总计\n维持 纠正 结果 审结\n0 0 0 0 0\n"
_HEAD3 = "申请人情况\n自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n"
S3_OFFICIAL = _HEAD3 + "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0\n（六）其他处理 3.其他 0 0 0 0 0 0 0\n"
S3_ADDED_ROW = S3_OFFICIAL + "（八）移送有关机关办理 0 0 0 0 0 0 0\n"
S3_ADDED_COLUMN = (
    "申请人情况\n自然人 法人或其他组织 个体工商户 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n"
    "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0 0\n"
)
S2_OFFICIAL = (
    "第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 0\n行政规范性文件 0 0 0\n"
    "第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 0\n"
    "第二十条第（六）项\n信息内容 本年处理决定数量\n行政处罚 0\n行政强制 0\n"
    "第二十条第（八）项\n信息内容 本年收费金额（单位：万元）\n行政事业性\n收费 0\n"
)
S2_ADDED_ROW = S2_OFFICIAL.replace("行政强制 0\n", "行政强制 0\n行政确认 7\n")
S4_OFFICIAL = S4_WRAPPED
S4_ADDED_ROW = S4_OFFICIAL + "其中：信息公开类 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
S4_BY_GROUP = (
    "行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
    "行政复议 0 0 0 0 0\n未经复议直接起诉 0 0 0 0 0\n复议后起诉 0 0 0 0 0\n"
)
_OCR = {"status": "read", "value": 0, "raw": "0", "where": [{"line": 1, "confidence": 0.93}]}
CASES = [
    {
        "name": "two columns of table 三 removed",
        "expect": "fail",
        "where": "table3.new.research_institution",
        "report": {
            "status": {
                f"table3.{r}.{c}": "missing"
                for r in (row.key for row in template.TABLE3_2021.rows)
                for c in ("research_institution", "social_welfare_org")
            }
        },
    },
    {
        "name": "table 四 columns reordered",
        "expect": "fail",
        "where": "table4",
        "report": {"sections": {"s4": S4_SWAPPED}},
    },
    {
        "name": "table 三 row added",
        "expect": "fail",
        "where": "table3",
        "report": {"sections": {"s3": S3_ADDED_ROW}},
    },
    {
        "name": "table 三 column added",
        "expect": "fail",
        "where": "table3",
        "report": {"sections": {"s3": S3_ADDED_COLUMN}},
    },
    {
        "name": "table 四 column added",
        "expect": "fail",
        "where": "table4",
        "report": {"sections": {"s4": S4_ADDED}},
    },
    {
        "name": "table 二 row added",
        "expect": "fail",
        "where": "table2",
        "severity": "error",
        "report": {"sections": {"s2": S2_ADDED_ROW}},
    },
    {
        "name": "table 四 row added",
        "expect": "fail",
        "where": "table4",
        "severity": "error",
        "report": {"sections": {"s4": S4_ADDED_ROW}},
    },
    {
        "name": "table 二 row added in a table read by OCR (an extraction note)",
        "expect": "fail",
        "where": "table2",
        "severity": "info",
        "report": {"sections": {"s2": S2_ADDED_ROW}, "status": {"table2.rules.issued": _OCR}},
    },
    {"name": "official layout", "expect": "pass", "report": {}},
    {
        "name": "table 二 with a wrapped label and a note",
        "expect": "pass",
        "report": {"sections": {"s2": S2_OFFICIAL + "注：本表数据统计截至12月31日 0\n"}},
    },
    {"name": "table 四 printed by group", "expect": "pass", "report": {"sections": {"s4": S4_BY_GROUP}}},
    {"name": "official labels printed", "expect": "pass", "report": {"sections": {"s3": S3_OFFICIAL}}},
    {"name": "labels broken by line wraps", "expect": "pass", "report": {"sections": {"s4": S4_WRAPPED}}},
    {
        "name": "a sentence before table 四",
        "expect": "pass",
        "report": {"sections": {"s4": "本年度发生行政复议案件0件，无行政诉讼案件。\n" + S4_WRAPPED}},
    },
]
