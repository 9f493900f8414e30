from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """A 0–1 rate as "87.5%"; "—" when there is nothing to measure."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
