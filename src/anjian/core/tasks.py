from django_tasks import task


@task()
def deliver_notifications(ids: list[int]) -> None:
    from anjian.core.notifications import deliver

    deliver(ids)
