import factory
import wagtail_factories

from experts.models import ExpertIndexPage, ExpertPage


def expert_index():
    from discsite.factories import build_site_tree

    return build_site_tree().experts


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
    parent = factory.LazyFunction(expert_index)

    class Meta:
        model = ExpertPage
