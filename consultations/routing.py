"""Question routing: which pages and questions a response is asked, given what it has said so far.

An editor may make a section (one page) or a question conditional on an earlier answer: the respondent
type, asked first, or an earlier choice question. Conditions are read in questionnaire order, and a
question that is not asked contributes no answer, so a chain (C asked when B, B asked when A) falls
with its first link. The same reading serves the pages, check-your-answers, the receipt, the emails,
the API and the pruning of answers that stopped applying: one rule, one place.

The built-in follow-ups on the response itself (organisation name and role, the details of declared
links to the tobacco industry) follow ``DETAIL_CONDITIONS``.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from consultations.models import Conditional, Question, Response, Section

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RESPONDENT_TYPE = "respondent_type"

# A fact's key: the respondent type, or a question's id.
Source = str | int
Facts = dict[Source, frozenset[str]]

# Response fields asked only when another field of the response has one of the values.
DETAIL_CONDITIONS: dict[str, tuple[str, frozenset[str]]] = {
    "organisation": (RESPONDENT_TYPE, frozenset({Response.RespondentType.ORGANISATION})),
    "organisation_role": (RESPONDENT_TYPE, frozenset({Response.RespondentType.ORGANISATION})),
    "tobacco_links_details": ("tobacco_links", frozenset({"yes"})),
}


def detail_applies(name: str, details: Mapping[str, object]) -> bool:
    condition = DETAIL_CONDITIONS.get(name)
    return condition is None or details.get(condition[0]) in condition[1]


@dataclass(frozen=True)
class Rule:
    source: Source
    values: frozenset[str]

    def holds(self, facts: Mapping[Source, frozenset[str]]) -> bool:
        return bool(facts.get(self.source, frozenset()) & self.values)


def rule_of(item: Conditional) -> Rule | None:
    values = frozenset(str(value) for value in item.condition_values or [])
    if item.condition_source == Conditional.Source.RESPONDENT_TYPE:
        return Rule(RESPONDENT_TYPE, values)
    if item.condition_source == Conditional.Source.QUESTION and item.condition_question_id:
        return Rule(item.condition_question_id, values)
    return None


def starting_facts(respondent_type: str) -> Facts:
    return {RESPONDENT_TYPE: frozenset({respondent_type})} if respondent_type else {}


def answer_fact(question: Question, selected: Iterable[str]) -> frozenset[str]:
    return frozenset(selected) if question.is_choice else frozenset()


@dataclass
class Plan:
    """What a response is asked: the sections (pages) and, in each, the questions."""

    sections: list[Section] = field(default_factory=list)
    questions: dict[int, list[Question]] = field(default_factory=dict)
    # What was known on arriving at each section's page: the source of its questions' conditions.
    facts_before: dict[int, Facts] = field(default_factory=dict)
    asked: set[int] = field(default_factory=set)

    def page_numbers(self, all_sections: Sequence[Section]) -> list[int]:
        """Page 1 is "about you", then one page per section, then the declaration."""
        applicable = {section.pk for section in self.sections}
        middle = [number for number, section in enumerate(all_sections, start=2) if section.pk in applicable]
        return [1, *middle, len(all_sections) + 2]


def plan(sections: Sequence[Section], *, respondent_type: str, answers: Mapping[int, Sequence[str]]) -> Plan:
    """Walk the questionnaire in order (sections with their questions prefetched, in order)."""
    facts = starting_facts(respondent_type)
    result = Plan()
    for section in sections:
        section_rule = rule_of(section)
        if section_rule is not None and not section_rule.holds(facts):
            continue
        result.sections.append(section)
        result.facts_before[section.pk] = dict(facts)
        asked = result.questions[section.pk] = []
        for question in section.questions.all():
            question_rule = rule_of(question)
            if question_rule is not None and not question_rule.holds(facts):
                continue
            asked.append(question)
            result.asked.add(question.pk)
            if question.pk in answers:
                facts[question.pk] = answer_fact(question, answers[question.pk])
    return result


def questionnaire(consultation_id: int) -> list[Section]:
    """The sections in order, each with its questions in order: two queries."""
    questions = Question.objects.order_by("order", "pk")
    return list(
        Section.objects.filter(consultation_id=consultation_id).prefetch_related(
            Prefetch("questions", queryset=questions)
        )
    )


def response_plan(response: Response, sections: Sequence[Section] | None = None) -> Plan:
    """What this response is asked now, from its stored respondent type and answers."""
    if sections is None:
        sections = questionnaire(response.consultation_id)
    answers = dict(response.answers.values_list("question_id", "selected"))
    return plan(sections, respondent_type=response.respondent_type, answers=answers)


def condition_text(item: Conditional, questions: Mapping[int, Question], *, listing: bool = False) -> "StrOrPromise":
    """When a routed page or question is asked, in words: on the form ("Answer this only if…", for whoever
    sees every question at once, without JavaScript) or in the list of questions ("Asked only if…")."""
    rule = rule_of(item)
    if rule is None:
        return ""
    if rule.source == RESPONDENT_TYPE:
        labels = dict(Response.RespondentType.choices)
        chosen = " or ".join(f"“{labels.get(value, value)}”" for value in sorted(rule.values))
        if listing:
            return format_lazy(_("Asked only if you respond {chosen}."), chosen=chosen)
        return format_lazy(_("Answer this only if you respond {chosen}."), chosen=chosen)
    source = questions.get(int(rule.source))
    if source is None:
        return ""
    chosen = " or ".join(f"“{label}”" for value, label in source.option_choices() if value in rule.values)
    if listing:
        return format_lazy(_("Asked only if you chose {chosen} for “{question}”."), chosen=chosen, question=source.text)
    return format_lazy(
        _("Answer this only if you chose {chosen} for “{question}”."), chosen=chosen, question=source.text
    )


def describe(sections: Sequence[Section]) -> None:
    """Give each routed section and question of the list its ``asked_when_text``, for the consultation page."""
    questions = {question.pk: question for section in sections for question in section.questions.all()}
    for section in sections:
        section.asked_when_text = condition_text(section, questions, listing=True)
        for question in section.questions.all():
            question.asked_when_text = condition_text(question, questions, listing=True)


def forward_references(sections: Sequence[Section]) -> list[str]:
    """Conditions that point at a question asked later or on another consultation: never true, so reported."""
    seen: set[int] = set()
    problems = []
    for section in sections:
        rule = rule_of(section)
        if rule is not None and rule.source != RESPONDENT_TYPE and rule.source not in seen:
            problems.append(str(section))
        for question in section.questions.all():
            rule = rule_of(question)
            if rule is not None and rule.source != RESPONDENT_TYPE and rule.source not in seen:
                problems.append(str(question))
            seen.add(question.pk)
    return problems
