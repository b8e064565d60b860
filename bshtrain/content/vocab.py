"""Controlled vocabularies shared by cases, tasks and plans.

A case file or task entry that uses a word outside these lists is rejected on load,
so a typo ("behavioral-activation") is caught by `bshtrain validate` rather than
silently breaking a rubric match.
"""

from typing import Literal

Approach = Literal[
    "cbt",
    "cognitive-therapy",
    "behavioural-activation",
    "exposure",
    "erp",
    "prolonged-exposure",
    "cbt-i",
    "mindfulness-based",
    "act",
    "emotion-focused",
    "psychodynamic",
    "interpersonal",
    "client-centred",
    "dbt",
    "cognitive-processing-therapy",
]

PresentingProblem = Literal[
    "depression",
    "severe-depression",
    "generalised-anxiety",
    "panic",
    "social-anxiety",
    "ocd",
    "ptsd",
    "insomnia",
    "health-anxiety",
    "grief",
    "alcohol-use",
    "low-self-worth",
    "relationship-difficulties",
]

# Maintaining factors a case formulation names and a task can target.
Mechanism = Literal[
    "inactivity",
    "loss-of-reward",
    "avoidance",
    "safety-behaviours",
    "rumination",
    "worry",
    "negative-automatic-thoughts",
    "catastrophic-misinterpretation",
    "rituals",
    "reassurance-seeking",
    "irregular-sleep-schedule",
    "conditioned-arousal-in-bed",
    "hyperarousal",
    "trauma-memory-avoidance",
    "self-criticism",
    "social-withdrawal",
    "experiential-avoidance",
    "emotional-avoidance",
    "unprocessed-grief",
    "interpersonal-conflict",
    "alcohol-as-coping",
    "low-self-efficacy",
    "emotion-dysregulation",
]

Level = Literal["low", "medium", "high"]

# Cultural and social contexts that change what a good task looks like.
Context = Literal[
    "migration",
    "interpreter",
    "religious-practice",
    "shift-work",
    "single-parent",
    "low-literacy",
    "disability",
    "rural",
    "financial-strain",
    "lgbtq",
    "caregiver-involved",
    "older-adult",
]

# How a homework log entry went (design section 4).
Completion = Literal["done", "partly", "not-done"]

# Risk flags change what a good task is (design section 4; F1.9, F4.17).
RiskFlag = Literal[
    "suicidal-ideation-current",
    "suicidal-ideation-past",
    "self-harm",
    "trauma-exposure-risk",
    "severe-depression",
    "alliance-strain",
    "substance-use",
    # Daily heavy drinking with signs of dependence (morning shakes or drinking, withdrawal):
    # any task that cuts down or stops drinking is planned with medical input (F6.2).
    "alcohol-dependence",
    # Drives for a living or does work where sleepiness endangers others: a sleep plan that
    # may cut sleep needs a safety line (course inference from F6.11).
    "safety-critical-work",
    # A heart, lung, neurological or other physical condition, pregnancy, or physical symptoms
    # not yet medically assessed: symptom-induction tasks wait for a medical check (F6.1).
    "physical-health-condition",
]

# Barrier classes after Kazantzis & Shinkfield (2007), F3.5.
BarrierClass = Literal["environment", "client", "task", "therapist"]

Speaker = Literal["therapist", "client", "interpreter", "caregiver"]

# Readable names, owned here with the vocabularies they name (a test checks both cover the same ids).
APPROACH_NAMES: dict[str, str] = {
    "cbt": "cognitive behavioural therapy", "cognitive-therapy": "cognitive therapy",
    "behavioural-activation": "behavioural activation", "exposure": "exposure therapy",
    "erp": "exposure and response prevention", "prolonged-exposure": "prolonged exposure",
    "cbt-i": "CBT for insomnia", "mindfulness-based": "mindfulness-based therapy",
    "act": "acceptance and commitment therapy", "emotion-focused": "emotion-focused therapy",
    "psychodynamic": "psychodynamic therapy", "interpersonal": "interpersonal therapy",
    "client-centred": "client-centred therapy", "dbt": "dialectical behaviour therapy",
    "cognitive-processing-therapy": "cognitive processing therapy",
}
LEVEL_ORDER: dict[str, int] = {level: i for i, level in enumerate(("low", "medium", "high"))}
BARRIER_CLASSES: tuple[str, ...] = ("environment", "client", "task", "therapist")
