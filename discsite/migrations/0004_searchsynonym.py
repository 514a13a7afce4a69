from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('discsite', '0003_role_permissions'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(help_text="The word or phrase our pages use, e.g. 'herniated disc'. Case does not matter.", max_length=100, unique=True)),
                ('alternatives', models.TextField(help_text="Other words readers use for the same thing, separated by commas or one per line, e.g. 'slipped disc, ruptured disc, prolapsed disc'. Searching for any of them also finds the term, and searching for the term finds them. Only letters and numbers count, not punctuation.")),
            ],
            options={
                'verbose_name': 'search synonym',
                'ordering': ['term'],
            },
        ),
    ]
