"""What is real in the demo: the Japan Centers in Russia, their cities and opening dates.

Facts from ``shared/context/japan-centers-facts.md`` (Japan's Ministry of Foreign Affairs and
the press). The catalog is in ``programs.py``.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

Texts = Mapping[str, str]

NETWORK_SLUG = "japan-centers"
NETWORK_FOUNDED_ON = datetime.date(1994, 10, 1)

NETWORK_NAME: Texts = {"en": "Japan Center", "ru": "Японский центр", "ja": "日本センター"}

NETWORK_DESCRIPTION: Texts = {
    "en": (
        "Japan Centers in Russia: nonprofit centers backed by the Government of Japan (Ministry "
        "of Foreign Affairs). From October 1994 they taught management and business to Russian "
        "executives and entrepreneurs, sent them on short internships at Japanese companies, "
        "taught Japanese and helped Russian and Japanese companies find partners. About 49,000 "
        "people took courses and about 3,900 trained in Japan between 1994 and 2011. Head "
        "office at Moscow State University; six cities.\n\n"
        "Demo data: the network, its six centers and their opening dates are real; cohorts, "
        "people and companies are generated. The demo shows the network still operating; the "
        "real centers ceased operating in September 2025."
    ),
    "ru": (
        "Японские центры в России — некоммерческие центры, которые поддерживает правительство "
        "Японии (Министерство иностранных дел). С октября 1994 года они обучали российских "
        "руководителей и предпринимателей менеджменту и бизнесу, направляли их на краткосрочные "
        "стажировки в японские компании, преподавали японский язык и помогали российским и "
        "японским компаниям находить партнёров. В 1994–2011 годах курсы прошли около 49 000 "
        "человек, около 3 900 прошли стажировку в Японии. Головной офис — в МГУ имени "
        "М. В. Ломоносова; шесть городов.\n\n"
        "Демонстрационные данные: сеть, шесть центров и даты их открытия реальны; группы, "
        "люди и компании сгенерированы. В демо сеть показана действующей; настоящие центры "
        "прекратили работу в сентябре 2025 года."
    ),
    "ja": (
        "日本センターは、日本政府（外務省）の支援を受けてロシアで運営された非営利のセンターです。"
        "1994年10月から、ロシアの企業経営者や起業家に経営・ビジネスの講座を提供し、日本企業での"
        "短期研修に派遣し、日本語を教え、日露の企業のパートナー探しを支援しました。1994年から"
        "2011年までに約4万9千人が講座を受講し、約3,900人が日本で研修を受けました。本部はモスクワ"
        "大学にあり、6都市で活動しました。\n\n"
        "デモデータ：ネットワーク、6つのセンターとその開設時期は実際のものです。コース、人物、"
        "企業は生成されたものです。デモではネットワークを運営中として表示していますが、実際の"
        "センターは2025年9月に活動を終了しました。"
    ),
}


@dataclass(frozen=True)
class CenterFacts:
    """One center as it really was. Opening dates are known to the month; day 1 stands in."""

    slug: str
    name: Texts
    city: Texts
    description: Texts
    timezone: str
    opened_on: datetime.date
    rooms: tuple[tuple[str, int], ...]
    # Which demo instructor teaches there (west of the Urals, or the Russian Far East).
    region: str


_BUSINESS_ROOMS = (("Lecture hall", 30), ("Seminar room", 16))
_ALL_ROOMS = (("Lecture hall", 36), ("Seminar room", 18), ("Language classroom", 14))

CENTERS: tuple[CenterFacts, ...] = (
    CenterFacts(
        slug="moscow",
        name={
            "en": "Japan Center Moscow",
            "ru": "Японский центр в Москве",
            "ja": "モスクワ日本センター",
        },
        city={"en": "Moscow", "ru": "Москва", "ja": "モスクワ"},
        description={
            "en": (
                "The network's head office, at Lomonosov Moscow State University since January "
                "2001. The Moscow story began earlier: the first Japan Center opened in October "
                "1994 at the MIRBIS business school (Plekhanov University)."
            ),
            "ru": (
                "Головной офис сети, в МГУ имени М. В. Ломоносова с января 2001 года. История "
                "в Москве началась раньше: первый Японский центр открылся в октябре 1994 года в "
                "бизнес-школе МИРБИС (Плехановский университет)."
            ),
            "ja": (
                "ネットワークの本部。2001年1月からモスクワ大学に置かれている。モスクワでの歴史は"
                "それ以前に始まり、最初の日本センターは1994年10月にプレハーノフ経済大学の"
                "ビジネススクールMIRBISに開設された。"
            ),
        },
        timezone="Europe/Moscow",
        opened_on=datetime.date(2001, 1, 1),
        rooms=(("Lecture hall", 40), ("Seminar room", 20), ("Language classroom", 16)),
        region="west",
    ),
    CenterFacts(
        slug="saint-petersburg",
        name={
            "en": "Japan Center Saint Petersburg",
            "ru": "Японский центр в Санкт-Петербурге",
            "ja": "サンクトペテルブルク日本センター",
        },
        city={"en": "Saint Petersburg", "ru": "Санкт-Петербург", "ja": "サンクトペテルブルク"},
        description={
            "en": (
                "Opened in March 2001. Management and business courses, training in Japan and "
                "Japanese-language courses for the city's executives and entrepreneurs."
            ),
            "ru": (
                "Открыт в марте 2001 года. Курсы менеджмента и бизнеса, стажировки в Японии и "
                "курсы японского языка для руководителей и предпринимателей города."
            ),
            "ja": (
                "2001年3月開設。市内の経営者・起業家向けに経営・ビジネス講座、日本での研修、"
                "日本語講座を行う。"
            ),
        },
        timezone="Europe/Moscow",
        opened_on=datetime.date(2001, 3, 1),
        rooms=_BUSINESS_ROOMS,
        region="west",
    ),
    CenterFacts(
        slug="nizhny-novgorod",
        name={
            "en": "Japan Center Nizhny Novgorod",
            "ru": "Японский центр в Нижнем Новгороде",
            "ja": "ニジニ・ノヴゴロド日本センター",
        },
        city={"en": "Nizhny Novgorod", "ru": "Нижний Новгород", "ja": "ニジニ・ノヴゴロド"},
        description={
            "en": (
                "Opened in October 2001, the network's sixth city. Management courses for the "
                "region's industry and small businesses, training in Japan and Japanese-language "
                "courses."
            ),
            "ru": (
                "Открыт в октябре 2001 года — шестой город сети. Курсы менеджмента для "
                "промышленности и малого бизнеса региона, стажировки в Японии и курсы японского "
                "языка."
            ),
            "ja": (
                "2001年10月開設、ネットワーク6番目の都市。地域の産業と中小企業向けの経営講座、"
                "日本での研修、日本語講座を行う。"
            ),
        },
        timezone="Europe/Moscow",
        opened_on=datetime.date(2001, 10, 1),
        rooms=_BUSINESS_ROOMS,
        region="west",
    ),
    CenterFacts(
        slug="khabarovsk",
        name={
            "en": "Japan Center Khabarovsk",
            "ru": "Японский центр в Хабаровске",
            "ja": "ハバロフスク日本センター",
        },
        city={"en": "Khabarovsk", "ru": "Хабаровск", "ja": "ハバロフスク"},
        description={
            "en": (
                "Opened in November 1994, a month after the first center in Moscow: the first "
                "Japan Center in the Russian Far East. Management courses for the region's "
                "executives and entrepreneurs, training in Japan and Japanese-language courses."
            ),
            "ru": (
                "Открыт в ноябре 1994 года, через месяц после первого центра в Москве, — первый "
                "Японский центр на Дальнем Востоке России. Курсы менеджмента для руководителей и "
                "предпринимателей региона, стажировки в Японии и курсы японского языка."
            ),
            "ja": (
                "1994年11月、モスクワの最初のセンターの1か月後に開設された、ロシア極東で最初の"
                "日本センター。地域の経営者・起業家向けの経営講座、日本での研修、日本語講座を行う。"
            ),
        },
        timezone="Asia/Vladivostok",
        opened_on=datetime.date(1994, 11, 1),
        rooms=_ALL_ROOMS,
        region="east",
    ),
    CenterFacts(
        slug="vladivostok",
        name={
            "en": "Japan Center Vladivostok",
            "ru": "Японский центр во Владивостоке",
            "ja": "ウラジオストク日本センター",
        },
        city={"en": "Vladivostok", "ru": "Владивосток", "ja": "ウラジオストク"},
        description={
            "en": (
                "Opened in April 1996. Business courses free of charge, Japanese-language courses "
                "and training in Japan: in its last decade the center sent at least 35 people a "
                "year on internships at Japanese companies."
            ),
            "ru": (
                "Открыт в апреле 1996 года. Бесплатные бизнес-курсы, курсы японского языка и "
                "стажировки в Японии: в последнее десятилетие центр ежегодно направлял на "
                "стажировки в японские компании не менее 35 человек."
            ),
            "ja": (
                "1996年4月開設。無料のビジネス講座、日本語講座、日本での研修を実施。最後の10年間は"
                "毎年少なくとも35人を日本企業での研修に派遣した。"
            ),
        },
        timezone="Asia/Vladivostok",
        opened_on=datetime.date(1996, 4, 1),
        rooms=_ALL_ROOMS,
        region="east",
    ),
    CenterFacts(
        slug="yuzhno-sakhalinsk",
        name={
            "en": "Japan Center Yuzhno-Sakhalinsk",
            "ru": "Японский центр в Южно-Сахалинске",
            "ja": "ユジノサハリンスク日本センター",
        },
        city={"en": "Yuzhno-Sakhalinsk", "ru": "Южно-Сахалинск", "ja": "ユジノサハリンスク"},
        description={
            "en": (
                "Opened in September 1996. Management courses for the island's executives and "
                "entrepreneurs, training in Japan and Japanese-language courses."
            ),
            "ru": (
                "Открыт в сентябре 1996 года. Курсы менеджмента для руководителей и "
                "предпринимателей острова, стажировки в Японии и курсы японского языка."
            ),
            "ja": (
                "1996年9月開設。サハリンの経営者・起業家向けの経営講座、日本での研修、日本語講座を"
                "行う。"
            ),
        },
        timezone="Asia/Sakhalin",
        opened_on=datetime.date(1996, 9, 1),
        rooms=(("Lecture hall", 24), ("Seminar room", 12)),
        region="east",
    ),
)
