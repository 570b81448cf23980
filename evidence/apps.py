from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence requests"

    def ready(self) -> None:
        # Registers the workflow preconditions (export needs a master copy; moves meet deadlines)
        # in every process: web, worker, commands and shell alike.
        from evidence.services import requests  # noqa: F401
