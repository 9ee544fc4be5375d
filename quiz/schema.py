"""The question-bank schema: what a ``questions/*.yaml`` file may contain.

Plain data only. A question names its demos by registry name; nothing in a bank can
name code to import or run. See ``questions/README.md`` for the format, with examples.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """The same text in Chinese and English."""

    zh: NonEmpty
    en: NonEmpty

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class DemoLink(Strict):
    """A demo by registry name, with parameters overriding its defaults."""

    name: NonEmpty
    params: dict[str, Any] = Field(default_factory=dict)
    caption: Text | None = None


class Seed(Strict):
    """The original interview question and answer, verbatim, with a faithful translation."""

    question: Text
    answer: Text


class Correction(Strict):
    """Where the seed answer is wrong, imprecise or misleading."""

    seed_says: Text  # zh: the seed's words, quoted verbatim
    correction: Text  # what is true, and why
    reference: NonEmpty


class Misconception(Strict):
    """A common wrong belief about a topic, what is true instead, and a source."""

    claim: Text
    truth: Text
    reference: NonEmpty


class FollowUp(Strict):
    question: Text
    answer: Text


class Reference(Strict):
    title: NonEmpty
    authors: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    url: str | None = None


class _Item(Strict):
    id: Slug
    prompt: Text
    explanation: Text


class SingleChoice(_Item):
    type: Literal["single"]
    options: list[Text] = Field(min_length=2, max_length=8)
    answer: int = Field(ge=0, description="index of the correct option")

    @model_validator(mode="after")
    def _answer_in_range(self) -> SingleChoice:
        if self.answer >= len(self.options):
            raise ValueError(
                f"answer {self.answer} is not an index of the {len(self.options)} options"
            )
        return self


class MultipleChoice(_Item):
    type: Literal["multiple"]
    options: list[Text] = Field(min_length=2, max_length=8)
    answer: list[int] = Field(min_length=1, description="indices of every correct option")

    @model_validator(mode="after")
    def _answers_in_range(self) -> MultipleChoice:
        bad = [i for i in self.answer if not 0 <= i < len(self.options)]
        if bad or len(set(self.answer)) != len(self.answer):
            raise ValueError(
                f"answer {self.answer} must be distinct indices of the {len(self.options)} options"
            )
        return self


class TrueFalse(_Item):
    type: Literal["true_false"]
    answer: bool


class Numeric(_Item):
    """A number to type. Either a fixed ``answer`` or a ``generator`` that draws fresh numbers."""

    type: Literal["numeric"]
    answer: float | None = None
    tolerance: float = Field(default=0.0, ge=0)
    generator: NonEmpty | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _answer_or_generator(self) -> Numeric:
        if (self.answer is None) == (self.generator is None):
            raise ValueError(
                "give exactly one of 'answer' (a fixed number) or 'generator' (fresh numbers)"
            )
        return self


class Flashcard(_Item):
    type: Literal["flashcard"]
    answer: Text


QuizItem = Annotated[
    SingleChoice | MultipleChoice | TrueFalse | Numeric | Flashcard, Field(discriminator="type")
]


class Question(Strict):
    """One question of the bank."""

    id: Slug
    number: int = Field(ge=1, le=9999)
    tags: list[Slug] = Field(min_length=1)
    title: Text
    seed: Seed | None = None
    demo: list[DemoLink] = Field(min_length=1)
    answer: Text
    corrections: list[Correction]
    misconceptions: list[Misconception] = []
    key_points: list[Text] = Field(min_length=3, max_length=6)
    follow_ups: list[FollowUp] = Field(min_length=1)
    references: list[Reference] = Field(min_length=1)
    look_for: Text
    see_also: list[int] = Field(default_factory=list)
    quiz: list[QuizItem] = Field(min_length=1)

    @field_validator("demo", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    @property
    def question_text(self) -> Text:
        return self.seed.question if self.seed else self.title
