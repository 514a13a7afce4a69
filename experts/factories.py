import factory
import wagtail_factories

from discsite.core.factories import section
from experts.models import ExpertIndexPage, ExpertPage


class ExpertIndexPageFactory(wagtail_factories.PageFactory):
    title = "Our experts"
    slug = "experts"
    intro = "The specialists who write and review our content."

    class Meta:
        model = ExpertIndexPage


class ExpertPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Expert Number{n}")
    honorific = "Dr"
    department = "Orthopedics"
    parent = factory.LazyFunction(lambda: section(ExpertIndexPage))

    class Meta:
        model = ExpertPage
