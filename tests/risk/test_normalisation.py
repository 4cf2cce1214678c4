"""Behaviour of normalisation and context rules, one rule per test, plus a property test."""

from __future__ import annotations

import dataclasses
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.risk import Assessment, Reason, RiskCategory, RiskLevel, classify
from bot.features.risk.normalise import normalise_word, tokenise

URGENT, CONCERN, NONE = RiskLevel.URGENT, RiskLevel.CONCERN, RiskLevel.NONE


def level(text: str) -> RiskLevel:
    return classify(text).level


def test_ae_oe_aa_spelling_matches_danish_letters() -> None:
    assert normalise_word("dø") == normalise_word("doe") == normalise_word("do")
    assert normalise_word("håbløs") == normalise_word("haabloes") == normalise_word("hablos")
    assert normalise_word("skære") == normalise_word("skaere") == normalise_word("SKÆRE")
    for text in ("jeg tænker på selvmord", "jeg taenker paa selvmord", "jeg tenker pa selvmord"):
        assert level(text) is URGENT, text
    assert level("jeg foeler mig saa haabloes") is CONCERN


def test_case_punctuation_and_repeated_letters_do_not_hide_risk() -> None:
    for text in ("JEG VIL DØØØØ!!!", "jeg...vil...ikke...leve...mere", "I WANT TO DIEEEEE",
                 "kiiiill myseeelf", "selvmoooord?!?!"):
        assert level(text) is URGENT, text


def test_common_misspellings_are_read_as_meant() -> None:
    for text in ("selvmort", "jeg har selmord tanker", "suicid tanker", "i will kil my self",
                 "thinking about sucide", "i wanna kms", "jeg vil sla mig selv ihjel"):
        assert level(text) is URGENT, text


def test_letters_typed_one_by_one_and_digits_are_read_as_words() -> None:
    assert tokenise("k i l l  m y s e l f").words == ("kil", "myself")
    assert level("s.e.l.v.m.o.r.d") is URGENT
    assert level("s3lvm0rd") is URGENT
    assert tokenise("ring 112 nu").words == ("ring", "112", "nu")


def test_negation_lowers_to_concern_not_none() -> None:
    for text in ("Jeg har ikke tænkt på selvmord", "I'm not going to kill myself",
                 "Jeg har ingen selvmordstanker", "I would never hurt myself",
                 "Jeg skærer ikke i mig selv", "Jeg har ikke planer om at tage mit liv"):
        result = classify(text)
        assert result.level is CONCERN, text
        assert Reason.NEGATED in result.reasons, text


def test_negation_in_another_clause_does_not_lower() -> None:
    assert level("Jeg har ikke noget job, jeg vil dø") is URGENT
    assert level("I'm not okay, I want to die") is URGENT
    assert level("I can't stop thinking about killing myself") is URGENT
    assert level("Hvorfor ikke bare tage mit eget liv") is URGENT


def test_a_fragment_of_a_few_words_is_read_with_the_sentence_next_to_it() -> None:
    assert set(tokenise("took something. cant get up").sentences) == {0}
    long_then_fragment = tokenise("I sent the application to the warehouse today. cant get up")
    assert len(set(long_then_fragment.sentences)) == 1
    two_sentences = tokenise("I sent the application today. The meeting is on Thursday at ten")
    assert len(set(two_sentences.sentences)) == 2
    assert level("lying on the floor. took something. cant get up") is URGENT
    assert level("I took something for the headache. The interview went well, thanks") is NONE


def test_third_person_lowers_to_concern() -> None:
    for text in ("Min bror ville tage sit eget liv", "My friend wants to kill himself",
                 "Min veninde taler om selvmord", "Someone I know is suicidal"):
        result = classify(text)
        assert result.level is CONCERN, text
        assert Reason.THIRD_PERSON in result.reasons, text


def test_first_person_inside_the_phrase_beats_a_third_person_word() -> None:
    assert level("Jeg har skrevet farvel til mine børn") is URGENT
    assert level("My brother says I should kill myself") is URGENT


def test_distant_past_lowers_to_concern_unless_it_is_back() -> None:
    past = classify("I used to self-harm years ago")
    assert past.level is CONCERN and Reason.PAST in past.reasons
    assert level("Sidste år havde jeg selvmordstanker") is CONCERN
    assert level("Som teenager skar jeg i mig selv, og nu er tankerne tilbage") is URGENT
    assert level("I tried to kill myself years ago and the thoughts are back") is URGENT
    assert level("Sidste år mistede jeg min far og nu vil jeg dø") is URGENT


def test_idiom_is_not_urgent() -> None:
    for text in ("jeg orker ikke mere opvask", "this job hunt is killing me",
                 "I could kill for a coffee", "jeg dør af grin", "det er dødssygt",
                 "Det hænger mig ud af halsen", "I shot myself in the foot"):
        result = classify(text)
        assert result.level is NONE, text
    assert Reason.IDIOM in classify("this job hunt is killing me").reasons


def test_idiom_never_swallows_more_than_its_own_words() -> None:
    assert level("it's killing me inside") is CONCERN
    assert level("There's no point going on") is RiskLevel.POSSIBLE
    assert level("I'd rather die than go back to him") is URGENT
    assert level("I cut myself while crying") is URGENT


def test_idiom_next_to_a_real_signal_keeps_that_signal() -> None:
    assert level("This job hunt is killing me and I want to kill myself") is URGENT
    assert level("Jeg orker ikke mere opvask, og jeg har ingen penge til mad") is CONCERN


def test_crisis_is_concern_and_urgent_only_with_self_harm() -> None:
    crisis = classify("Jeg har ingen penge til mad og bliver sat ud")
    assert (crisis.level, crisis.category) == (CONCERN, RiskCategory.ACUTE_CRISIS)
    both = classify("I'm being evicted and I want to kill myself")
    assert (both.level, both.category) == (URGENT, RiskCategory.SUICIDE_SELF_HARM)


def test_violence_now_is_urgent_and_long_ago_is_concern() -> None:
    now = classify("Han slår mig og jeg er bange")
    assert (now.level, now.category) == (URGENT, RiskCategory.VIOLENCE_ABUSE)
    assert level("I am afraid he will hurt me") is URGENT
    assert level("Min eks slog mig for mange år siden") is CONCERN
    assert level("Han truer med at slå mig ihjel") is URGENT


def test_mixed_languages_take_the_highest_level() -> None:
    mixed = classify("Jeg har ingen penge til husleje and honestly I want to die")
    assert mixed.level is URGENT
    assert mixed.language == "en"
    assert classify("Jeg vil tage mit eget liv").language == "da"
    assert classify("jeg er ikke suicidal").level is CONCERN


def test_empty_and_huge_text() -> None:
    assert classify("") == Assessment(NONE)
    assert classify("   \n\t ") == Assessment(NONE)
    filler = "Jeg søger job som pædagog og vil gerne have hjælp til mit CV. "
    huge = (filler * 200)[:9_950]
    start = time.perf_counter()
    assert level(huge) is NONE
    assert level(huge + " jeg vil dø") is URGENT
    assert time.perf_counter() - start < 1.0


def test_assessment_is_immutable_plain_data() -> None:
    result = classify("I want to die")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.level = NONE  # type: ignore[misc]
    assert result.is_urgent
    assert all(isinstance(reason, str) for reason in result.reasons)


_VOCABULARY = (
    "jeg", "vil", "dø", "ikke", "min", "bror", "selvmord", "for", "år", "siden", "nu", "igen",
    "tage", "mit", "sit", "eget", "liv", "orker", "mere", "opvask", "han", "slår", "mig", "I",
    "want", "to", "kill", "myself", "not", "my", "friend", "himself", "years", "ago", "used",
    "this", "job", "hunt", "is", "killing", "me", "no", "money", "food", "evicted", "hopeless",
    "ingen", "penge", "til", "mad", ",", ".", "!", "?", "...", "s", "e", "l", "v", "ø", "å",
    "æ", "112", "k1ll", "(", "|", "*", "~2",
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(_VOCABULARY), max_size=60).map(" ".join),
))
def test_classify_never_raises_and_always_returns_a_valid_verdict(text: str) -> None:
    result = classify(text)
    assert isinstance(result, Assessment)
    assert result.level in set(RiskLevel)
    assert (result.category is None) == (result.level is NONE)
    assert result.language in {None, "da", "en"}
    assert set(result.reasons) <= {str(reason) for reason in Reason}
    if result.level is NONE:
        assert set(result.reasons) <= {Reason.IDIOM}, "only an idiom may silence a match"
