import factory

from accounts.models import Region
from accounts.tests.factories import HealthChangeFactory, UserFactory
from notifications.models import Notification, NotifyRole, RoleAssignment


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    role = NotifyRole.REGIONAL_TAM_MANAGER
    region = Region.EMEA
    user = factory.SubFactory(UserFactory)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    change = factory.SubFactory(HealthChangeFactory)
    account = factory.LazyAttribute(lambda n: n.change.account)
    recipient = factory.SubFactory(UserFactory)
    old_color = "green"
    new_color = "yellow"
    roles = "SAL / AE"
