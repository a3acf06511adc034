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
]
