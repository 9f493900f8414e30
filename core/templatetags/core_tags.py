from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (keeps filters across pages)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


def _grouped(value) -> str:
    """165100 -> "165,100"; 1234.5 -> "1,234.50"; "" and None -> "" (whole yuan stay whole)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"


@register.filter
def money(value) -> str:
    """An amount with thousands separators, for a column whose header says the unit (Loss (¥)): 165,100."""
    return _grouped(value)


@register.filter
def yuan(value) -> str:
    """An amount in yuan with its sign and thousands separators: ¥165,100 ("" when there is none)."""
    grouped = _grouped(value)
    return f"¥{grouped}" if grouped else ""
