# The planner misjudged rare words with the default statistics of the tsvector column and scanned
# the listing index instead of the GIN index: 162 ms for a rare word at 100k commitments, 1.25 ms
# once the column keeps 1,000 most common lexemes (bench/report.md).
from django.db import migrations

import commitments.search


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial")]

    operations = [
        commitments.search.PostgreSQLOnly(
            sql="ALTER TABLE commitments_commitment ALTER COLUMN search_vector SET STATISTICS 1000;",
            reverse_sql="ALTER TABLE commitments_commitment ALTER COLUMN search_vector SET STATISTICS -1;",
        ),
    ]
