from django import template

register = template.Library()


@register.filter
def audit_value(value):
    """A value from the audit trail as a person reads it."""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value in (None, "", []):
        return "（空）"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


@register.filter
def audit_changes(entry):
    """An audit entry's changes with labels and values as a person reads them."""
    from anjian.core.audit import presented_changes

    return presented_changes(entry)


@register.filter
def audit_actor(entry):
    """Who made an audited change, by name."""
    from anjian.core.audit import presented_actor

    return presented_actor(entry)


#: Installed apps that are the foundation every module stands on, not a module of their own.
FOUNDATION_APPS = frozenset({"anjian.core", "anjian.regions", "anjian.orgs"})


@register.simple_tag
def installed_modules():
    """The names of the business modules installed, in INSTALLED_APPS order, so pages
    that say what the system does name only what exists."""
    from django.apps import apps

    return [
        str(config.verbose_name)
        for config in apps.get_app_configs()
        if config.name.startswith("anjian.") and config.name not in FOUNDATION_APPS
    ]


@register.simple_tag
def idempotency_field(form=None):
    """The hidden key that makes a form's submission create at most one record: made
    anew for each rendered form, kept when the same form comes back with errors."""
    import uuid

    from django.core.exceptions import ValidationError
    from django.utils.html import format_html

    from anjian.core.idempotency import FORM_FIELD, clean_key

    key = None
    if form is not None and getattr(form, "is_bound", False):
        try:
            key = clean_key(form.data.get(FORM_FIELD))
        except ValidationError:
            key = None
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FORM_FIELD, key or uuid.uuid4().hex
    )


@register.filter
def wan(amount):
    """An amount stored in 元, shown in 万元 with two decimals (see core/money.py)."""
    from anjian.core.money import format_wan

    return format_wan(amount)


@register.filter
def yuan(amount):
    """An amount stored in 元, shown in 元 with two decimals (see core/money.py)."""
    from anjian.core.money import format_yuan

    return format_yuan(amount)
