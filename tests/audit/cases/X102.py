T3 = {
    "new": {"natural_person": 10, "total": 10},
    "granted": {"natural_person": 4, "total": 4},
    "partially_granted": {"natural_person": 1, "total": 1},
    "unable_not_held": {"natural_person": 3, "total": 3},
    "unable_needs_creation": {"natural_person": 2, "total": 2},
    "total": {"natural_person": 10, "total": 10},
}
CASES = [
    {
        "name": "category is only one row",
        "expect": "fail",
        "where": "table3.unable_not_held.total",
        "report": {
            "table3": T3,
            "sections": {"s1": "共答复申请10件。因本机关不掌握等原因无法提供3件，占30%。"},
        },
    },
    {
        "name": "categories and percentages agree",
        "expect": "pass",
        "report": {
            "table3": T3,
            "sections": {"s1": "共答复申请10件，其中予以公开及部分公开5件，占50%；无法提供5件，占50%。"},
        },
    },
]
