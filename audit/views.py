"""The access log page: who viewed, revealed, searched or exported whose record, newest first."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from organization.access import require

from .labels import field_labels
from .models import AccessAction, AccessLog

PAGE_SIZE = 50


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.username})" if obj.full_name else obj.username


class AccessLogFilterForm(forms.Form):
    user = UserChoiceField(
        label=_("User"), queryset=get_user_model().objects.none(), to_field_name="username", required=False
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("All actions")), *AccessAction.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("username")
        self.fields["user"].empty_label = _("All users")


def access_log_entries(*, user=None, action: str = ""):
    entries = AccessLog.objects.select_related("user", "content_type").order_by("-at", "-pk")
    if user is not None:
        entries = entries.filter(user=user)
    if action:
        entries = entries.filter(action=action)
    return entries


@login_required
def access_log(request):
    require(request.user, "audit.view_access_log")
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = access_log_entries(user=filters.get("user"), action=filters.get("action", ""))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.field_labels = field_labels(entry.fields)  # labels, never the stored names
    return render(request, "audit/access_log.html", {"form": form, "page": page})
