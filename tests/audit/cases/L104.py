from gongkai import template

S4_SWAPPED = "行政复议 行政诉讼\n结果纠正 结果维持 其他结果 尚未审结 总计\n0 0 0 0 0\n"
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
    {"name": "official layout", "expect": "pass", "report": {}},
]
