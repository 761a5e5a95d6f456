from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="status",
            field=models.CharField(
                choices=[
                    ("new", "New"),
                    ("confirmed", "Confirmed"),
                    ("on_hold", "On hold"),
                    ("canceled", "Canceled"),
                ],
                default="new",
                max_length=16,
                verbose_name="status",
            ),
        ),
    ]
