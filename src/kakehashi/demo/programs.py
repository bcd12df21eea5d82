"""The demo network's catalog: the kinds of course the Japan Centers taught.

The topics follow the centers' real courses (management and business for executives and
entrepreneurs, Japanese, training in Japan); hours and session plans are generated.
"""

from dataclasses import dataclass

from kakehashi.catalog.models import Audience, Topic
from kakehashi.demo.content import Texts


class Pattern:
    """How a program's sessions fall in the calendar (see ``schedule.plan_sessions``)."""

    INTENSIVE = "intensive"  # weekdays in a row, 10:00-14:00
    EVENINGS = "evenings"  # Tuesday and Thursday evenings, 18:30-21:30
    INTERNSHIP = "internship"  # two Saturday seminars at the center, then ten days in Japan


@dataclass(frozen=True)
class ProgramFacts:
    """A program of the demo catalog, and how a run of it falls in the calendar."""

    slug: str
    topic: str
    audience: str
    hours: int
    name: Texts
    description: Texts
    pattern: str
    # One title per session at the center (for an internship, the days in Japan follow).
    session_titles: tuple[str, ...]


INTERNSHIP_DAYS_IN_JAPAN: tuple[str, ...] = (
    "Internship in Japan, day 1: arrival and orientation",
    "Internship in Japan, day 2: lectures on Japanese management and kaizen",
    "Internship in Japan, day 3: visit to a manufacturing plant",
    "Internship in Japan, day 4: visit to a trading company",
    "Internship in Japan, day 5: visit to a manufacturer's suppliers",
    "Internship in Japan, day 6: lectures on quality management",
    "Internship in Japan, day 7: visit to a small family business",
    "Internship in Japan, day 8: business meetings with Japanese companies",
    "Internship in Japan, day 9: summary seminar and action plans",
    "Internship in Japan, day 10: closing ceremony and departure",
)

PROGRAMS: tuple[ProgramFacts, ...] = (
    ProgramFacts(
        slug="production-kaizen",
        topic=Topic.PRODUCTION,
        audience=Audience.EXECUTIVES,
        hours=36,
        name={
            "en": "Production management: kaizen and 5S",
            "ru": "Управление производством: кайдзен и 5S",
            "ja": "生産管理：カイゼンと5S",
        },
        description={
            "en": (
                "How Japanese companies run production: 5S, kaizen (continuous improvement), "
                "visual management, just-in-time and quality circles, with case studies from "
                "Japanese plants. For directors and heads of production."
            ),
            "ru": (
                "Как японские компании управляют производством: 5S, кайдзен (непрерывное "
                "совершенствование), визуальный менеджмент, «точно вовремя» и кружки качества; "
                "разбор примеров японских заводов. Для директоров и руководителей производства."
            ),
            "ja": (
                "日本企業の生産管理の方法：5S、カイゼン（継続的改善）、目で見る管理、ジャスト・"
                "イン・タイム、QCサークルを、日本の工場の事例とともに学ぶ。経営者・生産部門の"
                "責任者向け。"
            ),
        },
        pattern=Pattern.INTENSIVE,
        session_titles=(
            "Japanese production management: an overview",
            "5S: sort and set in order",
            "5S: shine, standardize, sustain",
            "Kaizen: continuous improvement on the shop floor",
            "Visual management and kanban",
            "Just-in-time and levelled production",
            "Quality circles and total quality management",
            "Case study: a Japanese plant",
            "Improvement plans: participants' presentations",
        ),
    ),
    ProgramFacts(
        slug="general-management",
        topic=Topic.GENERAL,
        audience=Audience.EXECUTIVES,
        hours=40,
        name={
            "en": "Management for executives: the Japanese approach",
            "ru": "Менеджмент для руководителей: японский подход",
            "ja": "経営者のためのマネジメント：日本的アプローチ",
        },
        description={
            "en": (
                "Strategy, decisions by consensus (nemawashi, ringi), long-term relationships "
                "with partners and customers, and leading change in a Russian company."
            ),
            "ru": (
                "Стратегия, принятие решений на основе согласия (немаваси, ринги), долгосрочные "
                "отношения с партнёрами и клиентами, управление изменениями в российской компании."
            ),
            "ja": (
                "戦略、合意による意思決定（根回し・稟議）、取引先・顧客との長期的な関係、"
                "ロシア企業における変革のリーダーシップ。"
            ),
        },
        pattern=Pattern.INTENSIVE,
        session_titles=(
            "Japanese management: principles",
            "Strategy and long-term planning",
            "Decisions by consensus: nemawashi and ringi",
            "The organisation and the manager's role",
            "Partners, suppliers and keiretsu",
            "Customer orientation and service",
            "Leading change",
            "Business negotiations with Japanese companies",
            "Case study: a Japanese company in Russia",
            "Action plans: participants' presentations",
        ),
    ),
    ProgramFacts(
        slug="marketing",
        topic=Topic.MARKETING,
        audience=Audience.EVERYONE,
        hours=24,
        name={
            "en": "Marketing and sales",
            "ru": "Маркетинг и продажи",
            "ja": "マーケティングと販売",
        },
        description={
            "en": (
                "Market research, product and price, distribution and promotion, and customer "
                "service the Japanese way; practical work on the participants' own products."
            ),
            "ru": (
                "Исследование рынка, товар и цена, сбыт и продвижение, клиентский сервис "
                "по-японски; практическая работа с продуктами участников."
            ),
            "ja": (
                "市場調査、製品と価格、流通と販売促進、日本式の顧客サービス。受講者自身の製品を"
                "題材に実習する。"
            ),
        },
        pattern=Pattern.INTENSIVE,
        session_titles=(
            "Marketing in Japanese companies",
            "Market research",
            "Product, price and brand",
            "Distribution and sales channels",
            "Promotion and customer service",
            "Marketing plans: participants' presentations",
        ),
    ),
    ProgramFacts(
        slug="finance",
        topic=Topic.FINANCE,
        audience=Audience.EXECUTIVES,
        hours=24,
        name={"en": "Financial management", "ru": "Финансовый менеджмент", "ja": "財務管理"},
        description={
            "en": (
                "Reading financial statements, cost management and budgeting, investment "
                "decisions and working with banks; Russian and Japanese practice compared."
            ),
            "ru": (
                "Чтение финансовой отчётности, управление затратами и бюджетирование, "
                "инвестиционные решения и работа с банками; сравнение российской и японской "
                "практики."
            ),
            "ja": (
                "財務諸表の読み方、原価管理と予算管理、投資判断、金融機関との関係。ロシアと日本の"
                "実務の比較。"
            ),
        },
        pattern=Pattern.INTENSIVE,
        session_titles=(
            "Financial statements",
            "Cost management",
            "Budgeting and management accounting",
            "Investment decisions",
            "Financing and working with banks",
            "Case study and test",
        ),
    ),
    ProgramFacts(
        slug="hr-management",
        topic=Topic.HR,
        audience=Audience.EXECUTIVES,
        hours=20,
        name={"en": "Human resources management", "ru": "Управление персоналом", "ja": "人事管理"},
        description={
            "en": (
                "Hiring, training on the job, evaluation and pay, and teamwork: what Russian "
                "companies can take from Japanese personnel practice."
            ),
            "ru": (
                "Подбор, обучение на рабочем месте, оценка и оплата труда, командная работа: "
                "что российские компании могут взять из японской кадровой практики."
            ),
            "ja": "採用、OJT、評価と賃金、チームワーク。ロシア企業が日本の人事慣行から学べること。",
        },
        pattern=Pattern.INTENSIVE,
        session_titles=(
            "Personnel management in Japanese companies",
            "Hiring and on-the-job training",
            "Evaluation and pay",
            "Teamwork and motivation",
            "Case study: the participants' companies",
        ),
    ),
    ProgramFacts(
        slug="small-business",
        topic=Topic.SMALL_BUSINESS,
        audience=Audience.ENTREPRENEURS,
        hours=32,
        name={
            "en": "Small-business management",
            "ru": "Управление малым бизнесом",
            "ja": "中小企業経営",
        },
        description={
            "en": (
                "For owners and founders: the business plan, cash flow, sales and customers, the "
                "first employees, and how small firms in Japan grow and work with large ones."
            ),
            "ru": (
                "Для владельцев и основателей: бизнес-план, денежный поток, продажи и клиенты, "
                "первые сотрудники, и как малые фирмы в Японии растут и работают с крупными "
                "компаниями."
            ),
            "ja": (
                "経営者・創業者向け：事業計画、資金繰り、販売と顧客、最初の従業員の採用、そして"
                "日本の中小企業の成長と大企業との取引。"
            ),
        },
        pattern=Pattern.INTENSIVE,
        session_titles=(
            "Small business in Japan and in Russia",
            "The business plan",
            "Cash flow and financing",
            "Sales and customers",
            "The first employees",
            "Quality and service in a small firm",
            "Working with large companies and Japanese partners",
            "Business plans: participants' presentations",
        ),
    ),
    ProgramFacts(
        slug="japanese-language",
        topic=Topic.LANGUAGE,
        audience=Audience.EVERYONE,
        hours=48,
        name={
            "en": "Japanese for business: beginners",
            "ru": "Японский язык для бизнеса: начальный уровень",
            "ja": "ビジネス日本語（初級）",
        },
        description={
            "en": (
                "Kana, basic grammar and conversation, business etiquette, and phrases for "
                "meetings, phone calls and exchanging business cards. Two evenings a week."
            ),
            "ru": (
                "Кана, основы грамматики и разговорной речи, деловой этикет и фразы для встреч, "
                "телефонных разговоров и обмена визитками. Два вечера в неделю."
            ),
            "ja": (
                "かな、基礎文法と会話、ビジネスマナー、会議・電話・名刺交換の表現。週2回の夜間"
                "クラス。"
            ),
        },
        pattern=Pattern.EVENINGS,
        session_titles=(
            "Hiragana (1)",
            "Hiragana (2)",
            "Katakana",
            "Greetings and introductions",
            "Business cards and bowing",
            "Numbers, dates and time",
            "At the office",
            "Telephone calls",
            "Appointments and schedules",
            "Meetings",
            "Asking and offering",
            "Visiting a company",
            "Business e-mail",
            "Review",
            "Presentation practice",
            "Final test",
        ),
    ),
    ProgramFacts(
        slug="training-in-japan",
        topic=Topic.TRAINING_ABROAD,
        audience=Audience.EVERYONE,
        hours=68,
        name={
            "en": "Training in Japan: internship at Japanese companies",
            "ru": "Стажировка в Японии в японских компаниях",
            "ja": "日本研修：日本企業でのインターンシップ",
        },
        description={
            "en": (
                "Ten days in Japan: lectures and visits to Japanese companies on the internship's "
                "theme. Places are few and allotted per center. Participants are chosen at a "
                "selection seminar on their test results, attendance at every lecture, how well "
                "their presentation topic fits the theme and, above all, their potential to work "
                "with Japanese firms."
            ),
            "ru": (
                "Десять дней в Японии: лекции и посещение японских компаний по теме стажировки. "
                "Мест мало, они распределяются между центрами. Участников отбирают на отборочном "
                "семинаре по результатам тестов, посещению всех лекций, соответствию темы доклада "
                "теме стажировки и прежде всего по их потенциалу сотрудничества с японскими "
                "фирмами."
            ),
            "ja": (
                "日本での10日間：研修テーマに沿った講義と日本企業の訪問。定員は少なく、センター"
                "ごとに割り当てられる。参加者は選考セミナーで、試験の成績、全講義への出席、発表"
                "テーマと研修テーマとの適合性、そして何より日本企業と協力する可能性によって"
                "選ばれる。"
            ),
        },
        pattern=Pattern.INTERNSHIP,
        session_titles=(
            "Selection seminar: presentations of internship topics",
            "Preparatory seminar: Japanese business etiquette",
        ),
    ),
)
