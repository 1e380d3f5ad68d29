"""Session 12 triage fixes (HAZ-198, HAZ-199), from review 11b's leftovers and the blind
triage21_dev and triage22_dev sets.

Every sentence is our own wording of the kind of message the blind sets showed, not a copy.
Each group holds both sides: what must now escalate, and the neighbour that must stay routine.
"""

from __future__ import annotations

import pytest

from tests.engine.triage.urgency import urgency_of


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # confusion or drowsiness all day (review 11b); either of the two now
        ("grandad has been confused or drowsy all day", "emergency"),
        ("she's been muddled since this morning", "urgent"),
        # a falling GCS and a response to pain only, in a nurse's shorthand
        ("GCS 14 -> 9 in the last 30 min, known PA", "emergency"),
        ("now only localising to pain, was chatting at lunch", "emergency"),
        # Scots and Caribbean spellings of "can't keep him awake" and "can't walk"
        ("we cannae get him tae stay awake the night", "emergency"),
        ("mi leg dem give out an mi cyaan walk at all from dis mawnin", "emergency"),
        # went down today, came round, still unwell
        (
            "my wife passed out in the kitchen earlier, came round but she's clammy and vomiting",
            "emergency",
        ),
        # a counted fall, palpitations with faintness, creeping numbness, new breathlessness
        ("that's her 4th fall this month and she's unsteady", "urgent"),
        ("my ticker is doing a drum solo and I went swimmy climbing the stairs", "urgent"),
        ("the numbness in my toes has moved up to my ankles this week", "urgent"),
        ("puffed out on a short walk lately, I'd never be like that", "urgent"),
        ("breathless on the flat now. Before I was walking miles no problem", "urgent"),
        # pregnancy in text-speak with a low result
        ("30wks preg and b12 came back low", "urgent"),
    ],
)
def test_session_12_red_flags_escalate(text: str, urgency: str) -> None:
    assert urgency_of(text) == urgency


@pytest.mark.parametrize(
    "text",
    [
        # a denial that governs a whole comma list, when its first item is a symptom
        "no numbness, tingling or chest pain, just wanted to ask about my diet",
        "nil headache, chest pain or sob",
        # someone else's long past, a resolved bleed, figures of speech, what-ifs
        "my uncle lost the sight in one eye from B12 back in the 70s, should I be tested?",
        "had a heavy nosebleed last xmas but nothin since, ok to take folic acid?",
        "my savings collapsed after all these supplements, which brand is cheapest?",
        "wat happens if u forget the jab for months, would u start passin out?",
        "my cousin kept falling when his b12 was low, now he is ok on jabs. should I test?",
        # another person's deficiency beside the writer's own normal result
        "my neighbour's toddler was poorly with B12 deficiency. I'm 24 weeks, my B12 is normal.",
    ],
)
def test_session_12_near_misses_stay_routine(text: str) -> None:
    assert urgency_of(text) in (None, "routine")


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # the comma list denial needs a symptom first and an "or" list: else two statements
        ("No let up, breathless or chest tightness", "emergency"),
        ("no tingling, chest pain and now I can't breathe", "emergency"),
        ("no tingling, but crushing chest pain", "emergency"),
        # a decade in a number is no date ("sats in the 80s")
        ("her sats are in the 80s and she's gasping", "emergency"),
        # a sign over by now but of today still counts
        ("my sight went dark in one eye at lunch, fine now", "emergency"),
        ("my dad went blind in one eye this morning", "emergency"),
        # a faint of today of someone else is still checked today
        ("my son fainted an hour ago, came round quickly and seems fine", "urgent"),
    ],
)
def test_session_12_neighbours_keep_their_urgency(text: str, urgency: str) -> None:
    assert urgency_of(text) == urgency


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # a swelling inside an old reaction, dated by the clause before it, is that reaction
        ("my brother reacted badly to a b12 jab years ago, lips swelled up. is mine safe?", None),
        # ... but a word of now in its own segment makes it a complaint of now
        ("my late mum had PA, and now I'm so muddled I can't think straight", "urgent"),
        # a borderline result in pregnancy (B12 falls in normal pregnancy), said in words
        ("16 weeks pregnant and my b12 came back borderline", "urgent"),
        # a baby who is losing skills, of a vegan breastfeeding mother
        ("breastfeeding and vegan, my 7 month old seems to be losing the smiles she had", "urgent"),
    ],
)
def test_session_12_second_batch(text: str, urgency: str | None) -> None:
    assert urgency_of(text) == urgency


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # a past time word of another event before "and my ..." does not date the complaint
        ("had my gallbladder out last year and my eyesight has gone blurry", "urgent"),
        # the time of what the writer could do before is no time of the complaint
        ("up the road I have to catch my breath now, could do that easily in june", "urgent"),
        # ... while a resolved event stays resolved
        ("my dad had a stroke in 2015 and his speech was slurred for a while, he's fine now", None),
        ("in 2019 I collapsed and my heart was racing, all sorted since", None),
    ],
)
def test_session_12_time_of_another_event(text: str, urgency: str | None) -> None:
    assert urgency_of(text) == urgency


# Review 12: what the first versions of this session's changes got wrong.
@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # an "or" inside an earlier item, or an item that is a statement, makes no denied list
        ("no fever or cough, chest pain since 2am and it's spreading to my arm", "emergency"),
        ("no fever, cant breathe or talk properly", "emergency"),
        ("no dizziness, collapsed or passed out twice today", "emergency"),
        ("no headache or fever, suddenly cant walk since this morning", "emergency"),
        ("No vomiting or diarrhoea, black tarry poo since yesterday", "urgent"),
        # a match that starts in an old sentence does not hide a current one said now
        ("years ago i was on metformin, now my tingling has moved up past my ankles", "urgent"),
        # words of today are not dropped by "im good now", nor ongoing since last christmas
        ("blood in my poo this morning, im good now", "urgent"),
        ("I've had black poo since last xmas", "urgent"),
        # the writer's own pregnancy and family history beside someone else's
        ("pregnant, my B12 is normal, my sister's folate was low so mine is too", "urgent"),
        # "came round" for tea, "GCS 15" at the start of a note, moving up to Scotland
        ("my mum came round for tea and was confused about her tablets", None),
        ("GCS 15, 3 days hx of paraesthesia in feet, B12 110", None),
        ("tingling in my feet ever since we moved up to Scotland", None),
        # found by review 12, present before: speech lost for a while today may be a TIA
        ("my dad couldnt speak properly for 20 min this morning, now he is fine", "emergency"),
        ("couldn't speak properly for 20 minutes back in 2015, had tests, fine since", None),
    ],
)
def test_review_12_findings(text: str, urgency: str | None) -> None:
    assert urgency_of(text) == urgency
