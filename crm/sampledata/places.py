"""Places: where customers live, their addresses and the plate regions of their cars.

A *dealer city* (``Generator(city=...)``) is described by a :class:`CityMix`:
a list of ``(area, plate region, weight)`` pairs.  Most customers live in the
dealer's own city and drive local plates, but real 4S archives also hold
commuters from neighbouring cities and locals who drive a neighbouring
province's plates (Beijing and Shanghai ration local plates).

Plate regions sharing a province character use disjoint letter sets, so a
plate is unique as long as its tail is unique within its region (the generator
guarantees that).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    """A city customers live in, with its districts (weight, roads)."""

    name: str
    prefixes: tuple[str, ...]  # how addresses start: "北京市" or "广东省广州市"/"广州市"
    districts: tuple[tuple[str, int, tuple[str, ...]], ...]


@dataclass(frozen=True)
class PlateRegion:
    """A set of licence-plate prefixes: province character and its city letters."""

    province: str
    letters: str  # private-car letters used by the region, disjoint within a province


@dataclass(frozen=True)
class CityMix:
    """Where a dealer's customers live and which plates they drive."""

    city: str
    dealer: str  # the dealer's name on exports
    pairs: tuple[tuple[str, str, int], ...]  # (area name, region key, weight per mille)


def _area(name: str, prefixes: str, spec: str) -> Area:
    """Build an :class:`Area` from ``district:weight:road,road`` lines."""
    districts = []
    for line in spec.split():
        d, w, roads = line.split(":")
        districts.append((d, int(w), tuple(roads.split(","))))
    return Area(name, tuple(prefixes.split("|")), tuple(districts))


AREAS: dict[str, Area] = {
    a.name: a
    for a in (
        _area("北京", "北京市", """
朝阳区:20:建国路,朝阳路,东三环中路,望京街,酒仙桥路,工体北路,亮马桥路,广渠路,北苑路,安立路,姚家园路
海淀区:16:中关村大街,学院路,知春路,西三环北路,海淀大街,苏州街,北四环西路,万泉河路,上地十街,清河中街
丰台区:10:南三环西路,丰台北路,马家堡东路,方庄路,丽泽路,科技园富丰路
东城区:5:东长安街,王府井大街,东直门内大街,和平里东街,崇文门外大街,安定门外大街
西城区:6:西长安街,金融大街,西直门外大街,广安门内大街,德胜门外大街,月坛北街
石景山区:4:石景山路,鲁谷路,古城大街,八角西街
通州区:10:新华大街,梨园北街,九棵树东路,运河西大街,玉桥中路
昌平区:10:回龙观西大街,回龙观东大街,立汤路,府学路,政府街
大兴区:8:兴华大街,黄村西大街,荣华中路,旧宫东路
顺义区:5:府前东街,新顺南大街,后沙峪路
房山区:3:拱辰北大街,长虹西路
门头沟区:1:新桥大街,滨河路
怀柔区:1:青春路,开放路
平谷区:1:新平北路
密云区:1:鼓楼东大街
延庆区:1:妫水北街
"""),
        _area("三河", "河北省三河市|河北省廊坊市三河市", """
燕郊镇:8:迎宾路,燕顺路,学院大街,神威北路
鼎盛东大街:2:鼎盛东大街,京哈路
"""),
        _area("廊坊", "河北省廊坊市", """
广阳区:5:新华路,和平路,银河北路,爱民东道
安次区:3:永兴路,光明西道
固安县:2:新源街,大广路
"""),
        _area("天津", "天津市", """
和平区:3:南京路,赤峰道,营口道
河西区:4:友谊路,紫金山路,围堤道
南开区:4:鞍山西道,卫津路,红旗路
滨海新区:3:洞庭路,第一大街,新港二号路
武清区:2:雍阳西道,泉州路
"""),
        _area("保定", "河北省保定市", """
涿州市:5:范阳路,华阳路,冠云路
竞秀区:3:朝阳北大街,七一西路
莲池区:2:东风中路,裕华东路
"""),
        _area("唐山", "河北省唐山市", "路北区:3:建设北路,新华西道 路南区:2:南新西道,文化北路"),
        _area("张家口", "河北省张家口市", "桥东区:2:胜利北路,东安大街 桥西区:2:新华街,至善街"),
        _area("承德", "河北省承德市", "双桥区:2:南营子大街,武烈路"),
        _area("石家庄", "河北省石家庄市", "长安区:2:中山东路,建设北大街 裕华区:2:槐安东路,裕华东路"),
        _area("上海", "上海市", """
浦东新区:22:世纪大道,张杨路,陆家嘴环路,浦东南路,杨高中路,锦绣路,川沙路,华夏东路
闵行区:12:七莘路,莘庄镇莘松路,虹井路,都市路,沪闵路
徐汇区:8:漕溪北路,肇嘉浜路,衡山路,虹桥路,龙华中路
长宁区:5:延安西路,仙霞路,古北路,天山路
静安区:7:南京西路,共和新路,江场西路,延长路
黄浦区:4:淮海中路,西藏南路,中山南路
普陀区:5:真北路,曹杨路,中山北路,铜川路
杨浦区:6:五角场国权路,黄兴路,控江路,军工路
虹口区:4:四川北路,曲阳路,大连西路
宝山区:7:牡丹江路,友谊路,共康路,沪太路
嘉定区:6:城中路,博乐路,安亭镇墨玉路
松江区:6:人民北路,文诚路,九亭镇沪亭北路
青浦区:3:公园路,华新镇华志路
奉贤区:2:南桥镇解放东路,百齐路
金山区:1:卫清西路
崇明区:1:城桥镇八一路
"""),
        _area("苏州", "江苏省苏州市|苏州市", """
昆山市:6:前进中路,黄河中路,花桥镇绿地大道
工业园区:5:现代大道,星湖街,金鸡湖大道
吴中区:3:东吴北路,宝带西路
姑苏区:2:人民路,干将西路
太仓市:2:上海东路,郑和中路
"""),
        _area("嘉兴", "浙江省嘉兴市", "南湖区:3:中山东路,广益路 嘉善县:3:体育南路,罗星街道晋阳东路 平湖市:2:新华北路"),
        _area("南通", "江苏省南通市", "崇川区:3:工农路,人民中路 启东市:2:和平中路"),
        _area("无锡", "江苏省无锡市", "梁溪区:2:中山路,解放南路 滨湖区:2:太湖大道,梁清路"),
        _area("广州", "广东省广州市|广州市", """
天河区:18:天河路,体育西路,珠江新城花城大道,黄埔大道西,中山大道西,天河北路
越秀区:8:环市东路,东风中路,北京路,中山三路,解放北路
海珠区:10:江南大道中,新港中路,工业大道中,昌岗中路
荔湾区:6:中山八路,芳村大道中,龙津西路
白云区:12:白云大道北,机场路,广园中路,云城东路
番禺区:14:市桥街清河东路,迎宾路,汉溪大道,南村镇兴南大道
黄埔区:8:科学大道,开创大道,黄埔东路
花都区:5:新华街公益路,迎宾大道
南沙区:4:进港大道,环市大道中
增城区:4:荔城街府佑路,挂绿路
从化区:1:街口街新城东路
"""),
        _area("佛山", "广东省佛山市", "禅城区:3:季华五路,祖庙路 南海区:5:桂城南海大道北,灯湖东路 顺德区:4:大良街道南国东路,容桂大道"),
        _area("东莞", "广东省东莞市", "南城街道:4:鸿福路,元美路 东城街道:3:东城中路,东纵大道 松山湖:2:新城大道"),
        _area("中山", "广东省中山市", "石岐区:2:孙文中路,民生路 东区:2:中山四路,博爱六路"),
        _area("清远", "广东省清远市", "清城区:2:北江路,人民一路"),
        _area("深圳", "广东省深圳市|深圳市", """
南山区:16:深南大道,科技园南路,后海大道,南海大道,蛇口工业八路,沙河西路
福田区:14:福华路,益田路,福中一路,彩田路,上步南路,景田北路
罗湖区:8:人民南路,深南东路,东门中路,爱国路
宝安区:14:新安街道创业一路,宝安大道,西乡街道前进二路,沙井街道新沙路
龙岗区:14:龙城大道,坂田街道雪岗路,布吉街道龙岗大道,横岗街道深惠路
龙华区:10:民治大道,梅龙大道,观澜大道,人民路
光明区:3:光明大道,华夏路
坪山区:2:坪山大道,深汕路
盐田区:2:沙头角海山路,盐田路
"""),
        _area("惠州", "广东省惠州市", "惠城区:3:江北文昌一路,麦地路 惠阳区:3:淡水街道开城大道 博罗县:1:罗阳街道北门路"),
        _area("杭州", "浙江省杭州市|杭州市", """
西湖区:14:文三路,天目山路,古墩路,文一西路,曙光路
上城区:10:解放路,庆春东路,钱江路,新塘路
拱墅区:10:莫干山路,湖墅南路,上塘路,绍兴路
滨江区:10:江南大道,滨盛路,江虹路,网商路
余杭区:14:文一西路,五常大道,良睦路,闲林街道闲兴路
萧山区:12:金城路,市心中路,通惠北路,萧山经济技术开发区建设一路
临平区:6:迎宾路,世纪大道,南苑街道新丰路
钱塘区:5:下沙路,学源街,德胜东路
富阳区:3:富春街道江滨西大道,金桥北路
"""),
        _area("绍兴", "浙江省绍兴市", "越城区:3:解放北路,胜利东路 柯桥区:4:笛扬路,金柯桥大道"),
        _area("湖州", "浙江省湖州市", "吴兴区:3:红旗路,青铜路 德清县:2:武康街道英溪南路"),
        _area("宁波", "浙江省宁波市", "鄞州区:3:天童南路,四明中路 海曙区:2:中山西路,解放南路"),
        _area("金华", "浙江省金华市", "婺城区:2:八一南街,双溪西路 义乌市:3:稠州北路,宾王路"),
        _area("成都", "四川省成都市|成都市", """
锦江区:8:春熙路,东大街,红星路三段,锦华路
青羊区:8:人民中路,蜀都大道,光华大道,青华路
金牛区:8:一环路北三段,蜀汉路,金府路,营门口路
武侯区:10:人民南路四段,科华北路,武侯大道,高升桥东路
成华区:8:建设路,二环路东二段,双庆路,府青路
高新区:14:天府大道北段,天府三街,益州大道,交子大道,府城大道
天府新区:6:华阳街道正东街,天府大道南段,兴隆湖路
双流区:6:东升街道棠湖西路,航空港大件路
郫都区:4:郫筒街道望丛中路,德源北路
龙泉驿区:4:龙泉街道驿都大道,龙都南路
温江区:4:柳城街道光华大道三段,凤溪大道
新都区:4:新都街道蓉都大道,大丰街道南丰大道
"""),
        _area("德阳", "四川省德阳市", "旌阳区:3:长江西路,岷江西路 广汉市:2:中山大道"),
        _area("绵阳", "四川省绵阳市", "涪城区:3:临园路,剑南路"),
        _area("眉山", "四川省眉山市", "东坡区:2:湖滨路,东坡大道"),
        _area("资阳", "四川省资阳市", "雁江区:2:娇子大道,外环路"),
        _area("乐山", "四川省乐山市", "市中区:2:嘉定北路,人民南路"),
    )
}

PLATE_REGIONS: dict[str, PlateRegion] = {
    "京": PlateRegion("京", "ACEFHJKLMNPQ"),
    "津": PlateRegion("津", "ABCDEFGHJKLMNQR"),
    "冀A": PlateRegion("冀", "A"),
    "冀B": PlateRegion("冀", "B"),
    "冀F": PlateRegion("冀", "F"),
    "冀G": PlateRegion("冀", "G"),
    "冀H": PlateRegion("冀", "H"),
    "冀R": PlateRegion("冀", "R"),
    "鲁": PlateRegion("鲁", "ABCDEFGHJKLMNPQRSU"),
    "沪": PlateRegion("沪", "ABDEFGHJKLMN"),
    "沪C": PlateRegion("沪", "C"),
    "苏E": PlateRegion("苏", "E"),
    "苏F": PlateRegion("苏", "F"),
    "苏B": PlateRegion("苏", "B"),
    "苏A": PlateRegion("苏", "A"),
    "浙F": PlateRegion("浙", "F"),
    "皖": PlateRegion("皖", "ABCDEFGHJKLMNPRS"),
    "粤A": PlateRegion("粤", "A"),
    "粤B": PlateRegion("粤", "B"),
    "粤E": PlateRegion("粤", "EXY"),
    "粤S": PlateRegion("粤", "S"),
    "粤T": PlateRegion("粤", "T"),
    "粤R": PlateRegion("粤", "R"),
    "粤L": PlateRegion("粤", "L"),
    "湘": PlateRegion("湘", "ABCDEFGHJKLMNU"),
    "浙A": PlateRegion("浙", "A"),
    "浙B": PlateRegion("浙", "B"),
    "浙D": PlateRegion("浙", "D"),
    "浙E": PlateRegion("浙", "E"),
    "浙G": PlateRegion("浙", "G"),
    "川A": PlateRegion("川", "AG"),
    "川B": PlateRegion("川", "B"),
    "川F": PlateRegion("川", "F"),
    "川L": PlateRegion("川", "L"),
    "川M": PlateRegion("川", "M"),
    "川Z": PlateRegion("川", "Z"),
    "渝": PlateRegion("渝", "ABCDFGH"),
}


def _mix(city: str, dealer: str, spec: str) -> CityMix:
    pairs = []
    for item in spec.split():
        area, region, w = item.split(":")
        pairs.append((area, region, int(w)))
    if sum(w for _, _, w in pairs) != 1000:
        raise AssertionError(f"weights of {city} do not add up to 1000")
    return CityMix(city, dealer, tuple(pairs))


CITY_MIXES: dict[str, CityMix] = {
    m.city: m
    for m in (
        _mix("北京", "北京德润宝马4S店", """
北京:京:725 北京:冀R:20 北京:冀F:20 北京:津:20 北京:鲁:15 北京:冀A:5 北京:冀B:5
三河:冀R:45 廊坊:冀R:30 天津:津:30 保定:冀F:40 唐山:冀B:15 张家口:冀G:10 承德:冀H:10 石家庄:冀A:10
"""),
        _mix("上海", "上海德润宝马4S店", """
上海:沪:600 上海:沪C:50 上海:苏E:40 上海:浙F:30 上海:皖:40 上海:苏A:20
苏州:苏E:100 嘉兴:浙F:50 南通:苏F:40 无锡:苏B:30
"""),
        _mix("广州", "广州德润宝马4S店", """
广州:粤A:720 广州:湘:30 广州:粤E:20 佛山:粤E:100 东莞:粤S:50 中山:粤T:40 清远:粤R:40
"""),
        _mix("深圳", "深圳德润宝马4S店", """
深圳:粤B:740 深圳:湘:40 深圳:粤S:20 东莞:粤S:100 惠州:粤L:60 广州:粤A:40
"""),
        _mix("杭州", "杭州德润宝马4S店", """
杭州:浙A:780 杭州:皖:30 绍兴:浙D:60 湖州:浙E:50 嘉兴:浙F:30 宁波:浙B:20 金华:浙G:30
"""),
        _mix("成都", "成都德润宝马4S店", """
成都:川A:800 成都:渝:30 德阳:川F:50 绵阳:川B:30 眉山:川Z:40 资阳:川M:20 乐山:川L:30
"""),
    )
}

# Name fragments of residential compounds (小区), combined at random.
COMPOUND_HEADS: tuple[str, ...] = (
    "阳光", "金色", "锦绣", "翠湖", "紫荆", "玫瑰", "和平", "幸福", "康居", "怡景", "碧水", "枫林",
    "华府", "中海", "万科", "保利", "龙湖", "绿地", "融创", "首开", "远洋", "金地", "世纪", "东方",
    "望京", "学府", "御景", "香榭", "星河", "观澜", "银座", "富力", "天鹅湖", "橡树湾", "西山",
)
COMPOUND_TAILS: tuple[str, ...] = (
    "花园", "家园", "苑", "小区", "新城", "名苑", "公寓", "嘉园", "华庭", "府", "山庄", "国际", "雅苑",
)
