from campaigns.models import DoorVisit, Pledge

from .factories import DoorVisitFactory, PledgeFactory, PoliceContactFactory, PrintMaterialFactory


def test_factories_keep_related_objects_in_one_village(db, grid_a):
    visit = DoorVisitFactory(household__village=grid_a.unit.parent, recorded_by=grid_a)
    pledge = PledgeFactory(visit=visit)
    assert list(visit.visitors.all()) == [grid_a]
    assert pledge.resident.household == visit.household
    assert pledge.resident.village == visit.household.village
    assert pledge.image.name
    assert DoorVisit.objects.count() == 1 and Pledge.objects.count() == 1
    assert PrintMaterialFactory().title and PoliceContactFactory().phone
