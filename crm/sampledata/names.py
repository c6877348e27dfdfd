"""Name tables: Chinese surnames and given names with pinyin, English names.

All tables are plain module-level constants (no work at import).  Weights are
relative frequencies; :func:`expand` turns a weighted table into a flat list so
that the generator can pick an entry with a single ``random()`` call.

Pinyin is stored next to every character so that e-mail addresses, WeChat IDs
and staff login handles can be built without calling ``pypinyin`` (slow, and
its output may differ between versions, which would break determinism).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

# (surname, pinyin, weight per 10 000 people), roughly the 2020 census ranking.
SURNAMES: tuple[tuple[str, str, int], ...] = tuple(
    (s, p, int(w))
    for s, p, w in (
        line.split(",")
        for line in """
王,wang,725 李,li,719 张,zhang,683 刘,liu,538 陈,chen,453 杨,yang,308 黄,huang,223
赵,zhao,214 吴,wu,205 周,zhou,199 徐,xu,146 孙,sun,138 马,ma,129 朱,zhu,126 胡,hu,116
郭,guo,115 何,he,106 高,gao,100 林,lin,97 罗,luo,86 郑,zheng,83 梁,liang,82 谢,xie,70
宋,song,62 唐,tang,61 许,xu,60 韩,han,59 冯,feng,56 邓,deng,55 曹,cao,54 彭,peng,52
曾,zeng,49 肖,xiao,48 田,tian,46 董,dong,45 袁,yuan,44 潘,pan,43 于,yu,42 蒋,jiang,41
蔡,cai,40 余,yu,39 杜,du,38 叶,ye,37 程,cheng,36 苏,su,35 魏,wei,34 吕,lv,33 丁,ding,32
任,ren,31 沈,shen,30 姚,yao,29 卢,lu,28 姜,jiang,27 崔,cui,26 钟,zhong,25 谭,tan,24
陆,lu,23 汪,wang,22 范,fan,21 金,jin,20 石,shi,20 廖,liao,19 贾,jia,19 夏,xia,18 韦,wei,18
付,fu,17 方,fang,17 白,bai,17 邹,zou,16 孟,meng,16 熊,xiong,16 秦,qin,15 邱,qiu,15
江,jiang,15 尹,yin,14 薛,xue,14 闫,yan,14 段,duan,13 雷,lei,13 侯,hou,13 龙,long,12
史,shi,12 陶,tao,12 黎,li,11 贺,he,11 顾,gu,11 毛,mao,11 郝,hao,10 龚,gong,10 邵,shao,10
万,wan,10 钱,qian,10 严,yan,9 覃,qin,9 武,wu,9 戴,dai,9 莫,mo,8 孔,kong,8 向,xiang,8
汤,tang,8 常,chang,8 温,wen,8 康,kang,7 施,shi,7 文,wen,7 牛,niu,7 樊,fan,7 葛,ge,7
邢,xing,6 安,an,6 齐,qi,6 易,yi,6 乔,qiao,6 伍,wu,6 庞,pang,6 颜,yan,6 倪,ni,5 庄,zhuang,5
聂,nie,5 章,zhang,5 鲁,lu,5 岳,yue,5 翟,zhai,5 殷,yin,5 詹,zhan,5 申,shen,5 欧,ou,5
耿,geng,5 关,guan,5 兰,lan,4 焦,jiao,4 俞,yu,4 左,zuo,4 柳,liu,4 甘,gan,4 祝,zhu,4
包,bao,4 宁,ning,4 尚,shang,4 符,fu,4 舒,shu,4 阮,ruan,4 柯,ke,4 纪,ji,4 梅,mei,4
童,tong,4 凌,ling,3 毕,bi,3 单,shan,3 季,ji,3 裴,pei,3 霍,huo,3 涂,tu,3 成,cheng,3
苗,miao,3 谷,gu,3 盛,sheng,3 曲,qu,3 翁,weng,3 冉,ran,3 骆,luo,3 蓝,lan,3 路,lu,3
游,you,3 辛,xin,3 靳,jin,3 管,guan,3 柴,chai,3 蒙,meng,3 鲍,bao,3 华,hua,3 喻,yu,3
祁,qi,3 蒲,pu,3 房,fang,3 滕,teng,3 屈,qu,3 饶,rao,3 解,xie,3 牟,mou,3 艾,ai,3 尤,you,3
阳,yang,3 时,shi,3 穆,mu,3 司,si,2 卓,zhuo,2 古,gu,2 吉,ji,2 缪,miao,2 简,jian,2
车,che,2 项,xiang,2 连,lian,2 麦,mai,2 褚,chu,2 娄,lou,2 窦,dou,2 戚,qi,2 岑,cen,2
景,jing,2 党,dang,2 宫,gong,2 费,fei,2 卜,bu,2 冷,leng,2 晏,yan,2 席,xi,2 卫,wei,2
米,mi,2 柏,bai,2 宗,zong,2 瞿,qu,2 桂,gui,2 全,quan,2 佟,tong,2 应,ying,2 臧,zang,2
闵,min,2 苟,gou,2 邬,wu,2 边,bian,2 卞,bian,2 姬,ji,2 师,shi,2 仇,qiu,2 栾,luan,2
隋,sui,2 商,shang,2 刁,diao,2 沙,sha,2 荣,rong,2 寇,kou,2 桑,sang,2 郎,lang,2 甄,zhen,2
丛,cong,2 仲,zhong,2 虞,yu,2 敖,ao,2 巩,gong,2 佘,she,2 池,chi,2 迟,chi,2 邝,kuang,2
""".split()
    )
)

# Compound (two-character) surnames: rare, about 0.15 % of people.
COMPOUND_SURNAMES: tuple[tuple[str, str, int], ...] = (
    ("欧阳", "ouyang", 4),
    ("司马", "sima", 1),
    ("上官", "shangguan", 1),
    ("诸葛", "zhuge", 1),
    ("东方", "dongfang", 1),
    ("皇甫", "huangfu", 1),
    ("慕容", "murong", 1),
    ("司徒", "situ", 1),
    ("令狐", "linghu", 1),
    ("夏侯", "xiahou", 1),
    ("公孙", "gongsun", 1),
    ("端木", "duanmu", 1),
)


def _chars(text: str) -> tuple[tuple[str, str, int], ...]:
    """Parse ``字:pinyin:weight`` items separated by whitespace."""
    out = []
    for item in text.split():
        ch, py, w = item.split(":")
        out.append((ch, py, int(w)))
    return tuple(out)


# Characters used in given names, by gender: (char, pinyin, weight).
MALE_CHARS = _chars("""
伟:wei:9 强:qiang:6 磊:lei:6 军:jun:6 勇:yong:5 杰:jie:6 涛:tao:5 斌:bin:4 超:chao:4
明:ming:6 刚:gang:4 平:ping:4 辉:hui:5 鹏:peng:5 华:hua:4 飞:fei:4 鑫:xin:4 波:bo:4
宁:ning:3 健:jian:4 亮:liang:4 俊:jun:5 帅:shuai:3 浩:hao:6 峰:feng:4 凯:kai:4 宇:yu:6
博:bo:4 龙:long:4 林:lin:3 东:dong:4 建:jian:5 国:guo:5 文:wen:5 志:zhi:5 海:hai:4
晨:chen:4 阳:yang:4 毅:yi:3 成:cheng:3 新:xin:3 旭:xu:3 哲:zhe:3 昊:hao:3 轩:xuan:4
睿:rui:3 泽:ze:4 然:ran:3 航:hang:3 宏:hong:3 振:zhen:3 立:li:3 春:chun:2 永:yong:3
庆:qing:2 德:de:2 荣:rong:2 彬:bin:2 栋:dong:2 良:liang:2 坤:kun:2 鸿:hong:2 铭:ming:3
晓:xiao:3 云:yun:2 嘉:jia:3 天:tian:3 子:zi:4 家:jia:3 一:yi:2 思:si:2 诚:cheng:2 卫:wei:2
兵:bing:2 忠:zhong:2 光:guang:2 福:fu:1 生:sheng:1 金:jin:1 山:shan:2 江:jiang:2 锋:feng:2
源:yuan:2 祥:xiang:2 胜:sheng:2 瑞:rui:2 楠:nan:2 洋:yang:2 松:song:2 凡:fan:2 锐:rui:2
骏:jun:2 翔:xiang:2 奇:qi:1 豪:hao:2 腾:teng:1 钧:jun:1 琦:qi:1 恒:heng:2 威:wei:2 勋:xun:1
坚:jian:1 岩:yan:1 森:sen:1 贺:he:1 铎:duo:1 驰:chi:1 远:yuan:2 瀚:han:1 皓:hao:2 煜:yu:1
""")

FEMALE_CHARS = _chars("""
丽:li:8 静:jing:7 敏:min:6 燕:yan:6 艳:yan:5 娟:juan:5 霞:xia:4 芳:fang:6 娜:na:5
丹:dan:4 玲:ling:5 萍:ping:4 红:hong:4 婷:ting:6 雪:xue:4 琳:lin:5 慧:hui:5 莉:li:4
颖:ying:5 倩:qian:4 洁:jie:4 梅:mei:4 晶:jing:3 琴:qin:3 蕾:lei:3 薇:wei:3 欣:xin:6
怡:yi:6 佳:jia:5 月:yue:3 璐:lu:3 悦:yue:4 瑶:yao:4 琪:qi:4 雯:wen:4 婧:jing:3 露:lu:3
菲:fei:3 萱:xuan:4 涵:han:5 思:si:4 雨:yu:5 晓:xiao:4 秀:xiu:3 英:ying:3 华:hua:3 兰:lan:3
凤:feng:2 桂:gui:2 春:chun:2 玉:yu:3 珍:zhen:2 云:yun:2 美:mei:2 淑:shu:2 秋:qiu:2
爽:shuang:2 嘉:jia:3 欢:huan:2 馨:xin:3 彤:tong:3 蓉:rong:2 媛:yuan:3 妍:yan:3 茜:qian:2
宁:ning:2 岚:lan:2 瑾:jin:2 冰:bing:2 婕:jie:1 妮:ni:2 诗:shi:3 梦:meng:3 可:ke:2 心:xin:3
子:zi:3 一:yi:2 若:ruo:2 依:yi:2 清:qing:2 晴:qing:2 瑞:rui:1 娅:ya:1 蓓:bei:1 莹:ying:3
""")

# Frequent whole given names (two characters), by gender; weight per entry.
MALE_GIVEN = _chars("""
建国:jianguo:3 建华:jianhua:3 国强:guoqiang:3 志强:zhiqiang:4 建军:jianjun:3 海涛:haitao:3
志刚:zhigang:3 国庆:guoqing:2 永刚:yonggang:2 卫东:weidong:2 晓东:xiaodong:3 建平:jianping:2
俊杰:junjie:3 浩然:haoran:3 子轩:zixuan:2 宇轩:yuxuan:2 天宇:tianyu:2 博文:bowen:2 明轩:mingxuan:2
家豪:jiahao:2 一鸣:yiming:2 思远:siyuan:2 皓轩:haoxuan:1 文博:wenbo:2 海波:haibo:2 红军:hongjun:1
""")

FEMALE_GIVEN = _chars("""
秀英:xiuying:3 桂英:guiying:2 秀兰:xiulan:2 玉兰:yulan:2 丽华:lihua:2 红梅:hongmei:3 海燕:haiyan:3
丽娟:lijuan:3 晓燕:xiaoyan:3 春梅:chunmei:2 雪梅:xuemei:2 静怡:jingyi:3 欣怡:xinyi:3 梓涵:zihan:2
子涵:zihan:2 雨涵:yuhan:2 诗涵:shihan:2 思琪:siqi:3 佳怡:jiayi:3 雅琪:yaqi:2 婷婷:tingting:3
丹丹:dandan:2 晶晶:jingjing:2 莉莉:lili:2 慧敏:huimin:2 雅婷:yating:2
""")

ENGLISH_MALE: tuple[str, ...] = (
    "David", "Michael", "Kevin", "Jason", "Eric", "Tony", "Peter", "Frank", "Jack", "Leo",
    "Andy", "Vincent", "Steven", "Allen", "James", "William", "Thomas", "Richard",
)
ENGLISH_FEMALE: tuple[str, ...] = (
    "Linda", "Grace", "Cindy", "Amy", "Lily", "Vivian", "Cathy", "Helen", "Jessica",
    "Sophia", "Emma", "Iris", "Nancy", "Angela", "Sarah", "Olivia",
)
# Family names of foreign customers (the rest of the 1 % use pinyin surnames).
ENGLISH_SURNAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Miller", "Brown", "Schmidt", "Müller", "Wagner", "Becker", "Martin",
    "Taylor", "Wilson", "Anderson",
)


def expand(items: Sequence[T], weights: Sequence[float], size: int = 4096) -> list[T]:
    """Return a flat lookup list of exactly ``size`` entries proportional to weights.

    ``table[int(random() * size)]`` then draws an entry with (nearly) the given
    probabilities; every item with a positive weight appears at least once
    (so ``size`` must be at least the number of such items).
    """
    pairs = [(item, w) for item, w in zip(items, weights) if w > 0]
    if not pairs or len(pairs) > size:
        raise ValueError("no items, or more items than table entries")
    total = float(sum(w for _, w in pairs))
    exact = [w / total * size for _, w in pairs]
    counts = [max(1, int(x)) for x in exact]
    # hand out what is left by largest remainder, take back from the largest counts
    order = sorted(range(len(pairs)), key=lambda k: (counts[k] - exact[k], k))
    k = 0
    while sum(counts) < size:
        counts[order[k % len(order)]] += 1
        k += 1
    while sum(counts) > size:
        big = max(range(len(counts)), key=lambda j: (counts[j], -j))
        counts[big] -= 1
    out: list[T] = []
    for (item, _), c in zip(pairs, counts):
        out.extend([item] * c)
    return out


def weighted(pairs: Sequence[tuple[T, float]], size: int = 4096) -> list[T]:
    """:func:`expand` for a sequence of ``(item, weight)`` pairs."""
    return expand([p[0] for p in pairs], [p[1] for p in pairs], size)
