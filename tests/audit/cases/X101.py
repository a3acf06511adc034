T3 = {
    "new": {"natural_person": 16, "total": 16},
    "granted": {"natural_person": 14, "total": 14},
    "total": {"natural_person": 14, "total": 14},
    "carried_forward": {"natural_person": 2, "total": 2},
}
T4 = {"review": {"upheld": 5, "total": 5}}
CASES = [
    {
        "name": "received counts 行政复议 in",
        "expect": "fail",
        "where": "s1",
        "report": {
            "table3": T3,
            "table4": T4,
            "sections": {"s1": "2024年共受理21件依申请公开案件，按时办结19件，结转2025年度2件。"},
        },
    },
    {
        "name": "other scope is a warning",
        "expect": "fail",
        "severity": "warning",
        "report": {
            "meta": {"agency": "测试县人民政府"},
            "table3": T3,
            "sections": {"s1": "2024年，县政府办代表县政府受理政府信息公开申请17件。"},
        },
    },
    {
        "name": "numbers agree; hotline and years skipped",
        "expect": "pass",
        "report": {
            "table3": T3,
            "table4": T4,
            "sections": {
                "s1": "2024年共受理16件依申请公开案件，按时办结14件，结转2025年度2件；办理12345热线9625件。"
            },
        },
    },
    {
        "name": "channel parts are not totals",
        "expect": "pass",
        "report": {"table3": T3, "sections": {"s1": "2024年，共接到网上申请1条，信件申请15条。"}},
    },
    {
        "name": "last year's figures are not this year's",
        "expect": "pass",
        "report": {
            "table3": T3,
            "sections": {
                "s1": "本年度收到政府信息公开申请16件，上年同期收到申请6件；去年收到申请9件。"
                "2023年收到政府信息公开申请6件。"
            },
        },
    },
    {
        "name": "this year's count wrong beside last year's",
        "expect": "fail",
        "where": "table3.new.total",
        "report": {"table3": T3, "sections": {"s1": "2024年收到政府信息公开申请6件，上年同期收到申请16件。"}},
    },
]
