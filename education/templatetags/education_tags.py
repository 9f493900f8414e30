from django import template

from core.rules import rule

register = template.Library()


@register.simple_tag
def plan_rule(name):
    """``{% plan_rule "SLIP_GRACE_DAYS" %}``: the figure in force (core.rules), for the pages' definitions."""
    return rule(name)


@register.filter
def get_item(mapping, key):
    """``{{ mapping|get_item:key }}``: a dictionary's value, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
