"""The figures the core computes: names (en/zh), units, which way is better, doc anchors."""

from __future__ import annotations

DOC = "docs/reports.md"

#: key → (English name, Chinese name, unit, better: "up" | "down" | None)
FIGURES: dict[str, tuple[str, str, str, str | None]] = {
    "appointments": ("appointments due", "预约数", "", None),
    "appointments_arrived": ("appointments arrived", "预约到店数", "", "up"),
    "appointment_success_rate": ("appointment success rate", "预约成功率", "%", "up"),
    "no_shows": ("no-shows", "爽约数", "", "down"),
    "no_show_rate": ("no-show rate", "爽约率", "%", "down"),
    "appointments_cancelled": ("appointments cancelled", "取消预约数", "", "down"),
    "new_customers": ("new customers", "新建档案数", "", "up"),
    "new_archive_completeness": ("completeness of new archives", "新建档案完善率", "%", "up"),
    "archive_completeness": ("archive completeness", "档案完善率", "%", "up"),
    "visits": ("visits", "进厂台次", "", "up"),
    "calls_made": ("calls made", "外呼数", "", "up"),
    "contacts": ("outgoing contacts", "客户联系次数", "", "up"),
    "customers_contacted": ("customers contacted", "联系客户数", "", "up"),
}


def anchor(key: str) -> str:
    """The doc link of a core figure: docs/reports.md#appointment-success-rate."""
    return f"{DOC}#{key.replace('_', '-')}"


PLUGIN_ANCHOR = f"{DOC}#plugin-figures"

#: column headers (Chinese) used in XLSX/HTML when the locale is zh_CN
ZH = {
    "section": "栏目", "figure": "指标", "key": "代码", "value": "本期", "previous": "上期", "change": "环比",
    "last_year": "去年同期", "change_year": "同比", "trend": "趋势", "unit": "单位", "doc": "口径说明",
    "staff": "专员", "name": "姓名", "role": "岗位", "day": "日期", "month": "月份", "type": "类型", "count": "数量",
    "status": "状态", "outcome": "结果", "channel": "渠道", "calls": "外呼数", "contacts": "联系次数",
    "appointments": "预约数", "arrived": "到店", "no_show": "爽约", "cancelled": "取消", "pending": "未登记",
    "success_rate": "预约成功率", "new_customers": "新建档案", "customers": "客户数", "completeness": "档案完善率",
    "visits": "进厂台次", "customer_id": "客户编号", "id": "编号", "at": "时间", "kind": "类别", "title": "事项",
    "priority": "优先级", "due": "到期", "ref": "关联", "capacity": "日产能", "items": "待办数", "overdue": "逾期",
    "load": "负荷", "rate": "完善率", "missing": "缺失项", "specialist": "专员", "created_at": "建档时间",
    "ro_number": "工单号", "date_in": "进厂日期", "advisor": "服务顾问", "summary": "摘要", "action": "操作",
    "entity": "对象", "record_ids": "记录", "detail": "详情", "direction": "方向", "vehicle_id": "车辆",
    "note": "备注", "source": "来源", "rate_percent": "比率(%)", "leads": "线索数",
    "contacted_on_time": "按时联系", "label": "分类",
}

KIND_TITLES = {
    "kpi": ("KPI scorecard", "关键绩效指标 (KPI)"),
    "daily": ("Daily report", "客户关系部日报"),
    "weekly": ("Weekly report", "客户关系部周报"),
    "monthly": ("Monthly report", "客户关系部月报"),
}


SECTION_TITLES = {
    "kpi": ("Key figures", "关键指标"),
    "specialists": ("By specialist", "专员绩效"),
    "daily": ("Day by day", "每日趋势"),
    "visits_by_type": ("Visits by type", "进厂类型分布"),
    "appointment_status": ("Appointments by status", "预约状态分布"),
    "call_outcomes": ("Call outcomes", "外呼结果分布"),
    "my_work": ("My work today", "个人工作日志"),
    "my_calls": ("Calls and contacts made", "外呼与联系记录"),
    "my_actions": ("Records I changed", "处理记录"),
}


def title_of(key: str, zh: bool) -> str:
    en, cn = SECTION_TITLES.get(key, (key, key))
    return cn if zh else en
