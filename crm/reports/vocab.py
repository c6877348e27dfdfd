"""One vocabulary for every word a report or form shows: headings, column headers, enum
values, roles, units and the report's own phrases, in Chinese (``zh_CN``, the dealer's
default) and English (``en``).

Codes stay codes in the data (JSON output, the database); they become words only when a
report is presented (:mod:`crm.reports.present`). A plugin gives its own words as a
``{"zh_CN": ..., "en": ...}`` dict wherever the report hooks take a text (see
docs/plugins.md, ``report_sections``); :meth:`Vocab.text` picks the language.
"""

from __future__ import annotations

LANGS = ("zh_CN", "en")

#: key → (zh_CN, en).  Keys are ``group.code``.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- report titles and fixed phrases
    "kind.kpi": ("关键绩效指标考核表", "KPI scorecard"),
    "kind.daily": ("客户关系部日报", "Daily report"),
    "kind.weekly": ("客户关系部周报", "Weekly report"),
    "kind.monthly": ("客户关系部月报", "Monthly report"),
    "text.made_by": ("制表", "Made by"),
    "text.made_at": ("制表时间", "Made at"),
    "text.dealer": ("单位", "Dealer"),
    "text.period": ("统计期间", "Period"),
    "text.previous": ("上期", "Previous period"),
    "text.last_year": ("去年同期", "Same period last year"),
    "text.to_date": ("截至今日", "to date"),
    "text.staff": ("专员", "Specialist"),
    "text.definitions": ("口径说明", "Definitions"),
    "text.no_data": ("本期无数据", "No data in this period"),
    "text.no_rows": ("本期无记录", "No records in this period"),
    "text.rates": ("比率指标", "Rates"),
    "text.page": ("页", "page"),
    "text.total": ("合计", "Total"),
    "text.signature": ("签字", "Signature"),
    "text.unknown": ("未记录", "not recorded"),
    # --- sections of the core
    "section.kpi": ("关键指标", "Key figures"),
    "section.definitions": ("口径说明", "Definitions"),
    "section.specialists": ("专员绩效", "By specialist"),
    "section.daily": ("每日趋势", "Day by day"),
    "section.visits_by_type": ("进厂类型分布", "Visits by type"),
    "section.appointment_status": ("预约状态分布", "Appointments by status"),
    "section.call_outcomes": ("外呼结果分布", "Call outcomes"),
    "section.my_work": ("个人工作日志", "My work"),
    "section.my_calls": ("外呼与联系记录", "Calls and contacts made"),
    "section.my_actions": ("处理记录", "Records I changed"),
    # groups of the core's figures
    "group.appointments": ("预约", "Appointments"),
    "group.archive": ("档案", "Archive"),
    "group.service": ("售后", "Service"),
    "group.contacts": ("客户联系", "Contacts"),
    # --- column headers
    "col.section": ("栏目", "section"), "col.group": ("类别", "group"), "col.figure": ("指标", "figure"), "col.key": ("代码", "key"),
    "col.value": ("本期", "this period"), "col.previous": ("上期", "previous"), "col.change": ("环比", "change"),
    "col.last_year": ("去年同期", "last year"), "col.change_year": ("同比", "vs last year"),
    "col.trend": ("趋势", "trend"), "col.unit": ("单位", "unit"), "col.doc": ("口径说明", "definition"),
    "col.definition": ("口径说明", "definition"),
    "col.staff": ("专员", "specialist"), "col.name": ("姓名", "name"), "col.role": ("岗位", "role"),
    "col.day": ("日期", "day"), "col.month": ("月份", "month"), "col.type": ("类型", "type"),
    "col.count": ("数量", "count"), "col.status": ("状态", "status"), "col.outcome": ("结果", "outcome"),
    "col.channel": ("渠道", "channel"), "col.calls": ("外呼数", "calls"), "col.contacts": ("联系次数", "contacts"),
    "col.appointments": ("预约数", "appointments"), "col.arrived": ("到店", "arrived"),
    "col.no_show": ("爽约", "no-shows"), "col.cancelled": ("取消", "cancelled"), "col.pending": ("未登记", "not recorded"),
    "col.success_rate": ("预约成功率", "success rate"), "col.new_customers": ("新建档案", "new archives"),
    "col.customers": ("客户数", "customers"), "col.completeness": ("档案完善率", "completeness"),
    "col.visits": ("进厂台次", "visits"), "col.customer_id": ("客户编号", "customer no."), "col.id": ("编号", "no."),
    "col.at": ("时间", "time"), "col.kind": ("类别", "kind"), "col.title": ("事项", "item"),
    "col.priority": ("优先级", "priority"), "col.due": ("到期", "due"), "col.ref": ("关联", "reference"),
    "col.capacity": ("日产能", "daily capacity"), "col.items": ("待办数", "items"), "col.overdue": ("逾期", "overdue"),
    "col.load": ("负荷", "load"), "col.rate": ("完善率", "rate"), "col.missing": ("缺失项", "missing"),
    "col.specialist": ("专员", "specialist"), "col.created_at": ("建档时间", "created"),
    "col.ro_number": ("工单号", "RO number"), "col.date_in": ("进厂日期", "date in"),
    "col.date_out": ("出厂日期", "date out"), "col.advisor": ("服务顾问", "service advisor"),
    "col.summary": ("摘要", "summary"), "col.action": ("操作", "action"), "col.entity": ("对象", "record"),
    "col.record_ids": ("记录", "records"), "col.detail": ("详情", "detail"), "col.direction": ("方向", "direction"),
    "col.vehicle_id": ("车辆", "vehicle"), "col.note": ("备注", "note"), "col.source": ("来源", "source"),
    "col.item": ("项目", "item"), "col.label": ("分类", "category"), "col.upcoming": ("未到期", "upcoming"),
    "col.passed": ("已过时", "passed"), "col.counts_as": ("计入", "counts as"),
    "col.customer": ("客户", "customer"), "col.phone": ("电话", "phone"), "col.plate": ("车牌", "plate"),
    "col.date": ("日期", "date"), "col.time": ("时间", "time"), "col.no": ("序号", "no."),
    "col.content": ("内容", "content"), "col.done": ("完成情况", "done"), "col.plan": ("计划", "plan"),
    "col.goal": ("目标", "goal"), "col.week": ("周", "week"), "col.weekday": ("星期", "weekday"),
    "col.actual": ("实际", "actual"), "col.target": ("目标值", "target"),
    # --- appointment statuses (appointments.status and the report's own split)
    "status.booked": ("已预约", "booked"), "status.arrived": ("已到店", "arrived"), "status.no_show": ("爽约", "no-show"),
    "status.cancelled": ("已取消", "cancelled"), "status.pending": ("过时未登记", "passed, not recorded"),
    "status.upcoming": ("未到时间", "still ahead"),
    # --- call outcomes (interactions.outcome) and callback results
    "outcome.reached": ("已接通", "reached"), "outcome.no_answer": ("无人接听", "no answer"),
    "outcome.busy": ("占线", "busy"), "outcome.unreachable": ("未接通", "unreachable"),
    "outcome.wrong_number": ("号码错误", "wrong number"), "outcome.refused": ("拒绝", "refused"),
    "outcome.confirmed": ("已确认", "confirmed"), "outcome.satisfied": ("满意", "satisfied"),
    "outcome.neutral": ("一般", "neutral"), "outcome.dissatisfied": ("不满意", "dissatisfied"),
    "outcome.call_back": ("约定回电", "call back"), "outcome.booked": ("已预约", "booked"),
    "outcome.—": ("未记录", "not recorded"), "outcome.": ("未记录", "not recorded"),
    # --- visit types
    "visit.maintenance": ("保养", "maintenance"), "visit.repair": ("维修", "repair"),
    "visit.warranty": ("保修", "warranty"), "visit.bodypaint": ("钣喷", "body and paint"), "visit.pdi": ("新车检查", "PDI"),
    # --- roles
    "role.manager": ("客户关系部经理", "manager"), "role.satisfaction": ("满意度专员", "satisfaction specialist"),
    "role.appointment": ("预约专员", "appointment specialist"), "role.callback": ("回访专员", "callback specialist"),
    "role.archive": ("档案专员", "archive specialist"), "role.advisor": ("服务顾问", "service advisor"),
    "role.it": ("信息管理员", "IT"),
    # --- channels
    "channel.phone": ("电话", "phone"), "channel.sms": ("短信", "SMS"), "channel.wechat": ("微信", "WeChat"),
    "channel.email": ("电子邮件", "e-mail"), "channel.visit": ("到店", "visit"), "channel.letter": ("信函", "letter"),
    "channel.portal": ("厂家平台", "OEM portal"), "channel.other": ("其他", "other"),
    # --- directions, audit actions and entities (the daily log)
    "direction.out": ("呼出", "outgoing"), "direction.in": ("呼入", "incoming"),
    "action.insert": ("新增", "added"), "action.update": ("修改", "changed"), "action.delete": ("删除", "deleted"),
    "action.merge": ("合并", "merged"), "action.forget": ("遗忘", "forgotten"), "action.import": ("导入", "imported"),
    "action.transition": ("状态变更", "moved"), "action.create": ("新增", "created"), "action.record": ("登记", "recorded"),
    "entity.customer": ("客户档案", "customer"), "entity.vehicle": ("车辆", "vehicle"), "entity.visit": ("进厂记录", "visit"),
    "entity.appointment": ("预约", "appointment"), "entity.interaction": ("联系记录", "contact"),
    "entity.complaint": ("投诉", "complaint"), "entity.staff": ("员工", "staff"), "entity.callback_task": ("回访任务", "callback"),
    "entity.callback_call": ("回访记录", "callback call"), "entity.membership_card": ("会员卡", "membership card"),
    "action.assign": ("分配", "assigned"),
    "action.backup": ("备份", "backed up"),
    "action.book": ("预约", "booked"),
    "action.cancel": ("取消", "cancelled"),
    "action.care": ("关怀", "care"),
    "action.checkin": ("签到", "checked in"),
    "action.classify": ("分类", "classified"),
    "action.close": ("结案", "closed"),
    "action.complete": ("完成", "completed"),
    "action.confirm": ("确认", "confirmed"),
    "action.conflict": ("冲突", "conflict"),
    "action.contact": ("联系", "contacted"),
    "action.expire": ("到期", "expired"),
    "action.export": ("导出", "exported"),
    "action.followup": ("跟进", "followed up"),
    "action.give": ("发放", "given"),
    "action.invite": ("邀约", "invited"),
    "action.issue": ("发卡", "issued"),
    "action.log": ("登记联系", "logged"),
    "action.open": ("受理", "opened"),
    "action.park": ("搁置", "parked"),
    "action.plan": ("计划", "planned"),
    "action.promote": ("递补", "promoted"),
    "action.queue": ("排队发送", "queued"),
    "action.receive": ("接收", "received"),
    "action.remind": ("提醒", "reminded"),
    "action.renew": ("续期", "renewed"),
    "action.resolve": ("解决", "resolved"),
    "action.restore": ("恢复", "restored"),
    "action.retry": ("重试", "retried"),
    "action.rsvp": ("回复", "replied"),
    "action.schedule": ("安排", "scheduled"),
    "action.send": ("发送", "sent"),
    "action.sync": ("同步", "synced"),
    "action.transfer": ("过户", "transferred"),
    "action.winback": ("流失召回", "win-back"),
    "action.withdraw": ("撤回", "withdrawn"),
    "action.accept": ("判定有效", "accepted"),
    "action.invalid": ("判定无效", "judged invalid"),
    "action.investigate": ("调查", "investigated"),
    "action.propose": ("提出方案", "proposed"),
    "action.approve": ("批准方案", "approved"),
    "action.decline": ("退回方案", "declined"),
    "action.implement": ("实施方案", "implemented"),
    "action.summarize": ("总结", "summarised"),
    "action.follow_up": ("结案回访", "followed up"),
    "action.reopen": ("重开", "reopened"),
    "action.pause": ("暂停计时", "paused"),
    "action.resume": ("恢复计时", "resumed"),
    "action.note": ("备注", "noted"),
    "action.escalate": ("升级", "escalated"),
    "action.respond": ("响应", "responded"),
    "action.advance": ("推进", "advanced"),
    "entity.database": ("数据库", "database"),
    "entity.portal_outbox": ("厂家平台发件箱", "OEM portal outbox"),
    "entity.campaigns_care": ("客户关怀", "care"),
    "entity.campaigns_event": ("活动", "event"),
    "entity.campaigns_oem_vin": ("召回车辆", "recall vehicle"),
    "entity.portal_conflict": ("厂家数据冲突", "portal conflict"),
    "entity.campaigns_gift": ("礼品", "gift"),
    "entity.campaigns_referral": ("转介绍", "referral"),
    "entity.campaigns_segment": ("客户分组", "segment"),
    "entity.campaigns_survey": ("满意度调查", "survey"),
    "entity.card": ("会员卡", "membership card"),
    "entity.campaigns_outbox": ("发件箱", "outbox"),
    "entity.complaint_stats": ("投诉统计", "complaint statistics"),
    "entity.report": ("报表", "report"),
    "entity.portal_lead": ("厂家线索", "OEM lead"),
    "entity.campaigns_invitation": ("活动邀约", "invitation"),
    "entity.campaigns_oem": ("厂家召回", "OEM recall"),
    "entity.portal_stream": ("厂家数据同步", "portal sync"),
    "entity.campaigns_run": ("营销活动", "campaign run"),
    # --- interaction and agenda kinds (the kind column)
    "ikind.call": ("电话", "call"),
    "ikind.callback": ("回访", "callback"),
    "ikind.complaint": ("投诉", "complaint"),
    "ikind.complaint_followup": ("投诉回访", "complaint follow-up"),
    "ikind.complaint_event": ("投诉处理", "complaint step"),
    "ikind.appointment_confirm": ("预约确认", "appointment confirmation"),
    "ikind.appointment_arrival": ("到店登记", "arrival"),
    "ikind.first_contact": ("首次联系", "first contact"),
    "ikind.birthday": ("生日关怀", "birthday"),
    "ikind.card_renewal": ("会员卡续期", "card renewal"),
    "ikind.gift": ("礼品", "gift"),
    "ikind.winback": ("流失召回", "win-back"),
    "ikind.survey": ("满意度调查", "survey"),
    "ikind.referral": ("转介绍", "referral"),
    "ikind.recall_outreach": ("召回通知", "recall notice"),
    "ikind.recall_completed": ("召回完成", "recall completed"),
    "ikind.oem_marketing": ("厂家营销", "OEM marketing"),
    "ikind.event_reply": ("活动回复", "event reply"),
    "ikind.event_invitation": ("活动邀约", "event invitation"),
    "ikind.event_checkin": ("活动签到", "event check-in"),
    "ikind.campaign_message": ("营销信息", "campaign message"),
    "ikind.portal_lead": ("厂家线索", "OEM lead"),
    "ikind.portal_conflict": ("厂家数据冲突", "portal conflict"),
    "ikind.lead_followup": ("线索跟进", "lead follow-up"),
    "ikind.campaign_completion": ("活动完成", "campaign completion"),
    "ikind.event_today": ("活动", "event"),
    "ikind.event_replies": ("活动回复跟进", "event replies"),
    "ikind.sms": ("短信", "SMS"),
    "ikind.wechat": ("微信", "WeChat"),
    "ikind.visit": ("到店", "visit"),
    "ikind.note": ("备注", "note"),
    "ikind.reminder": ("提醒", "reminder"),
    "ikind.greeting": ("问候", "greeting"),
    "ikind.care": ("关怀", "care"),
    # --- units
    "unit.%": ("%", "%"), "unit.h": ("工时", "h"), "unit.": ("", ""), "unit.次": ("次", "times"),
    "unit.个": ("个", ""), "unit.人": ("人", "people"), "unit.分": ("分", "points"),
    "unit.events": ("场", "events"), "unit.invitations": ("人次", "invitations"), "unit.guests": ("人", "guests"),
    "unit.greetings": ("次", "greetings"), "unit.gifts": ("份", "gifts"), "unit.VINs": ("辆", "VINs"),
    "unit.responses": ("份", "responses"), "unit.points": ("分", "points"),
    # --- the daily log's items
    "work.calls": ("外呼", "calls made"), "work.other_contacts": ("其他联系 (短信、微信等)", "other contacts (SMS, WeChat…)"),
    "work.result": ("结果", "result"), "work.complaints_moved": ("投诉处理", "complaints moved"),
    "work.appointments_booked": ("新增预约", "appointments booked"), "work.appointments_due": ("今日预约", "appointments due"),
    "work.records_changed": ("修改记录", "records changed"),
    # --- agenda kinds (crm today), in the weekly plan
    "agenda.callback": ("回访", "callbacks"), "agenda.complaint": ("投诉处理", "complaints"),
    "agenda.complaint_followup": ("投诉回访", "complaint follow-ups"), "agenda.first_contact": ("新客户首次联系", "first contacts"),
    "agenda.appointment_confirm": ("预约确认", "appointment confirmations"),
    "agenda.appointment_arrival": ("到店登记", "arrivals to record"), "agenda.portal_lead": ("厂家线索", "OEM leads"),
    "agenda.corrective_action": ("整改项", "corrective actions"),
    "agenda.birthday": ("生日关怀", "birthdays"), "agenda.card_renewal": ("会员卡续期", "card renewals"),
    "agenda.event_replies": ("活动回复跟进", "event replies"), "agenda.event_today": ("活动", "events"),
    # --- weekdays
    "weekday.0": ("星期一", "Monday"), "weekday.1": ("星期二", "Tuesday"), "weekday.2": ("星期三", "Wednesday"),
    "weekday.3": ("星期四", "Thursday"), "weekday.4": ("星期五", "Friday"), "weekday.5": ("星期六", "Saturday"),
    "weekday.6": ("星期日", "Sunday"),
}

#: which group of the catalogue translates the values of a column
VALUE_GROUPS = {
    "status": "status", "outcome": "outcome", "type": "visit", "role": "role", "channel": "channel",
    "direction": "direction", "action": "action", "entity": "entity", "result": "outcome", "kind": "ikind",
}


def normalise(lang: str | None) -> str:
    """``zh``, ``zh_CN``, ``zh-CN`` → ``zh_CN``; ``en``, ``en_GB`` … → ``en``; anything else → ``zh_CN``."""
    text = (lang or "").strip().replace("-", "_").lower()
    return "en" if text.startswith("en") else "zh_CN"


class Vocab:
    """The words of one language; ``extra`` holds the words plugins gave (same key scheme)."""

    def __init__(self, lang: str | None = "zh_CN", extra: dict | None = None):
        self.lang = normalise(lang)
        self.zh = self.lang == "zh_CN"
        self.extra = dict(extra or {})

    def __call__(self, key: str, default: str | None = None) -> str:
        pair = self.extra.get(key) or CATALOGUE.get(key)
        if pair is None:
            return key if default is None else default
        if isinstance(pair, dict):
            return self.text(pair)
        return pair[0] if self.zh else pair[1]

    def has(self, key: str) -> bool:
        return key in self.extra or key in CATALOGUE

    def text(self, value) -> str:
        """A plugin's text: a plain string, or ``{"zh_CN": ..., "en": ...}`` (either may be missing)."""
        if isinstance(value, dict):
            return str(value.get(self.lang) or value.get("zh_CN") or value.get("en") or next(iter(value.values()), ""))
        return "" if value is None else str(value)

    def column(self, name: str, labels: dict | None = None) -> str:
        if labels and name in labels:
            return self.text(labels[name])
        return self(f"col.{name}", name)

    def value(self, column: str, code):
        """The word for an enum value of ``column`` (status, outcome, role…); other values unchanged."""
        group = VALUE_GROUPS.get(column)
        if group is None or not isinstance(code, str):
            return code
        return self(f"{group}.{code}", code)

    def figure_name(self, figure: dict) -> str:
        if self.zh:
            return str(figure.get("name_zh") or figure.get("name") or figure.get("key"))
        return str(figure.get("name") or figure.get("key"))
