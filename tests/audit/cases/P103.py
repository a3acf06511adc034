CASES = [
    {
        "name": "一是 三是 三是",
        "expect": "fail",
        "where": "s5",
        "report": {
            "sections": {
                "s5": (
                    "存在问题：一是属性界定不够精确；三是创新不够有力"
                    "；三是解读质量有待提高。改进措施：加强培训。"
                )
            }
        },
    },
    {"name": "two lists in order", "expect": "pass", "report": {}},
]
