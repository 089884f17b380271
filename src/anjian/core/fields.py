"""Text limits every model keeps.

Django's TextField leaves `max_length` to forms; `BoundedTextField` makes it a limit of
the record itself: model validation checks it, and saving refuses text beyond it
whatever path the save came by (a service without `full_clean`, an import, a command).
The system check `anjian.E001` fails for any TextField of the project without a limit.
"""

from __future__ import annotations

from django.apps import apps
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

#: A reason, a note, a remark: a paragraph.
NOTE_LENGTH = 2_000
#: A description, measures taken, a summary: a few paragraphs.
TEXT_LENGTH = 5_000
#: An accident's course, an investigation's findings, a plan's chapter: pages.
LONG_TEXT_LENGTH = 20_000


class BoundedTextField(models.TextField):
    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @property
    def default_validators(self):  # type: ignore[override]
        return [MaxLengthValidator(self.max_length)]

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, str) and self.max_length and len(value) > self.max_length:
            raise ValidationError(
                {
                    self.name: f"{self.verbose_name}过长：最多 {self.max_length} 个字符"
                    f"（目前为 {len(value)} 个）。"
                }
            )
        return value


def unbounded_text_fields() -> list[models.Field]:
    """TextFields of the project's models whose length nothing limits."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("anjian."):
            continue
        for field in model._meta.local_fields:
            if isinstance(field, models.TextField) and not any(
                isinstance(v, MaxLengthValidator) for v in field.validators
            ):
                found.append(field)
    return found


def check_text_limits(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"{field.model._meta.label}.{field.name} is a TextField without a length limit.",
            hint="Use anjian.core.fields.BoundedTextField with a max_length.",
            obj=field,
            id="anjian.E001",
        )
        for field in unbounded_text_fields()
    ]
