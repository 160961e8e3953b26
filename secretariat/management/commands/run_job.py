from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from secretariat import tasks

# The task beat starts for each job, for --queue.
TASKS = {
    "daily_reminders": tasks.daily_reminders,
    "moderation_digest": tasks.moderation_digest,
    "weekly_digest": tasks.weekly_digest,
    "monthly_digest": tasks.monthly_digest,
    "retry_queued": tasks.retry_queued,
}


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date {value!r}: use the form 2026-12-01.") from None


class Command(BaseCommand):
    help = (
        "Runs a scheduled job now, as beat would on the given day (today by default), in this "
        "process; --queue hands it to the Celery workers instead. Safe to repeat: an email "
        "already recorded for its day is not sent again. "
        "Example: manage.py run_job daily_reminders --date 2026-12-01"
    )

    def add_arguments(self, parser):
        parser.add_argument("job", choices=sorted(tasks.JOBS))
        parser.add_argument("--date", help="The day to run the job for (YYYY-MM-DD).")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the job for the Celery workers rather than running it here.",
        )

    def handle(self, *args, job: str, date: str | None, queue: bool, **options):
        day = _date(date) if date else timezone.localdate()
        if queue:
            if job == "retry_queued":
                TASKS[job].delay()
            else:
                TASKS[job].delay(day.isoformat())
            self.stdout.write(f"{job} for {day.isoformat()} is queued for the workers.")
            return
        count = tasks.JOBS[job](day, tasks.run_here)
        unit = "recipients" if job.endswith("_digest") and job != "moderation_digest" else "emails"
        self.stdout.write(
            self.style.SUCCESS(f"{job} for {day.isoformat()}: {count} {unit} handled.")
        )
