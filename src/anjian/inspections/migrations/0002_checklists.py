from django.db import migrations


def seed(apps, schema_editor):
    """The seeded checklists (inspections.seed), written with the historical models."""
    from anjian.inspections.seed import CHECKLISTS

    HazardDomain = apps.get_model("hazards", "HazardDomain")
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Section = apps.get_model("inspections", "ChecklistSection")
    Item = apps.get_model("inspections", "ChecklistItem")
    for name, domain, industries, basis, sections in CHECKLISTS:
        target = HazardDomain.objects.filter(code=domain).first()
        if target is None or Template.objects.filter(name=name).exists():
            continue
        template = Template.objects.create(
            name=name, domain=target, industry_codes=industries, basis=basis
        )
        for s_order, (title, items) in enumerate(sections, start=1):
            section = Section.objects.create(template=template, title=title, order=s_order)
            for i_order, (question, how, legal, major, factor) in enumerate(items, start=1):
                Item.objects.create(
                    section=section,
                    order=i_order,
                    question=question,
                    how_to_check=how,
                    legal_basis=legal,
                    major=major,
                    factor_class=factor,
                )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial"), ("hazards", "0002_domains")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
