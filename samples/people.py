"""Synthetic identities, employers and bank accounts from a seed.

Everything here is invented: the region codes are real (so numbers look real)
but names, dates, sequence numbers, streets and house numbers are drawn at random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from stdnum.cn import ric


@dataclass(frozen=True)
class Region:
    code: str
    province: str  # "" for the municipalities
    city: str
    district: str
    authority: str
    abbr: str  # 京, 沪, 粤 ... (first char of a property certificate number)
    streets: tuple[str, ...]

    @property
    def full(self) -> str:
        return f"{self.province}{self.city}{self.district}"


REGIONS: tuple[Region, ...] = (
    Region("110105", "", "北京市", "朝阳区", "北京市公安局朝阳分局", "京",
           ("建国路", "朝阳北路", "望京街", "安立路", "东三环中路", "广渠路")),
    Region("110108", "", "北京市", "海淀区", "北京市公安局海淀分局", "京",
           ("中关村大街", "学院路", "西三环北路", "万泉河路", "花园路")),
    Region("310115", "", "上海市", "浦东新区", "上海市公安局浦东分局", "沪",
           ("张杨路", "世纪大道", "锦绣路", "杨高南路", "东方路", "川沙路")),
    Region("310104", "", "上海市", "徐汇区", "上海市公安局徐汇分局", "沪",
           ("漕溪北路", "天钥桥路", "宜山路", "龙华西路", "田林路")),
    Region("440106", "广东省", "广州市", "天河区", "广州市公安局天河区分局", "粤",
           ("天河路", "黄埔大道西", "体育西路", "中山大道西", "天河北路")),
    Region("440305", "广东省", "深圳市", "南山区", "深圳市公安局南山分局", "粤",
           ("南海大道", "科技南路", "后海大道", "沙河西路", "桃园路")),
    Region("330106", "浙江省", "杭州市", "西湖区", "杭州市公安局西湖分局", "浙",
           ("文三路", "天目山路", "西溪路", "古墩路", "教工路")),
    Region("510107", "四川省", "成都市", "武侯区", "成都市公安局武侯区分局", "川",
           ("人民南路", "科华北路", "武侯祠大街", "玉林北路", "佳灵路")),
    Region("420106", "湖北省", "武汉市", "武昌区", "武汉市公安局武昌分局", "鄂",
           ("中南路", "中北路", "武珞路", "徐东大街", "和平大道")),
    Region("320106", "江苏省", "南京市", "鼓楼区", "南京市公安局鼓楼分局", "苏",
           ("中山北路", "北京西路", "湖南路", "汉中门大街", "虎踞路")),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷"
    "龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常"
)
MALE_CHARS = "伟强磊军勇杰涛明超斌辉刚鹏华俊峰浩宇志建国平东亮波凯晨鑫宁飞龙林文博睿哲轩航毅诚嘉宏"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲婷雪琳晶颖洁慧倩佳欣怡萍红梅兰菲瑶璐蕾婧雯璇悦彤岚颖薇"
ETHNICITIES = ("汉",) * 18 + ("回", "满", "壮", "蒙古", "土家")
POSITIONS = ("软件工程师", "高级工程师", "项目经理", "销售经理", "财务主管", "人事专员",
             "行政主管", "产品经理", "技术总监", "会计", "客户经理", "运营专员")
COMPANY_WORDS = ("华信", "远景", "恒达", "瑞丰", "中科", "博远", "鼎盛", "汇通", "启明", "天和",
                 "新锐", "盛世", "万联", "宏图", "嘉禾", "正元", "云帆", "睿达", "金石", "安泰")
INDUSTRIES = ("科技", "信息技术", "商贸", "建设工程", "医药", "物流", "文化传媒", "电子",
              "咨询服务", "环保科技", "智能制造", "网络科技")


@dataclass(frozen=True)
class Bank:
    name: str
    short: str
    bin: str  # card prefix


BANKS: tuple[Bank, ...] = (
    Bank("中国工商银行", "工商银行", "622202"),
    Bank("中国建设银行", "建设银行", "621700"),
    Bank("招商银行", "招商银行", "621483"),
    Bank("中国银行", "中国银行", "621661"),
    Bank("中国农业银行", "农业银行", "622848"),
    Bank("交通银行", "交通银行", "622262"),
)


@dataclass(frozen=True)
class Person:
    name: str
    sex: str  # 男 | 女
    ethnicity: str
    birth_date: date
    region: Region
    address: str
    id_number: str
    issuing_authority: str
    valid_from: date
    valid_until: date | None  # None: 长期
    phone: str

    @property
    def valid_until_text(self) -> str:
        return "长期" if self.valid_until is None else self.valid_until.isoformat()


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


def make_name(rng: random.Random, sex: str, surname: str | None = None) -> str:
    chars = MALE_CHARS if sex == "男" else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.65 else "")
    if len(given) == 2 and given[0] == given[1]:
        given = given[0]
    return (surname or rng.choice(SURNAMES)) + given


def alter_one_char(rng: random.Random, name: str, sex: str) -> str:
    """The same name with one given-name character replaced (a typo, a namesake)."""
    chars = MALE_CHARS if sex == "男" else FEMALE_CHARS
    i = rng.randrange(1, len(name))
    new = rng.choice([c for c in chars if c != name[i] and c not in name])
    return name[:i] + new + name[i + 1:]


def make_id_number(region: Region, birth: date, sex: str, seq: int) -> str:
    last = seq % 10
    if (last % 2 == 1) != (sex == "男"):
        seq = seq + 1 if seq < 999 else seq - 1
    body = f"{region.code}{birth:%Y%m%d}{seq:03d}"
    # stdnum's calc_check_digit takes the whole number and leaves out its last character
    return body + ric.calc_check_digit(body + "?")


def wrong_check_char(id_number: str) -> str:
    right = id_number[-1]
    options = [c for c in "0123456789X" if c != right]
    return id_number[:-1] + options[int(id_number[-4:-1]) % len(options)]


def make_address(rng: random.Random, region: Region) -> str:
    street = rng.choice(region.streets)
    no = rng.randint(1, 600)
    if rng.random() < 0.5:
        room = f"{rng.randint(2, 28)}{rng.randint(1, 4):02d}"
        tail = f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{room}号"
        return f"{region.full}{street}{no}号院{tail}"
    return f"{region.full}{street}{no}号{rng.randint(1, 32)}{rng.randint(1, 8):02d}房"


def validity_years(age: int) -> int | None:
    if age < 16:
        return 5
    if age <= 25:
        return 10
    if age <= 45:
        return 20
    return None


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + years, day=28)


def make_person(
    rng: random.Random,
    on: date,
    *,
    sex: str | None = None,
    surname: str | None = None,
    region: Region | None = None,
    min_age: int = 24,
    max_age: int = 55,
    expired: bool = False,
) -> Person:
    """A person whose ID card is valid on ``on`` (or expired before it)."""
    sex = sex or rng.choice(("男", "女"))
    region = region or rng.choice(REGIONS)
    age_days = rng.randint(min_age * 365 + 30, max_age * 365 - 30)
    birth = on - timedelta(days=age_days)
    id_number = make_id_number(region, birth, sex, rng.randint(1, 998))
    # The card: issued some years ago, valid on ``on`` unless ``expired``.
    for _ in range(200):
        years_ago = rng.randint(10, 21) if expired else rng.randint(0, 15)
        issued = on - timedelta(days=years_ago * 365 + rng.randint(30, 330))
        age_then = (issued - birth).days // 365
        if age_then < 16:
            continue
        span = validity_years(age_then)
        until = None if span is None else _add_years(issued, span)
        if expired and until is not None and until < on - timedelta(days=20):
            break
        if not expired and (until is None or until > on + timedelta(days=60)):
            break
    else:  # pragma: no cover - the loop always finds one for sane ages
        raise RuntimeError("no validity period found")
    phone = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
    return Person(
        name=make_name(rng, sex, surname),
        sex=sex,
        ethnicity=rng.choice(ETHNICITIES),
        birth_date=birth,
        region=region,
        address=make_address(rng, region),
        id_number=id_number,
        issuing_authority=region.authority,
        valid_from=issued,
        valid_until=until,
        phone=phone,
    )


def make_employer(rng: random.Random, region: Region) -> str:
    city = region.city.removesuffix("市")
    return f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(INDUSTRIES)}有限公司"


def make_account(rng: random.Random, bank: Bank) -> str:
    body = bank.bin + "".join(rng.choice("0123456789") for _ in range(18 - len(bank.bin)))
    return body + luhn_digit(body)
