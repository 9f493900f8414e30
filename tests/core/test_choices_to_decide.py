"""Where the user must decide, nothing is preselected, and an empty select says "请选择", not "---------"."""

import pytest
from django.utils import translation

from fraud_cases.forms import FraudCaseForm
from organization.models import Unit
from warnings_followup.forms import PushForm

pytestmark = pytest.mark.django_db


def rendered(form, name):
    with translation.override("zh-hans"):
        return str(form[name])


def villages(village):
    return Unit.objects.filter(pk=village.pk)


def test_the_police_push_form_preselects_neither_fraud_type_nor_risk_level(village_a):
    form = PushForm(villages=villages(village_a))
    fraud_type = rendered(form, "fraud_type")
    assert '<option value="" selected>请选择</option>' in fraud_type
    assert "---------" not in fraud_type
    assert "checked" not in rendered(form, "risk_level")


def test_a_push_without_a_risk_level_is_refused_with_a_message(village_a):
    form = PushForm(data={"fraud_type": "investment"}, villages=villages(village_a))
    assert not form.is_valid()
    assert "risk_level" in form.errors and "fraud_type" not in form.errors


def test_the_case_form_preselects_no_fraud_type(village_a):
    form = FraudCaseForm(villages=villages(village_a))
    assert '<option value="" selected>请选择</option>' in rendered(form, "fraud_type")
