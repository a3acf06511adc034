CASES = [
    {
        "name": "parts with 其他 add to less",
        "expect": "fail",
        "where": "s1",
        "report": {
            "sections": {
                "s1": (
                    "今年共公布政府信息100条（其中机构职能类信息25条，"
                    "政策文件类信息60条，其他信息5条），成效明显。"
                )
            }
        },
    },
    {
        "name": "parts exceed the total",
        "expect": "fail",
        "where": "s1",
        "report": {"sections": {"s1": "全年共发布信息10条，其中政策文件6条、解读5条。"}},
    },
    {
        "name": "nested breakdown not counted twice",
        "expect": "pass",
        "report": {
            "sections": {
                "s1": (
                    "今年共发布380条财政资金信息，其中专项资金152条，预决算公开197条（政府"
                    "预决算32条、部门预决算公开165条）、“三公”经费27条、债券发行4条。"
                )
            }
        },
    },
    {
        "name": "a partial list is not a contradiction",
        "expect": "pass",
        "report": {"sections": {"s1": "全年共发布信息500条，其中政策文件12条、政策解读5条。"}},
    },
    {
        "name": "a figure in brackets is not the total",
        "expect": "pass",
        "report": {
            "sections": {"s1": "全年共办结申请1191件（含上年结转189件），其中予以公开1000件，其他191件。"}
        },
    },
    {
        "name": "the total before the brackets still counts",
        "expect": "fail",
        "where": "s1",
        "report": {
            "sections": {"s1": "全年共办结申请1191件（含上年结转189件），其中予以公开1000件，其他91件。"}
        },
    },
    {
        "name": "a total in the previous sentence is not this list's total",
        "expect": "pass",
        "report": {"sections": {"s1": "全年共发布信息10条。其中，政策文件6条，其他信息6条。"}},
    },
]
