"""Car models sold in China, with their Chinese names: a model also tells the make ('凯美瑞' -> Toyota Camry).

`en` holds regex fragments matched case-insensitively on word boundaries; `zh` holds Chinese names.
Where a name is an everyday word or a single character (汉, 宋, 'seal', 'focus'), `needs_make` says in
which script ('en', 'zh' or 'all'): there it counts only right after its make ('比亚迪汉', 'Ford Focus')
or with a trim suffix ('汉EV').
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CarModel:
    make: str
    name: str
    en: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()
    needs_make: str = ""  # "", "en", "zh" or "all"


def _m(make: str, name: str, en: tuple[str, ...] = (), zh: tuple[str, ...] = (), ctx: str = "") -> CarModel:
    return CarModel(make, name, en, zh, ctx)


def _numbered(make: str, family: str, zh: str, numbers: tuple[str, ...]) -> tuple[CarModel, ...]:
    """'Tiggo 8' / '瑞虎8' style families."""
    return tuple(
        _m(make, f"{family} {n}", (rf"{family.lower()}\s?{n}(?:\s?(?:pro|plus|max))?",), (f"{zh}{n}",))
        for n in numbers
    )


CAR_MODELS: tuple[CarModel, ...] = (
    _m("Volkswagen", "Passat", ("passat",), ("帕萨特",)),
    _m("Volkswagen", "Lavida", ("lavida",), ("朗逸",)),
    _m("Volkswagen", "Sagitar", ("sagitar", "jetta"), ("速腾",)),
    _m("Volkswagen", "Magotan", ("magotan",), ("迈腾",)),
    _m("Volkswagen", "Golf", ("golf",), ("高尔夫",)),
    _m("Volkswagen", "Tiguan", ("tiguan",), ("途观",)),
    _m("Volkswagen", "Polo", ("polo",), ("波罗", "polo")),
    _m("Volkswagen", "Bora", ("bora",), ("宝来",)),
    _m("Volkswagen", "Touareg", ("touareg",), ("途锐",)),
    _m("Volkswagen", "Teramont", ("teramont",), ("途昂",)),
    _m("Volkswagen", "ID.4", (r"id\.?\s?4",), ()),
    _m("Toyota", "Camry", ("camry",), ("凯美瑞",)),
    _m("Toyota", "Corolla", ("corolla",), ("卡罗拉",)),
    _m("Toyota", "RAV4", (r"rav\s?4",), ("荣放",)),
    _m("Toyota", "Highlander", ("highlander",), ("汉兰达",)),
    _m("Toyota", "Prado", ("prado",), ("普拉多", "霸道")),
    _m("Toyota", "Land Cruiser", ("land cruiser",), ("陆地巡洋舰", "兰德酷路泽")),
    _m("Toyota", "Levin", ("levin",), ("雷凌",)),
    _m("Toyota", "Crown", ("crown",), ("皇冠",), ctx="en"),
    _m("Toyota", "Prius", ("prius",), ("普锐斯",)),
    _m("Honda", "Accord", ("accord",), ("雅阁",)),
    _m("Honda", "Civic", ("civic",), ("思域",)),
    _m("Honda", "CR-V", (r"cr-?v",), ()),
    _m("Honda", "Fit", ("fit",), ("飞度",), ctx="en"),
    _m("Honda", "Odyssey", ("odyssey",), ("奥德赛",)),
    _m("Honda", "Vezel", ("vezel", "hr-?v"), ("缤智",)),
    _m("Nissan", "Sylphy", ("sylphy",), ("轩逸",)),
    _m("Nissan", "Teana", ("teana", "altima"), ("天籁",)),
    _m("Nissan", "X-Trail", (r"x-?trail",), ("奇骏",)),
    _m("Nissan", "Qashqai", ("qashqai",), ("逍客",)),
    _m("Buick", "Regal", ("regal",), ("君威",)),
    _m("Buick", "Excelle", ("excelle",), ("英朗",)),
    _m("Buick", "LaCrosse", ("lacrosse",), ("君越",)),
    _m("Buick", "GL8", (r"gl\s?8",), ()),
    _m("Buick", "Envision", ("envision",), ("昂科威",), ctx="en"),
    _m("BYD", "Han", ("han",), ("汉",), ctx="all"),
    _m("BYD", "Tang", ("tang",), ("唐",), ctx="all"),
    _m("BYD", "Song", ("song",), ("宋",), ctx="all"),
    _m("BYD", "Qin", ("qin",), ("秦",), ctx="all"),
    _m("BYD", "Yuan", ("yuan", "atto 3"), ("元",), ctx="all"),
    _m("BYD", "Seal", ("seal",), ("海豹",), ctx="en"),
    _m("BYD", "Dolphin", ("dolphin",), ("海豚",), ctx="en"),
    _m("Geely", "Emgrand", ("emgrand",), ("帝豪",)),
    _m("Geely", "Boyue", ("boyue",), ("博越",)),
    _m("Geely", "Xingyue", ("xingyue", "tugella"), ("星越",)),
    _m("Geely", "Coolray", ("coolray",), ("缤越",)),
    _m("Changan", "Eado", ("eado",), ("逸动",)),
    _m("Changan", "CS75", (r"cs\s?75(?:\s?plus)?",), ()),
    _m("Changan", "CS55", (r"cs\s?55(?:\s?plus)?",), ()),
    _m("Great Wall", "Haval H6", (r"haval\s?h6", r"h6"), ("哈弗h6", "哈弗H6")),
    _m("Great Wall", "Tank 300", (r"tank\s?300",), ("坦克300",)),
    *_numbered("Chery", "Tiggo", "瑞虎", ("3", "5", "5x", "7", "8", "9")),
    _m("Chery", "Tiggo", ("tiggo",), ("瑞虎",)),
    _m("Chery", "Arrizo", (r"arrizo(?:\s?\d+)?",), ("艾瑞泽",)),
    _m("BMW", "3 Series", (r"3\s?series", r"3[1-4]\d\s?l?i", r"m3"), ("3系",)),
    _m("BMW", "5 Series", (r"5\s?series", r"5[1-4]\d\s?l?i", r"m5"), ("5系",)),
    _m("BMW", "7 Series", (r"7\s?series", r"7[3-6]\d\s?l?i"), ("7系",)),
    _m("BMW", "1 Series", (r"1\s?series",), ("1系",)),
    _m("BMW", "X1", ("x1",), ()),
    _m("BMW", "X3", ("x3",), ()),
    _m("BMW", "X5", ("x5",), ()),
    _m("BMW", "X7", ("x7",), ()),
    _m("BMW", "iX3", ("ix3",), ()),
    _m("Mercedes-Benz", "C-Class", (r"c[\s-]?class", r"c\s?[23]\d0\s?l?"), ("c级", "C级")),
    _m("Mercedes-Benz", "E-Class", (r"e[\s-]?class", r"e\s?[23]\d0\s?l?"), ("e级", "E级")),
    _m("Mercedes-Benz", "S-Class", (r"s[\s-]class", r"s\s?[4-6]\d0\s?l?"), ("s级", "S级")),
    _m("Mercedes-Benz", "GLC", (r"glc(?:\s?\d{3})?",), ()),
    _m("Mercedes-Benz", "GLE", (r"gle(?:\s?\d{3})?",), ()),
    _m("Mercedes-Benz", "GLA", (r"gla(?:\s?\d{3})?",), ()),
    _m("Audi", "A4L", ("a4l",), ()),
    _m("Audi", "A6L", ("a6l",), ()),
    _m("Audi", "A3", ("a3",), ()),
    _m("Audi", "A4", ("a4",), ()),
    _m("Audi", "A6", ("a6",), ()),
    _m("Audi", "Q3", ("q3",), ()),
    _m("Audi", "Q5", ("q5l?",), ()),
    _m("Audi", "Q7", ("q7",), ()),
    _m("Tesla", "Model 3", (r"model\s?3",), ()),
    _m("Tesla", "Model Y", (r"model\s?y",), ()),
    _m("Tesla", "Model S", (r"model\s?s",), ()),
    _m("Tesla", "Model X", (r"model\s?x",), ()),
    _m("NIO", "ES6", ("es6",), ()),
    _m("NIO", "ES8", ("es8",), ()),
    _m("NIO", "ET5", ("et5t?",), ()),
    _m("NIO", "ET7", ("et7",), ()),
    _m("NIO", "EC6", ("ec6",), ()),
    _m("Li Auto", "L6", ("l6",), (), ctx="all"),
    _m("Li Auto", "L7", ("l7",), ()),
    _m("Li Auto", "L8", ("l8",), ()),
    _m("Li Auto", "L9", ("l9",), ()),
    _m("Li Auto", "ONE", ("li one",), ("理想one", "理想ONE")),
    _m("Li Auto", "MEGA", ("mega",), (), ctx="all"),
    _m("XPeng", "P7", ("p7",), ()),
    _m("XPeng", "G9", ("g9",), ()),
    _m("XPeng", "G6", ("g6",), ()),
    _m("XPeng", "P5", ("p5",), (), ctx="all"),
    _m("Porsche", "Cayenne", ("cayenne",), ("卡宴",)),
    _m("Porsche", "Macan", ("macan",), ("玛卡",)),
    _m("Porsche", "911", ("911",), (), ctx="all"),
    _m("Porsche", "Panamera", ("panamera",), ("帕拉梅拉",)),
    _m("Porsche", "Taycan", ("taycan",), ()),
    _m("Volvo", "XC60", ("xc60",), ()),
    _m("Volvo", "XC90", ("xc90",), ()),
    _m("Volvo", "XC40", ("xc40",), ()),
    _m("Volvo", "S90", ("s90",), ()),
    _m("Volvo", "S60", ("s60",), ()),
    _m("Ford", "Focus", ("focus",), ("福克斯",), ctx="en"),
    _m("Ford", "Mondeo", ("mondeo",), ("蒙迪欧",)),
    _m("Ford", "Explorer", ("explorer",), ("探险者",), ctx="en"),
    _m("Ford", "Escort", ("escort",), ("福睿斯",), ctx="en"),
    _m("Ford", "Kuga", ("kuga", "escape"), ("锐际", "翼虎"), ctx="en"),
    _m("Ford", "Territory", ("territory",), ("领界", "领裕"), ctx="en"),
    _m("Ford", "Edge", ("edge",), ("锐界",), ctx="en"),
    _m("Ford", "Mustang", ("mustang",), ("野马",), ctx="all"),
    _m("Hyundai", "Elantra", ("elantra",), ("伊兰特",)),
    _m("Hyundai", "Sonata", ("sonata",), ("索纳塔",)),
    _m("Hyundai", "Tucson", ("tucson",), ("途胜",)),
    _m("Hyundai", "ix35", ("ix35",), ()),
    _m("Kia", "K5", ("k5",), ()),
    _m("Kia", "K3", ("k3",), ()),
    _m("Kia", "Sportage", ("sportage",), ("智跑",)),
    _m("Kia", "Sorento", ("sorento",), ("索兰托",)),
    _m("Chevrolet", "Cruze", ("cruze",), ("科鲁兹",)),
    _m("Chevrolet", "Malibu", ("malibu",), ("迈锐宝",)),
    _m("Chevrolet", "Equinox", ("equinox",), ("探界者",)),
    _m("Mazda", "Atenza", ("atenza", r"mazda\s?6"), ("阿特兹",)),
    _m("Mazda", "Axela", ("axela", r"mazda\s?3"), ("昂克赛拉",)),
    _m("Mazda", "CX-5", (r"cx-?5",), ()),
    _m("Lexus", "ES", (r"es\s?[23]\d0h?",), ()),
    _m("Lexus", "RX", (r"rx\s?[345]\d0h?",), ()),
    _m("Lexus", "NX", (r"nx\s?[23]\d0h?",), ()),
    _m("Land Rover", "Range Rover", ("range rover",), ("揽胜",)),
    _m("Land Rover", "Discovery", ("discovery",), ("发现",), ctx="all"),
    _m("Land Rover", "Defender", ("defender",), ("卫士",), ctx="all"),
    _m("Land Rover", "Evoque", ("evoque",), ("极光",), ctx="all"),
    _m("Cadillac", "CT5", ("ct5",), ()),
    _m("Cadillac", "CT6", ("ct6",), ()),
    _m("Cadillac", "XT5", ("xt5",), ()),
    _m("Cadillac", "XT4", ("xt4",), ()),
    _m("Cadillac", "Escalade", ("escalade",), ("凯雷德",)),
)
