from django.apps import AppConfig


class CctvConfig(AppConfig):
    name = "cctv"
    verbose_name = "Camera estate"
