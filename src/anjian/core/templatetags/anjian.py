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
