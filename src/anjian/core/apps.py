from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "anjian.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.core import checks
        from django.db.backends.signals import connection_created

        from anjian.core.fields import check_text_limits
        from anjian.core.integrity import check_constraint_messages

        checks.register(check_text_limits, checks.Tags.models)
        checks.register(check_constraint_messages, checks.Tags.models)

        connection_created.connect(_binary_strings, dispatch_uid="anjian-binary-strings")


def _binary_strings(sender, connection, **kwargs) -> None:
    """Send strings to PostgreSQL in binary when parameters are bound on the server.

    Django bulk-inserts through UNNEST of arrays; psycopg's text dumper escapes every
    array element in Python, which dominated the time of a 100,000-row import.
    """
    if connection.vendor != "postgresql":
        return
    if not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        return
    from psycopg.types.array import ListBinaryDumper
    from psycopg.types.string import StrBinaryDumper

    adapters = connection.connection.adapters
    adapters.register_dumper(str, StrBinaryDumper)
    adapters.register_dumper(list, ListBinaryDumper)
