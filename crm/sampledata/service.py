"""Workshop and contact-centre tables: repair-order items and prices,
appointment notes, interaction summaries.  Plain data, no logic."""

from __future__ import annotations

#: Repair-order types and their Chinese labels on exports.
VISIT_TYPES: dict[str, str] = {
    "maintenance": "保养",
    "repair": "维修",
    "warranty": "索赔",
    "bodypaint": "钣喷",
    "pdi": "PDI",
}

#: Price factor of a model tier (1: 3 series/X1 … 3: 7 series/X5/X7).
TIER_FACTOR = {1: 1.0, 2: 1.3, 3: 1.75}

# (item, probability on a maintenance visit, price low, price high)
MAINTENANCE_ICE: tuple[tuple[str, float, int, int], ...] = (
    ("更换机油机滤", 1.0, 900, 1300),
    ("更换空气滤芯", 0.30, 350, 500),
    ("更换空调滤芯", 0.40, 380, 600),
    ("更换火花塞", 0.10, 900, 1400),
    ("更换制动液", 0.25, 450, 650),
    ("四轮定位", 0.10, 300, 500),
    ("更换雨刮片", 0.15, 280, 420),
    ("燃油系统清洗", 0.20, 380, 580),
    ("轮胎换位", 0.10, 100, 200),
    ("空调系统清洗", 0.10, 280, 380),
)
MAINTENANCE_BEV: tuple[tuple[str, float, int, int], ...] = (
    ("常规检查保养", 1.0, 300, 500),
    ("更换空调滤芯", 0.50, 380, 600),
    ("更换制动液", 0.30, 450, 650),
    ("高压电池检测", 0.60, 200, 400),
    ("轮胎换位", 0.30, 100, 200),
    ("更换雨刮片", 0.15, 280, 420),
    ("冷却液检查更换", 0.10, 600, 900),
)
# (item, price low, price high, which cars: "any", "ice" (has an engine) or "bev")
REPAIR: tuple[tuple[str, int, int, str], ...] = (
    ("更换前刹车片", 1500, 2400, "any"),
    ("更换后刹车片", 1300, 2100, "any"),
    ("更换前刹车盘及刹车片", 3800, 5800, "any"),
    ("更换蓄电池", 1800, 2800, "any"),
    ("更换轮胎", 1600, 3200, "any"),
    ("更换减震器", 3500, 6500, "any"),
    ("空调系统维修", 1200, 4500, "any"),
    ("发动机故障灯检测", 300, 600, "ice"),
    ("更换水泵", 3200, 5200, "ice"),
    ("更换节温器", 1500, 2600, "ice"),
    ("更换氧传感器", 1200, 2200, "ice"),
    ("更换点火线圈", 900, 1600, "ice"),
    ("四轮定位", 300, 500, "any"),
    ("更换外后视镜", 1800, 3600, "any"),
    ("更换大灯", 5000, 12000, "any"),
    ("高压系统故障检测", 300, 800, "bev"),
    ("更换雨刮电机", 1100, 1900, "any"),
)
WARRANTY: tuple[str, ...] = (
    "更换冷却液泵（质保）", "更换车窗升降器（质保）", "更换中控显示屏（质保）", "软件升级（召回）",
    "更换油底壳垫片（质保）", "更换节温器（质保）", "更换门把手传感器（质保）", "更换倒车雷达探头（质保）",
)
BODYPAINT: tuple[tuple[str, int, int], ...] = (
    ("前保险杠喷漆", 1800, 3200),
    ("后保险杠喷漆", 1800, 3200),
    ("左前门钣金喷漆", 2200, 4000),
    ("右后叶子板钣金喷漆", 2500, 4500),
    ("更换前挡风玻璃", 4500, 8000),
    ("引擎盖喷漆", 2800, 4800),
    ("车身抛光打蜡", 600, 1200),
    ("更换前大灯", 5000, 12000),
)
PDI_EXTRAS: tuple[tuple[str, int, int], ...] = (
    ("贴膜", 3000, 8000),
    ("安装行车记录仪", 800, 1500),
    ("脚垫", 600, 1200),
)

APPOINTMENT_NOTES: tuple[str, ...] = (
    "客户要求上午交车", "需要代步车", "顺便检查空调", "等待保养，需要休息区", "客户自带机油",
    "提醒带上保养手册", "仪表盘有故障灯", "上次维修后异响复查", "轮胎鼓包需检查", "保险理赔定损",
)

# Interaction templates: (channel, direction, outcome, summary); {model}/{plate}/{honorific}
INTERACTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("call", "out", "reached", "保养后回访：客户对服务满意"),
    ("call", "out", "reached", "保养后回访：客户非常满意，表扬服务顾问"),
    ("call", "out", "reached", "保养后回访：客户反映等待时间较长，已致歉并记录"),
    ("call", "out", "reached", "保养到期提醒：客户表示下周到店"),
    ("call", "out", "reached", "保养到期提醒：客户表示月底前预约"),
    ("call", "out", "no_answer", "保养到期提醒：无人接听"),
    ("call", "out", "busy", "续保提醒：客户正忙，约定明天再联系"),
    ("call", "out", "reached", "续保提醒：客户已在其他保险公司续保"),
    ("call", "out", "reached", "续保提醒：客户考虑中，稍后回复"),
    ("call", "out", "reached", "生日关怀电话，客户表示感谢"),
    ("call", "out", "reached", "年检到期提醒，客户已知悉"),
    ("call", "out", "reached", "邀约参加冬季免费检测活动，客户确认参加"),
    ("call", "out", "refused", "邀约参加车主自驾游活动，客户暂不参加"),
    ("call", "out", "reached", "置换意向回访：客户关注{model}新款"),
    ("call", "in", "reached", "客户来电咨询保养价格"),
    ("call", "in", "reached", "客户来电预约下周保养"),
    ("call", "in", "reached", "客户来电反映上次维修后有异响，已转服务经理"),
    ("call", "in", "reached", "客户来电咨询{model}置换政策"),
    ("sms", "out", "sent", "短信：尊敬的{honorific}，您的爱车{plate}保养即将到期，欢迎预约。"),
    ("sms", "out", "sent", "短信：尊敬的{honorific}，您的会员积分将于月底到期。"),
    ("sms", "out", "sent", "短信：冬季免费检测活动邀请"),
    ("wechat", "out", "replied", "微信：发送保养预约链接，客户已预约"),
    ("wechat", "in", "replied", "微信：客户咨询轮胎价格，已报价"),
    ("wechat", "out", "sent", "微信：发送电子版结算单"),
    ("visit", "in", "reached", "到店：客户到店咨询新车，由销售顾问接待"),
    ("visit", "in", "reached", "到店：取车时对洗车质量提出意见，已安排重洗"),
)
