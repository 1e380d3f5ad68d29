"""Emergency categories in the languages the detector added are still red flags.

Issue 10 item 5: a message in another language gets the English-only notice, but a red flag
the bot can still recognise gets the emergency advice first. Our own sentences (none from an
evaluation set), one per language and category: chest pain, cannot breathe, unconscious,
fainted, suicidal, anaphylaxis; plus anaphylaxis, which had no non-English phrasing at all.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess

EMERGENCIES = [
    # nl
    pytest.param("mijn vader heeft pijn op de borst", "chest_pain", id="nl-chest"),
    pytest.param("ik krijg geen lucht meer", "breathless_at_rest", id="nl-breathe"),
    pytest.param("mijn moeder is bewusteloos", "reduced_consciousness", id="nl-unconscious"),
    pytest.param("hij is net flauwgevallen", "fainting_collapse", id="nl-fainted"),
    pytest.param("ik wil niet meer leven", "suicidal_thoughts", id="nl-suicidal"),
    pytest.param("na de prik een ernstige allergische reactie", "anaphylaxis", id="nl-anaph"),
    # ro
    pytest.param("am o durere în piept foarte puternică", "chest_pain", id="ro-chest"),
    pytest.param("tata nu poate respira", "breathless_at_rest", id="ro-breathe"),
    pytest.param("bunica este inconștientă", "reduced_consciousness", id="ro-unconscious"),
    pytest.param("mama a leșinat acum", "fainting_collapse", id="ro-fainted"),
    pytest.param("nu mai vreau să trăiesc", "suicidal_thoughts", id="ro-suicidal"),
    pytest.param("cred că e un șoc anafilactic", "anaphylaxis", id="ro-anaph"),
    # tr
    pytest.param("bazen ölmek istiyorum", "suicidal_thoughts", id="tr-suicidal"),
    pytest.param("iğneden sonra boğazım kapanıyor", "anaphylaxis", id="tr-anaph"),
    # hi / ur, romanised and in their scripts
    pytest.param("ab jeena nahi chahti", "suicidal_thoughts", id="hi-roman-suicidal"),
    pytest.param("mere papa hosh mein nahi hain", "reduced_consciousness", id="hi-roman-hosh"),
    pytest.param("मेरे सीने में दर्द है", "chest_pain", id="hi-chest"),
    pytest.param("मुझे सांस नहीं आ रही", "breathless_at_rest", id="hi-breathe"),
    pytest.param("میں خودکشی کے بارے میں سوچتا ہوں", "suicidal_thoughts", id="ur-suicidal"),
    # id
    pytest.param("ibu saya tidak sadarkan diri", "reduced_consciousness", id="id-unconscious"),
    pytest.param("saya tidak bisa bernapas", "breathless_at_rest", id="id-breathe"),
    pytest.param("kadang saya ingin mati", "suicidal_thoughts", id="id-suicidal"),
    # vi
    pytest.param("bố tôi bị đau ngực", "chest_pain", id="vi-chest"),
    pytest.param("tôi không thở được", "breathless_at_rest", id="vi-breathe"),
    pytest.param("mẹ tôi bất tỉnh", "reduced_consciousness", id="vi-unconscious"),
    pytest.param("tôi muốn chết", "suicidal_thoughts", id="vi-suicidal"),
    # tl
    pytest.param("hindi makahinga ang lola ko", "breathless_at_rest", id="tl-breathe"),
    pytest.param("nahimatay si nanay", "fainting_collapse", id="tl-fainted"),
    # ru / uk
    pytest.param("у папы сильная боль в груди", "chest_pain", id="ru-chest"),
    pytest.param("я не могу дышать", "breathless_at_rest", id="ru-breathe"),
    pytest.param("мама без сознания", "reduced_consciousness", id="ru-unconscious"),
    pytest.param("иногда хочу умереть", "suicidal_thoughts", id="ru-suicidal"),
    pytest.param("я не можу дихати", "breathless_at_rest", id="uk-breathe"),
    # zh / ja / ko (patterns: no spaces between words)
    pytest.param("我爸爸胸口疼得厉害", "chest_pain", id="zh-chest"),
    pytest.param("我喘不过气来", "breathless_at_rest", id="zh-breathe"),
    pytest.param("奶奶昏迷了", "reduced_consciousness", id="zh-unconscious"),
    pytest.param("打针后过敏性休克", "anaphylaxis", id="zh-anaph"),
    pytest.param("胸が痛いです", "chest_pain", id="ja-chest"),
    pytest.param("가슴이 아파요", "chest_pain", id="ko-chest"),
    # anaphylaxis in the languages that had the other categories already
    pytest.param("después de la inyección se me cierra la garganta", "anaphylaxis", id="es-anaph"),
    pytest.param("je crois que c'est un choc anaphylactique", "anaphylaxis", id="fr-anaph"),
    pytest.param("schwere allergische Reaktion nach der Spritze", "anaphylaxis", id="de-anaph"),
    pytest.param("tive uma reação alérgica grave", "anaphylaxis", id="pt-anaph"),
    pytest.param("mi si chiude la gola dopo la puntura", "anaphylaxis", id="it-anaph"),
    pytest.param("to chyba wstrząs anafilaktyczny", "anaphylaxis", id="pl-anaph"),
]


@pytest.mark.parametrize(("text", "flag"), EMERGENCIES)
def test_emergency_in_an_added_language(text: str, flag: str) -> None:
    result = assess(text)
    assert result.urgency == "emergency"
    assert flag in result.red_flag_ids


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("mama and dada are fine, it's my b12 that is low", id="mama-dada"),
        pytest.param("she takes tablets, the GP said the dose is ok", id="plain"),
        pytest.param("my tutu for the dance show, and my b12 is low", id="tutu"),
    ],
)
def test_added_phrasings_do_not_fire_on_plain_english(text: str) -> None:
    assert assess(text).urgency != "emergency"
