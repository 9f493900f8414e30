"""The case pages: the list with its filters and export, the case page, the registration form and the
accountability list (预后被骗 with the warning's visit record)."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from core.validators import make_id_number
from fraud_cases.models import FraudCase
from tests import factories
from tests.fraud_cases.factories import FraudCaseFactory
from warnings_followup.models import WarningStatus

pytestmark = pytest.mark.django_db

LIST = reverse("fraud_cases:case_list")
NEW = reverse("fraud_cases:case_register")
EXPORT = reverse("fraud_cases:case_export")
ACCOUNTABILITY = reverse("fraud_cases:accountability")
VICTIM_ID = make_id_number("440605", datetime.date(1958, 2, 2), 456)


def warned_case(village, visitors, *, visits=2):
    warning = factories.WarningFactory(village=village, pushed_at=timezone.now() - datetime.timedelta(days=10))
    for day in range(visits):
        visit = factories.FollowUpVisitFactory(
            warning=warning,
            visited_at=timezone.now() - datetime.timedelta(days=9 - 3 * day),
            notes=f"第{day + 1}次回访",
        )
        visit.visitors.set(visitors)
    warning.status = WarningStatus.DEFRAUDED
    warning.save()
    return FraudCaseFactory(village=village, victim=warning.person, warning=warning)


def test_a_village_head_sees_only_their_village_and_another_case_is_404(client, head_a, village_a, village_b):
    own = FraudCaseFactory(village=village_a)
    other = FraudCaseFactory(village=village_b)
    client.force_login(head_a)
    page = client.get(LIST).content.decode()
    assert own.case_number in page and other.case_number not in page
    assert client.get(reverse("fraud_cases:case_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("fraud_cases:case_detail", args=[other.pk])).status_code == 404
    assert client.get(NEW).status_code == 404  # village heads see cases, police register them


def test_people_without_the_capability_get_404(client, grid_a, village_a):
    case = FraudCaseFactory(village=village_a)
    client.force_login(grid_a)
    for url in (LIST, NEW, EXPORT, ACCOUNTABILITY, reverse("fraud_cases:case_detail", args=[case.pk])):
        assert client.get(url).status_code == 404


def test_the_case_page_masks_the_victim_and_is_access_logged(client, police, village_a):
    case = FraudCaseFactory(village=village_a)
    client.force_login(police)
    page = client.get(reverse("fraud_cases:case_detail", args=[case.pk])).content.decode()
    assert case.victim.masked_id_number in page and case.victim.id_number not in page
    assert AccessLog.objects.filter(user=police, object_id=str(case.pk)).exists()


def test_police_register_a_case_for_a_warned_person_through_the_form(client, police, village_a):
    person = factories.ResidentFactory(village=village_a, id_number=VICTIM_ID, name="陈伯")
    warning = factories.WarningFactory(
        village=village_a, person=person, pushed_at=timezone.now() - datetime.timedelta(days=4)
    )
    client.force_login(police)
    data = {
        "case_number": "A20261128001",
        "source": "110",
        "reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "victim_name": "陈伯",
        "id_number": VICTIM_ID,
        "phone": "",
        "village": village_a.pk,
        "fraud_type": "investment",
        "loss_amount": "8800",
        "recovered_amount": "",
    }
    response = client.post(NEW, data)
    case = FraudCase.objects.get()
    assert response.status_code == 302 and response.url == reverse("fraud_cases:case_detail", args=[case.pk])
    assert case.warning == warning
    page = client.get(response.url).content.decode()
    assert 'data-testid="defrauded-after-warning"' in page
    # The same form submitted again shows the same case and creates nothing.
    assert client.post(NEW, data).status_code == 302
    assert FraudCase.objects.count() == 1
    # Another person's details under a used case number: an error on the case number.
    response = client.post(NEW, {**data, "id_number": make_id_number("440605", datetime.date(1960, 1, 1), 1)})
    assert response.status_code == 200 and "case_number" in response.context["form"].errors


def test_the_form_shows_field_errors(client, police, village_a):
    client.force_login(police)
    response = client.post(NEW, {"case_number": "", "id_number": "123", "loss_amount": "-1"})
    errors = response.context["form"].errors
    assert {"case_number", "id_number", "loss_amount", "village", "victim_name"} <= set(errors)
    assert not FraudCase.objects.exists()


def test_the_list_filters(client, police, village_a, village_b, grid_a):
    march = FraudCaseFactory(village=village_a, reported_at=timezone.make_aware(datetime.datetime(2026, 3, 5, 10)))
    april = FraudCaseFactory(village=village_b, reported_at=timezone.make_aware(datetime.datetime(2026, 4, 5, 10)))
    warned = warned_case(village_a, [grid_a])
    client.force_login(police)

    def listed(**params):
        return {case.case_number for case in client.get(LIST, params).context["page"]}

    assert listed() == {march.case_number, april.case_number, warned.case_number}
    assert listed(period="2026-03") == {march.case_number}
    assert listed(village="VB") == {april.case_number}
    assert listed(defrauded_after_warning="true") == {warned.case_number}
    assert listed(q=march.case_number[-4:]) == {march.case_number}
    assert listed(period="nonsense") == set()


def test_the_accountability_list_shows_the_warnings_visit_record(client, leader, village_a, grid_a, head_a):
    case = warned_case(village_a, [grid_a, head_a])
    FraudCaseFactory(village=village_a)  # not warned: not on the list
    client.force_login(leader)
    response = client.get(ACCOUNTABILITY)
    assert [row.pk for row in response.context["page"]] == [case.pk]
    page = response.content.decode()
    assert "第1次回访" in page and "第2次回访" in page
    assert "grid_a" in page or str(grid_a) in page


def test_lists_run_a_bounded_number_of_queries(client, police, village_a, grid_a, django_assert_max_num_queries):
    client.force_login(police)
    warned_case(village_a, [grid_a])
    FraudCaseFactory(village=village_a)
    for url in (LIST, ACCOUNTABILITY):
        client.get(url)
        with django_assert_max_num_queries(20) as small:
            client.get(url)
        for _ in range(5):
            warned_case(village_a, [grid_a])
        FraudCaseFactory.create_batch(5, village=village_a)
        with django_assert_max_num_queries(20) as large:
            client.get(url)
        assert len(large.captured_queries) == len(small.captured_queries)


def test_the_export_is_masked_filtered_and_logged(client, police, village_a, village_b):
    case = FraudCaseFactory(village=village_a)
    FraudCaseFactory(village=village_b)
    client.force_login(police)
    response = client.get(EXPORT, {"village": "VA"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == case.case_number
    assert case.victim.id_number not in str(rows) and case.victim.masked_id_number in rows[1]
    assert AccessLog.objects.filter(user=police, action="export").exists()


def test_a_village_head_does_not_read_another_villages_visit_record_through_a_case(
    client, head_a, leader, grid_b, village_a, village_b
):
    """The victim was warned (and visited) in VB but the case is registered in VA: VA's head sees the case,
    not VB's visits; leadership sees both."""
    in_b = warned_case(village_b, [grid_b])
    case = FraudCaseFactory(village=village_a, victim=in_b.victim, warning=in_b.warning)
    client.force_login(head_a)
    for url in (reverse("fraud_cases:case_detail", args=[case.pk]), ACCOUNTABILITY):
        page = client.get(url).content.decode()
        assert case.case_number in page and "第1次回访" not in page
    assert "共回访 1 次" not in page and "共回访 0 次" in page  # the count is of the visits shown
    client.force_login(leader)
    assert "第1次回访" in client.get(reverse("fraud_cases:case_detail", args=[case.pk])).content.decode()


def test_the_list_shows_a_page_of_the_newest_cases_first(client, police, village_a):
    """25 a page, newest report first (ties: the later registration), read off the (reported_at, id) index."""
    import datetime

    from django.utils import timezone

    start = timezone.now() - datetime.timedelta(days=40)
    cases = [FraudCaseFactory(village=village_a, reported_at=start + datetime.timedelta(days=n)) for n in range(30)]
    same_time = FraudCaseFactory(village=village_a, reported_at=cases[-1].reported_at)
    client.force_login(police)
    first = client.get(LIST)
    shown = [row.pk for row in first.context["page"]]
    assert shown[:2] == [same_time.pk, cases[-1].pk] and len(shown) == 25
    second = [row.pk for row in client.get(LIST, {"page": 2}).context["page"]]
    assert second == [case.pk for case in reversed(cases[:6])]
