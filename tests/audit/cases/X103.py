T4 = {"review": {"upheld": 5, "pending": 2, "total": 7}}
CASES = [
    {
        "name": "均获维持 with pending cases",
        "expect": "fail",
        "where": "s1",
        "report": {"table4": T4, "sections": {"s1": "信息公开类行政复议7件，均获维持。"}},
    },
    {
        "name": "no review claimed but table has cases",
        "expect": "fail",
        "where": "table4.review.total",
        "report": {"table4": T4, "sections": {"s1": "全年未发生因政府信息公开引起的行政复议。"}},
    },
    {
        "name": "counts agree",
        "expect": "pass",
        "report": {
            "table4": T4,
            "sections": {"s1": "行政复议7件，其中5件维持，2件尚未审结；未经复议直接起诉的行政诉讼0件。"},
        },
    },
    {
        "name": "未被纠错 is an outcome, not a count",
        "expect": "pass",
        "report": {"table4": T4, "sections": {"s4": "该行政复议件未被复议机关纠错。"}},
    },
    {
        "name": "未被纠错 while 结果纠正 is not 0",
        "expect": "fail",
        "where": "table4.review.corrected",
        "report": {
            "table4": {"review": {"corrected": 1, "total": 1}},
            "sections": {"s4": "该行政复议件未被复议机关纠错。"},
        },
    },
    {
        "name": "被纠错0件",
        "expect": "pass",
        "report": {"table4": T4, "sections": {"s4": "信息公开行政复议被纠错0件。"}},
    },
    {
        "name": "未发生纠错或败诉情形 while a lawsuit was lost",
        "expect": "fail",
        "where": "table4.litigation_direct.corrected",
        "report": {
            "table4": {"litigation_direct": {"corrected": 1, "total": 1}},
            "sections": {"s4": "未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。"},
        },
    },
    {
        "name": "尚无尚未审结 with nothing pending",
        "expect": "pass",
        "report": {
            "table4": {"review": {"upheld": 2, "total": 2}},
            "sections": {"s4": "目前尚无尚未审结的行政复议案件。"},
        },
    },
    {
        "name": "尚无尚未审结 with a pending case",
        "expect": "fail",
        "where": "table4.review.pending",
        "report": {"table4": T4, "sections": {"s4": "目前尚无尚未审结的行政复议案件。"}},
    },
    {
        "name": "general review workload of the government",
        "expect": "pass",
        "report": {"table4": T4, "sections": {"s1": "全年办理以区政府为被申请人的行政复议案件35件。"}},
    },
]
