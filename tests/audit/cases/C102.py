CASES = [
    {
        "name": "stock does not carry over",
        "expect": "fail",
        "where": "table2.normative_documents.in_force",
        "report": {"table2": {"normative_documents": {"issued": 62, "repealed": 33, "in_force": 440}}},
        "previous": {"meta": {"year": 2023}, "table2": {"normative_documents": {"in_force": 470}}},
    },
    {
        "name": "stock carries over",
        "expect": "pass",
        "report": {"table2": {"normative_documents": {"issued": 62, "repealed": 33, "in_force": 499}}},
        "previous": {"meta": {"year": 2023}, "table2": {"normative_documents": {"in_force": 470}}},
    },
]
