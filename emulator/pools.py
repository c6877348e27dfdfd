"""Reference data the seeder draws from: names, phones, places, BMW models, texts."""

from __future__ import annotations

from dataclasses import dataclass

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
# Common surnames weigh more: the first twenty carry about half of the population.
SURNAME_WEIGHTS = tuple(6 if i < 5 else 3 if i < 20 else 1 for i in range(len(SURNAMES)))

GIVEN_NAMES = (
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "浩然", "子轩", "雨涵", "欣怡", "梓涵",
    "宇航", "思远", "晨", "博", "文", "婷", "雪", "慧", "建国", "建华", "志强", "海燕", "丹",
    "鹏", "飞", "斌", "琳", "晓东", "晓燕", "俊杰", "佳怡", "一鸣", "子涵", "嘉怡", "天佑",
    "国栋", "春梅", "玉兰", "振华", "立新", "红梅", "伟东", "亚楠", "梦瑶", "浩宇", "诗涵",
)

# Mobile number prefixes of China Mobile, China Unicom, China Telecom and China Broadnet.
MOBILE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
    "172", "178", "182", "183", "184", "187", "188", "198",
    "130", "131", "132", "145", "155", "156", "166", "175", "176", "185", "186", "196",
    "133", "149", "153", "173", "177", "180", "181", "189", "190", "191", "193", "199",
    "192",
)


@dataclass(frozen=True)
class Place:
    """A city, its plate prefix (province character + city letters) and its weight."""

    city: str
    province: str
    letters: str
    weight: int


# A Beijing dealer: mostly Beijing, some customers from Tianjin and Hebei.
PLACES = (
    Place("北京", "京", "ABCEFGHJKLMNPQ", 70),
    Place("天津", "津", "ABCDEFGHJKLMNQR", 6),
    Place("廊坊", "冀", "R", 8),
    Place("保定", "冀", "F", 5),
    Place("张家口", "冀", "G", 3),
    Place("唐山", "冀", "B", 4),
    Place("承德", "冀", "H", 2),
    Place("上海", "沪", "ABCDEFGHJKLMN", 2),
)


@dataclass(frozen=True)
class Model:
    """A BMW model as sold in China: how its VIN and plate are made."""

    name: str
    wmi: str          # world manufacturer identifier
    vds: str          # positions 4-8 of the VIN
    plant: str        # position 11 of the VIN
    energy: str       # "ice", "bev" (plate letter D) or "phev" (plate letter F)
    first_year: int
    weight: int


# LBV: BMW Brilliance Automotive (Shenyang); WBA: BMW AG (imported); 5UX: Spartanburg.
MODELS = (
    Model("320Li", "LBV", "21G06", "Z", "ice", 2018, 16),
    Model("325Li", "LBV", "21G08", "Z", "ice", 2018, 14),
    Model("530Li", "LBV", "51J03", "Z", "ice", 2018, 14),
    Model("530Le", "LBV", "51J0E", "Z", "phev", 2019, 3),
    Model("X1", "LBV", "11AA0", "Z", "ice", 2018, 10),
    Model("X3", "LBV", "31TR0", "Z", "ice", 2018, 14),
    Model("X5", "5UX", "CR610", "9", "ice", 2018, 8),
    Model("iX3", "LBV", "31TE0", "Z", "bev", 2020, 6),
    Model("i3", "LBV", "21G0E", "Z", "bev", 2022, 5),
    Model("740Li", "WBA", "7C210", "C", "ice", 2018, 4),
)

LEAD_SOURCES = ("website", "hotline", "autohome", "dongchedi", "event")
LEAD_SOURCE_WEIGHTS = (25, 15, 30, 20, 10)
# Minutes the OEM gives the dealer for the first contact, per lead source.
CONTACT_DUE_MINUTES = {"website": 120, "hotline": 60, "autohome": 120, "dongchedi": 120, "event": 1440}
ADF_PROVIDERS = {
    "autohome": ("汽车之家", "https://www.autohome.com.cn"),
    "dongchedi": ("懂车帝", "https://www.dongchedi.com"),
}

LEAD_COMMENTS = (
    "想了解{model}最新优惠政策",
    "周末想来店试驾{model}",
    "询问{model}现车及提车周期",
    "置换老车，想了解{model}置换补贴",
    "咨询{model}贷款方案，首付比例",
    "对比过竞品，想看{model}落地价",
    "公司用车，想了解{model}团购价格",
    "",
)

COMPLAINT_CHANNELS = ("hotline_400", "app", "regulator_12315", "social_media")
COMPLAINT_CHANNEL_WEIGHTS = (50, 25, 10, 15)
COMPLAINT_CATEGORIES = (
    "repair_quality", "service_attitude", "sales_promise", "parts_delay",
    "pricing", "product_quality", "other",
)
COMPLAINT_SEVERITIES = ("normal", "urgent", "critical")
COMPLAINT_SEVERITY_WEIGHTS = (70, 22, 8)
# Hours to the first response and to the resolution, per severity.
COMPLAINT_DEADLINES_HOURS = {"normal": (24, 168), "urgent": (4, 72), "critical": (2, 48)}
COMPLAINT_OEM_STATUSES = ("dispatched", "escalated", "customer_called_again", "closed_by_oem", "reopened")
COMPLAINT_OEM_STATUS_WEIGHTS = (60, 12, 12, 10, 6)
COMPLAINT_DESCRIPTIONS = {
    "repair_quality": ("保养后{model}发动机故障灯又亮了，已经是第二次返修", "更换刹车片后仍有异响，要求重新检修"),
    "service_attitude": ("服务顾问态度冷淡，多次电话无人回复", "预约保养到店后等待三个小时无人接待"),
    "sales_promise": ("购车时承诺赠送的三年保养至今未兑现", "销售承诺的置换补贴没有到账"),
    "parts_delay": ("配件等了一个多月还没到货，车一直停在店里", "{model}大灯总成缺货，无法确定到货时间"),
    "pricing": ("保养收费比厂家公布的价格高出很多", "维修报价不透明，工时费明显偏高"),
    "product_quality": ("{model}中控屏频繁死机黑屏", "新车不到半年车门密封条脱落"),
    "other": ("店内充电桩长期故障无法使用", "停车场收费问题，要求说明"),
}

CAMPAIGN_RECALLS = (
    ("召回：{model}安全气囊气体发生器更换", "部分{model}车辆前排乘客安全气囊气体发生器可能异常，免费更换。"),
    ("召回：{model}后排座椅安全带锁扣检查", "部分{model}车辆后排安全带锁扣可能未正确锁止，免费检查并更换。"),
)
# Recalls that only concern combustion engines, or only electrified drives.
CAMPAIGN_RECALLS_ICE = (
    ("召回：{model}高压燃油泵软件升级", "部分{model}车辆高压燃油泵控制软件可能导致发动机失速，免费升级软件。"),
)
CAMPAIGN_RECALLS_ELECTRIC = (
    ("召回：{model}高压电池管理系统升级", "部分{model}车辆高压电池管理系统存在隐患，免费升级并检测。"),
)
CAMPAIGN_SERVICE = (
    ("服务活动：{model}冬季电池健康检查", "为{model}车主免费检测蓄电池与充电系统。"),
    ("服务活动：{model}iDrive系统远程升级补充", "到店完成未能远程升级车辆的系统更新。"),
)
CAMPAIGN_MARKETING = (
    ("BMW X家族冬季试驾日", "到店试驾X1/X3/X5，赠送精美礼品。"),
    ("BMW之悦 车主亲子活动", "邀请车主及家人参加周末亲子烘焙活动。"),
    ("新能源品鉴会：iX3与i3", "体验BMW纯电车型，了解充电权益。"),
)

SURVEY_VERBATIMS = {
    "promoter": ("服务很专业，顾问很耐心", "交车流程顺利，很满意", "保养速度快，休息区环境好", "销售讲解很详细"),
    "passive": ("整体还可以，等待时间有点长", "价格偏高，其他还行", "服务一般，没有特别的感受"),
    "detractor": ("维修后问题没解决，很失望", "交车时间一再推迟", "收费不透明，感觉被坑了", "电话一直没人回"),
}
