S5 = (
    "一是政策解读形式还比较单一，图解视频类解读数量偏少。二是依申请公开答复的规范性有待进一步提高。"
    "三是政务新媒体信息更新频率不够稳定。下一步将丰富解读形式并加强答复审核。"
)
S5_SWAPPED = (
    "一是政策解读的形式还比较单一，图解视频类的解读数量偏少。二是依申请公开答复规范性有待进一步提高。"
    "三是政务新媒体的信息更新频率不够稳定。下一步我们将丰富解读形式并加强答复审核。"
)
OTHER = {"meta": {"agency": "测试县教育局"}, "sections": {"s5": S5_SWAPPED}}
CASES = [
    {
        "name": "section 五 shared with another agency, a few words changed",
        "expect": "fail",
        "where": "s5",
        "report": {"meta": {"agency": "测试县交通运输局"}, "sections": {"s5": S5}},
        "others": [OTHER],
    },
    {
        "name": "own text",
        "expect": "pass",
        "report": {
            "meta": {"agency": "测试县交通运输局"},
            "sections": {
                "s5": "一是农村公路养护信息公开不够及时，部分路段数据滞后。二是运输许可办理结果公开不够全面。"
                "三是网站栏目维护人员力量薄弱。下一步将建立路况信息周报制度，补齐许可结果公开。"
            },
        },
        "others": [OTHER],
    },
    {
        "name": "same agency is not another agency",
        "expect": "pass",
        "report": {"meta": {"agency": "测试县交通运输局"}, "sections": {"s5": S5}},
        "others": [{"meta": {"agency": "测试县交通运输局"}, "sections": {"s5": S5}}],
    },
]
