"""Write ``feedtool/enrich/data/places_rtl.tsv``: Arabic, Persian and Urdu place names.

Countries: pycountry's gettext translations (domain ``iso3166-1``) of each
country's ``name``, ``common_name`` and ``official_name``; a long form such as
"إيران، الجمهورية الإسلامية الإيرانية" keeps the part before its comma, and a
translation still in Latin letters (untranslated) is skipped. Then the rows
added by hand below: the short forms news use that the translations miss,
about 40 major cities per language (each must be in ``cities.tsv``, whose
record gives the tag) and phrases that contain a place name but name no
place (code ``-``), which the matcher reads as one unit so that they hide it.

A translated name is left out when it is also a common word (``DENY``: Mali
is مالی "financial" in Persian and Urdu) or when, once normalised, it names
two countries (Arabic كوريا for both Koreas); a hand row wins over a
translation with the same normalised name.

Usage::

    python scripts/make_places_rtl.py            # rewrite the data file
    python scripts/make_places_rtl.py --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import gettext
import sys
from pathlib import Path

import pycountry

from feedtool._slug import latin_share
from feedtool.enrich.gazetteer import data_lines
from feedtool.enrich.places_rtl import LANGUAGES, name_tokens

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "feedtool" / "enrich" / "data" / "places_rtl.tsv"

# Country short forms: ISO code → names separated by '|'.
HAND_COUNTRIES: dict[str, dict[str, str]] = {
    "ar": {
        "US": "أمريكا|أميركا|الولايات المتحدة الأمريكية",
        "GB": "بريطانيا|بريطانيا العظمى",
        "SA": "السعودية|المملكة العربية السعودية",
        "IR": "إيران",
        "RU": "روسيا",
        "SY": "سوريا|سورية",
        "TR": "تركيا",
        "PS": "فلسطين",
        "AE": "الإمارات",
        "KR": "كوريا الجنوبية",
        "KP": "كوريا الشمالية",
        "VN": "فيتنام",
    },
    "fa": {
        "US": "آمریکا|ایالات متحده|ایالات متحده آمریکا",
        "GB": "انگلیس|بریتانیا",
        "SA": "عربستان",
        "RU": "روسیه",
        "SY": "سوریه",
        "TR": "ترکیه",
        "AE": "امارات",
        "IN": "هند",
        "UA": "اوکراین",
        "KR": "کره جنوبی",
        "KP": "کره شمالی",
    },
    "ur": {
        "US": "امریکہ|امریکا",
        "IR": "ایران",
        "IN": "ہندوستان|انڈیا",
        "CN": "عوامی جمہوریہ چین",
        "SA": "سعودیہ",
        "RU": "روس",
        "TR": "ترکی",
        "IT": "اٹلی",
        "PS": "فلسطین",
        "AE": "امارات",
        "KR": "جنوبی کوریا",
        "KP": "شمالی کوریا",
        "UA": "یوکرائن",
        "NL": "ہالینڈ",
        "MY": "ملائیشیا",
        "SE": "سوئیڈن",
        "DE": "جرمنی",
        "OM": "عمان",  # Oman far more often than Amman in Urdu news (and in the corpus)
        "ZA": "جنوبی افریقہ",
        "IE": "آئرلینڈ",
        "BE": "بیلجیئم",
        "CH": "سوئٹزرلینڈ|سوئزرلینڈ|سوئزر لینڈ",
        "TN": "تیونس",
        "FJ": "فیجی",
        "BN": "برونائی",
    },
}

# Cities: English name as in cities.tsv → names separated by '|'.
HAND_CITIES: dict[str, dict[str, str]] = {
    "ar": {
        "Tehran": "طهران",
        "Isfahan": "أصفهان",
        "Tabriz": "تبريز",
        "Shiraz": "شيراز",
        "Islamabad": "إسلام آباد",
        "Karachi": "كراتشي",
        "Lahore": "لاهور",
        "Peshawar": "بيشاور",
        "Kabul": "كابل",
        "Kandahar": "قندهار",
        "Herat": "هرات",
        "Baghdad": "بغداد",
        "Basra": "البصرة",
        "Mosul": "الموصل",
        "Najaf": "النجف",
        "Karbala": "كربلاء",
        "Kirkuk": "كركوك",
        "Erbil": "أربيل",
        "Damascus": "دمشق",
        "Aleppo": "حلب",
        "Beirut": "بيروت",
        "Jerusalem": "القدس",
        "Cairo": "القاهرة",
        "Alexandria": "الإسكندرية",
        "Khartoum": "الخرطوم",
        "Riyadh": "الرياض",
        "Jeddah": "جدة",
        "Mecca": "مكة|مكة المكرمة",
        "Medina": "المدينة المنورة",
        "Dammam": "الدمام",
        "Doha": "الدوحة",
        "Dubai": "دبي",
        "Abu Dhabi": "أبوظبي|أبو ظبي",
        "Manama": "المنامة",
        "Muscat": "مسقط",
        "Sanaa": "صنعاء",
        "Aden": "عدن",
        "Rabat": "الرباط",
        "Casablanca": "الدار البيضاء",
        "Ankara": "أنقرة",
        "Istanbul": "إسطنبول|اسطنبول",
        "Moscow": "موسكو",
        "Beijing": "بكين",
        "Tokyo": "طوكيو",
        "New Delhi": "نيودلهي|نيو دلهي",
        "Mumbai": "مومباي",
        "Washington": "واشنطن",
        "New York": "نيويورك",
        "London": "لندن",
        "Paris": "باريس",
        "Berlin": "برلين",
        "Rome": "روما",
        "Milan": "ميلانو",
        "Madrid": "مدريد",
        "Geneva": "جنيف",
        "Vienna": "فيينا",
        "Brussels": "بروكسل",
    },
    "fa": {
        "Tehran": "تهران",
        "Mashhad": "مشهد",
        "Isfahan": "اصفهان",
        "Tabriz": "تبریز",
        "Shiraz": "شیراز",
        "Qom": "قم",
        "Bushehr": "بوشهر",
        "Zahedan": "زاهدان",
        "Bandar Abbas": "بندرعباس|بندر عباس",
        "Islamabad": "اسلام‌آباد",
        "Karachi": "کراچی",
        "Lahore": "لاهور",
        "Peshawar": "پیشاور",
        "Herat": "هرات",
        "Kandahar": "قندهار",
        "Mazar-i-Sharif": "مزار شریف",
        "Baghdad": "بغداد",
        "Basra": "بصره",
        "Mosul": "موصل",
        "Najaf": "نجف",
        "Karbala": "کربلا",
        "Kirkuk": "کرکوک",
        "Erbil": "اربیل",
        "Damascus": "دمشق",
        "Aleppo": "حلب",
        "Beirut": "بیروت",
        "Cairo": "قاهره",
        "Riyadh": "ریاض",
        "Jeddah": "جده",
        "Mecca": "مکه|مکه مکرمه",
        "Medina": "مدینه منوره",
        "Doha": "دوحه",
        "Abu Dhabi": "ابوظبی",
        "Manama": "منامه",
        "Muscat": "مسقط",
        "Sanaa": "صنعا",
        "Ankara": "آنکارا",
        "Istanbul": "استانبول",
        "Baku": "باکو",
        "Yerevan": "ایروان",
        "Tashkent": "تاشکند",
        "Ashgabat": "عشق‌آباد",
        "Moscow": "مسکو",
        "Beijing": "پکن",
        "Tokyo": "توکیو",
        "New Delhi": "دهلی نو",
        "Delhi": "دهلی",
        "Washington": "واشنگتن",
        "New York": "نیویورک",
        "London": "لندن",
        "Paris": "پاریس",
        "Berlin": "برلین",
        "Geneva": "ژنو",
        "Vienna": "وین",
        "Brussels": "بروکسل",
    },
    "ur": {
        "Islamabad": "اسلام آباد",
        "Karachi": "کراچی",
        "Lahore": "لاہور",
        "Rawalpindi": "راولپنڈی",
        "Peshawar": "پشاور",
        "Quetta": "کوئٹہ",
        "Faisalabad": "فیصل آباد",
        "Multan": "ملتان",
        "Gwadar": "گوادر",
        "Kabul": "کابل",
        "Kandahar": "قندھار",
        "Tehran": "تہران",
        "Mashhad": "مشہد",
        "Baghdad": "بغداد",
        "Damascus": "دمشق",
        "Beirut": "بیروت",
        "Jerusalem": "یروشلم|بیت المقدس",
        "Cairo": "قاہرہ",
        "Jeddah": "جدہ",
        "Mecca": "مکہ|مکہ مکرمہ",
        "Medina": "مدینہ منورہ",
        "Doha": "دوحہ",
        "Dubai": "دبئی",
        "Abu Dhabi": "ابوظہبی",
        "Ankara": "انقرہ",
        "Istanbul": "استنبول",
        "Moscow": "ماسکو",
        "Beijing": "بیجنگ",
        "Tokyo": "ٹوکیو",
        "New Delhi": "نئی دہلی",
        "Delhi": "دہلی",
        "Mumbai": "ممبئی",
        "Kolkata": "کولکتہ",
        "Srinagar": "سری نگر",
        "Dhaka": "ڈھاکہ",
        "Kathmandu": "کٹھمنڈو",
        "Colombo": "کولمبو",
        "Washington": "واشنگٹن",
        "New York": "نیویارک",
        "London": "لندن",
        "Paris": "پیرس",
        "Berlin": "برلن",
        "Geneva": "جنیوا",
    },
}

# Phrases that contain a place name but name no place.
HAND_BLOCKS: dict[str, str] = {
    "ar": "|".join(
        [
            "باريس سان جيرمان",  # Paris Saint-Germain, the club
            "ريال مدريد",  # Real Madrid
            "أتلتيكو مدريد",
            "فيلق القدس",  # the Quds Force
            "مسقط رأس|مسقط رأسه|مسقط رأسها",  # "birthplace"
            "صلاة المغرب",  # the sunset prayer
            "المغرب العربي",  # the Maghreb region
            "كوبا أمريكا|كوبا أميركا",  # Copa América
            "أذربيجان الغربية|أذربيجان الشرقية",  # Iranian provinces
            "أمريكا الجنوبية|أمريكا الشمالية|أمريكا اللاتينية|أمريكا الوسطى",
            "أميركا الجنوبية|أميركا الشمالية|أميركا اللاتينية|أميركا الوسطى",
        ]
    ),
    "fa": "|".join(
        [
            "چین و چروک",  # "wrinkles"
            "آذربایجان غربی|آذربایجان شرقی",  # Iranian provinces
            "المان ها|المان های",  # "elements", spelled as آلمان is once normalised
            "مصر است|مصر هستند|مصر بود|مصر بودند",  # "insists"
        ]
    ),
    "ur": "|".join(
        [
            "جنوبی امریکہ|شمالی امریکہ|لاطینی امریکہ",
            "آف پاکستان",  # an organisation's English name: "اسٹیٹ بینک آف پاکستان"
            "آل پاکستان|ڈیلی پاکستان",  # "All Pakistan … Association", the newspaper
            "بے چین|سکھ چین|چین سکون|چین و سکون",  # چین "peace, rest"
            "مصر ہے|مصر ہیں|مصر تھا|مصر تھے|مصر رہے",  # "insists"
        ]
    ),
}

# Translations that are common words or wrong: (language, code, name).
DENY: frozenset[tuple[str, str, str]] = frozenset(
    [
        ("ar", "OM", "عمان"),  # also Amman, the capital of Jordan ("سلطنة عمان" stays)
        ("ar", "ML", "مالي"),  # "financial"
        ("fa", "ML", "مالی"),
        ("ur", "ML", "مالی"),
        ("ar", "BJ", "بنين"),  # "sons"
        ("fa", "BJ", "بنین"),
        ("ar", "JE", "جيرسي"),  # "jersey"
        ("fa", "JE", "جرسی"),
        ("ur", "JE", "جرزی"),
        ("fa", "PE", "پرو"),  # "fitting"
        ("ur", "PE", "پیرو"),  # "follower"
        ("ur", "CL", "چلی"),  # "went"
        ("fa", "CZ", "چک"),  # "cheque"
        ("fa", "GH", "غنا"),  # "richness"
        ("fa", "KP", "کره"),  # "sphere", "butter"; "کره شمالی" is added by hand
        ("ar", "MD", "المالديف"),  # the Maldives, mistranslated for Moldova
        ("fa", "ER", "فلسطین"),  # Palestine, mistranslated for Eritrea
        ("fa", "GM", "جمهوری زامبیا"),  # Zambia, mistranslated for the Gambia
        ("ur", "TW", "جمہوریہ چین"),  # inside "عوامی جمہوریہ چین", the PRC
    ]
)


def _translated(lang: str) -> list[tuple[str, str]]:
    """(code, name) of every translated country name of ``lang``."""
    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    rows: list[tuple[str, str]] = []
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            english = getattr(country, attr, None)
            if not english:
                continue
            name = translation.gettext(english)
            if latin_share(name) > 0:
                continue  # untranslated
            name = name.replace("،", ",").split(",")[0].split("(")[0].strip()
            if name and (country.alpha_2, name) not in rows:
                rows.append((country.alpha_2, name))
    return rows


def _city_countries() -> dict[str, str]:
    return {row[0]: row[1] for row in data_lines("cities.tsv")}


def build() -> tuple[str, list[str]]:
    """The data file's text and notes on what was left out."""
    city_country = _city_countries()
    deny = {(lang, code, name_tokens(name)) for lang, code, name in DENY}
    lines = [
        "# Arabic, Persian and Urdu names of countries and cities for the places_rtl enricher.",
        "# Written by scripts/make_places_rtl.py: edit the script, not this file.",
        "# Country names from pycountry's iso3166-1 translations; 'hand' rows added by hand.",
        "# A city row's tag is cities.tsv's record; code '-': a phrase that names no place.",
        "# language\tcode\tcity (English, as in cities.tsv)\tname\tsource",
    ]
    notes: list[str] = []
    for lang in LANGUAGES:
        hand: dict[tuple[str, ...], tuple[str, str, str]] = {}
        for code, names in HAND_COUNTRIES[lang].items():
            for name in names.split("|"):
                hand.setdefault(name_tokens(name), (code, "", name))
        for city, names in HAND_CITIES[lang].items():
            for name in names.split("|"):
                hand.setdefault(name_tokens(name), (city_country[city], city, name))
        for name in HAND_BLOCKS[lang].split("|"):
            hand.setdefault(name_tokens(name), ("-", "", name))
        targets: dict[tuple[str, ...], set[str]] = {}
        translated: dict[tuple[str, ...], tuple[str, str]] = {}
        for code, name in _translated(lang):
            key = name_tokens(name)
            if (lang, code, key) in deny:
                notes.append(f"{lang} {code} {name}: denied")
                continue
            targets.setdefault(key, set()).add(code)
            translated.setdefault(key, (code, name))
        rows: list[tuple[str, str, str, str]] = []
        for key, (code, name) in translated.items():
            if key in hand:
                if hand[key][:2] == (code, "") and targets[key] == {code}:
                    del hand[key]  # the translation has it already
                    rows.append((code, "", name, "pycountry"))
                continue  # else the hand row decides
            if len(targets[key]) > 1:
                notes.append(f"{lang} {name}: names {' and '.join(sorted(targets[key]))}, left out")
                continue
            rows.append((code, "", name, "pycountry"))
        rows.sort()
        hand_rows = sorted((code, city, name, "hand") for code, city, name in hand.values())
        for code, city, name, source in rows + hand_rows:
            lines.append(f"{lang}\t{code}\t{city}\t{name}\t{source}")
    return "\n".join(lines) + "\n", notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    text, notes = build()
    if args.check:
        current = args.out.read_text("utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run scripts/make_places_rtl.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, "utf-8")
    for note in notes:
        print(note, file=sys.stderr)
    print(f"wrote {args.out} ({text.count(chr(10)) - 5} rows)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
