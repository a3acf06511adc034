"""The Chinese title of every rule, for the catalogue (``gongkai rules``) and the pages that list findings.
Codes stay as they are; a new rule adds its title here (a test checks that every rule has one)."""

from __future__ import annotations

TITLES: dict[str, str] = {
    "C101": "上年结转与上年结转下年度一致",
    "C102": "现行有效件数逐年衔接",
    "C103": "正文沿用上年文字",
    "L101": "表格格式与报告年度相符",
    "L102": "（六）其他处理的行数与格式相符",
    "L103": "表格项目名称与模板一致",
    "M101": "标题含机关名称和报告年度",
    "M102": "统计期限为报告年度全年",
    "P101": "正文合计等于所列分项之和",
    "P102": "字词重复",
    "P103": "一是、二是……序号连续",
    "S101": "六个部分齐全且顺序正确",
    "S102": "部分标题与规定一致",
    "S103": "第五部分写明问题和改进措施",
    "S104": "第六部分说明信息处理费收取情况",
    "T101": "单元格空白",
    "T102": "单元格未印出（按勾稽关系推算）",
    "T103": "数字粘连或错位（按勾稽关系拆分）",
    "T104": "单元格无法识别",
    "T105": "件数须为非负整数",
    "T301": "表三：新收加上年结转等于办理结果总计加结转下年度",
    "T302": "表三：总计等于（一）至（六）之和",
    "T303": "表三：每行总计等于各申请人之和",
    "T304": "表四：每组总计等于各结果之和",
    "X101": "正文申请数与表三一致",
    "X102": "正文办理结果及占比与表三一致",
    "X103": "正文行政复议、行政诉讼与表四一致",
    "X104": "正文规范性文件数与表二一致",
}


def title(code: str) -> str:
    """The rule's Chinese title ("" for a rule that has none yet)."""
    return TITLES.get(code, "")
