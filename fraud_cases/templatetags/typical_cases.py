"""Published typical cases (典型案例) inside other apps' pages, as small includes:

* ``{% typical_cases_panel %}`` in the door-visit form: every published case the user may read, each marked with
  its fraud type; ``static/js/typical_cases.js`` shows those of the fraud types ticked in the form (all of them
  without JavaScript);
* ``{% typical_cases_panel fraud_type=warning.fraud_type %}`` in the follow-up visit form: the warning's type;
* ``{% typical_case_for_letter %}`` on the printed letter: "本月典型案例", only when the letter is printed from a
  case's page (``?typical_case=<id>``, a published case the user may read).

One query each (``fraud_cases.selectors``); nothing when the user may not read typical cases.
"""

from django import template

from fraud_cases import selectors

register = template.Library()


@register.inclusion_tag("fraud_cases/_typical_cases_panel.html", takes_context=True)
def typical_cases_panel(context, fraud_type=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    cases = []
    if user is not None:
        cases = selectors.published_typical_cases(user=user, fraud_types=[fraud_type] if fraud_type else None)
    return {"cases": cases, "follow_ticks": fraud_type is None}


@register.inclusion_tag("fraud_cases/_typical_case_letter.html", takes_context=True)
def typical_case_for_letter(context):
    request = context.get("request")
    value = request.GET.get("typical_case", "") if request is not None else ""
    case = None
    if value.isdigit() and len(value) <= 10:
        case = selectors.published_typical_case(user=request.user, pk=int(value))
    return {"case": case}
