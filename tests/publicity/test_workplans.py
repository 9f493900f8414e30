"""Work plans (任务再分解): tasks with a responsible person and a deadline; overdue ones show on the home page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from publicity import selectors, services
from publicity.models import TaskStatus, WorkPlan, WorkTask

from .factories import WorkPlanFactory, WorkTaskFactory

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


class TestPlanning:
    def test_a_department_breaks_the_plan_into_tasks(self, client, department_staff, publicity_office):
        client.force_login(department_staff)
        response = client.post(reverse("publicity:plan_create"), {"title": "宣传办工作方案", "year": "2026"})
        plan = WorkPlan.objects.get()
        assert plan.unit == publicity_office
        assert response.url == reverse("publicity:plan_detail", args=[plan.pk])
        response = client.post(
            response.url,
            {"title": "开设防骗专栏", "responsible": department_staff.pk, "due_on": days(10).isoformat()},
        )
        assert response.status_code == 302
        task = plan.tasks.get()
        assert (task.responsible, task.due_on, task.status) == (department_staff, days(10), TaskStatus.TODO)

    def test_a_task_needs_someone_responsible(self, client, department_staff, publicity_office):
        plan = WorkPlanFactory(unit=publicity_office)
        client.force_login(department_staff)
        response = client.post(
            reverse("publicity:plan_detail", args=[plan.pk]), {"title": "x", "due_on": days(3).isoformat()}
        )
        assert response.status_code == 200
        assert "responsible" in response.context["form"].errors

    def test_the_responsible_person_belongs_to_the_unit(self, client, department_staff, caishen, publicity_office):
        plan = WorkPlanFactory(unit=publicity_office)
        client.force_login(department_staff)
        response = client.post(
            reverse("publicity:plan_detail", args=[plan.pk]),
            {"title": "x", "responsible": caishen.pk, "due_on": days(3).isoformat()},
        )
        assert response.status_code == 200
        assert not plan.tasks.exists()

    def test_leadership_reads_other_units_plans_but_does_not_write_them(self, client, leader, publicity_office):
        plan = WorkPlanFactory(unit=publicity_office)
        client.force_login(leader)
        assert client.get(reverse("publicity:plan_detail", args=[plan.pk])).status_code == 200
        response = client.post(
            reverse("publicity:plan_detail", args=[plan.pk]),
            {"title": "x", "responsible_name": "张三", "due_on": days(3).isoformat()},
        )
        assert response.status_code == 403


class TestTaskStatus:
    def test_a_task_is_started_and_done_with_an_audit_trail(self, client, department_staff, publicity_office):
        task = WorkTaskFactory(plan__unit=publicity_office)
        client.force_login(department_staff)
        client.post(reverse("publicity:task_transition", args=[task.pk, "start"]))
        client.post(reverse("publicity:task_transition", args=[task.pk, "complete"]))
        task.refresh_from_db()
        assert task.status == TaskStatus.DONE and task.completed_on == timezone.localdate()
        assert list(AuditEvent.objects.order_by("pk").values_list("event", "old", "new")) == [
            ("start", "todo", "in_progress"),
            ("complete", "in_progress", "done"),
        ]

    def test_a_wrong_order_answers_409_and_changes_nothing(self, client, department_staff, publicity_office):
        task = WorkTaskFactory(plan__unit=publicity_office, status=TaskStatus.DONE)
        client.force_login(department_staff)
        response = client.post(reverse("publicity:task_transition", args=[task.pk, "start"]))
        assert response.status_code == 409
        task.refresh_from_db()
        assert task.status == TaskStatus.DONE

    def test_another_role_in_scope_gets_403(self, leader, publicity_office):
        task = WorkTaskFactory(plan__unit=publicity_office)
        with pytest.raises(services.PermissionDenied):
            services.work_task_transition(actor=leader, task=task, action="complete")

    def test_rescheduling_is_audited(self, department_staff, publicity_office):
        task = WorkTaskFactory(plan__unit=publicity_office, due_on=days(1))
        services.work_task_update(
            actor=department_staff, task=task, title=task.title, due_on=days(5), responsible_name="张三"
        )
        assert AuditEvent.objects.get().event == "reschedule"


class TestOverdue:
    def test_overdue_tasks_are_open_ones_past_their_deadline(self, department_staff, publicity_office):
        late = WorkTaskFactory(plan__unit=publicity_office, due_on=days(-2))
        WorkTaskFactory(plan__unit=publicity_office, due_on=days(-2), status=TaskStatus.DONE)
        WorkTaskFactory(plan__unit=publicity_office, due_on=days(0))
        WorkTaskFactory(plan__unit=publicity_office, due_on=days(-5), status=TaskStatus.CANCELLED)
        assert list(selectors.overdue_tasks(department_staff)) == [late]

    def test_the_unit_home_page_shows_its_overdue_tasks(
        self, client, department_staff, publicity_office, finance_centre
    ):
        WorkTaskFactory(plan__unit=publicity_office, title="报送阶段性总结", due_on=days(-3))
        WorkTaskFactory(plan__unit=finance_centre, title="别的单位的任务", due_on=days(-3))
        client.force_login(department_staff)
        page = client.get(reverse("home")).content.decode()
        assert "报送阶段性总结" in page
        assert "别的单位的任务" not in page

    def test_leadership_sees_every_units_overdue_tasks(self, client, leader, publicity_office, finance_centre):
        WorkTaskFactory(plan__unit=publicity_office, title="宣传办逾期任务", due_on=days(-3))
        WorkTaskFactory(plan__unit=finance_centre, title="财审中心逾期任务", due_on=days(-1))
        WorkTaskFactory(plan__unit=finance_centre, title="未到期任务", due_on=days(4))
        client.force_login(leader)
        page = client.get(reverse("home")).content.decode()
        assert "宣传办逾期任务" in page and "财审中心逾期任务" in page and "未到期任务" not in page
        overview = client.get(reverse("publicity:plan_overview"))
        rows = {row["unit_name"]: (row["total"], row["overdue"]) for row in overview.context["rows"]}
        assert rows == {"宣传办": (1, 1), "财审中心": (2, 1)}

    def test_the_home_page_query_count_does_not_grow_with_tasks(
        self, client, leader, publicity_office, django_assert_max_num_queries
    ):
        client.force_login(leader)
        client.get(reverse("home"))
        for n in range(20):
            WorkTaskFactory(plan__unit=publicity_office, due_on=days(-1 - n))
        with django_assert_max_num_queries(14):
            client.get(reverse("home"))

    def test_people_without_work_plans_see_no_panel(self, client, grid_a):
        client.force_login(grid_a)
        assert "home-workplans" not in client.get(reverse("home")).content.decode()


def test_plan_list_shows_progress(client, department_staff, publicity_office):
    plan = WorkPlanFactory(unit=publicity_office)
    WorkTaskFactory(plan=plan, status=TaskStatus.DONE)
    WorkTaskFactory(plan=plan, due_on=days(-1))
    client.force_login(department_staff)
    response = client.get(reverse("publicity:plan_list"))
    [row] = response.context["page"]
    assert (row.task_count, row.done_count, row.overdue_count) == (2, 1, 1)
    assert response.context["overdue_count"] == 1
    assert WorkTask.objects.count() == 2


def test_a_task_submitted_twice_is_added_once(client, department_staff, publicity_office):
    plan = WorkPlanFactory(unit=publicity_office)
    client.force_login(department_staff)
    data = {"title": "开设防骗专栏", "responsible_name": "周宣", "due_on": days(5).isoformat()}
    client.post(reverse("publicity:plan_detail", args=[plan.pk]), data)
    response = client.post(reverse("publicity:plan_detail", args=[plan.pk]), data)
    assert response.status_code == 200
    assert plan.tasks.count() == 1


class TestMeetingDecisions:
    def test_a_decision_is_followed_up_as_a_task_once(self, client, zongzhi, governance_centre):
        from .factories import MeetingDecisionFactory

        plan = WorkPlanFactory(unit=governance_centre)
        decision = MeetingDecisionFactory(
            activity__unit=governance_centre, text="协调银行冻结账户", responsible="罗村派出所", due_on=days(5)
        )
        client.force_login(zongzhi)
        url = reverse("publicity:decision_to_task", args=[decision.pk])
        response = client.post(url)
        assert response.url == reverse("publicity:plan_detail", args=[plan.pk])
        client.post(url)
        task = plan.tasks.get()
        assert (task.title, task.responsible_name, task.due_on) == ("协调银行冻结账户", "罗村派出所", days(5))
        decision.refresh_from_db()
        assert decision.task == task
        page = client.get(reverse("publicity:activity_detail", args=[decision.activity_id])).content.decode()
        assert "decision-task" in page

    def test_without_a_plan_the_unit_is_asked_to_create_one(self, client, zongzhi, governance_centre):
        from .factories import MeetingDecisionFactory

        decision = MeetingDecisionFactory(activity__unit=governance_centre)
        client.force_login(zongzhi)
        response = client.post(reverse("publicity:decision_to_task", args=[decision.pk]))
        assert response.url == reverse("publicity:activity_detail", args=[decision.activity_id])
        assert not WorkTask.objects.exists()

    def test_another_department_cannot_see_the_decision(self, client, department_staff, governance_centre):
        from .factories import MeetingDecisionFactory

        decision = MeetingDecisionFactory(activity__unit=governance_centre)
        client.force_login(department_staff)
        assert client.post(reverse("publicity:decision_to_task", args=[decision.pk])).status_code == 404
