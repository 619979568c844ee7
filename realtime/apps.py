from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        # The domain announces commits through focushub.announce without importing us;
        # in every process (daphne, workers, manage.py) the doorbell listens.
        from focushub import announce
        from realtime import doorbell

        announce.listen(doorbell.ring)
