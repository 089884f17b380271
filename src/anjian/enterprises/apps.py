from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "anjian.enterprises"
    label = "enterprises"
    verbose_name = "企业台账"

    def ready(self) -> None:
        from anjian.core import contributions
        from anjian.enterprises.contributions import CONTRIBUTION

        contributions.register(CONTRIBUTION)

        from django_tasks.signals import task_finished

        from anjian.enterprises import stored_files
        from anjian.enterprises.tasks import fail_stopped_import

        task_finished.connect(fail_stopped_import, dispatch_uid="anjian-enterprises-import-stopped")
        stored_files.declare()
