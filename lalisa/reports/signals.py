"""Deletions the summary tables cannot see from updated_at: mark the day to count again."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from lalisa.complaints.models import Complaint, Dispatch, Rating
from lalisa.reports.models import Counted, DirtyDay


def _dirty(*days) -> None:
    DirtyDay.objects.bulk_create(
        [DirtyDay(day=d) for d in set(days) if d is not None], ignore_conflicts=True
    )


@receiver(post_delete, sender=Complaint, dispatch_uid="reports.complaint_deleted")
def complaint_deleted(sender, instance, **kwargs):
    from lalisa.reports.summary import wita_day

    counted = Counted.objects.filter(complaint_id=instance.pk)
    # Its done day too: the month it was completed in lists it.
    done = wita_day(instance.done_at) if instance.done_at else None
    _dirty(wita_day(instance.received_at), done, *counted.values_list("day", flat=True))
    counted.delete()


@receiver(post_delete, sender=Dispatch, dispatch_uid="reports.dispatch_deleted")
def dispatch_deleted(sender, instance, **kwargs):
    from lalisa.reports.summary import wita_day

    _dirty(wita_day(instance.dispatched_at))


@receiver(post_delete, sender=Rating, dispatch_uid="reports.rating_deleted")
def rating_deleted(sender, instance, **kwargs):
    _dirty(
        *Counted.objects.filter(complaint_id=instance.complaint_id).values_list("day", flat=True)
    )
