from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "anjian.enterprises"
    label = "enterprises"
    verbose_name = "企业台账"
