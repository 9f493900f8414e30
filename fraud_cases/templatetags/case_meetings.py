"""``{% may_update_case_outcome as flag %}``: may the user update a discussed case's outcomes (三(三))?"""

from django import template

from fraud_cases.meetings import can_update_outcome

register = template.Library()


@register.simple_tag(takes_context=True)
def may_update_case_outcome(context) -> bool:
    request = context.get("request")
    return bool(request is not None and can_update_outcome(request.user))
