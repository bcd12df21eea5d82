"""Generated people and companies for the demo: plausible, and marked as generated.

Every email is at example.org or example.com (domains reserved for examples), and every
company's name ends in "(generated)". The same seed gives the same people every time.
"""

import random
from dataclasses import dataclass

from kakehashi.admissions.services import Applicant

GENERATED = "(generated)"

_MEN = (
    ("Александр", "Aleksandr"),
    ("Алексей", "Aleksei"),
    ("Андрей", "Andrei"),
    ("Артём", "Artem"),
    ("Виктор", "Viktor"),
    ("Владимир", "Vladimir"),
    ("Денис", "Denis"),
    ("Дмитрий", "Dmitrii"),
    ("Евгений", "Evgenii"),
    ("Игорь", "Igor"),
    ("Илья", "Ilya"),
    ("Константин", "Konstantin"),
    ("Максим", "Maksim"),
    ("Михаил", "Mikhail"),
    ("Николай", "Nikolai"),
    ("Олег", "Oleg"),
    ("Павел", "Pavel"),
    ("Роман", "Roman"),
    ("Сергей", "Sergei"),
    ("Юрий", "Yurii"),
)
_WOMEN = (
    ("Анастасия", "Anastasiya"),
    ("Анна", "Anna"),
    ("Валентина", "Valentina"),
    ("Дарья", "Darya"),
    ("Екатерина", "Ekaterina"),
    ("Елена", "Elena"),
    ("Ирина", "Irina"),
    ("Ксения", "Kseniya"),
    ("Людмила", "Lyudmila"),
    ("Марина", "Marina"),
    ("Мария", "Mariya"),
    ("Наталья", "Natalya"),
    ("Ольга", "Olga"),
    ("Светлана", "Svetlana"),
    ("Татьяна", "Tatyana"),
    ("Юлия", "Yuliya"),
)
# Men's forms; a woman's adds an "a" (in both alphabets).
_SURNAMES = (
    ("Алексеев", "Alekseev"),
    ("Андреев", "Andreev"),
    ("Белов", "Belov"),
    ("Беляев", "Belyaev"),
    ("Борисов", "Borisov"),
    ("Васильев", "Vasilev"),
    ("Воробьёв", "Vorobev"),
    ("Григорьев", "Grigorev"),
    ("Гусев", "Gusev"),
    ("Егоров", "Egorov"),
    ("Зайцев", "Zaitsev"),
    ("Захаров", "Zakharov"),
    ("Иванов", "Ivanov"),
    ("Ильин", "Ilin"),
    ("Киселёв", "Kiselev"),
    ("Козлов", "Kozlov"),
    ("Комаров", "Komarov"),
    ("Кузнецов", "Kuznetsov"),
    ("Лебедев", "Lebedev"),
    ("Макаров", "Makarov"),
    ("Михайлов", "Mikhailov"),
    ("Морозов", "Morozov"),
    ("Никитин", "Nikitin"),
    ("Николаев", "Nikolaev"),
    ("Новиков", "Novikov"),
    ("Орлов", "Orlov"),
    ("Павлов", "Pavlov"),
    ("Петров", "Petrov"),
    ("Попов", "Popov"),
    ("Романов", "Romanov"),
    ("Семёнов", "Semenov"),
    ("Сергеев", "Sergeev"),
    ("Смирнов", "Smirnov"),
    ("Соколов", "Sokolov"),
    ("Соловьёв", "Solovev"),
    ("Степанов", "Stepanov"),
    ("Тарасов", "Tarasov"),
    ("Фёдоров", "Fedorov"),
    ("Яковлев", "Yakovlev"),
)

# The first half of a company's name, after the city or region it works in.
_STEMS: dict[str, tuple[str, ...]] = {
    "moscow": ("Мос", "Столица", "Арбат", "Сокол"),
    "saint-petersburg": ("Нева", "Балт", "Петро", "Охта"),
    "nizhny-novgorod": ("Волга", "Ока", "Нижегород", "Кремль"),
    "khabarovsk": ("Амур", "Хабар", "Даль", "Уссури"),
    "vladivostok": ("Примор", "Тихоокеан", "Восток", "Влад"),
    "yuzhno-sakhalinsk": ("Сахалин", "Остров", "Анива", "Курил"),
}
# The second half, with the industry it suggests.
_TRADES = (
    ("Строй", "Строительство"),
    ("Логистик", "Логистика"),
    ("Пласт", "Производство пластиковых изделий"),
    ("Агро", "Сельское хозяйство"),
    ("Софт", "Информационные технологии"),
    ("Мебель", "Производство мебели"),
    ("Рыбпром", "Рыбная промышленность"),
    ("Трейд", "Оптовая торговля"),
    ("Фарм", "Фармацевтика"),
    ("Тур", "Туризм"),
    ("Металл", "Металлообработка"),
    ("Авто", "Автосервис"),
    ("Продукт", "Пищевая промышленность"),
    ("Энерго", "Энергетика"),
    ("Электро", "Электротехника"),
    ("Лес", "Лесопереработка"),
)
_POSITIONS = (
    "Генеральный директор",
    "Заместитель генерального директора",
    "Директор по производству",
    "Коммерческий директор",
    "Финансовый директор",
    "Главный инженер",
    "Начальник отдела продаж",
    "Руководитель отдела кадров",
    "Начальник цеха",
    "Руководитель проекта",
    "Владелец",
    "Учредитель",
)

# What applicants to a cohort that admits by review write, by the program's topic.
MOTIVATIONS: dict[str, tuple[str, ...]] = {
    "production": (
        "Руковожу производством: хотим внедрить 5S на участке сборки и сократить простои.",
        "Цех растёт, а качество падает. Хочу понять, как японские заводы организуют кайдзен, "
        "и начать у себя.",
        "Отвечаю за склад и логистику; нужен опыт визуального управления и канбан.",
    ),
    "general": (
        "Готовим компанию к сотрудничеству с японским партнёром и хотим понимать, как там "
        "принимают решения.",
        "Руковожу компанией первый год; хочу выстроить долгосрочную стратегию и систему "
        "управления.",
        "Нужны инструменты управления изменениями: переходим на новую структуру.",
    ),
    "finance": (
        "Хочу научиться читать отчётность, как это делают инвесторы, и выстроить бюджетирование.",
        "Готовим инвестиционный проект и ищем банковское финансирование.",
        "Отвечаю за затраты компании; нужен системный подход к управленческому учёту.",
    ),
    "training_abroad": (
        "Ищем японских поставщиков оборудования; стажировка даст контакты и понимание японских "
        "компаний.",
        "После курса по управлению производством внедряем 5S; хочу увидеть кайдзен на японских "
        "заводах.",
        "Компания экспортирует морепродукты в Японию; хочу лучше понять японских партнёров.",
        "Тема моего доклада — бережливое производство на нашем заводе; она совпадает с темой "
        "стажировки.",
    ),
}


@dataclass(frozen=True)
class Person:
    """A generated participant: a plausible Russian name, a generated company."""

    full_name: str
    email: str
    company: str
    position: str
    industry: str

    @property
    def applicant(self) -> Applicant:
        return Applicant(
            email=self.email,
            full_name=self.full_name,
            company=self.company,
            position=self.position,
            industry=self.industry,
        )


class PeopleGenerator:
    """Makes people and companies from one seeded random generator, so the demo repeats."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._emails: set[str] = set()
        self._companies: set[str] = set()

    def _company(self, center_slug: str) -> tuple[str, str]:
        while True:
            stem = self.rng.choice(_STEMS[center_slug])
            trade, industry = self.rng.choice(_TRADES)
            form = "АО" if self.rng.random() < 0.2 else "ООО"
            name = f"{form} «{stem}{trade}» {GENERATED}"
            if name not in self._companies:
                self._companies.add(name)
                return name, industry

    def _email(self, first: str, last: str) -> str:
        domain = self.rng.choice(("example.org", "example.com"))
        local = f"{first}.{last}".lower()
        email, n = f"{local}@{domain}", 1
        while email in self._emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self._emails.add(email)
        return email

    def people(self, center_slug: str, count: int) -> list[Person]:
        """``count`` people who live near the center, working at a dozen local companies."""
        companies = [self._company(center_slug) for _ in range(12)]
        people = []
        for _ in range(count):
            woman = self.rng.random() < 0.45
            first, first_latin = self.rng.choice(_WOMEN if woman else _MEN)
            last, last_latin = self.rng.choice(_SURNAMES)
            if woman:
                last, last_latin = last + "а", last_latin + "a"
            # Some people type their name in Latin letters, as they would on a visa form.
            if self.rng.random() < 0.15:
                full_name = f"{first_latin} {last_latin}"
            else:
                full_name = f"{first} {last}"
            company, industry = self.rng.choice(companies)
            people.append(
                Person(
                    full_name=full_name,
                    email=self._email(first_latin, last_latin),
                    company=company,
                    position=self.rng.choice(_POSITIONS),
                    industry=industry,
                )
            )
        return people

    def motivation(self, topic: str) -> str:
        return self.rng.choice(MOTIVATIONS.get(topic, MOTIVATIONS["general"]))
