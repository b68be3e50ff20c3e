"""Source.date_precision: how much of a source's date is known (year, month or day).

Until now a source kept only a date, and the importer stored "2010" as 2010-01-01 and
"2012-03" as 2012-03-01. The precision the file gave is gone, so existing rows get a
guess, made by :func:`guess_precision`:

- 1 January is read as a year ("2010"): that is what a year-only date became, and a
  source really published on New Year's Day is rare, while a reference work or a book
  dated by its year alone is common.
- The first of any other month is read as a month ("2012-03"), for the same reason: it
  is what a month-only date became.
- Any other day is a full date: nothing but a full date could have stored it.

This is the best guess available because it is the one the exporter already made (it
wrote 2010-01-01 as "2010" and 2012-03-01 as "2012-03"): after this migration every
existing source exports exactly as before, and a page never shows a day or a month the
author did not give. Its only error is the rare source really dated the 1st, which then
shows as its month or year: less than it could, never more than is known; the admin or
the next import of its file corrects it. Rows without a date keep the default ("day"),
which means nothing until a date is set.
"""

import datetime

from django.db import migrations, models


def guess_precision(date: datetime.date | None) -> str:
    """The precision a date stored before this migration most likely had; see the docstring."""
    if date is None or date.day != 1:
        return "day"
    return "year" if date.month == 1 else "month"


def set_precisions(apps, schema_editor):
    Source = apps.get_model("content", "Source")
    changed = []
    for source in Source.objects.filter(date__isnull=False).only("pk", "date").iterator():
        precision = guess_precision(source.date)
        if precision != "day":
            source.date_precision = precision
            changed.append(source)
    Source.objects.bulk_update(changed, ["date_precision"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0004_dossier_page_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="date_precision",
            field=models.CharField(
                choices=[("year", "Year only"), ("month", "Month and year"), ("day", "Full date")],
                default="day",
                help_text="How much of the date is known. A year or a month is stored as its first day.",
                max_length=5,
                verbose_name="date precision",
            ),
        ),
        # Reversing drops the column, which is all there is to undo.
        migrations.RunPython(set_precisions, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.CheckConstraint(
                condition=models.Q(("date_precision__in", ["year", "month", "day"])),
                name="source_date_precision_valid",
            ),
        ),
    ]
