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
    {
        "name": "glued row: no reading carries the stock over",
        "expect": "fail",
        "where": "table2.normative_documents.in_force",
        "report": {
            "status": {
                f"table2.normative_documents.{c}": {"status": "ambiguous", "raw": "6233440"}
                for c in ("issued", "repealed", "in_force")
            }
        },
        "previous": {"meta": {"year": 2023}, "table2": {"normative_documents": {"in_force": 470}}},
    },
    {
        "name": "glued row: a reading carries the stock over, so nothing can be said",
        "expect": "pass",
        "report": {
            "status": {
                f"table2.normative_documents.{c}": {"status": "ambiguous", "raw": "8855698"}
                for c in ("issued", "repealed", "in_force")
            }
        },
        "previous": {"meta": {"year": 2021}, "table2": {"normative_documents": {"in_force": 665}}},
    },
]
