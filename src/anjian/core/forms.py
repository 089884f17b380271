"""Form styling shared by every page: Bootstrap classes and invalid markers."""

from django import forms
from django.db import IntegrityError

from anjian.core.integrity import integrity_error_as_validation


def style_fields(form: forms.BaseForm) -> None:
    """Bootstrap classes and 请选择 placeholders on every field; safe to call twice."""
    for field in form.fields.values():
        widget = field.widget
        _bound_text(field)
        if isinstance(field, forms.ModelChoiceField) and field.empty_label == "---------":
            field.empty_label = "请选择"
        elif isinstance(field, forms.ChoiceField) and getattr(field, "choices", None):
            field.choices = [
                ("", "请选择") if value == "" and label == "---------" else (value, label)
                for value, label in field.choices
            ]
        if isinstance(
            widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


def _bound_text(field: forms.Field) -> None:
    """A text field without its own limit takes the project's (a model field's tighter
    limit is checked again when the record is saved). Hidden fields carry data the page
    made, such as a signature image, and keep theirs."""
    from django.conf import settings
    from django.core.validators import MaxLengthValidator

    if (
        type(field) is forms.CharField
        and field.max_length is None
        and not isinstance(field.widget, forms.HiddenInput)
    ):
        field.max_length = settings.ANJIAN_MAX_TEXT_LENGTH
        field.validators.append(MaxLengthValidator(field.max_length))
        field.widget.attrs.setdefault("maxlength", str(field.max_length))


class StyledFormMixin:
    """Adds Bootstrap classes to widgets and marks fields with errors as invalid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def full_clean(self):
        super().full_clean()
        if hasattr(self, "cleaned_data"):
            refuse_dates_outside_calendar(self)
        for name in self.errors:
            mark_invalid(self, name)


def refuse_dates_outside_calendar(form: forms.BaseForm) -> None:
    """A date no record or report can have (year 9999 …) is a field error on every form,
    before a view computes "the day after" or "last year" from it."""
    from datetime import date

    from anjian.core.periods import DATE_RANGE_MESSAGE, in_calendar

    for name, value in list(form.cleaned_data.items()):
        if isinstance(value, date) and not in_calendar(value):
            form.add_error(name, DATE_RANGE_MESSAGE)


def mark_invalid(form: forms.BaseForm, name: str) -> None:
    if name in form.fields:
        widget = form.fields[name].widget
        classes = widget.attrs.get("class", "").split()
        if "is-invalid" not in classes:
            widget.attrs["class"] = " ".join([*classes, "is-invalid"])
        widget.attrs["aria-invalid"] = "true"


def apply_service_errors(form: forms.Form, error) -> None:
    """Put a ValidationError raised by a service on the form's fields (or the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
            mark_invalid(form, field)
    else:
        form.add_error(None, error.messages)


def render_form(request, form: forms.Form, *, title: str, back_url: str, back_label: str = "返回"):
    """The form page pattern: one card, field errors in place, a cancel link back."""
    from django.shortcuts import render

    context = {"title": title, "form": form, "back_url": back_url, "back_label": back_label}
    return render(request, "core/form.html", context)


def submit_once(request, perform, cleaned):
    """Run `perform(cleaned)` at most once per the form's idempotency key (rendered by
    `core/_form_fields.html`); returns (result, created). On a repeat the result is an
    `idempotency.Replay` holding the record the first submission made."""
    from anjian.core.idempotency import FORM_FIELD, run_once

    return run_once(request.user, request.POST.get(FORM_FIELD), lambda: perform(cleaned))


def _already_submitted(request):
    """A repeat of a committed submission, checked before the form is validated: a second
    look at the same data may fail a uniqueness check that the first one passed. (A
    malformed key is reported by `submit_once`.)"""
    from django.core.exceptions import ValidationError

    from anjian.core.idempotency import FORM_FIELD, previous

    try:
        return previous(request.user, request.POST.get(FORM_FIELD))
    except ValidationError:
        return None


def _replayed(request, replay, redirect_to, back_url=None):
    """Answer a repeat: say so, and go where the first submission went."""
    from django.contrib import messages
    from django.shortcuts import redirect

    messages.info(request, "该表单已经提交过，没有重复保存。")
    if redirect_to is not None:
        return redirect(redirect_to)
    record = getattr(replay, "record", None)
    if record is not None and hasattr(record, "get_absolute_url"):
        return redirect(record)
    return redirect(back_url or "home")


def post_action(request, form: forms.Form, perform, *, success: str, redirect_to):
    """The small-action pattern (a button with a reason): validate the form, call the
    service, report the outcome as a message, and go back to the record. A refused
    action changes nothing and says why. A repeated submission (double click) of the
    same rendered form does nothing the second time."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    replay = _already_submitted(request)
    if replay is not None:
        return _replayed(request, replay, redirect_to)
    if not form.is_valid():
        messages.error(
            request, "；".join(str(m) for errors in form.errors.values() for m in errors)
        )
        return redirect(redirect_to)
    try:
        _, created = submit_once(request, perform, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except IntegrityError as exc:
        messages.error(request, "；".join(integrity_error_as_validation(exc).messages))
    else:
        if not created:
            return _replayed(request, None, redirect_to)
        messages.success(request, success(form.cleaned_data) if callable(success) else success)
    return redirect(redirect_to)


def form_page(
    request,
    form: forms.Form,
    perform,
    *,
    success,
    title: str,
    back_url: str,
    back_label: str = "返回",
    redirect_to=None,
):
    """The form page pattern: on a valid POST call the service (`perform(cleaned_data)`),
    put its errors on the form, or report success and go to `redirect_to` (default: the
    record the service returned). Anything else renders the form again; nothing is
    written unless the service succeeds. The form's idempotency key makes a repeated
    POST (double click, resubmission) go to the first record instead of creating a
    second one."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    if request.method == "POST":
        replay = _already_submitted(request)
        if replay is not None:
            return _replayed(request, replay, redirect_to, back_url)
    if request.method == "POST" and form.is_valid():
        try:
            result, created = submit_once(request, perform, form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except IntegrityError as exc:
            apply_service_errors(form, integrity_error_as_validation(exc))
        else:
            if not created:
                return _replayed(request, result, redirect_to, back_url)
            messages.success(request, success(result) if callable(success) else success)
            return redirect(redirect_to if redirect_to is not None else result)
    return render_form(request, form, title=title, back_url=back_url, back_label=back_label)
