T2 = {"normative_documents": {"issued": 77, "repealed": 132, "in_force": 470}}
CASES = [
    {
        "name": "in-force count differs",
        "expect": "fail",
        "where": "table2.normative_documents.in_force",
        "report": {"table2": T2, "sections": {"s1": "集中发布现行有效行政规范性文件393件。"}},
    },
    {
        "name": "counts agree",
        "expect": "pass",
        "report": {
            "table2": T2,
            "sections": {"s1": "集中发布现行有效行政规范性文件470件，本年度制发的规范性文件77件。"},
        },
    },
]
