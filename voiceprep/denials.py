"""Denied mentions: which words of a transcript are denied or dismissed, not said as a point made.

A match is denied (not credited, but reported as denied) when:

- a negation ("not", "no", "never", "n't", "neither", "nor", "nobody") stands up to
  ``NEGATION_SCOPE`` words before it in the same clause ("we did not use watermarking");
  a clause ends at punctuation or at "but", "however", "although", "though", "yet",
  "except";
- it is the subject of a negated verb, up to a short modifier ("watermarking isn't
  something I'd do", "blocklists of known phrases don't work");
- it is the alternative turned down ("stories stick better than slides", "instead of a
  sandbox");
- its verb says it is worthless ("word blocklists are pretty useless", "the SIEM is too
  noisy to be useful", "is way too slow");
- the speaker turns it down by pointing back at it ("so I'd leave that off", "I wouldn't
  use it");
- it is what others say or do, rebutted by a "but" or by the speaker in the same or the
  next sentence, or by a word of no worth anywhere there ("people say it covers model
  theft, but I don't think that's right", "the usual advice is X. The security team does
  that, not us", "the idea of revisiting it every quarter, nah");
- it is added to a denial just made ("I wouldn't keep blocklists. Same with length
  limits"), or listed after a denial and a colon ("Things I wouldn't bother with: prompt
  entropy");
- it is a topic named at the head of its sentence and the comment after it dismisses it:
  a word or set phrase of no worth ("Regex lists, that's theatre", "sounds good on
  paper", "can wait"), a hand-off ("the vendor's problem", "legal's job, not mine"), the
  speaker's stance ("I don't see the point", "we tried it and dropped it") or a negation
  pointing back at it ("it never caught anything", "nobody reads it"); or the next
  sentence opens with a word of no worth or a "that" turned down ("Blocking the account?
  Pointless.", "That proves nothing"), or is a bare "No."; a sentence that is only the
  topic has the next sentence as its comment ("Differential privacy... we dropped it"),
  and so has one that only goes on naming it, if that sentence points back to turn it down
  ("And the tampering with the pipeline part. That's the vendor's problem": a transcript's
  full stop where the writer put a comma). For these rules a full stop is read as a comma
  after a bare topic (one phrase of up to ``TOPIC_SENTENCE_WORDS`` words, with no verb a
  clause needs and nobody saying it) and before a sentence opening with "that", "this" or
  "those": "Separate keys per customer. The cloud encrypts anyway. That's the provider's
  problem" is one sentence, as the candidate said it.

And it is not denied when:

- the negation says what a safeguard is for ("make sure nobody tampers with the
  pipeline"), or its own verb is an attack, which states what a defence is for
  ("nobody's tampering with the answers", "the prompt should never leak");
- the negation is no denial: "not only", "not just", "not enough", "nobody complains";
- a negation in a topic's comment points at nothing, and says what the point does ("no
  access to the servers");
- the speaker concedes a dismissal and keeps the point ("X is overrated, but we still run
  it");
- a negated verb after a pronoun is a relative clause around a longer match ("list some
  topics it shouldn't talk about").

"Without" and "avoid" are deliberately not triggers: in interview answers they mostly
introduce a reason ("without rate limiting, an attacker can copy the model").
"""

from __future__ import annotations

import bisect

from voiceprep.textnorm import Token, stem

NEGATION_SCOPE = 8  # words before a match that a negation reaches, within its clause
POST_NEGATION_SCOPE = 4  # words after a match: "watermarking isn't something I'd do"
NEGATIONS = frozenset({"not", "no", "never", "neither", "nor", "nothing", "none", "nobody", "nah"})  # "don't" is "don not"
CLAUSE_ENDS = frozenset({"but", "however", "although", "though", "yet", "except", "whereas"})
# A negation followed by these is not a denial: "not only", "don't forget", "never skip", and
# "isn't enough": "rate limiting alone isn't enough" asks for more, it does not drop the control.
PSEUDO_NEGATIONS = frozenset({
    "only", "just", "necessarily", "enough", "forget", "underestimate", "skip", "neglect", "overlook", "ignore", "miss",
    "question", "doubt",  # "no question about it" affirms
    "complain", "complains", "complained", "complaints", "mind", "minds", "minded",  # "nobody complains about it" approves
})
# Words after which a negation states a safeguard's purpose: "make sure nobody tampers with it".
PURPOSE_LEADS = frozenset({"sure", "ensure"})
# Attack verbs a negation turns into a security goal: "nobody tampers", "it shouldn't leak".
THREAT_STEMS = frozenset(stem(w) for w in (
    "tamper", "leak", "steal", "exfiltrate", "poison", "bypass", "manipulate", "expose", "compromise", "alter",
    "inject", "abuse", "misuse", "spoof", "hijack", "crash", "flood", "overwhelm", "escalate", "sneak", "slip",
    "reveal",
))
THREAT_AUXILIARIES = frozenset({"s", "be", "is", "are", "been", "being", "get", "gets", "got", "ever", "able", "to", "can", "will"})
THREAT_REACH = 3  # words from the negation to its verb: "nobody's tampering", "can't ever be altered"
# What may stand between a match and a negation after it: "X isn't", "X is really not", "X, nah".
AUXILIARIES = frozenset({
    "is", "isn", "are", "aren", "was", "wasn", "were", "weren", "do", "don", "does", "doesn", "did", "didn",
    "s", "it", "that", "really", "just", "honestly", "um", "uh", "well", "so", "won", "wouldn", "would",
    "i", "we", "you", "they", "d", "will",
})
# A matched noun phrase may go on for this many words before its negated verb.
MODIFIER_WORDS = 4
# The auxiliaries that carry a negation of the verb that follows ("don't", "isn't").
VERB_AUXILIARIES = frozenset({
    "is", "isn", "are", "aren", "was", "wasn", "were", "weren", "do", "don", "does", "doesn", "did", "didn",
    "won", "wouldn", "would", "will", "can", "couldn", "shouldn", "really", "just", "actually",
})
# Negations that deny whatever was just said, with no verb: "model changes, nah".
INTERJECTED_NEGATIONS = frozenset({"nah"})
# Predicates that dismiss their subject without a negation word: "blocklists are pretty useless".
DISMISSALS = frozenset({
    "useless", "pointless", "overkill", "overrated", "worthless", "unnecessary", "theater", "theatre", "decoration",
    "formality", "overhyped", "nonsense",
})
# "too noisy to be useful", "too slow to trust": what its subject is too much of to be.
EXCESS = "too"
WORTH_WORDS = frozenset({
    "useful", "helpful", "practical", "worth", "worthwhile", "usable", "reliable", "trust", "matter", "realistic",
})
EXCESS_SCOPE = 4  # words from "too" to the worth word: "too slow to be useful"
# What a thing costs, said to excess of it, dismisses it: "way too slow", "too expensive for us".
COSTS = frozenset({"slow", "expensive", "costly", "noisy", "heavy", "brittle", "fragile", "weak", "complicated"})
# Words of degree between a verb and its dismissal: "are pretty useless", "is kind of pointless".
DEGREE_WORDS = frozenset({
    "pretty", "quite", "totally", "completely", "fairly", "mostly", "kind", "sort", "of", "a", "bit", "way", "far", "much",
})
# Two words that introduce the option turned down: "better than slides", "instead of a sandbox".
REJECTED_ALTERNATIVE = frozenset({("instead", "of"), ("rather", "than"), ("better", "than")})
ALTERNATIVE_SCOPE = 4  # words from "than"/"of" to the match: "rather than the mechanics"
# What others say or do: "people say X", "everyone always says X", "a lot of people spend
# ages on X", "textbooks make a big deal of X", "the claim you always hear is X". Rebutted
# by a "but", or by the speaker in the same or the next sentence, with a negation or a
# dismissal: "..., but I don't think so", ". Honestly, I don't buy that", ", nah".
GENERIC_SPEAKERS = frozenset({"people", "everyone", "everybody", "some", "others", "folks", "they", "vendors"})
REPORTING_VERBS = frozenset({"say", "says", "said", "claim", "claims", "argue", "argues"})
OTHER_PEOPLE = frozenset({
    "people", "everyone", "everybody", "folks", "vendors", "textbook", "textbooks", "others", "management",
})  # alone, no verb needed
HEARSAY_WORDS = frozenset({"hear", "heard"})  # "you always hear", "I've heard"
REPORTED_IDEAS = frozenset({"claim", "idea", "advice", "explanation"})  # after "the": "the usual advice is X"
REPORT_SCOPE = 20  # words from the reporting verb to the match
REBUTTAL_SCOPE = 20  # words from the match to the "but" or the speaker that rebuts it
REBUTTAL_NEGATION_SCOPE = 6  # words from that "but" or speaker to its negation: "but honestly I don't think"
# A later clause that turns the match down by pointing back at it: "X adds latency, so I'd
# leave that off", "..., so I wouldn't bother with those".
BACK_REFERENCES = frozenset({"that", "those", "these", "this", "it"})
DEMONSTRATIVES = BACK_REFERENCES - {"it"}  # "it" opening a sentence is as often the system: "It's not hallucinating"
DISMISSIVE_VERBS = frozenset(stem(w) for w in ("skip", "drop", "ditch", "leave", "rip", "scrap", "quit"))
REFERENCE_ENDS = frozenset({"off", "out", "either", "too", "aside", "again", "anyway"})  # what may follow the back-reference
REFERENCE_SCOPE = 16  # words from the match to the speaker of the later clause
SAME_AS_SCOPE = 4  # "same with X", "same goes for capping X": words from "same" to the match
FIRST_PERSON = frozenset({"i", "we"})  # the speaker of that later clause
REFERENCE_WORDS = 4  # from the speaker to the negation, and from it to "those": "I wouldn't bother with those"
# A topic named, then dismissed by the comment that follows it: "Regex lists, that's theatre",
# "Influence functions we tried, way too expensive, we dropped it", "The model card? Marketing."
COMMENT_SCOPE = 20  # words of the comment, after the topic's clause, where the dismissal may stand
OPENING_WORDS = 3  # words into the next sentence where a dismissal may open it: "Honestly, waste of time"
# Predicates of worth that dismiss without a negation word or "is": "Model cards? Marketing.".
COMMENT_DISMISSALS = frozenset({"waste", "marketing", "boogeyman", "toy", "hype", "gimmick", "paperwork"})
# Set phrases of dismissal: "sounds good on paper", "in theory, sure", "can wait", "who cares".
DISMISSIVE_PHRASES = (
    ("on", "paper"), ("in", "theory"), ("can", "wait"), ("who", "cares"), ("not", "worth"), ("not", "a", "fan"),
    ("forget", "it"), ("forget", "about"), ("never", "again"), ("push", "back"), ("pushed", "back"),
    ("same", "story"), ("not", "convinced"), ("not", "a", "real"),
    ("heard", "the", "name"),  # owning up to knowing no more than the name
)
_PHRASES_BY_FIRST_WORD = {first: [p for p in DISMISSIVE_PHRASES if p[0] == first] for first, *_ in DISMISSIVE_PHRASES}
# Verbs with a particle that take a thing out of use, said of it: "we turned it off", "we rolled it back".
REMOVAL_PHRASALS = frozenset((stem(verb), particle) for verb, particle in (
    ("turn", "off"), ("switch", "off"), ("shut", "off"), ("roll", "back"), ("rip", "out"), ("take", "out"),
))
# What a speaker who keeps a point after conceding a dismissal says: "but we still run it", "but we do it anyway".
CONCESSIONS = frozenset({"still", "anyway"})
# Handing the point to someone else: "that's the vendor's problem", "legal's job, not mine".
HANDOFF_NOUNS = frozenset({"problem", "job", "thing", "responsibility", "department", "headache"})
HANDOFF_OWNERS = frozenset({"me", "us", "mine", "ours", "my", "our"})  # after "not": "not my job", "not us"
# What may stand between the speaker and the word of stance: "I'm not", "I, um, honestly skipped", "we tried and dropped".
STANCE_FILLERS = AUXILIARIES | VERB_AUXILIARIES | {"am", "have", "had", "tried", "and", "even"}
# Subjects that open a relative clause right after a noun: "topics it shouldn't talk about".
SUBJECT_PRONOUNS = frozenset({"i", "we", "you", "they", "it", "he", "she"})
# Words that open a clause inside a noun phrase: "ranking by how easy it is to exploit, ...".
EMBEDDING_WORDS = frozenset({"how", "whether", "what", "why", "where", "when", "which"})
# Prepositions that front a phrase before the main clause: "for datasets like that, I wouldn't ...".
FRONTING_PREPOSITIONS = frozenset({"for", "with", "in", "on", "at", "during", "after", "before", "from"})
# Words that may stand before a match that opens its clause: "and honestly the X we never ...".
CLAUSE_LEAD_WORDS = frozenset({
    "and", "so", "but", "or", "honestly", "um", "uh", "well", "like", "also", "actually", "oh", "okay", "now",
    "the", "a", "an", "this", "that", "these", "those", "our", "their", "my", "your",
})
# Words that start another clause, whose negation is not about the match.
CLAUSE_OPENERS = frozenset({
    "and", "or", "so", "because", "since", "if", "when", "while", "which", "who", "where", "that", "as",
    "i", "we", "you", "they", "he", "she", "it", "then",
})
TOPIC_SENTENCE_WORDS = 15  # a transcript's sentence that may be a bare topic, read on into the next
TOPIC_TAIL_WORDS = 6  # words after the match that a sentence of only the topic may end with: "X to the outputs."
# Words that say something of the topic, which a sentence of only the topic has none of.
TOPIC_VERBS = (VERB_AUXILIARIES - {"really", "just", "actually"}) | NEGATIONS | {"s"}
TOPIC_ENDERS = TOPIC_VERBS | SUBJECT_PRONOUNS | CLAUSE_OPENERS
CLAUSE_PUNCTUATION = frozenset(".,;:!?")
PHRASE_BREAKS = CLAUSE_PUNCTUATION | {"\u2014", "\u2013"}  # a dash also splits a phrase, not a denial


class Denials:
    """The denial rules read against one transcript, prepared once and asked for every match.

    It owns the transcript's clauses (punctuation and "but", "however"...), which scope
    the rules; scoring also reads them to keep a phrasing's intruding words in one phrase.
    """

    def __init__(self, tokens: list[Token], words: list[str], gaps: list[set[str]], sentence_starts: list[int]) -> None:
        self.tokens = tokens
        self.words = words
        self._gaps = gaps  # the punctuation and spaces before each token but the first
        self.sentence, self.sentence_starts = _joined_sentences(words, gaps, sentence_starts)
        self.clause_breaks = self._breaks(CLAUSE_PUNCTUATION)
        self.phrase_breaks = self._breaks(PHRASE_BREAKS)
        self._denied: dict[tuple[int, int], bool] = {}

    def _breaks(self, punctuation: frozenset[str]) -> list[int]:
        """Indexes of the tokens that start a new clause."""
        return [
            i
            for i, token in enumerate(self.tokens)
            if token.word in CLAUSE_ENDS
            or (i > 0 and not self._gaps[i - 1].isdisjoint(punctuation))
        ]

    def clause_start(self, index: int) -> int:
        position = bisect.bisect_right(self.clause_breaks, index) - 1
        return self.clause_breaks[position] if position >= 0 else 0

    def is_denied(self, first: int, last: int) -> bool:
        """Whether the words first..last stand in a negated statement (asked again for every phrasing: cached)."""
        key = (first, last)
        if key not in self._denied:
            self._denied[key] = self._find_denial(first, last)
        return self._denied[key]

    def _find_denial(self, first: int, last: int) -> bool:
        start = max(self.clause_start(first), first - NEGATION_SCOPE)
        for i in range(start, first):
            if self._negates(i):
                return True
        if self._rejected_alternative(first) or self._same_as_a_denial(first) or self._listed_after_a_denial(first):
            return True
        dismissed = (
            self._negated_after(first, last)
            or self._rebutted_report(first, last)
            or self._dismissed_by_reference(last)
            or self._dismissed_as_topic(first, last)
        )
        return dismissed and not self._kept_anyway(last)

    def _kept_anyway(self, last: int) -> bool:
        """Whether the speaker concedes the dismissal and keeps the point: "X is overrated, but we still run it".

        A "but" and then "I" or "we" going on to "still" or "anyway", with no negation near:
        "but we still don't run it" keeps the dismissal.
        """
        words = self.words
        end = min(len(words), last + 1 + REBUTTAL_SCOPE)
        for i in range(last + 1, end):
            if self.sentence[i] != self.sentence[last]:
                return False
            if words[i] == "but" and words[i + 1 : i + 2] and words[i + 1] in FIRST_PERSON:
                for j in range(i + 2, min(end, i + 2 + REFERENCE_WORDS + 2)):
                    if self._negates(j):
                        break
                    if words[j] in CONCESSIONS:
                        return not any(self._negates(k) for k in range(j + 1, min(len(words), j + 1 + REFERENCE_WORDS)))
        return False

    def _dismissed_as_topic(self, first: int, last: int) -> bool:
        """Whether the match is a topic named at the head of its sentence, then dismissed.

        "Regex lists of bad phrases, that's theatre", "Influence functions we tried, way too
        expensive, we dropped it", "Forwarding it to the SIEM, that's the SOC team's
        problem": the comment after the topic's clause dismisses it, in the same sentence
        or at the opening of the next ("Blocking the account? Pointless.", "X? No."); a sentence
        that is only the topic takes the next one whole as its comment. A topic has no
        subject before the match: "we use X, ..." states, and what follows is about more; a
        pronoun in a clause of the topic's own ("ranking by how easy it is to exploit") is none.
        """
        number = self.sentence[last]
        start = self.sentence_starts[number]
        if not SUBJECT_PRONOUNS.isdisjoint(self._main_clause_head(start, first)):  # "we use X, ...": a statement
            return False
        following = self._sentence_end(number)
        comment = self.clause_start_after(last)
        only_the_topic = following == last + 1 and CLAUSE_LEAD_WORDS.issuperset(self.words[start:first])
        if only_the_topic and following < len(self.words):
            # A sentence that is only the topic: the next one is its comment ("Differential privacy... we dropped it").
            comment, following = following, self._sentence_end(number + 1)
        elif self._names_only_the_topic(start, last, following):
            next_sentence = range(following, min(self._sentence_end(number + 1), following + COMMENT_SCOPE))
            if any(self._dismisses_by_pointing_back(i) for i in next_sentence):
                return True
        if any(self._worthless(i) for i in range(last + 1, comment)):  # "X sounds good on paper"
            return True
        if any(self._dismisses(i) for i in range(comment, min(following, comment + COMMENT_SCOPE))):
            return True
        return self._opens_with_a_dismissal(number + 1)

    def _names_only_the_topic(self, start: int, last: int, following: int) -> bool:
        """Whether the sentence from `start` to `following` names the match and says nothing of it.

        Whisper often ends a sentence where a writer puts the comma after a topic ("And the
        tampering with the pipeline part. That's the vendor's problem."). What follows the
        match may only go on naming it, in one clause ("part", "to the outputs"), with no
        word that starts a clause or carries a verb; nor may one stand before it ("The key
        is X.").
        """
        tail = self.words[last + 1 : following]
        if following >= len(self.words) or len(tail) > TOPIC_TAIL_WORDS or self.clause_start_after(last) < following:
            return False
        return TOPIC_ENDERS.isdisjoint(tail) and TOPIC_VERBS.isdisjoint(self.words[start:last])

    def _dismisses_by_pointing_back(self, i: int) -> bool:
        """Whether a dismissal that is plainly about what came before starts at word `i`.

        A word of no worth or a hand-off ("That's the vendor's problem"), a negation pointing
        back ("nobody keeps that") or the speaker turning it down ("I'd skip it"). Not the
        speaker's stance alone: in "X means Y. We didn't bother with Z" it is about Z.
        """
        if self._worthless(i) or (self._negates(i) and self._points_back_near(i, BACK_REFERENCES)):
            return True
        return self.words[i] in FIRST_PERSON and self._turns_down_a_reference(i)

    def _main_clause_head(self, start: int, first: int) -> list[str]:
        """The words from `start` to `first` up to a question word that opens a clause inside the topic.

        "ranking by how easy it is to exploit", "and whether it really fools the classifier":
        the pronoun after "how" or "whether" is the subject of the topic's own clause, not the
        speaker's. That clause must hold the match: in "a color by how risky we think it is,
        red for high" the match comes after it. Heading the sentence, "what" starts the
        speaker's own: "What I'd do is X".
        """
        words = self.words[start:first]
        match_clause = self.clause_start(first)
        for k, word in enumerate(words):
            speakers_clause = word == "what" and CLAUSE_LEAD_WORDS.issuperset(words[:k])
            if word in EMBEDDING_WORDS and not speakers_clause and start + k >= match_clause:
                return words[:k]
        return words

    def _opens_with_a_dismissal(self, number: int) -> bool:
        """Whether sentence `number` opens by dismissing what came before: "Pointless.", "That proves nothing", "No."."""
        if number >= len(self.sentence_starts):
            return False
        start = self.sentence_starts[number]
        if all(self._negates(i) for i in range(start, self._sentence_end(number))):
            return True  # a bare "No." answers the question just asked: "Failing the build on a score? No."
        opening = [i for i in range(start, min(len(self.words), start + OPENING_WORDS + 2))
                   if self.sentence[i] == number and self.words[i] not in CLAUSE_LEAD_WORDS]
        return any(self._dismisses(i, next_sentence=True) for i in opening[:OPENING_WORDS])

    def _sentence_end(self, number: int) -> int:
        """The index just past sentence `number`."""
        return self.sentence_starts[number + 1] if number + 1 < len(self.sentence_starts) else len(self.words)

    def _dismisses(self, i: int, next_sentence: bool = False) -> bool:
        """Whether a dismissal starts at word `i`.

        A word or set phrase of no worth ("theatre", "sounds good on paper"), a hand-off
        ("the vendor's problem", "not my job"), the speaker's stance ("I don't see the
        point", "we dropped it") or a negation about the topic pointed back at ("it never
        caught anything", "nobody reads it"). A negation alone says what the point does
        ("no access to the servers", "not a rubber stamp"), and denies nothing. Opening the
        next sentence, the speaker's stance and "it" are as often about something new ("X
        means Y. We didn't bother with Z", "It's not hallucinating"): only "that" or "this"
        points back there ("That proves nothing").
        """
        words = self.words
        if self._worthless(i):
            return True
        if not next_sentence and words[i] in FIRST_PERSON and self._takes_a_stance(i):
            return True
        if self._negates(i) and self._points_back_near(i, DEMONSTRATIVES if next_sentence else BACK_REFERENCES):
            return True
        return words[i] == EXCESS and i + 1 < len(words) and not self.crosses_phrase_break(i, i + 1)  # "way too slow"

    def _worthless(self, i: int) -> bool:
        """Whether a word or set phrase of no worth, or a hand-off, starts at `i`.

        "theatre", "sounds good on paper", "legal's job", "doesn't matter", "we turned it off".
        """
        words = self.words
        if words[i] in DISMISSALS or words[i] in COMMENT_DISMISSALS:
            return True
        if i > 0 and words[i] == "s" and i + 1 < len(words) and words[i + 1] in HANDOFF_NOUNS:
            return True
        if words[i] == "not" and i + 1 < len(words) and words[i + 1] in HANDOFF_OWNERS:
            return True
        if self._negates(i) and not WORTH_WORDS.isdisjoint(words[i + 1 : i + 3]):
            return True  # "doesn't matter", "not really useful", "isn't worth"
        if words[i + 1 : i + 2] and words[i + 1] in BACK_REFERENCES and (self.tokens[i].stem, *words[i + 2 : i + 3]) in REMOVAL_PHRASALS:
            return True  # "turned it off", "rolled it back"; not a step, "roll back the model"
        return any(tuple(words[i : i + len(phrase)]) == phrase for phrase in _PHRASES_BY_FIRST_WORD.get(words[i], ()))

    def _takes_a_stance(self, speaker: int) -> bool:
        """Whether "I" or "we" at `speaker` goes straight on to a negation or a dismissive verb.

        "I don't see the point", "I'm not convinced", "we tried and dropped it"; not "we
        expect and haven't been manipulated", where the negated verb has another subject.
        """
        for j in range(speaker + 1, min(len(self.words), speaker + 1 + REFERENCE_WORDS)):
            if self._negates(j) and self.words[j + 1 : j + 2] != ["think"]:
                return True  # "I don't think we can ignore it" turns on what follows
            if self._dismissive_verb(j):
                return True
            if self.words[j] not in STANCE_FILLERS:
                return False
        return False

    def _points_back_near(self, i: int, references: frozenset[str]) -> bool:
        """Whether the negation at `i` is about what was just named, pointed back at.

        Its subject opening the clause ("it never caught anything", "that proves nothing"),
        or its object ending the phrase ("nobody reads it", "nobody keeps that"); not a
        relative "that" ("an email send that never happens") or "no permissions that touch".
        """
        words = self.words
        lead = [w for w in words[self.clause_start(i) : i] if w in BACK_REFERENCES or w not in CLAUSE_LEAD_WORDS]
        if lead[:1] and lead[0] in references and len(lead) <= REFERENCE_WORDS - 1:
            return True  # "it never caught anything", "that proves nothing", "it tells you nothing"
        for k in range(i + 1, min(len(words), i + 1 + REFERENCE_WORDS)):
            if self.crosses_phrase_break(i, k):
                return False
            if words[k] in references:
                return self._ends_reference(k)
        return False

    def _dismissed_by_reference(self, last: int) -> bool:
        """Whether the speaker turns the match down later in the sentence by pointing back at it.

        "the grounding check adds latency, so I'd leave that off", "so I wouldn't bother
        with those", "I wouldn't use it — ...": "I" or "we", a negation or a dismissive
        verb, then "that", "those" or "it" ending the clause or phrase. "That" followed by
        more words is a conjunction ("I don't think that's needed"), and "never skip
        that" is no dismissal.
        """
        words, n = self.words, len(self.words)
        end = min(n, last + 1 + REFERENCE_SCOPE)
        for i in range(last + 1, end):
            if self.sentence[i] != self.sentence[last]:
                return False
            if words[i] in FIRST_PERSON and self._turns_down_a_reference(i):
                return True
        return False

    def _turns_down_a_reference(self, speaker: int) -> bool:
        """Whether "I" or "we" at `speaker` goes on to negate or dismiss a "that" ending the clause."""
        words, n = self.words, len(self.words)
        for j in range(speaker + 1, min(n, speaker + 1 + REFERENCE_WORDS)):
            if not (self._negates(j) or self._dismissive_verb(j)):
                continue
            for k in range(j + 1, min(n, j + 1 + REFERENCE_WORDS)):
                if words[k] in BACK_REFERENCES:
                    return self._ends_reference(k)
            return False
        return False

    def _ends_reference(self, k: int) -> bool:
        """Whether the back-reference at `k` ends its phrase, so it points back: "I'd leave that off", not "that's needed"."""
        return k + 1 == len(self.words) or self.crosses_phrase_break(k, k + 1) or self.words[k + 1] in REFERENCE_ENDS

    def _rejected_alternative(self, first: int) -> bool:
        """Whether the match is the option turned down: "better than slides", "rather than X"."""
        start = max(self.clause_start(first), first - ALTERNATIVE_SCOPE - 1)
        words = self.words[start:first]
        return any(pair in REJECTED_ALTERNATIVE for pair in zip(words, words[1:]))

    def _rebutted_report(self, first: int, last: int) -> bool:
        """Whether the match is what others say or do, then rebutted.

        "people say X, but I don't think so", "textbooks make a big deal about X. I really
        don't think that's the important part", "the idea of revisiting X, nah". Saying
        what others claim is no denial by itself ("people say rate limiting is enough, and
        it helps"); a "but", or the speaker opening a clause of the same or the next
        sentence, followed by a negation or a dismissal, is; so is the next sentence opening
        with a dismissal ("People tell you to do X. Sounds good on paper.", "Who cares").
        """
        if not self._reported(first):
            return False
        if self._opens_with_a_dismissal(self.sentence[last] + 1):  # "People tell you X. Sounds good on paper."
            return True
        words = self.words
        for i in range(last + 1, min(len(words), last + 1 + REBUTTAL_SCOPE)):
            if self.sentence[i] > self.sentence[last] + 1:
                return False
            if (words[i] in INTERJECTED_NEGATIONS and self._opens_clause(i)) or self._worthless(i):
                return True  # ", nah", or a word of no worth anywhere: "..., the security team does that, not us"
            if words[i] == "but" or (words[i] in FIRST_PERSON and self._opens_clause(i)):
                rebuttal = range(i + 1, min(len(words), i + 1 + REBUTTAL_NEGATION_SCOPE))
                if any(self._negates(j) or self._worthless(j) or self._dismissive_verb(j) for j in rebuttal):
                    return True
                if words[i] == "but":
                    return False  # a "but" that adds: "people say X, but also Y"
        return False

    def _reported(self, first: int) -> bool:
        """Whether the match, in its sentence, is put in others' mouths or hands."""
        words = self.words
        for i in range(max(0, first - REPORT_SCOPE), first):
            if self.sentence[i] != self.sentence[first]:
                continue
            before = words[max(0, i - 2) : i]
            if words[i] in OTHER_PEOPLE or words[i] in HEARSAY_WORDS or (words[i] in REPORTED_IDEAS and "the" in before):
                return True
            if words[i] in REPORTING_VERBS and not GENERIC_SPEAKERS.isdisjoint(before):
                return True
        return False

    def _dismissive_verb(self, i: int) -> bool:
        """A verb that drops what it points at, unless negated: "I'd skip it", not "never skip it"."""
        return self.tokens[i].stem in DISMISSIVE_VERBS and (i == 0 or self.words[i - 1] not in NEGATIONS)

    def _listed_after_a_denial(self, first: int) -> bool:
        """Whether the match is in a list that a denial heads with a colon.

        "Things I wouldn't bother with: prompt entropy", "What I'd leave out: insider
        stuff", "What I don't do: Twitter, or X"; not "The things we never skip: X".
        """
        start = self.sentence_starts[self.sentence[first]]
        colon = next((i for i in range(first, start, -1) if ":" in self._gaps[i - 1]), None)
        return colon is not None and any(
            self._negates(i) or self._dismissive_verb(i) for i in range(start, colon)
        )

    def _same_as_a_denial(self, first: int) -> bool:
        """Whether the match is added to a denial just made: "I wouldn't keep blocklists. Same with X"."""
        number = self.sentence[first]
        start = self.sentence_starts[number]
        lead = [w for w in self.words[start:first] if w not in CLAUSE_LEAD_WORDS]
        if lead[:1] != ["same"] or len(lead) > SAME_AS_SCOPE or number == 0:
            return False
        before = range(self.sentence_starts[number - 1], start)
        return any(self._negates(i) or self.words[i] in DISMISSALS for i in before)

    def _opens_clause(self, first: int) -> bool:
        """Whether the match opens its clause, alone or in a fronted phrase ("for X, I wouldn't").

        Only fillers, conjunctions and determiners may stand before it, or a phrase that
        starts with a preposition.
        """
        before = [w for w in self.words[self.clause_start(first) : first] if w not in CLAUSE_LEAD_WORDS]
        return not before or before[0] in FRONTING_PREPOSITIONS

    def _negates(self, i: int) -> bool:
        """Whether the word at `i` is a negation that denies something."""
        return self.words[i] in NEGATIONS and not self._pseudo_negation(i)

    def _pseudo_negation(self, i: int) -> bool:
        """Negation words that deny nothing the candidate did.

        'not only', 'don't forget', 'whether or not'; and "can't"/"cannot": an answer says
        what a defence makes impossible ("so the model can't memorize a single record"),
        as "make sure nobody tampers with the pipeline" says what it is for.
        """
        following = self.tokens[i + 1].word if i + 1 < len(self.tokens) else ""
        before = [t.word for t in self.tokens[max(0, i - 2) : i]]
        return (
            following in PSEUDO_NEGATIONS
            or before == ["whether", "or"]
            or (bool(before) and before[-1] in PURPOSE_LEADS)
            or (self.tokens[i].word == "not" and before[-1:] in (["can"], ["couldn"]))
            or self._negates_a_threat(i)
        )

    def _negates_a_threat(self, i: int) -> bool:
        """Whether the negation at `i` governs an attack verb: it states a security goal.

        "nobody's tampering with the answers", "those shouldn't leak", "it never gets
        poisoned" say what the defence is for; "we didn't check for poisoning" denies:
        there the negated verb is "check".
        """
        for token in self.tokens[i + 1 : i + 1 + THREAT_REACH]:
            if token.word not in THREAT_AUXILIARIES:
                return token.stem in THREAT_STEMS
        return False

    def _negated_after(self, first: int, last: int) -> bool:
        """Whether the match is the subject of a negated or dismissive verb.

        Auxiliaries may stand between ("X is really not"), and before them a short
        modifier of the matched words ("blocklists of known phrases don't work",
        "stealing a model's behaviour through the API isn't a thing"). After a modifier
        only a negated verb denies, not a negated noun ("endpoints left open with no
        key") or an infinitive ("the system prompt to tell the model never to ..."),
        and the modifier ends at a word that starts a clause of its own ("rate limiting
        and I don't think ..."). A pronoun right after a match inside a longer clause
        starts a relative clause ("list some topics it shouldn't talk about").
        """
        clause_end = min(self.clause_start_after(last), len(self.tokens))
        if last + 1 < clause_end and self.tokens[last + 1].word in SUBJECT_PRONOUNS and not self._opens_clause(first):
            return False
        modifier = 0
        verb_seen = False
        for i in range(last + 1, min(clause_end, last + 1 + POST_NEGATION_SCOPE + MODIFIER_WORDS)):
            word = self.tokens[i].word
            if word in NEGATIONS and (verb_seen or not modifier or word in INTERJECTED_NEGATIONS):
                return self._negates(i)
            if verb_seen and (word in DISMISSALS or self._too_much_to_be_worth(i)):
                return True
            if verb_seen and word in DEGREE_WORDS:
                continue
            if word in VERB_AUXILIARIES or (word in AUXILIARIES and not modifier):
                verb_seen |= word != "s"  # "model's behaviour": a possessive, not "is"
                continue
            if verb_seen or word in CLAUSE_OPENERS or modifier == MODIFIER_WORDS:
                return False
            modifier += 1
        return False

    def _too_much_to_be_worth(self, i: int) -> bool:
        """Whether "too" at `i` says its subject is worth nothing: "too noisy to be useful", "way too slow".

        "Too important to skip" praises: only a worth word after "to" dismisses, or a cost
        with no "to" after it ("too slow", not "too costly to leave out").
        """
        words = self.words
        if words[i] != EXCESS:
            return False
        if words[i + 1 : i + 2] and words[i + 1] in COSTS and words[i + 2 : i + 3] != ["to"]:
            return True  # "running PGD every epoch is way too slow"
        after = words[i + 2 : i + 2 + EXCESS_SCOPE]
        return "to" in after and not WORTH_WORDS.isdisjoint(after[after.index("to") :])

    def clause_start_after(self, index: int) -> int:
        position = bisect.bisect_right(self.clause_breaks, index)
        return self.clause_breaks[position] if position < len(self.clause_breaks) else len(self.tokens)

    def crosses_phrase_break(self, first: int, last: int) -> bool:
        """Whether a phrase starts after word `first`, up to word `last`: punctuation, a dash or "but" between them."""
        position = bisect.bisect_right(self.phrase_breaks, last) - 1
        return position >= 0 and self.phrase_breaks[position] > first


def _joined_sentences(words: list[str], gaps: list[set[str]], starts: list[int]) -> tuple[list[int], list[int]]:
    """Each token's sentence number and each sentence's first token, a full stop that reads on taken as a comma."""
    ends = starts[1:] + [len(words)]
    joined_starts = [0] + [end for start, end in zip(starts, ends[:-1]) if not _reads_on(words, gaps, start, end)]
    numbers = [bisect.bisect_right(joined_starts, i) - 1 for i in range(len(words))]
    return numbers, joined_starts


def _reads_on(words: list[str], gaps: list[set[str]], start: int, end: int) -> bool:
    """Whether the transcript's sentence start..end reads on into the next: a full stop after a bare topic or before "that".

    "X? Pointless." and "X? No." are the speaker's own breaks, which other rules read.
    """
    if "." not in gaps[end - 1]:
        return False
    sentence = words[start:end]
    one_phrase = all(gaps[i].isdisjoint(CLAUSE_PUNCTUATION) for i in range(start, end - 1))  # not a list
    bare_topic = (
        len(sentence) <= TOPIC_SENTENCE_WORDS and one_phrase and words[start] not in BACK_REFERENCES
        and TOPIC_ENDERS.isdisjoint(sentence) and GENERIC_SPEAKERS.isdisjoint(sentence)
    )
    return bare_topic or words[end] in DEMONSTRATIVES
