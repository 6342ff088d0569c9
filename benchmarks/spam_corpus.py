# ruff: noqa: E501 (phrase lists read better unbroken)
"""A labelled corpus of comments for measuring the spam model: genuine
discussion under news reposts, and the kinds of spam that get through word
lists, in English and Russian. Generated from phrase lists written for this
benchmark (not the model's seed examples), in a fixed random order, each
comment with an author and a time, so that a split by time is honest.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

HAM_TOPICS_EN = [
    "the new tram line",
    "the harbour festival",
    "the school closures",
    "the bridge repairs",
    "the council budget",
    "the river clean-up",
    "the library opening hours",
    "the marathon",
    "the heat wave",
    "the housing plan",
    "the bus strike",
    "the museum exhibition",
]
HAM_TOPICS_RU = [
    "новую линию трамвая",
    "праздник на набережной",
    "закрытие школ",
    "ремонт моста",
    "бюджет города",
    "уборку реки",
    "часы работы библиотеки",
    "марафон",
    "жару",
    "план застройки",
    "забастовку водителей",
    "выставку в музее",
]
HAM_OPENERS_EN = [
    "I live near there and",
    "Honestly,",
    "As someone who uses it every day,",
    "To be fair,",
    "My neighbours and I think",
    "Speaking as a parent,",
    "From what I saw last week,",
    "I was at the meeting yesterday and",
    "Not sure about the rest, but",
    "Good piece.",
]
HAM_CLAIMS_EN = [
    "the article gets {topic} mostly right, but the timeline is off by a month",
    "{topic} was discussed for years before anything happened",
    "nobody asked the people on our street about {topic}",
    "the numbers quoted for {topic} look too optimistic to me",
    "{topic} will help, although the evening service still needs work",
    "I'd like to know who is paying for {topic}",
    "the photos make {topic} look calmer than it was",
    "there were far more people at {topic} than the report says",
    "the comments here about {topic} are fairer than the headline",
    "{topic} deserves a follow-up once the results are in",
]
HAM_CLOSERS_EN = [
    "Thanks for writing it up.",
    "Would love a follow-up.",
    "Let's see what happens in spring.",
    "Does anyone have the full report?",
    "Curious what others think.",
    "",
    "I hope the council reads this.",
    "Keep it up.",
]
HAM_OPENERS_RU = [
    "Живу рядом и",
    "Честно говоря,",
    "Каждый день этим пользуюсь, и",
    "Справедливости ради,",
    "Мы с соседями думаем, что",
    "Как родитель скажу:",
    "Был вчера на собрании, и",
    "Не уверен насчёт остального, но",
    "Хорошая заметка.",
]
HAM_CLAIMS_RU = [
    "в статье про {topic} почти всё верно, но сроки сдвинуты на месяц",
    "про {topic} говорили годами, прежде чем что-то сделали",
    "жителей нашей улицы про {topic} никто не спрашивал",
    "цифры про {topic} кажутся мне слишком оптимистичными",
    "{topic} поможет, хотя вечером всё равно неудобно",
    "хотелось бы знать, кто платит за {topic}",
    "на фотографиях {topic} выглядит спокойнее, чем было на самом деле",
    "людей пришло гораздо больше, чем пишут про {topic}",
]
HAM_CLOSERS_RU = [
    "Спасибо за текст.",
    "Ждём продолжения.",
    "Посмотрим, что будет весной.",
    "У кого-нибудь есть полный отчёт?",
    "Интересно, что думают другие.",
    "",
]
SOURCES = [
    "https://www.reuters.com/world/europe/",
    "https://www.bbc.com/news/uk",
    "https://en.wikipedia.org/wiki/Public_transport",
    "https://www.theguardian.com/cities",
    "https://data.example.gov/transport/2026.csv",
    "https://www.nature.com/articles/d41586",
    "https://github.com/city-data/budget",
    "https://www.ft.com/content/abc",
    "https://tass.ru/obschestvo/",
    "https://www.rbc.ru/society/",
    "https://habr.com/ru/articles/",
    "https://lenta.ru/news/",
    "https://arxiv.org/abs/2405.00001",
]

CASINO_EN = [
    "Spin to win at {brand}! {bonus} bonus for new players, instant withdrawals",
    "Lucky night at {brand}: {bonus} match on your first deposit and free spins",
    "Top rated slots and live roulette, {bonus} welcome package at {brand}",
]
CRYPTO_EN = [
    "My {coin} portfolio went up {pct}% in a week with this trading signal group",
    "Stop working for a boss. I earn {money} weekly staking {coin}, ask me how",
    "New {coin} presale, early buyers get {pct}% extra tokens, don't miss it",
]
PHARMA_EN = [
    "Order generic {drug} online, discreet packaging, no doctor visit needed",
    "{drug} for half the pharmacy price, overnight shipping worldwide",
]
PHISHING_EN = [
    "Security notice: unusual sign-in on your account. Confirm your details within 24 hours",
    "Your parcel is on hold because of an unpaid customs fee of {money}. Pay now to release it",
    "We could not process your last payment. Update your card to avoid suspension",
]
CONTACT_EN = [
    "Looking for serious partners for a side business, {money} a week is realistic. Text me on {messenger} {handle}",
    "I teach beginners how to trade, first lesson free. Add me on {messenger}: {handle}",
    "Need a loan fast? Private lender, low interest. WhatsApp {phone}",
]
CASINO_RU = [
    "Крути слоты в {brand}! Бонус {bonus} новичкам и быстрый вывод денег",
    "Живое казино и рулетка, приветственный пакет {bonus} в {brand}",
]
CRYPTO_RU = [
    "Мой портфель в {coin} вырос на {pct}% за неделю благодаря сигналам, пишите",
    "Хватит работать на дядю. Зарабатываю {money} в неделю на {coin}, расскажу как",
]
CONTACT_RU = [
    "Ищу партнёров для подработки, от {money} в неделю. Пиши в {messenger} {handle}",
    "Обучаю трейдингу с нуля, первое занятие бесплатно. Добавляйся в {messenger}: {handle}",
    "Нужны деньги срочно? Частный займ под низкий процент. Звоните {phone}",
]
OPINION_WRAPPERS = [
    "Great article, I agree the {topic} issue has been ignored for too long. {pitch}",
    "{pitch} Anyway, interesting post about {topic}, thanks for sharing.",
    "Totally agree with the author on {topic}. Off topic, but {pitch_lower}",
]
SLEEPER_HARMLESS = [
    "Nice photos!",
    "Thanks for the update.",
    "Interesting, I didn't know that.",
    "Спасибо, интересно.",
    "Good to know.",
    "Agreed with the previous comment.",
]
BRANDS = [
    "RoyalSpin",
    "JackpotCity7",
    "Vegas-Star",
    "GoldenAce",
    "Лаки Вин",
    "Фортуна777",
]
COINS = ["bitcoin", "ETH", "solana", "USDT", "биткоин", "эфир"]
DRUGS = ["sildenafil", "tadalafil", "modafinil", "tramadol", "semaglutide"]
MESSENGERS = ["Telegram", "WhatsApp", "Signal", "телеграм", "вотсап"]
SHORTENERS = ["bit.ly", "tinyurl.com", "cutt.ly", "is.gd", "clck.ru", "rb.gy", "t.ly"]
SPAM_DOMAINS = [
    "royalspin-bonus.com",
    "crypto-signal.pro",
    "med-direct.shop",
    "secure-id-check.net",
    "parcel-release.info",
    "easy-earn.biz",
    "kazino-fortuna.ru",
    "top-zaim.online",
]
LOOKALIKE = str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х"})
ZERO_WIDTH = "\u200b"


@dataclass(frozen=True)
class Example:
    label: str  # "spam" or "ham"
    kind: str
    text: str
    author: str  # an account name; sleepers and campaigns reuse them
    language: str


class Corpus:
    def __init__(self, seed: int = 2026):
        self.random = random.Random(seed)

    def pick(self, items):
        return self.random.choice(items)

    # Ham -----------------------------------------------------------------------
    def ham(self, n: int) -> Example:
        russian = self.random.random() < 0.4
        if russian:
            text = " ".join(
                filter(
                    None,
                    [
                        self.pick(HAM_OPENERS_RU),
                        self.pick(HAM_CLAIMS_RU).format(topic=self.pick(HAM_TOPICS_RU))
                        + ".",
                        self.pick(HAM_CLOSERS_RU),
                    ],
                )
            )
        else:
            text = " ".join(
                filter(
                    None,
                    [
                        self.pick(HAM_OPENERS_EN),
                        self.pick(HAM_CLAIMS_EN).format(topic=self.pick(HAM_TOPICS_EN))
                        + ".",
                        self.pick(HAM_CLOSERS_EN),
                    ],
                )
            )
        kind = "discussion"
        roll = self.random.random()
        if roll < 0.15:
            kind = "two sources"
            a, b = self.random.sample(SOURCES, 2)
            text += f" Sources: {a} and {b}"
        elif roll < 0.35:
            kind = "one source"
            text += f" See {self.pick(SOURCES)}"
        return Example("ham", kind, text, f"reader{n % 150}", "ru" if russian else "en")

    # Spam ----------------------------------------------------------------------
    def _fill(self, template: str) -> str:
        return template.format(
            brand=self.pick(BRANDS),
            bonus=self.pick(["200%", "150%", "$500", "300 free spins", "5000 ₽"]),
            coin=self.pick(COINS),
            pct=self.random.randint(20, 400),
            money=self.pick(["$1,200", "$800", "2000 USD", "50 000 ₽", "€900"]),
            drug=self.pick(DRUGS),
            messenger=self.pick(MESSENGERS),
            handle="@"
            + self.pick(
                [
                    "fastprofit",
                    "anna_trader",
                    "lender_mike",
                    "zarabotok24",
                    "vip_signals",
                ]
            ),
            phone=self.pick(
                [
                    "+1 202 555 0147",
                    "+44 7700 900 812",
                    "+7 916 555-12-34",
                    "+91 98765 43210",
                ]
            ),
        )

    def pitch(self, russian: bool) -> tuple[str, str]:
        kinds = (
            [("casino", CASINO_RU), ("crypto", CRYPTO_RU), ("contact", CONTACT_RU)]
            if russian
            else [
                ("casino", CASINO_EN),
                ("crypto", CRYPTO_EN),
                ("pharma", PHARMA_EN),
                ("phishing", PHISHING_EN),
                ("contact", CONTACT_EN),
            ]
        )
        kind, templates = self.pick(kinds)
        return kind, self._fill(self.pick(templates))

    def link(self, kind: str) -> str:
        if self.random.random() < 0.35:
            return (
                f"https://{self.pick(SHORTENERS)}/{self.random.randint(10**4, 10**6):x}"
            )
        return f"https://{self.pick(SPAM_DOMAINS)}/{kind}?ref={self.random.randint(100, 999)}"

    def spam(self, n: int, campaign: str | None = None) -> Example:
        russian = self.random.random() < 0.35
        kind, pitch = self.pitch(russian)
        roll = self.random.random()
        if campaign is not None:
            kind, text = (
                "campaign",
                campaign + self.pick(["", "!", " Hurry.", " 🔥", " Спешите."]),
            )
        elif roll < 0.2:
            kind, text = (
                "link drop",
                self.pick(
                    [
                        "Check this out",
                        "useful",
                        "more here",
                        "read this",
                        "смотри",
                        "тут подробнее",
                    ]
                )
                + " "
                + self.link(kind),
            )
        elif roll < 0.35:
            kind, text = (
                "opinion wrapper",
                self.pick(OPINION_WRAPPERS).format(
                    topic=self.pick(HAM_TOPICS_EN),
                    pitch=pitch,
                    pitch_lower=pitch[0].lower() + pitch[1:],
                )
                + " "
                + self.link(kind),
            )
        elif roll < 0.5:
            kind, text = (
                "look-alike letters",
                pitch.translate(LOOKALIKE) + " " + self.link(kind),
            )
        elif roll < 0.6:
            kind = "zero-width"
            text = ZERO_WIDTH.join(pitch[i : i + 3] for i in range(0, len(pitch), 3))
        elif kind == "contact":
            text = pitch
        else:
            text = pitch + " " + self.link(kind)
        return Example("spam", kind, text, f"spammer{n}", "ru" if russian else "en")

    def build(self, size: int = 600, spam_share: float = 0.4) -> list[Example]:
        examples: list[Example] = []
        campaigns = [self._fill(self.pick(CONTACT_EN + CRYPTO_EN)) for _ in range(4)]
        sleepers = 0
        for n in range(size):
            if self.random.random() >= spam_share:
                examples.append(self.ham(n))
                continue
            roll = self.random.random()
            if roll < 0.15:
                examples.append(self.spam(n, campaign=self.pick(campaigns)))
            elif roll < 0.25:
                # A sleeper: something harmless first, the pitch later.
                sleepers += 1
                name = f"sleeper{sleepers}"
                examples.append(
                    Example(
                        "ham",
                        "sleeper's first",
                        self.pick(SLEEPER_HARMLESS),
                        name,
                        "en",
                    )
                )
                pitch = self.spam(n)
                examples.append(
                    Example("spam", "sleeper", pitch.text, name, pitch.language)
                )
            else:
                examples.append(self.spam(n))
        return examples


def build(size: int = 600, seed: int = 2026) -> list[Example]:
    return Corpus(seed).build(size)
