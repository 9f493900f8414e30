"""The plan's rules page: the figures in force and the user's town's plan (its title and number)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.rules import described

from .selectors import town_setting


@login_required
@require_GET
def plan_rules(request):
    """The plan's rules with the figures in force (every signed-in user may read them)."""
    unit = request.user.unit  # the user's town's plan (its county's, the installation's)
    context = {
        "rules": described(),
        "plan_title": town_setting(unit, "plan_title"),
        "plan_number": town_setting(unit, "plan_number"),
    }
    return render(request, "core/rules.html", context)
