CASES = [
    {
        "name": "blank applicant cell",
        "expect": "fail",
        "where": "table3.granted.research_institution",
        "report": {"table3": {"granted": {"research_institution": None}}},
    },
    {"name": "zeros printed", "expect": "pass", "report": {}},
]
