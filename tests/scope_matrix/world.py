"""Two of everything: side A (the signed-in users' units) and side B (the units they must never reach).

Side A is tests/conftest.py's village_a / grid_a1 / middle_school (SCH) / publicity_office (DEP).
Side B is village_b / grid_b1 / a second school (SCH2) / a second department (DEP2), with one object of every
model (and an attachment on every record that can hold files). Every text that a side-B record shows on a
page carries the marker ``LEAKB``: no page, list, search or export answered to a side-A user may contain it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone

from core.models import Attachment, ExportJob, ImportJob
from core.sheets import sheets
from core.uploads import attach
from organization.models import Role
from tests import factories
from tests.assessment.factories import (
    AccountabilityItemFactory,
    CallbackDrawFactory,
    CallbackFactory,
    NominationFactory,
    UnitDocumentFactory,
)
from tests.assessment.factories import InspectionFactory as SupervisionFactory
from tests.campaigns.factories import DoorVisitFactory, PledgeFactory
from tests.education.factories import EducationSessionFactory, ParentNoticeFactory, SemesterFactory, StaffMemberFactory
from tests.fraud_cases.factories import FraudCaseFactory, TypicalCaseFactory
from tests.publicity.factories import (
    ActivityFactory,
    FinanceStaffFactory,
    InspectionFactory,
    InspectionItemFactory,
    MeetingDecisionFactory,
    VenueFactory,
    VolunteerFactory,
    WorkPlanFactory,
    WorkTaskFactory,
)
from tests.schools.factories import (
    CardApplicationFactory,
    SchoolProfileFactory,
    StudentCardFactory,
    StudentFactory,
    checked_png,
)

LEAK = "LEAKB"


def _files(record, user):
    """One image attachment on ``record``; returns the Attachment."""
    return attach(record, [checked_png(name=f"{LEAK}.png")], user=user)[0]


def build_side_a() -> SimpleNamespace:
    """tests/conftest.py's town, with the same codes and usernames (built once for the whole module)."""
    a = SimpleNamespace()
    a.town = factories.TownFactory(code="T1", name="罗村镇")
    a.village_a = factories.VillageFactory(code="VA", name="联和村", parent=a.town)
    a.village_b = factories.VillageFactory(code="VB", name="下柏村", parent=a.town)
    a.grid_a1 = factories.GridFactory(code="VA-01", parent=a.village_a)
    a.grid_b1 = factories.GridFactory(code="VB-01", parent=a.village_b)
    a.middle_school = factories.SchoolFactory(code="SCH", name="罗村中学", parent=a.town)
    a.publicity_office = factories.DepartmentFactory(code="DEP", name="宣传办", parent=a.town)
    a.users = {
        "grid_a": factories.UserFactory(
            username="grid_a", unit=a.grid_a1, roles=[Role.GRID_WORKER, Role.DISSUASION_TEAM]
        ),
        "head_a": factories.UserFactory(username="head_a", unit=a.village_a, roles=[Role.VILLAGE_HEAD]),
        "school": factories.UserFactory(username="school", unit=a.middle_school, roles=[Role.SCHOOL_STAFF]),
        "department_staff": factories.UserFactory(
            username="publicity", unit=a.publicity_office, roles=[Role.DEPARTMENT_STAFF]
        ),
        "outsider": factories.UserFactory(username="outsider", unit=a.town),  # signed in, no role
        "admin": factories.UserFactory(username="admin", unit=None, is_superuser=True, is_staff=True),
    }
    # Side A's own household, student, activity: the targets of the forged POST bodies.
    a.household = factories.HouseholdFactory(village=a.village_a, grid=a.grid_a1, address="联和路1号")
    a.resident = factories.ResidentFactory(household=a.household, village=a.village_a)
    a.student = StudentFactory(school=a.middle_school, name="甲方学生")
    return a


def build_side_b(*, town, village_b, grid_b1) -> SimpleNamespace:
    """Every model once, outside side A's scope. Returns the objects (and side B's own users)."""
    w = SimpleNamespace(village=village_b, grid=grid_b1)
    w.school = factories.SchoolFactory(code="SCH2", name="乙方学校", parent=town)
    w.department = factories.DepartmentFactory(code="DEP2", name="乙方部门", parent=town)
    w.leader = factories.UserFactory(username="leader_matrix", unit=town, roles=[Role.LEADERSHIP_LEADER])
    w.head = factories.UserFactory(username="head_b", unit=village_b, roles=[Role.VILLAGE_HEAD])
    w.grid_worker = factories.UserFactory(username="grid_b_matrix", unit=grid_b1, roles=[Role.GRID_WORKER])
    w.school_staff = factories.UserFactory(username="school_b", unit=w.school, roles=[Role.SCHOOL_STAFF])
    w.department_staff = factories.UserFactory(username="publicity_b", unit=w.department, roles=[Role.DEPARTMENT_STAFF])

    # Registry and warnings
    w.household = factories.HouseholdFactory(village=village_b, grid=grid_b1, address=f"{LEAK}幸福路1号")
    w.resident = factories.ResidentFactory(household=w.household, village=village_b, name=f"{LEAK}居民")
    w.resident_id_number = w.resident.id_number
    w.resident_phone = w.resident.phone
    w.warning = factories.WarningFactory(village=village_b, person=w.resident, summary=f"{LEAK}预警")
    w.escalation_contact = factories.EscalationContactFactory(warning=w.warning, phone="13900139000")

    # Door-knocking outreach
    w.visit = DoorVisitFactory(household=w.household, notes=f"{LEAK}走访", recorded_by=w.grid_worker)
    w.visit_file = _files(w.visit, w.grid_worker)
    w.pledge = PledgeFactory(visit=w.visit, resident=w.resident)

    # Publicity, venues and work plans (one of each for the other department, the other school, the village)
    w.activity = ActivityFactory(unit=w.department, title=f"{LEAK}宣讲")
    w.activity_file = _files(w.activity, w.department_staff)
    w.school_activity = ActivityFactory(unit=w.school, title=f"{LEAK}校园宣讲")
    w.decision = MeetingDecisionFactory(
        activity=ActivityFactory(unit=w.department, category="case_meeting", title=f"{LEAK}联席会"),
        text=f"{LEAK}决定",
    )
    w.volunteer = VolunteerFactory(unit=w.department, name=f"{LEAK}志愿者")
    # A village's own publicity (五(三)) and a finance staff member on a roster (三(七))
    w.village_activity = ActivityFactory(unit=village_b, category="banner", title=f"{LEAK}村居横幅")
    w.finance_staff = FinanceStaffFactory(keeper=w.department, unit=village_b, name=f"{LEAK}会计")
    w.venue = VenueFactory(unit=w.department, name=f"{LEAK}超市")
    w.inspection = InspectionFactory(venue=w.venue, inspectors=f"{LEAK}检查组", notes=f"{LEAK}检查")
    w.inspection_file = _files(w.inspection, w.department_staff)
    w.item = InspectionItemFactory(inspection=w.inspection, passed=False, note=f"{LEAK}整改")
    w.item_file = _files(w.item, w.department_staff)
    w.plan = WorkPlanFactory(unit=w.department, title=f"{LEAK}方案")
    w.task = WorkTaskFactory(plan=w.plan, title=f"{LEAK}任务")
    w.village_plan = WorkPlanFactory(unit=village_b, title=f"{LEAK}村方案")
    w.village_task = WorkTaskFactory(plan=w.village_plan, title=f"{LEAK}村任务")
    w.school_plan = WorkPlanFactory(unit=w.school, title=f"{LEAK}校方案")
    w.school_task = WorkTaskFactory(plan=w.school_plan, title=f"{LEAK}校任务")
    w.task_file = _files(w.task, w.department_staff)
    w.document = UnitDocumentFactory(unit=village_b, title=f"{LEAK}村工作方案")
    w.document_file = _files(w.document, w.department_staff)
    w.department_document = UnitDocumentFactory(unit=w.department, kind="summary", title=f"{LEAK}部门总结")

    # Schools: students, cards, applications, the seal
    w.student = StudentFactory(school=w.school, name=f"{LEAK}学生", guardian_name=f"{LEAK}家长")
    w.student_id_number = w.student.id_number
    w.card = StudentCardFactory(student=w.student, issuer=f"{LEAK}移动")
    w.application = CardApplicationFactory(student=w.student, reason=f"{LEAK}奖学金")
    w.application_file = _files(w.application, w.school_staff)
    w.profile = SchoolProfileFactory(school=w.school)
    w.seal_file = _files(w.profile, w.school_staff)
    if hasattr(w.profile, "seal_id"):
        w.profile.seal = w.seal_file
        w.profile.save()

    # Education
    w.semester = SemesterFactory(name="矩阵学期", student_education_schools=[w.school])
    w.session = EducationSessionFactory(school=w.school, semester=w.semester, topic=f"{LEAK}课")
    w.session_file = _files(w.session, w.school_staff)
    w.staff_member = StaffMemberFactory(school=w.school, name=f"{LEAK}老师")
    w.notice = ParentNoticeFactory(school=w.school, semester=w.semester, title=f"{LEAK}家长信")
    w.notice_file = _files(w.notice, w.school_staff)

    # Fraud cases and assessment
    w.case = FraudCaseFactory(
        village=village_b, victim=w.resident, case_number=f"{LEAK}2026001", loss_amount=Decimal("98765.43")
    )
    w.callback = CallbackFactory(
        draw=CallbackDrawFactory(month=datetime.date(2026, 3, 1)), case=w.case, village=village_b
    )
    # Typical cases: a draft (its writers' only) and a published case (the whole town's) whose source is side B's
    w.typical_case = TypicalCaseFactory(unit=town, title=f"{LEAK}典型案例", source_case=w.case)
    w.published_typical_case = TypicalCaseFactory(unit=town, status="published", source_case=w.case)
    w.accountability = AccountabilityItemFactory(unit=village_b, reason=f"{LEAK}约谈")
    w.department_accountability = AccountabilityItemFactory(unit=w.department, reason=f"{LEAK}通报")
    # The other school summoned: side A's school staff never read nor answer it
    w.school_accountability = AccountabilityItemFactory(unit=w.school, kind="school_summons", reason=f"{LEAK}约谈学校")
    w.supervision = SupervisionFactory(unit=village_b, inspectors=f"{LEAK}督导组")
    # Year-end nominations: the village approved (the printed list and the export), a grid worker proposed
    w.nomination = NominationFactory(
        unit=village_b, year=timezone.localdate().year, status="approved", reason=f"{LEAK}先进集体"
    )
    w.individual_nomination = NominationFactory(
        kind="individual",
        category="grid_worker",
        unit=grid_b1,
        person=w.grid_worker,
        year=timezone.localdate().year,
        reason=f"{LEAK}先进个人",
    )

    # Things owned by a person rather than a unit
    w.import_jobs = {
        kind: ImportJob.objects.create(kind=kind, created_by=w.head, original_filename=f"{LEAK}.xlsx")
        for kind in sheets()
    }
    w.export_job = ExportJob.objects.create(
        kind="residents", created_by=w.head, status=ExportJob.Status.READY, rows=1, finished_at=timezone.now()
    )
    w.export_job.file.save("export.csv", ContentFile(f"{LEAK}".encode()), save=True)
    from notifications.models import Notification

    w.notification = Notification.objects.create(
        recipient=w.head, kind="matrix", title=f"{LEAK}通知", url="/", dedupe_key="matrix"
    )
    w.attachments = list(Attachment.objects.all())
    return w


# --- the town side (issue 18): a second town, T2, never reached from the first (T1) and vice versa ----------------

LEAK_TOWN = "LEAKT"  # every text of a T2 record shown on a page: no page answered to a T1 user may contain it


def build_second_town() -> SimpleNamespace:
    """A second town (T2) with its leadership (``leader2``) and police (``police2``), and one record of the main
    kinds (a household, a resident, a warning, a visit and pledge, a case and its callback, publicity, a work plan,
    accountability, a supervision, a document, a student), under the same attribute names as side B's so that
    :data:`tests.test_scope_matrix.ROUTES`' arguments name them. T2's own users are the actors of one direction,
    T1's leadership and police (``leader``, ``police``, in the world fixture) of the other."""
    t = SimpleNamespace()
    t.town = factories.TownFactory(code="T2", name="九江镇")
    t.village = factories.VillageFactory(code="V2", name="璜矶村", parent=t.town)
    t.grid = factories.GridFactory(code="V2-01", parent=t.village)
    t.station = factories.PoliceStationFactory(code="PS2", name="九江派出所", parent=t.town)
    t.department = factories.DepartmentFactory(code="DEP3", name="九江宣传办", parent=t.town)
    t.school = factories.SchoolFactory(code="SCH3", name="九江中学", parent=t.town)
    t.leader = factories.UserFactory(username="leader2", unit=t.town, roles=[Role.LEADERSHIP_LEADER])
    t.police = factories.UserFactory(username="police2", unit=t.station, roles=[Role.POLICE])
    t.head = factories.UserFactory(username="head_t2", unit=t.village, roles=[Role.VILLAGE_HEAD])

    t.household = factories.HouseholdFactory(village=t.village, grid=t.grid, address=f"{LEAK_TOWN}璜矶路1号")
    t.resident = factories.ResidentFactory(household=t.household, village=t.village, name=f"{LEAK_TOWN}居民")
    t.warning = factories.WarningFactory(village=t.village, person=t.resident, summary=f"{LEAK_TOWN}预警")
    t.escalation_contact = factories.EscalationContactFactory(warning=t.warning, phone="13900139001")
    t.visit = DoorVisitFactory(household=t.household, notes=f"{LEAK_TOWN}走访")
    t.pledge = PledgeFactory(visit=t.visit, resident=t.resident)
    t.activity = ActivityFactory(unit=t.department, title=f"{LEAK_TOWN}宣讲")
    t.school_activity = ActivityFactory(unit=t.school, title=f"{LEAK_TOWN}校园宣讲")
    t.plan = WorkPlanFactory(unit=t.department, title=f"{LEAK_TOWN}方案")
    t.task = WorkTaskFactory(plan=t.plan, title=f"{LEAK_TOWN}任务")
    t.village_plan = WorkPlanFactory(unit=t.village, title=f"{LEAK_TOWN}村方案")
    t.village_task = WorkTaskFactory(plan=t.village_plan, title=f"{LEAK_TOWN}村任务")
    t.venue = VenueFactory(unit=t.department, name=f"{LEAK_TOWN}超市")
    t.student = StudentFactory(school=t.school, name=f"{LEAK_TOWN}学生", guardian_name=f"{LEAK_TOWN}家长")
    t.application = CardApplicationFactory(student=t.student, reason=f"{LEAK_TOWN}奖学金")
    t.case = FraudCaseFactory(
        village=t.village, victim=t.resident, case_number=f"{LEAK_TOWN}2026001", loss_amount=Decimal("45678.90")
    )
    t.callback = CallbackFactory(
        draw=CallbackDrawFactory(month=datetime.date(2026, 4, 1)), case=t.case, village=t.village
    )
    t.typical_case = TypicalCaseFactory(unit=t.town, title=f"{LEAK_TOWN}典型案例", source_case=t.case)
    t.accountability = AccountabilityItemFactory(unit=t.village, reason=f"{LEAK_TOWN}约谈")
    t.supervision = SupervisionFactory(unit=t.village, inspectors=f"{LEAK_TOWN}督导组")
    t.document = UnitDocumentFactory(unit=t.village, title=f"{LEAK_TOWN}村工作方案")
    t.nomination = NominationFactory(
        unit=t.village, year=timezone.localdate().year, status="approved", reason=f"{LEAK_TOWN}先进集体"
    )
    t.individual_nomination = NominationFactory(
        kind="individual",
        category="village_team",
        unit=t.village,
        person=t.head,
        year=timezone.localdate().year,
        reason=f"{LEAK_TOWN}先进个人",
    )
    # Its own school calendar: the first town's leadership never lists nor edits it (and T2's never T1's)
    t.semester = SemesterFactory(town=t.town, name=f"{LEAK_TOWN}学期", student_education_schools=[t.school])
    return t
