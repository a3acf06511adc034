S1 = (
    "本年度，本机关坚持以公开为常态、不公开为例外的原则推进工作。严格执行信息发布三审三校制度确保信息准确。"
    "持续优化政府网站栏目设置并提升信息发布的时效性。定期开展政务新媒体的检查并通报发现的问题。"
)
CASES = [
    {
        "name": "same text as last year",
        "expect": "fail",
        "where": "s1",
        "report": {"sections": {"s1": S1}},
        "previous": {"meta": {"year": 2023}, "sections": {"s1": S1}},
    },
    {
        "name": "new text",
        "expect": "pass",
        "report": {"sections": {"s1": S1}},
        "previous": {
            "meta": {"year": 2023},
            "sections": {"s1": "本年度围绕重点领域推进公开工作，成效明显，群众满意度进一步提升。"},
        },
    },
    {
        "name": "a few words swapped is still a copy",
        "expect": "fail",
        "where": "s1",
        "report": {"sections": {"s1": S1}},
        "previous": {
            "meta": {"year": 2023},
            "sections": {
                "s1": S1.replace("本机关坚持", "我单位坚持")
                .replace("并提升", "进一步提升")
                .replace("定期开展", "每季度开展")
            },
        },
    },
]
